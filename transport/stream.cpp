#include "transport/stream.hpp"

#include <array>

#include <asio/connect.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace mqtt::transport {

namespace {

inline auto use_ec(std::error_code& ec) {
    return asio::redirect_error(asio::use_awaitable, ec);
}

// Closes the socket when the connect timeout passes, which cancels whatever is pending.
struct deadline {
    std::shared_ptr<bool> fired = std::make_shared<bool>(false);
    asio::steady_timer timer;
    deadline(asio::any_io_executor ex, std::chrono::milliseconds after, asio::ip::tcp::socket& s)
        : timer(ex, after) {
        timer.async_wait([fired = fired, &s](std::error_code ec) {
            if (ec) return;  // cancelled: the connect finished first
            *fired = true;
            std::error_code ignored;
            s.close(ignored);
        });
    }
    ~deadline() { timer.cancel(); }
};

}  // namespace

stream::stream(asio::any_io_executor executor) : executor_(executor), socket_(executor) {}
stream::~stream() = default;

bool stream::is_open() const {
    return socket_.is_open();
}

void stream::close() {
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

asio::awaitable<connect_result> stream::connect(const connect_options& o) {
    const endpoint& ep = o.endpoint;
    std::error_code ec;
    // (No temporaries with destructors inside a co_await expression: GCC 12 destroys them twice.)
    const std::string port = std::to_string(ep.port);
    // An address needs no resolving; only a name goes to the resolver, whose asynchronous form
    // runs a thread of its own that the process then keeps for nothing.
    std::error_code host_not_ip;
    const asio::ip::address literal = asio::ip::make_address(ep.host, host_not_ip);
    const std::array<asio::ip::tcp::endpoint, 1> literal_endpoint{
        asio::ip::tcp::endpoint(literal, ep.port)};  // used only when it is one
    asio::ip::tcp::resolver::results_type addresses;
    if (host_not_ip) {
        asio::ip::tcp::resolver resolver(executor_);
        addresses = co_await resolver.async_resolve(ep.host, port, use_ec(ec));
        if (ec) co_return connect_result{ec, "cannot resolve \"" + ep.host + "\": " + ec.message()};
    }

    deadline timeout(executor_, o.connect_timeout, socket_);
    // Every resolved address in turn, IPv6 and IPv4 alike.
    asio::ip::tcp::endpoint chosen;
    if (host_not_ip)
        chosen = co_await asio::async_connect(socket_, addresses, use_ec(ec));
    else
        chosen = co_await asio::async_connect(socket_, literal_endpoint, use_ec(ec));
    if (*timeout.fired) ec = asio::error::timed_out;
    if (ec) {
        co_return connect_result{
            ec,
            "cannot connect to " +
                (ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host) + ":" +
                port + ": " +
                (ec == asio::error::timed_out ? std::string("no answer within the connect timeout")
                                              : ec.message())};
    }
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    remote_ = chosen;
    local_ = socket_.local_endpoint(ec);
    if (!ep.tls) co_return connect_result{};

    std::string error;
    tls_ = open_tls(socket_, o.tls, ep.host, error);
    if (!tls_) co_return connect_result{std::make_error_code(std::errc::invalid_argument), error};
    ec = co_await tls_->handshake();
    if (*timeout.fired) ec = asio::error::timed_out;
    if (ec) co_return connect_result{ec, tls_->describe_failure(ec)};
    co_return connect_result{};
}

asio::awaitable<std::size_t> stream::read_some(asio::mutable_buffer buffer, std::error_code& ec) {
    if (tls_) co_return co_await tls_->read_some(buffer, ec);
    co_return co_await socket_.async_read_some(buffer, use_ec(ec));
}

asio::awaitable<void> stream::write(asio::const_buffer buffer, std::error_code& ec) {
    if (tls_) {
        co_await tls_->write(buffer, ec);
    } else {
        co_await asio::async_write(socket_, buffer, use_ec(ec));
    }
}

}  // namespace mqtt::transport
