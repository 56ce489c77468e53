// The TLS module, libmqtt_tls.so: the only code that includes OpenSSL. open_tls() in tls.cpp
// loads it with dlopen the first time a connection asks for TLS, and calls the one function it
// exports (tls_module.hpp). Inside: the OpenSSL context made from tls_options, and a session on
// Asio's ssl::stream.
#include "transport/tls_module.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <asio/redirect_error.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cstdio>
#include <mutex>
#include <optional>

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

// Builds the client context. Errors name the file and what OpenSSL said about it.
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

inline auto use_ec(std::error_code& ec) {
    return asio::redirect_error(asio::use_awaitable, ec);
}

class openssl_session final : public tls_session {
  public:
    // The name goes to SNI when it is not an address, and to verification unless `verify` is
    // false (tls_options::insecure).
    openssl_session(const tls_module_host& host, asio::ip::tcp::socket& socket,
                    asio::ssl::context context, std::string name, bool verify)
        : host_(host),
          context_(std::move(context)),
          stream_(socket, context_),
          name_(std::move(name)) {
        SSL* ssl = stream_.native_handle();
        std::error_code not_ip;
        asio::ip::make_address(name_, not_ip);                     // fails for a host name
        if (not_ip) SSL_set_tlsext_host_name(ssl, name_.c_str());  // SNI takes names only
        if (!verify) return;
        // OpenSSL checks the name during verification, so a mismatch is reported as such.
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (not_ip) {
            X509_VERIFY_PARAM_set1_host(param, name_.c_str(), name_.size());
        } else {
            X509_VERIFY_PARAM_set1_ip_asc(param, name_.c_str());
        }
    }

    asio::awaitable<std::error_code> handshake() override {
        std::error_code ec;
        co_await stream_.async_handshake(asio::ssl::stream_base::client, use_ec(ec));
        co_return in_host_terms(ec);
    }

    std::string describe_failure(const std::error_code& ec) const override {
        // SSL_get_verify_result takes a const SSL*; native_handle() is not const.
        const long verify = SSL_get_verify_result(
            const_cast<asio::ssl::stream<asio::ip::tcp::socket&>&>(stream_).native_handle());
        return describe_tls_failure(ec, verify, name_);
    }

    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer,
                                           std::error_code& ec) override {
        const std::size_t n = co_await stream_.async_read_some(buffer, use_ec(ec));
        ec = in_host_terms(ec);
        co_return n;
    }

    asio::awaitable<void> write(asio::const_buffer buffer, std::error_code& ec) override {
        co_await asio::async_write(stream_, buffer, use_ec(ec));
        ec = in_host_terms(ec);
    }

  private:
    // tls_module.hpp: the categories the program compares against, as the program's objects.
    std::error_code in_host_terms(const std::error_code& ec) const {
        if (!ec) return ec;
        const std::error_category& c = ec.category();
        if (&c == &asio::error::get_misc_category()) return {ec.value(), *host_.misc_category};
        if (&c == &std::system_category()) return {ec.value(), *host_.system_category};
        if (&c == &std::generic_category()) return {ec.value(), *host_.generic_category};
        return ec;
    }

    tls_module_host host_;
    asio::ssl::context context_;
    asio::ssl::stream<asio::ip::tcp::socket&> stream_;
    std::string name_;
};

}  // namespace

}  // namespace mqtt::transport

// The module's one export (tls_module.hpp: open_tls_symbol). Null with `error` set when the
// options cannot be used.
extern "C" __attribute__((visibility("default"))) mqtt::transport::tls_session*
mqtt_transport_open_tls(const mqtt::transport::tls_module_host& host, asio::ip::tcp::socket& socket,
                        const mqtt::transport::tls_options& options, const std::string& name,
                        std::string& error) {
    using namespace mqtt::transport;
    try {  // no exception leaves the module (tls_module.hpp)
        std::optional<asio::ssl::context> context = make_tls_context(options, error);
        if (!context) return nullptr;
        return new openssl_session(host, socket, std::move(*context), name, !options.insecure);
    } catch (const std::exception& e) {
        error = std::string("TLS: ") + e.what();
        return nullptr;
    }
}

static_assert(
    std::is_same_v<decltype(&mqtt_transport_open_tls), mqtt::transport::open_tls_function>,
    "the export and tls_module.hpp's open_tls_function must agree");
