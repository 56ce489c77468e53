// Theory of operation
// ===================
// This file owns the session's state transitions; the other files handle one kind of traffic
// each (connect.cpp: CONNECT and CONNACK contents, auth.cpp: enhanced authentication,
// outbound.cpp / inbound.cpp: PUBLISH flows, subscriptions.cpp: SUBSCRIBE and UNSUBSCRIBE).
//
//                      connection_opened()
//      +--------------+  sends CONNECT    +------------+  AUTH 0x18 <-> AUTH 0x18 (auth.cpp)
//      | disconnected | ----------------> | connecting | <-------------------------------+
//      +--------------+                   +------------+ ---------------------------------+
//         ^      ^                             |  CONNACK 0x00: apply limits, resend the
//         |      |                             |  in-flight messages if Session Present,
//         |      |   connection_lost()         v  then send what is queued
//         |      +------------------------ +-----------+
//         |                                | connected |  PUBLISH/SUBSCRIBE flows, PINGREQ
//         |                                +-----------+
//         |   connection_lost()                  |
//         |                                      | disconnect(); DISCONNECT from the server;
//      +---------+                               | a protocol violation (we send DISCONNECT);
//      | closing | <-----------------------------+ CONNACK >= 0x80; keep-alive or CONNACK
//      +---------+   (also from connecting)        timeout
//
// `closing` sends nothing more (MQTT-3.14.4-1) and asks the caller to close (wants_close()).
// What survives a connection is the session state of spec 4.1: in-flight QoS 1/2 messages,
// queued messages, and inbound QoS 2 packet identifiers awaiting PUBREL; each change is written
// through to the session_store. What does not survive: topic aliases (MQTT-3.3.2-7), pending
// SUBSCRIBE/UNSUBSCRIBE, timers and the framer's partial packet.
//
// MQTT 3.1.1 runs through the same transitions (decoding and encoding in the options' version).
// What differs: no AUTH (the decoder refuses it as a reserved type), no DISCONNECT from the
// server (a violation), Clean Session instead of Session Expiry (connect.cpp), and a violation
// closes the connection without sending anything: 3.1.1 has no reason codes, and its DISCONNECT
// would tell the server we left on purpose, so it would not publish our Will (3.1.1 spec 3.14.4).
//
// Time: every input carries `now`; timers (timers.hpp) hold absolute deadlines; the caller asks
// next_deadline() and calls handle_timeout() when it passes.
#include "client/session/session.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "client/session/convert.hpp"
#include "protocol/reason_format.hpp"

namespace mqtt::session {

session::session(connect_options options, session_store* store, authenticator* auth)
    : options_(std::move(options)),
      client_id_(options_.client_id),
      store_(store),
      auth_(auth),
      framer_(options_.maximum_packet_size.value_or(max_packet_size_limit)) {
    // Without a store the session lives in this object alone (its queue_, inflight_ and
    // inbound_qos2_), and nothing is copied per message.
    if (!store_) return;
    // A store that already holds a session (a restarted process) is resumed: Clean Start 0.
    session_snapshot snapshot = store_->load();
    for (stored_outbound& s : snapshot.outbound) {
        outbound entry{s.ticket, s.packet_id, s.stage, std::move(s.message)};
        next_ticket_ = std::max(next_ticket_, s.ticket + 1);
        if (entry.stage == outbound_stage::queued) {
            queue_.push_back(std::move(entry));
        } else {
            ids_.reserve(entry.packet_id);
            ticket_by_id_[entry.packet_id] = entry.ticket;
            inflight_.emplace(entry.ticket, std::move(entry));
        }
    }
    inbound_qos2_.insert(snapshot.inbound_qos2.begin(), snapshot.inbound_qos2.end());
    if (!snapshot.empty()) {
        first_connection_ = false;
        have_session_state_ = true;
    }
}

void session::connection_opened(time_point now) {
    now_ = now;
    state_ = state::connecting;
    reauthenticating_ = false;
    framer_.reset();
    timers_.cancel_all();
    limits_ = server_limits{};
    keep_alive_ = options_.keep_alive;
    out_aliases_.reset(0);  // set from CONNACK
    in_aliases_.reset(options_.topic_alias_maximum.value_or(0));
    send_connect();
    if (state_ == state::connecting && options_.connack_timeout > duration::zero()) {
        timers_.set(timer_kind::connack, now + options_.connack_timeout);
    }
}

void session::connection_lost(time_point now) {
    now_ = now;
    if (state_ == state::disconnected) return;
    const bool announced = state_ == state::closing;
    state_ = state::disconnected;
    timers_.cancel_all();
    reauthenticating_ = false;
    // SUBSCRIBE and UNSUBSCRIBE are not resent on a new connection: they end here.
    for (const auto& [id, request] : requests_) {
        ids_.release(id);
        if (request.subscribe) {
            emit(subscribe_completed{request.ticket, {}, {}, {}, errc::connection_lost});
        } else {
            emit(unsubscribe_completed{request.ticket, {}, {}, {}, errc::connection_lost});
        }
    }
    requests_.clear();
    if (!announced) emit(disconnected{disconnect_cause::connection_lost});
}

void session::receive(bytes_view bytes, time_point now) {
    now_ = now;
    while (!bytes.empty() && (state_ == state::connecting || state_ == state::connected)) {
        const frame_result f = framer_.feed(bytes);
        bytes = bytes.subspan(f.consumed);
        if (f.status == decode_status::error) {
            violation(f.error.reason, f.error.description(), f.error.message());
            return;
        }
        if (f.status == decode_status::need_more) return;
        // The framer already applied our maximum.
        const decode_result d = decode(f.packet, {.version = options_.protocol_version});
        if (d.status != decode_status::complete) {
            violation(d.error.reason, d.error.description(), d.error.message());
            return;
        }
        timers_.cancel(timer_kind::ping_response);  // any packet shows the server is alive
        on_packet(d.value);
    }
}

void session::on_packet(const packet& p) {
    const packet_type t = type_of(p);
    // Before CONNACK a server may send only AUTH, CONNACK or DISCONNECT (spec 3.2.0, 4.12).
    if (state_ == state::connecting && t != packet_type::connack && t != packet_type::auth &&
        t != packet_type::disconnect) {
        violation(reason_code::protocol_error,
                  fmt::format("{} before CONNACK (MQTT-3.2.0-1)", packet_type_name(t)));
        return;
    }
    switch (t) {
        case packet_type::connack:
            on_connack(std::get<connack>(p));
            break;
        case packet_type::publish:
            on_publish(std::get<mqtt::publish>(p));
            break;
        case packet_type::puback:
            on_puback(std::get<puback>(p));
            break;
        case packet_type::pubrec:
            on_pubrec(std::get<pubrec>(p));
            break;
        case packet_type::pubrel:
            on_pubrel(std::get<pubrel>(p));
            break;
        case packet_type::pubcomp:
            on_pubcomp(std::get<pubcomp>(p));
            break;
        case packet_type::suback:
            on_suback(std::get<suback>(p));
            break;
        case packet_type::unsuback:
            on_unsuback(std::get<unsuback>(p));
            break;
        case packet_type::pingresp:
            break;  // the ping_response timer is already cancelled
        case packet_type::disconnect:
            if (v311()) {  // only a client sends DISCONNECT in 3.1.1 (3.1.1 spec 3.14)
                violation(reason_code::protocol_error,
                          "DISCONNECT from the server: in MQTT 3.1.1 only a client sends it "
                          "(3.1.1 spec 3.14)");
                break;
            }
            on_disconnect(std::get<mqtt::disconnect>(p));
            break;
        case packet_type::auth:
            on_auth(std::get<auth>(p));
            break;
        default:  // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ: only clients send these
            violation(reason_code::protocol_error,
                      fmt::format("a server must not send {}", packet_type_name(t)));
    }
}

void session::on_connack(const connack& p) {
    if (state_ != state::connecting) {
        violation(reason_code::protocol_error, "a second CONNACK (MQTT-3.2.0-2)");
        return;
    }
    timers_.cancel(timer_kind::connack);
    if (is_failure(p.reason)) {
        emit(connect_refused{p.reason, detail::owned(p.props.reason_string),
                             detail::owned(p.props.server_reference)});
        disconnected ev{disconnect_cause::connect_refused, p.reason,
                        detail::owned(p.props.reason_string),
                        detail::owned(p.props.server_reference)};
        ev.detail =
            "connection refused: " + connack_reason_text(p.reason, options_.protocol_version);
        end_connection(std::move(ev));
        return;
    }
    if (!check_connack_authentication(p)) return;
    if (v311() && p.session_present && options_.clean_start) {
        violation(reason_code::protocol_error,
                  "Session Present 1 in answer to Clean Session 1 (3.1.1 MQTT-3.2.2-1)");
        return;
    }
    // 3.1.1 lets a client with no state of its own proceed with the server's (3.1.1 spec 3.2.2.2:
    // a resumed mosquitto_sub -c session, say): only v5 makes it a violation.
    if (p.session_present && !have_session_state_ && !v311()) {
        violation(reason_code::protocol_error,
                  "Session Present 1 but the client holds no session state (MQTT-3.2.2-4)");
        return;
    }
    if (!p.session_present && (!inflight_.empty() || !inbound_qos2_.empty())) {
        discard_session_state();  // MQTT-3.2.2-5
    }
    apply_connack(p);
    state_ = state::connected;
    first_connection_ = false;
    emit(connected_event(p));
    if (keep_alive_ > 0)
        timers_.set(timer_kind::keep_alive, last_send_ + std::chrono::seconds(keep_alive_));
    if (p.session_present) resend_inflight();  // MQTT-4.4.0-1: before anything new
    send_queued();
}

void session::on_disconnect(const mqtt::disconnect& p) {
    disconnected ev{disconnect_cause::server, p.reason, detail::owned(p.props.reason_string),
                    detail::owned(p.props.server_reference),
                    detail::owned_pairs(p.props.user_properties)};
    end_connection(std::move(ev));
}

command_result session::disconnect(disconnect_options o, time_point now) {
    now_ = now;
    if (state_ == state::closing)
        return command_result::refused(errc::closed, "the session is closing");
    if (state_ == state::disconnected) {
        return command_result::refused(errc::not_connected,
                                       "DISCONNECT needs a connection (nothing to end)");
    }
    if (command_result bad = check_disconnect(o); !bad) return bad;
    mqtt::disconnect d;
    d.reason = o.reason;
    d.props.session_expiry_interval = o.session_expiry_interval;
    d.props.reason_string = detail::view(o.reason_string);
    const std::vector<string_pair> pairs = detail::pair_views(o.user_properties);
    d.props.user_properties = std::span<const string_pair>(pairs);
    // Leave out the Reason String, then the User Properties, if the packet would exceed the
    // server's Maximum Packet Size (MQTT-3.14.2-3, -4).
    if (encoded_size(d, options_.protocol_version).value_or(SIZE_MAX) > limits_.maximum_packet_size)
        d.props.reason_string.reset();
    if (encoded_size(d, options_.protocol_version).value_or(SIZE_MAX) > limits_.maximum_packet_size)
        d.props.user_properties = {};
    send(d);
    if (o.session_expiry_interval) {
        options_.session_expiry_interval = *o.session_expiry_interval;
        if (*o.session_expiry_interval == 0) note_session(false);
    }
    end_connection(
        disconnected{disconnect_cause::client, o.reason, o.reason_string, {}, o.user_properties});
    return {};
}

command_result session::check_disconnect(const disconnect_options& o) const {
    if (v311()) {  // a 3.1.1 DISCONNECT is two bytes: no reason code, no properties
        if (o.reason != reason_code::success) {
            return detail::refuse_v5_only(fmt::format(
                "DISCONNECT Reason Code {}", named_reason{o.reason, packet_type::disconnect}));
        }
        if (o.session_expiry_interval) return detail::refuse_v5_only("Session Expiry Interval");
        if (o.reason_string) return detail::refuse_v5_only("Reason String");
        if (!o.user_properties.empty()) return detail::refuse_v5_only("User Property");
        return {};
    }
    if (!reason_code_allowed(packet_type::disconnect, o.reason)) {
        return command_result::refused(
            errc::invalid_argument,
            fmt::format("Reason Code 0x{:02X} is not a Disconnect Reason Code (MQTT-3.14.2-1)",
                        to_byte(o.reason)));
    }
    // Spec 3.14.2.2.2: a non-zero Session Expiry in DISCONNECT when CONNECT sent 0 is a Protocol
    // Error on our side.
    if (o.session_expiry_interval && *o.session_expiry_interval != 0 &&
        options_.session_expiry_interval == 0) {
        return command_result::refused(
            errc::invalid_argument,
            "a non-zero Session Expiry Interval in DISCONNECT is not allowed when CONNECT's was 0 "
            "(spec 3.14.2.2.2)");
    }
    if (o.reason_string) {
        if (command_result bad = detail::check_string("Reason String", *o.reason_string); !bad)
            return bad;
    }
    return detail::check_user_properties(o.user_properties);
}

void session::violation(reason_code rc, std::string what, std::string reason_string) {
    if (state_ != state::connecting && state_ != state::connected) return;
    if (v311()) {
        // Close the connection, sending nothing (3.1.1 MQTT-4.8.0-1); `reason` still classifies
        // the fault as v5 would have.
        disconnected ev{disconnect_cause::protocol_violation, rc};
        ev.detail = std::move(what);
        end_connection(std::move(ev));
        return;
    }
    // The decoder's reason may be one DISCONNECT cannot carry (0x84 for a CONNECT from the
    // server): that is a Protocol Error (spec 3.14.2.1, MQTT-3.14.2-1).
    if (!reason_code_allowed(packet_type::disconnect, rc)) rc = reason_code::protocol_error;
    if (reason_string.empty()) reason_string = what;
    mqtt::disconnect d;
    d.reason = rc;
    d.props.reason_string = reason_string;
    // Leave the Reason String out if it would exceed the server's Maximum Packet Size
    // (MQTT-3.14.2-3).
    if (encoded_size(d).value_or(SIZE_MAX) > limits_.maximum_packet_size)
        d.props.reason_string.reset();
    const bool sent_reason_string = d.props.reason_string.has_value();
    send(d);
    disconnected ev{disconnect_cause::protocol_violation, rc};
    if (sent_reason_string) ev.reason_string = std::move(reason_string);
    ev.detail = std::move(what);
    end_connection(std::move(ev));
}

void session::end_connection(disconnected ev) {
    state_ = state::closing;
    timers_.cancel_all();
    reauthenticating_ = false;
    emit(std::move(ev));
}

void session::handle_timeout(time_point now) {
    now_ = now;
    if (timers_.expired(timer_kind::connack, now)) {
        timers_.cancel(timer_kind::connack);
        disconnected ev{disconnect_cause::connack_timeout};
        ev.detail = "no CONNACK in time";
        end_connection(std::move(ev));
        return;
    }
    if (timers_.expired(timer_kind::ping_response, now)) {
        disconnected ev{disconnect_cause::keep_alive_timeout};
        ev.detail = "keep-alive timeout: no packet from the server in time after PINGREQ";
        end_connection(std::move(ev));
        return;
    }
    if (timers_.expired(timer_kind::keep_alive, now) && state_ == state::connected) {
        send(pingreq{});  // restarts the keep_alive timer
        if (!timers_.get(timer_kind::ping_response)) {
            const duration wait = options_.ping_timeout > duration::zero()
                                      ? options_.ping_timeout
                                      : duration(std::chrono::seconds(keep_alive_)) / 2;
            timers_.set(timer_kind::ping_response, now + wait);
        }
    }
}

void session::send(const packet& p) {
    const std::optional<std::size_t> size = encoded_size(p, options_.protocol_version);
    if (!size) {
        // A bug in the session, never the caller's or the server's doing: every string and
        // binary field the caller or the authenticator gives is checked before it reaches a
        // packet (convert.hpp's checks; the commands refuse, auth.cpp fails the exchange), and
        // the rest are fixed-size fields the session fills in. Dropping the packet would break
        // its flow without a word (a PUBREL never sent leaves the exchange hanging), so stop.
        std::fprintf(stderr, "mqtt::session: cannot encode the %s packet it must send\n",
                     std::string(packet_type_name(type_of(p))).c_str());
        std::abort();
    }
    const std::size_t at = output_.size();
    output_.resize(at + *size);
    encode(p, std::span<std::uint8_t>(output_).subspan(at), options_.protocol_version);
    last_send_ = now_;
    if (state_ == state::connected && keep_alive_ > 0) {
        timers_.set(timer_kind::keep_alive, now_ + std::chrono::seconds(keep_alive_));
    }
}

byte_vector session::take_output() {
    return std::exchange(output_, {});
}

std::optional<event> session::poll_event() {
    if (events_.empty()) return std::nullopt;
    event e = std::move(events_.front());
    events_.pop_front();
    return e;
}

}  // namespace mqtt::session
