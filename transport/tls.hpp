// TLS settings for mqtts:// connections, and the OpenSSL context built from them. The server's
// certificate is verified by default, with its host name checked and sent as SNI.
#pragma once

#include <asio/ssl/context.hpp>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace mqtt::transport {

enum class tls_version : std::uint8_t { tls1_2, tls1_3 };

struct tls_options {
    std::string ca_file;      // PEM bundle of trusted CAs; with ca_path empty too, the system's
    std::string ca_path;      // directory of hashed CA certificates (c_rehash)
    std::string cert_file;    // client certificate (chain) for mutual TLS, PEM
    std::string key_file;     // its private key, PEM
    std::string server_name;  // name to verify and send as SNI; empty: the URL's host
    bool insecure = false;    // skip certificate and host name verification (say so loudly)
    tls_version min_version = tls_version::tls1_2;
    std::vector<std::string> alpn;  // e.g. {"mqtt"}
    std::string keylog_file;        // NSS key log (SSLKEYLOGFILE format) for Wireshark; empty: none
};

// Builds the client context. Errors name the file and what OpenSSL said about it.
std::optional<asio::ssl::context> make_tls_context(const tls_options& o, std::string& error);

// Words a person can act on for a failed handshake: the certificate verification result when
// there is one ("certificate has expired", "host name mismatch", "unknown CA"), else OpenSSL's
// reason.
std::string describe_tls_failure(const std::error_code& ec, long verify_result,
                                 const std::string& host);

}  // namespace mqtt::transport
