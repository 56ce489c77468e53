// What CONNECT says (spec 3.1) and what CONNACK means (spec 3.2).
#include <fmt/format.h>

#include "client/session/convert.hpp"
#include "client/session/session.hpp"
#include "protocol/reason_format.hpp"
#include "protocol/topic.hpp"

namespace mqtt::session {

namespace {

constexpr std::string_view enhanced_authentication =
    "Enhanced authentication (an Authentication Method)";

std::optional<std::uint8_t> flag(const std::optional<bool>& b) {
    return b ? std::optional<std::uint8_t>(*b ? 1 : 0) : std::nullopt;
}

// What a 3.1.1 CONNECT cannot carry, refused by name (errc::needs_mqtt5); ok otherwise. Asked by
// check_connect_options() for the caller, and by send_connect() before anything is sent.
command_result check_v311_connect(const connect_options& o, const authenticator* auth) {
    if (o.protocol_version != protocol_version::v311) return {};
    if (const std::string what = detail::v5_only_connect_option(o); !what.empty())
        return detail::refuse_v5_only(what);
    if (auth) return detail::refuse_v5_only(enhanced_authentication);
    return {};
}

}  // namespace

std::string connack_reason_text(reason_code rc, protocol_version version) {
    connect_return_code code{};
    if (version == protocol_version::v311 && to_connect_return_code(rc, code))
        return fmt::format("0x{:02X} {}", std::uint8_t(code), connect_return_code_name(code));
    return fmt::format("{}", named_reason{rc, packet_type::connack});
}

command_result check_connect_options(const connect_options& o, const authenticator* auth) {
    if (o.protocol_version != protocol_version::v5 &&
        o.protocol_version != protocol_version::v311) {
        return command_result::refused(errc::invalid_argument,
                                       "protocol version must be MQTT 5 or 3.1.1");
    }
    if (command_result bad = check_v311_connect(o, auth); !bad) return bad;
    if (command_result bad = detail::check_string("Client Identifier", o.client_id); !bad)
        return bad;
    if (o.username) {
        if (command_result bad = detail::check_string("User Name", *o.username); !bad) return bad;
    }
    if (o.password) {
        if (command_result bad = detail::check_binary("Password", *o.password); !bad) return bad;
    }
    if (o.receive_maximum && *o.receive_maximum == 0) {
        return command_result::refused(errc::invalid_argument, "Receive Maximum must not be 0");
    }
    if (o.maximum_packet_size && *o.maximum_packet_size == 0) {
        return command_result::refused(errc::invalid_argument, "Maximum Packet Size must not be 0");
    }
    if (command_result bad = detail::check_user_properties(o.user_properties); !bad) return bad;
    if (o.will) {
        const message& m = o.will->message;
        if (std::uint8_t(m.qos) > 2)
            return command_result::refused(errc::invalid_argument, "Will QoS must be 0..2");
        if (const char* problem = topic_name_problem(m.topic)) {
            return command_result::refused(errc::invalid_topic,
                                           fmt::format("Will Topic: {}", problem));
        }
    }
    // Everything else (lengths, the Will's properties) is what the decoder checks: encode the
    // CONNECT and decode it.
    session probe(o);
    probe.connection_opened(time_point{});
    if (probe.wants_close()) {  // send_connect() refused to send it, and said why
        std::string why = "invalid CONNECT";
        while (auto e = probe.poll_event()) {
            if (auto* d = std::get_if<disconnected>(&*e)) why = d->detail;
        }
        return command_result::refused(errc::invalid_argument, why);
    }
    return {};
}

// Whether this CONNECT asks for a new session. v5: Clean Start only on the first connection,
// unless the caller asked to resume; later connections resume the session (the server says with
// Session Present whether it could), and the Session Expiry Interval says how long it lasts.
// 3.1.1 has no expiry: Clean Session 1 is a session that ends with the connection, 0 one the
// server keeps (3.1.1 spec 3.1.2.4), so it is the same on every connection.
bool session::clean_start_now() const {
    return v311() ? options_.clean_start : first_connection_ && options_.clean_start;
}

void session::send_connect() {
    if (const command_result bad = check_v311_connect(options_, auth_); !bad) {
        disconnected ev{disconnect_cause::client};
        ev.detail = "invalid CONNECT, not sent: " + bad.detail;
        end_connection(std::move(ev));
        return;
    }
    const bool clean_start = clean_start_now();
    if (clean_start) {
        // MQTT-3.1.2-4: a new session on both sides. In v5 nothing was sent yet, so only queued
        // messages can exist, and they stay queued; a 3.1.1 Clean Session 1 reconnect drops the
        // previous connection's in-flight messages, reporting each (3.1.1 spec 3.1.2.4).
        if (!inflight_.empty() || !inbound_qos2_.empty()) discard_session_state();
        note_session(false);
    }

    connect c;
    c.protocol_version = options_.protocol_version;
    c.clean_start = clean_start;
    c.keep_alive = options_.keep_alive;
    c.client_id = client_id_;
    if (options_.session_expiry_interval != 0) {
        c.props.session_expiry_interval = options_.session_expiry_interval;
    }
    c.props.receive_maximum = options_.receive_maximum;
    c.props.maximum_packet_size = options_.maximum_packet_size;
    c.props.topic_alias_maximum = options_.topic_alias_maximum;
    c.props.request_response_information = flag(options_.request_response_information);
    c.props.request_problem_information = flag(options_.request_problem_information);
    const std::vector<string_pair> pairs = detail::pair_views(options_.user_properties);
    c.props.user_properties = std::span<const string_pair>(pairs);

    std::string method;
    std::optional<byte_vector> auth_data;
    if (auth_) {
        method = auth_->method();
        auth_data = auth_->start(false);
        c.props.authentication_method = method;
        c.props.authentication_data = detail::view(auth_data);
    }

    std::vector<string_pair> will_pairs;
    if (options_.will) {
        const message& m = options_.will->message;
        mqtt::publish w = detail::publish_view(m, will_pairs);
        will_message& will = c.will.emplace();
        will.topic = w.topic;
        will.payload = w.payload;
        will.qos = w.qos;
        will.retain = w.retain;
        will.props = w.props;
        will.props.will_delay_interval = options_.will->will_delay_interval;
    }
    if (options_.username) c.username = *options_.username;
    c.password = detail::view(options_.password);
    // Never put an invalid CONNECT on the wire (invalid UTF-8 in the Client Identifier, User Name
    // or Will Topic: MQTT-3.1.3-4, -11, -12; a field too long): the decoder's own rules decide.
    // check_connect_options() tells the caller the same beforehand.
    if (const std::optional<decode_error> bad = check_packet(c, options_.protocol_version)) {
        disconnected ev{disconnect_cause::client};
        ev.detail = "invalid CONNECT, not sent: " + bad->message();
        end_connection(std::move(ev));
        return;
    }
    send(c);
}

void session::apply_connack(const connack& p) {
    const properties& q = p.props;
    server_limits l;
    l.receive_maximum = q.receive_maximum.value_or(65'535);
    l.maximum_qos = q.maximum_qos.value_or(2);
    l.retain_available = q.retain_available.value_or(1) == 1;
    l.maximum_packet_size = q.maximum_packet_size.value_or(max_packet_size_limit);
    l.topic_alias_maximum = q.topic_alias_maximum.value_or(0);
    l.wildcard_subscription_available = q.wildcard_subscription_available.value_or(1) == 1;
    l.subscription_identifier_available = q.subscription_identifier_available.value_or(1) == 1;
    l.shared_subscription_available = q.shared_subscription_available.value_or(1) == 1;
    l.server_keep_alive = q.server_keep_alive;
    limits_ = l;
    keep_alive_ = q.server_keep_alive.value_or(options_.keep_alive);  // MQTT-3.2.2-21
    out_aliases_.reset(l.topic_alias_maximum);  // none when absent or 0 (MQTT-3.2.2-18)
    // We sent an empty Client Identifier: the server's name for us is the one to resume with.
    if (client_id_.empty() && q.assigned_client_identifier)
        client_id_ = std::string(*q.assigned_client_identifier);
    // The server may shorten our Session Expiry Interval (spec 3.2.2.3.2); a session that
    // outlives the connection is one we may resume. In 3.1.1, one asked for with Clean Session 0.
    if (v311()) {
        note_session(!options_.clean_start);
        return;
    }
    const std::uint32_t expiry =
        q.session_expiry_interval.value_or(options_.session_expiry_interval);
    note_session(expiry != 0);
}

connected session::connected_event(const connack& p) const {
    connected ev;
    ev.session_present = p.session_present;
    ev.limits = limits_;
    ev.keep_alive = keep_alive_;
    ev.assigned_client_identifier = detail::owned(p.props.assigned_client_identifier);
    ev.response_information = detail::owned(p.props.response_information);
    ev.server_reference = detail::owned(p.props.server_reference);
    ev.reason_string = detail::owned(p.props.reason_string);
    ev.user_properties = detail::owned_pairs(p.props.user_properties);
    return ev;
}

}  // namespace mqtt::session
