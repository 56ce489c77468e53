// The durable session store: a publishing process is killed (SIGKILL) in the middle of a QoS 1
// batch, restarted with the same client id and store directory, and every message arrives.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "client/file_store.hpp"
#include "client_fixture.hpp"

namespace mqtt::test {
namespace {

using asio::use_awaitable;

// Starts `command` with its stdout readable line by line.
struct child {
    FILE* out = nullptr;
    pid_t pid = -1;
    explicit child(const std::string& command) {
        int fds[2];
        if (::pipe(fds) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            ::dup2(fds[1], 1);
            ::close(fds[0]);
            ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), nullptr);
            ::_exit(127);
        }
        ::close(fds[1]);
        out = ::fdopen(fds[0], "r");
    }
    std::string line() {
        char buf[256];
        if (!out || !std::fgets(buf, sizeof buf, out)) return {};
        std::string s(buf);
        if (!s.empty() && s.back() == '\n') s.pop_back();
        return s;
    }
    void kill_now() { ::kill(pid, SIGKILL); }
    int wait() {
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (out) std::fclose(out);
        out = nullptr;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
};

TEST_F(client_test, killed_publisher_restarts_and_every_qos1_message_arrives) {
    const int count = 400;
    const std::string topic = "durable/batch";
    const std::filesystem::path store = broker->files().dir / "durable-store";
    const std::string base =
        std::string(DURABLE_PUBLISHER) + " " + plain_url() + " durable-publisher " + store.string();
    std::set<std::string> received;
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client::client_options o = options("durable-subscriber");
        client::client sub(io.get_executor(), o);
        co_await sub.async_connect(use_awaitable);
        session::subscription_request s;
        s.topic_filter = topic;
        s.max_qos = qos::at_least_once;
        const std::vector<session::subscription_request> subs{s};
        const session::subscribe_options none;
        co_await sub.async_subscribe(subs, none, use_awaitable);

        // First run: all messages accepted (in the store), killed once half are acknowledged.
        // (The child is read with blocking calls; the broker queues the subscriber's messages
        // meanwhile.)
        child first(base + " " + topic + " " + std::to_string(count));
        EXPECT_EQ(first.line(), "accepted");
        EXPECT_EQ(first.line(), "half");
        first.kill_now();
        first.wait();
        const auto left = client::file_store(store).load().outbound.size();
        EXPECT_GT(left, 0u) << "the kill came too late to leave messages in the store";

        // Second run: resumes from the store and delivers the rest.
        child second(base + " --resume");
        const int status = second.wait();
        EXPECT_EQ(status, 0);
        EXPECT_TRUE(client::file_store(store).load().outbound.empty());

        while (received.size() < std::size_t(count)) {
            const session::message_received m = co_await sub.async_receive(use_awaitable);
            received.insert(std::string(m.message.payload.begin(), m.message.payload.end()));
        }
        const session::disconnect_options bye;
        co_await sub.async_disconnect(bye, use_awaitable);
    });
    // QoS 1: at least once, so every number 0..count-1 must be there (duplicates allowed).
    EXPECT_EQ(received.size(), std::size_t(count));
}

}  // namespace
}  // namespace mqtt::test
