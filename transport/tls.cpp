#include "transport/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <mutex>

namespace mqtt::transport {

namespace {

// The key log file of each context, found from OpenSSL's callback through ex_data.
int keylog_index() {
    static const int index = SSL_CTX_get_ex_new_index(
        0, nullptr, nullptr, nullptr, [](void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
            if (ptr) std::fclose(static_cast<std::FILE*>(ptr));
        });
    return index;
}

void write_keylog(const SSL* ssl, const char* line) {
    auto* file = static_cast<std::FILE*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), keylog_index()));
    if (!file) return;
    static std::mutex m;
    const std::lock_guard lock(m);
    std::fprintf(file, "%s\n", line);
    std::fflush(file);
}

std::string openssl_reason() {
    const unsigned long e = ERR_get_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

}  // namespace

std::optional<asio::ssl::context> make_tls_context(const tls_options& o, std::string& error) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_min_proto_version(
        native, o.min_version == tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
    asio::error_code ec;
    if (o.insecure) {
        ctx.set_verify_mode(asio::ssl::verify_none);
    } else {
        ctx.set_verify_mode(asio::ssl::verify_peer);
        if (!o.ca_file.empty() && (ctx.load_verify_file(o.ca_file, ec), ec)) {
            error = "cannot load CA file " + o.ca_file + ": " + ec.message();
            return std::nullopt;
        }
        if (!o.ca_path.empty() && (ctx.add_verify_path(o.ca_path, ec), ec)) {
            error = "cannot use CA directory " + o.ca_path + ": " + ec.message();
            return std::nullopt;
        }
        if (o.ca_file.empty() && o.ca_path.empty()) ctx.set_default_verify_paths(ec);
    }
    if (!o.cert_file.empty()) {
        if (ctx.use_certificate_chain_file(o.cert_file, ec), ec) {
            error = "cannot load client certificate " + o.cert_file + ": " + ec.message();
            return std::nullopt;
        }
        const std::string& key = o.key_file.empty() ? o.cert_file : o.key_file;
        if (ctx.use_private_key_file(key, asio::ssl::context::pem, ec), ec) {
            error = "cannot load private key " + key + ": " + ec.message();
            return std::nullopt;
        }
        if (SSL_CTX_check_private_key(native) != 1) {
            error = "the private key " + key + " does not match the certificate " + o.cert_file;
            return std::nullopt;
        }
    }
    if (!o.alpn.empty()) {
        std::string wire;  // length-prefixed protocol names (RFC 7301)
        for (const std::string& p : o.alpn) {
            wire += char(p.size());
            wire += p;
        }
        if (SSL_CTX_set_alpn_protos(native, reinterpret_cast<const unsigned char*>(wire.data()),
                                    unsigned(wire.size())) != 0) {
            error = "cannot set ALPN: " + openssl_reason();
            return std::nullopt;
        }
    }
    if (!o.keylog_file.empty()) {
        std::FILE* file = std::fopen(o.keylog_file.c_str(), "a");
        if (!file) {
            error = "cannot open the key log file " + o.keylog_file;
            return std::nullopt;
        }
        SSL_CTX_set_ex_data(native, keylog_index(), file);
        SSL_CTX_set_keylog_callback(native, write_keylog);
    }
    return ctx;
}

std::string describe_tls_failure(const std::error_code& ec, long verify_result,
                                 const std::string& host) {
    switch (verify_result) {
        case X509_V_OK:
            break;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "TLS: the server's certificate has expired";
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "TLS: the server's certificate is not valid yet (check the clock)";
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "TLS: the server's certificate does not match the host name \"" + host +
                   "\" (host name mismatch)";
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
            return std::string("TLS: the server's certificate is signed by an unknown CA (") +
                   X509_verify_cert_error_string(verify_result) +
                   "): give the broker's CA with --cafile";
        default:
            return std::string("TLS: certificate verification failed: ") +
                   X509_verify_cert_error_string(verify_result);
    }
    return "TLS handshake failed: " + ec.message();
}

}  // namespace mqtt::transport
