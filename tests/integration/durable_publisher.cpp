// A publisher process for the durable-store test (client_durable_test.cpp), which kills it.
//   durable_publisher URL CLIENT_ID STORE_DIR TOPIC COUNT   publish COUNT QoS 1 messages
//       "0".."COUNT-1" (accepted while offline, so all are in the store), print "accepted",
//       connect, print "half" once half are acknowledged, then keep going.
//   durable_publisher URL CLIENT_ID STORE_DIR --resume       connect with what the store holds
//       and exit 0 once it is empty (every stored message acknowledged).
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <cstdio>
#include <functional>
#include <string>

#include "client/client.hpp"
#include "client/file_store.hpp"

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr,
                     "usage: durable_publisher URL CLIENT_ID STORE_DIR (TOPIC COUNT | --resume)\n");
        return 2;
    }
    const std::string resume_flag = argv[4];
    const bool resume = resume_flag == "--resume";
    mqtt::client::file_store store(argv[3]);
    asio::io_context io;
    mqtt::client::client_options o;
    o.url = argv[1];
    o.mqtt.client_id = argv[2];
    o.mqtt.clean_start = false;
    o.mqtt.session_expiry_interval = 300;  // the broker keeps the session across the restart
    o.store = &store;
    mqtt::client::client c(io.get_executor(), o);

    int exit_code = 1;
    const int count = resume ? 0 : std::stoi(argv[5]);
    int acknowledged = 0;  // outlives the callbacks that count in it
    if (!resume) {
        for (int i = 0; i < count; ++i) {
            mqtt::session::message m;
            m.topic = argv[4];
            const std::string body = std::to_string(i);
            m.payload.assign(body.begin(), body.end());
            m.qos = mqtt::qos::at_least_once;
            c.async_publish(m, [&](std::error_code ec, const mqtt::session::publish_completed&) {
                if (ec) std::fprintf(stderr, "publish failed: %s\n", ec.message().c_str());
                if (++acknowledged == count / 2) std::printf("half\n"), std::fflush(stdout);
                if (acknowledged == count) exit_code = 0, io.stop();
            });
        }
        // Posted after the publishes: by then they are all in the store.
        asio::post(io, [] { std::printf("accepted\n"), std::fflush(stdout); });
    }
    c.async_connect([&](std::error_code ec, const mqtt::session::connected&) {
        if (ec) {
            std::fprintf(stderr, "connect failed: %s (%s)\n", ec.message().c_str(),
                         c.last_error().c_str());
            io.stop();
        }
    });
    // --resume: done when the store is empty.
    asio::steady_timer poll(io);
    std::function<void()> check = [&] {
        poll.expires_after(std::chrono::milliseconds(20));
        poll.async_wait([&](std::error_code ec) {
            if (ec) return;
            if (resume && store.load().outbound.empty()) {
                exit_code = 0;
                io.stop();
                return;
            }
            check();
        });
    };
    check();
    io.run_for(std::chrono::seconds(30));
    return exit_code;
}
