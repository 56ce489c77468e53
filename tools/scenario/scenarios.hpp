// The scenarios mqtt-scenario knows: each shows one of MQTT's features with every packet traced
// and checks what it promised (context.hpp). They live in three files by theme:
//   scenarios_basic.cpp       connect, auth, qos, retained
//   scenarios_messages.cpp    expiry, request-response, flow-control
//   scenarios_connection.cpp  keepalive, will, session
#pragma once

#include <asio/awaitable.hpp>
#include <string>
#include <vector>

#include "client/session/events.hpp"
#include "tools/scenario/context.hpp"

namespace mqtt::scenario {

struct scenario {
    const char* name;     // "qos"
    const char* title;    // one line for `list` and the summary
    const char* explain;  // two or three lines: what it shows and what to look for
    asio::awaitable<void> (*run)(context&);
    // Fields that differ between two runs of the same flow ("PUBLISH properties.x"), beyond
    // what every comparison ignores (flow_compare.hpp).
    std::vector<std::string> ignored_fields = {};
};

// In the order `all` runs them.
const std::vector<scenario>& all_scenarios();

// The broker's capabilities as its CONNACK announced them, in words, one line each.
std::vector<std::string> capabilities(const session::connected& ack);

asio::awaitable<void> connect_scenario(context& ctx);
asio::awaitable<void> auth_scenario(context& ctx);
asio::awaitable<void> qos_scenario(context& ctx);
asio::awaitable<void> retained_scenario(context& ctx);
asio::awaitable<void> expiry_scenario(context& ctx);
asio::awaitable<void> request_response_scenario(context& ctx);
asio::awaitable<void> flow_control_scenario(context& ctx);
asio::awaitable<void> keepalive_scenario(context& ctx);
asio::awaitable<void> will_scenario(context& ctx);
asio::awaitable<void> session_scenario(context& ctx);

}  // namespace mqtt::scenario
