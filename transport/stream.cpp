#include "transport/stream.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

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

// A name lookup's answer, shared by the thread that makes it and the coroutine that waits.
struct lookup {
    std::mutex mutex;
    std::error_code error;
    asio::ip::tcp::resolver::results_type results;
    int event_fd = -1;
    ~lookup() {
        if (event_fd >= 0) ::close(event_fd);
    }
};

std::error_code last_error() {
    return {errno, std::system_category()};
}

// The addresses of `host`. An address (127.0.0.1, ::1) is converted at once: getaddrinfo with
// AI_NUMERICHOST looks nothing up. A name is looked up on a thread of its own that ends with the
// lookup. getaddrinfo blocks, so it cannot run on the io_context's thread; Asio's asynchronous
// resolver runs it on a thread that then stays for the io_context's whole life, idle: an mqtt-sub
// left running for days would keep a thread with nothing to do. The answer comes back through an
// eventfd the io_context waits on, so the thread touches nothing of the io_context and may
// outlive it (when the program stops during a lookup); the mutex orders the answer's writing and
// reading.
asio::awaitable<asio::ip::tcp::resolver::results_type> resolve(
    const asio::any_io_executor& executor, const std::string& host, const std::string& port,
    std::error_code& ec) {
    std::error_code not_an_address;
    asio::ip::tcp::resolver numeric(executor);  // runs no thread: it is used synchronously
    auto address = numeric.resolve(
        host, port,
        asio::ip::resolver_base::numeric_host | asio::ip::resolver_base::numeric_service,
        not_an_address);
    if (!not_an_address) co_return address;

    auto answer = std::make_shared<lookup>();
    answer->event_fd = ::eventfd(0, EFD_CLOEXEC);
    if (answer->event_fd < 0) {
        ec = last_error();
        co_return asio::ip::tcp::resolver::results_type{};
    }
    const int own = ::dup(answer->event_fd);  // the io_context's end, closed with `ready`
    if (own < 0) {
        ec = last_error();
        co_return asio::ip::tcp::resolver::results_type{};
    }
    asio::posix::stream_descriptor ready(executor, own);
    try {
        std::thread([answer, host, port] {
            asio::io_context here;  // a synchronous resolve runs no thread of its own
            asio::ip::tcp::resolver resolver(here);
            std::error_code error;
            auto results = resolver.resolve(host, port, error);
            {
                const std::lock_guard lock(answer->mutex);
                answer->error = error;
                answer->results = std::move(results);
            }
            const std::uint64_t one = 1;
            [[maybe_unused]] const auto written = ::write(answer->event_fd, &one, sizeof one);
        }).detach();
    } catch (const std::system_error& e) {  // no thread could be made
        ec = e.code();
        co_return asio::ip::tcp::resolver::results_type{};
    }
    std::uint64_t count = 0;
    co_await ready.async_read_some(asio::buffer(&count, sizeof count), use_ec(ec));
    if (ec) co_return asio::ip::tcp::resolver::results_type{};
    const std::lock_guard lock(answer->mutex);
    ec = answer->error;
    co_return std::move(answer->results);
}

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
    const asio::ip::tcp::resolver::results_type addresses =
        co_await resolve(executor_, ep.host, port, ec);
    if (ec) co_return connect_result{ec, "cannot resolve \"" + ep.host + "\": " + ec.message()};

    deadline timeout(executor_, o.connect_timeout, socket_);
    // Every resolved address in turn, IPv6 and IPv4 alike.
    const asio::ip::tcp::endpoint chosen =
        co_await asio::async_connect(socket_, addresses, use_ec(ec));
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

asio::awaitable<stream::io_result> stream::tls_read_some(asio::mutable_buffer buffer) {
    io_result r;
    r.bytes = co_await tls_->read_some(buffer, r.error);
    co_return r;
}

asio::awaitable<stream::io_result> stream::tls_write(asio::const_buffer buffer) {
    io_result r;
    co_await tls_->write(buffer, r.error);
    if (!r.error) r.bytes = buffer.size();
    co_return r;
}

}  // namespace mqtt::transport
