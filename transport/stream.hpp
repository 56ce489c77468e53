// A byte stream to a broker: TCP, or TLS over TCP, on standalone Asio. Name resolution tries
// every address the name has (IPv6 and IPv4) in turn, within one connect timeout. Operations are
// C++20 coroutines (asio::awaitable) that report errors as values, never by exception.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "transport/tls.hpp"
#include "transport/url.hpp"

namespace mqtt::transport {

struct connect_options {
    transport::endpoint endpoint;
    tls_options tls;  // used when endpoint.tls
    std::chrono::milliseconds connect_timeout{10'000};
};

struct connect_result {
    std::error_code error;
    std::string message;  // for a person: "connection refused by 127.0.0.1:1883", "TLS: ..."
    explicit operator bool() const { return !error; }
};

class stream {
  public:
    explicit stream(asio::any_io_executor executor);
    ~stream();
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    asio::awaitable<connect_result> connect(const connect_options& options);
    // Reads what is available (at least one byte); 0 with `ec` set at end of stream or error.
    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, std::error_code& ec);
    asio::awaitable<void> write(asio::const_buffer buffer, std::error_code& ec);
    void close();  // also cancels pending operations

    bool is_open() const;
    bool is_tls() const { return tls_ != nullptr; }
    asio::ip::tcp::endpoint remote() const { return remote_; }  // once connected
    asio::ip::tcp::endpoint local() const { return local_; }
    asio::any_io_executor get_executor() const { return executor_; }

  private:
    asio::any_io_executor executor_;
    asio::ip::tcp::socket socket_;
    std::unique_ptr<tls_session> tls_;  // on socket_, when the endpoint asked for TLS
    asio::ip::tcp::endpoint remote_, local_;
};

}  // namespace mqtt::transport
