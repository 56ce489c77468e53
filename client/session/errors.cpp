#include "client/session/errors.hpp"

namespace mqtt::session {

namespace {

class category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "mqtt.session"; }
    std::string message(int e) const override {
        switch (errc(e)) {
            case errc::not_connected:
                return "not connected";
            case errc::closed:
                return "the session is closing (DISCONNECT sent or received)";
            case errc::invalid_topic:
                return "invalid Topic Name";
            case errc::invalid_topic_filter:
                return "invalid Topic Filter";
            case errc::invalid_utf8:
                return "invalid UTF-8 string";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::qos_not_supported:
                return "QoS above the server's Maximum QoS";
            case errc::retain_not_supported:
                return "the server does not support retain";
            case errc::packet_too_large:
                return "packet larger than the server's Maximum Packet Size";
            case errc::packet_identifiers_exhausted:
                return "all Packet Identifiers are in use";
            case errc::feature_not_available:
                return "the server does not offer this feature";
            case errc::no_authenticator:
                return "no enhanced authentication configured";
            case errc::needs_mqtt5:
                return "an MQTT 5 feature asked of an MQTT 3.1.1 session";
            case errc::session_discarded:
                return "the server did not keep the session";
            case errc::connection_lost:
                return "connection lost";
            case errc::keep_alive_timeout:
                return "no answer from the server within the keep-alive";
            case errc::connack_timeout:
                return "no CONNACK from the server in time";
            case errc::protocol_violation:
                return "the server broke the MQTT protocol";
            case errc::authentication_failed:
                return "authentication failed";
        }
        return "unknown session error";
    }
};

}  // namespace

const std::error_category& session_category() {
    static const category c;
    return c;
}

}  // namespace mqtt::session
