// TLS for mqtts:// connections: the settings, and a TLS session over a connected TCP socket.
// The server's certificate is verified by default, with its host name checked and sent as SNI.
//
// OpenSSL is loaded only when TLS is used: the session lives in the TLS module
// (libmqtt_tls.so, built from tls_module.cpp), which open_tls() loads the first time it is
// called. A run without TLS maps neither libssl nor libcrypto, which is most of what a short
// `mqtt-pub` run would otherwise spend starting, and most of an idle `mqtt-sub`'s memory.
// Nothing here includes an OpenSSL header.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <memory>
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

// A TLS client session on a TCP socket that stays the caller's (it must outlive the session).
// Errors come back as values, never as exceptions, like stream's.
class tls_session {
  public:
    virtual ~tls_session() = default;
    virtual asio::awaitable<std::error_code> handshake() = 0;
    // Words a person can act on for a failed handshake: the certificate verification result
    // when there is one ("certificate has expired", "host name mismatch", "unknown CA"), else
    // OpenSSL's reason or `ec`'s.
    virtual std::string describe_failure(const std::error_code& ec) const = 0;
    virtual asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer,
                                                   std::error_code& ec) = 0;
    virtual asio::awaitable<void> write(asio::const_buffer buffer, std::error_code& ec) = 0;
};

// A session for `socket`, connected to `host` (verified against `options.server_name` when it
// is set, else against `host`). Null, with `error` for a person, when the TLS module cannot be
// loaded or a file in `options` cannot be used (the error names it).
std::unique_ptr<tls_session> open_tls(asio::ip::tcp::socket& socket, const tls_options& options,
                                      const std::string& host, std::string& error);

// Where open_tls() looks for the module, in order: next to the program (../lib from its
// directory), then where the build put it.
std::vector<std::string> tls_module_candidates();

}  // namespace mqtt::transport
