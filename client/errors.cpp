#include "client/errors.hpp"

#include <fmt/format.h>

#include "protocol/reason_format.hpp"

namespace mqtt::client {

namespace {

class client_category_t final : public std::error_category {
  public:
    const char* name() const noexcept override { return "mqtt.client"; }
    std::string message(int e) const override {
        switch (errc(e)) {
            case errc::offline_queue_full:
                return "too many messages waiting for a connection";
            case errc::not_connected:
                return "not connected";
            case errc::already_connecting:
                return "already connecting or connected";
            case errc::timed_out:
                return "no response in time";
            case errc::transport_failed:
                return "cannot reach the broker";
            case errc::connection_closed:
                return "the connection ended first";
            case errc::shut_down:
                return "the client was disconnected";
            case errc::no_response_topic:
                return "the request has no Response Topic";
            case errc::connection_lost:
                return "the connection to the broker was lost";
            case errc::protocol_violation:
                return "the server broke the MQTT protocol";
        }
        return "unknown client error";
    }
};

class reason_category_t final : public std::error_category {
  public:
    const char* name() const noexcept override { return "mqtt.reason"; }
    std::string message(int e) const override {
        return fmt::format("{}", named_reason{reason_code(e)});
    }
};

}  // namespace

const std::error_category& client_category() {
    static const client_category_t c;
    return c;
}

const std::error_category& reason_category() {
    static const reason_category_t c;
    return c;
}

}  // namespace mqtt::client
