// A byte stream to a broker: TCP, or TLS over TCP, on standalone Asio. Name resolution tries
// every address the name has (IPv6 and IPv4) in turn, within one connect timeout. connect() is a
// C++20 coroutine (asio::awaitable); reading and writing take any Asio completion token. Errors
// are values, never exceptions.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <exception>
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
    // Reads what is available (at least one byte), or writes all of `buffer`; completes with
    // (std::error_code, std::size_t), the error set at end of stream or on failure. Any Asio
    // completion token: a plain handler for a read or write loop that should not pay for a
    // coroutine frame per operation (over TCP these are Asio's own operations, which allocate
    // through the handler's associated allocator; over TLS they run a coroutine in the TLS
    // module), asio::use_awaitable, ... The handler runs on this stream's executor.
    template <class Token>
    auto async_read_some(asio::mutable_buffer buffer, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code, std::size_t)>(
            [this](auto handler, asio::mutable_buffer b) {
                if (!tls_) {
                    socket_.async_read_some(b, std::move(handler));
                    return;
                }
                asio::co_spawn(executor_, tls_read_some(b),
                               tls_done<decltype(handler)>{std::move(handler)});
            },
            token, buffer);
    }
    template <class Token>
    auto async_write(asio::const_buffer buffer, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code, std::size_t)>(
            [this](auto handler, asio::const_buffer b) {
                if (!tls_) {
                    asio::async_write(socket_, b, std::move(handler));
                    return;
                }
                asio::co_spawn(executor_, tls_write(b),
                               tls_done<decltype(handler)>{std::move(handler)});
            },
            token, buffer);
    }
    void close();  // also cancels pending operations

    bool is_open() const;
    bool is_tls() const { return tls_ != nullptr; }
    asio::ip::tcp::endpoint remote() const { return remote_; }  // once connected
    asio::ip::tcp::endpoint local() const { return local_; }
    asio::any_io_executor get_executor() const { return executor_; }

  private:
    struct io_result {
        std::error_code error;
        std::size_t bytes = 0;
    };
    asio::awaitable<io_result> tls_read_some(asio::mutable_buffer buffer);
    asio::awaitable<io_result> tls_write(asio::const_buffer buffer);
    template <class Handler>
    struct tls_done {
        Handler handler;
        void operator()(std::exception_ptr e, io_result r) {
            if (e) r.error = asio::error::fault;  // the TLS module throws nothing; never seen
            handler(r.error, r.bytes);
        }
    };
    asio::any_io_executor executor_;
    asio::ip::tcp::socket socket_;
    std::unique_ptr<tls_session> tls_;  // on socket_, when the endpoint asked for TLS
    asio::ip::tcp::endpoint remote_, local_;
};

}  // namespace mqtt::transport
