// Enhanced authentication (spec 4.12): AUTH exchanges before CONNACK and re-authentication on a
// live connection. Every AUTH carries the method of CONNECT (MQTT-4.12.0-5); before CONNACK only
// AUTH or DISCONNECT is sent (MQTT-3.1.2-30: the commands queue until then).
#include <fmt/format.h>

#include "client/session/convert.hpp"
#include "client/session/session.hpp"
#include "protocol/reason_format.hpp"

namespace mqtt::session {

bool session::check_connack_authentication(const connack& p) {
    const auto& method = p.props.authentication_method;
    if (!auth_) {
        if (method) {
            violation(reason_code::protocol_error,
                      "CONNACK with an Authentication Method we did not send (MQTT-4.12.0-6)");
            return false;
        }
        return true;
    }
    if (method != std::optional<std::string_view>(auth_->method())) {
        violation(reason_code::protocol_error,
                  "CONNACK without the Authentication Method of CONNECT (MQTT-4.12.0-5)");
        return false;
    }
    if (!auth_->finish(detail::owned(p.props.authentication_data))) {
        fail_authentication("the server's final authentication data was refused");
        return false;
    }
    return true;
}

void session::on_auth(const auth& p) {
    if (!auth_) {
        violation(reason_code::protocol_error,
                  "AUTH although CONNECT had no Authentication Method (MQTT-4.12.0-6)");
        return;
    }
    if (p.props.authentication_method != std::optional<std::string_view>(auth_->method())) {
        violation(reason_code::protocol_error,
                  "AUTH without the Authentication Method of CONNECT (MQTT-4.12.0-5)");
        return;
    }
    const bool exchanging = state_ == state::connecting || reauthenticating_;
    if (p.reason == reason_code::continue_authentication && exchanging) {
        const std::optional<byte_vector> answer =
            auth_->step(detail::owned(p.props.authentication_data));
        if (!answer) {
            fail_authentication("the authenticator gave up on the server's challenge");
            return;
        }
        const std::string method = auth_->method();
        auth reply;
        reply.reason = reason_code::continue_authentication;  // MQTT-4.12.0-3
        reply.props.authentication_method = method;
        reply.props.authentication_data = bytes_view(*answer);
        if (command_result bad = check_auth(reply); !bad) {
            fail_authentication("the authenticator's answer cannot be sent: " + bad.detail);
            return;
        }
        send(reply);
        if (state_ == state::connecting && options_.connack_timeout > duration::zero()) {
            timers_.set(timer_kind::connack, now_ + options_.connack_timeout);
        }
        return;
    }
    if (p.reason == reason_code::success && reauthenticating_) {
        if (!auth_->finish(detail::owned(p.props.authentication_data))) {
            fail_authentication("the server's final re-authentication data was refused");
            return;
        }
        reauthenticating_ = false;
        emit(reauthenticated{});
        return;
    }
    violation(reason_code::protocol_error,
              fmt::format("unexpected AUTH {}", named_reason{p.reason, packet_type::auth}));
}

command_result session::reauthenticate(time_point now) {
    now_ = now;
    if (!auth_) {
        return command_result::refused(
            errc::no_authenticator,
            "re-authentication needs enhanced authentication: CONNECT had no Authentication "
            "Method, so no AUTH may be sent (MQTT-4.12.0-7)");
    }
    if (state_ == state::closing)
        return command_result::refused(errc::closed, "the session is closing");
    if (state_ != state::connected) {
        return command_result::refused(errc::not_connected,
                                       "re-authentication needs a connection that has its CONNACK");
    }
    if (reauthenticating_) {
        return command_result::refused(
            errc::invalid_argument,
            "a re-authentication is already in progress; wait for its AUTH 0x00 (spec 4.12.1)");
    }
    const std::string method = auth_->method();  // MQTT-4.12.1-1: the original method
    const std::optional<byte_vector> data = auth_->start(true);
    auth a;
    a.reason = reason_code::re_authenticate;
    a.props.authentication_method = method;
    a.props.authentication_data = detail::view(data);
    // Refused after start(): the authenticator's next start() begins afresh (authenticator.hpp).
    if (command_result bad = check_auth(a); !bad) {
        bad.detail = "the authenticator's first data cannot be sent: " + bad.detail;
        return bad;
    }
    reauthenticating_ = true;
    send(a);
    return {};
}

// Whether an AUTH made of the authenticator's method and data can be sent: both within their
// lengths, and the whole within the server's Maximum Packet Size (MQTT-3.2.2-15).
command_result session::check_auth(const auth& a) const {
    if (command_result bad = detail::check_string("Authentication Method",
                                                  a.props.authentication_method.value_or(""));
        !bad)
        return bad;
    if (a.props.authentication_data) {
        if (command_result bad =
                detail::check_binary("Authentication Data", *a.props.authentication_data);
            !bad)
            return bad;
    }
    return detail::check_size(a, limits_.maximum_packet_size);
}

void session::fail_authentication(std::string what) {
    mqtt::disconnect d;
    d.reason = reason_code::not_authorized;
    send(d);
    disconnected ev{disconnect_cause::authentication_failed, reason_code::not_authorized};
    ev.detail = std::move(what);
    end_connection(std::move(ev));
}

}  // namespace mqtt::session
