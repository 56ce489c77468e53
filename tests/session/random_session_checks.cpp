// Randomized sessions (random_session.hpp): what the session said and wrote after each call,
// checked against what it owed, and the broker's packets delivered to it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <variant>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"
#include "tests/session/random_session.hpp"

namespace mqtt::session::test {

void random_run::after(const std::string& what) {
    note(what);
    while (std::optional<event> e = peer_.next_event())
        on_event(*e);
    while (peer_.pending_packets() > 0)
        on_written(peer_.next_packet());
    if (link_up_ && s_.wants_close()) return drop_connection(!chance(20));
    // The caller re-arms its timer after every call: a deadline already passed fires now.
    if (const auto d = s_.next_deadline(); d && *d <= peer_.now && !failed_) {
        peer_.advance(duration::zero());
        after("handle_timeout (due)");
    }
}

void random_run::on_event(const event& e) {
    if (failed_) return;
    if (const auto* c = std::get_if<connected>(&e)) {
        check(in_connack_call_, "connected without a CONNACK");
        check(c->session_present == delivered_session_present_, "connected: Session Present");
        const std::uint16_t ka = server_keep_alive_ ? *server_keep_alive_ : s_.options().keep_alive;
        check(c->keep_alive == ka && s_.keep_alive() == ka, "keep alive in force (MQTT-3.2.2-21)");
        connack_seen_ = true;
        ever_connected_ = true;
    } else if (const auto* d = std::get_if<session_discarded>(&e)) {
        check(in_connack_call_ && !delivered_session_present_ && expect_discard_,
              "session_discarded without Session Present 0 while holding state");
        check(d->outbound_dropped == out_ids_.size(), "session_discarded outbound_dropped");
        check(d->inbound_qos2_dropped == in_qos2_.size(), "session_discarded inbound count");
        in_qos2_.clear();
        discard_seen_ = true;
        ++stats_.discards;
    } else if (const auto* m = std::get_if<message_received>(&e)) {
        on_message(*m);
    } else if (const auto* p = std::get_if<publish_completed>(&e)) {
        on_completed(*p);
    } else if (const auto* sc = std::get_if<subscribe_completed>(&e)) {
        const auto f = subscribe_filters_.find(sc->ticket);
        if (f == subscribe_filters_.end()) return fail("subscribe_completed: unknown ticket");
        if (sc->error) {
            check(sc->error == errc::connection_lost && in_lose_, "subscribe_completed error");
        } else {
            check(sc->reason_codes.size() == f->second, "SUBACK reason codes count");
        }
        sub_ids_.erase(sub_id_of_ticket_[sc->ticket]);
        sub_id_of_ticket_.erase(sc->ticket);
        subscribe_filters_.erase(f);
    } else if (const auto* dc = std::get_if<disconnected>(&e)) {
        on_disconnected(*dc);
    } else {
        fail("unexpected event (index " + std::to_string(e.index()) + ")");
    }
}

void random_run::on_message(const message_received& m) {
    const std::string body(m.message.payload.begin(), m.message.payload.end());
    const auto it = server_messages_.find(body);
    if (it == server_messages_.end()) return fail("message_received: unknown body " + body);
    server_message& sm = it->second;
    check(m.message.topic == sm.topic, "message_received topic for " + body);
    check(m.message.qos == sm.qos, "message_received QoS for " + body);
    ++sm.delivered;
    // QoS 2 exactly once (MQTT-4.3.3-10); QoS 0 is never sent twice.
    if (sm.qos != qos::at_least_once && sm.delivered > 1) {
        fail("message " + body + " delivered twice");
    }
    ++stats_.delivered;
}

void random_run::on_completed(const publish_completed& p) {
    const auto it = accepted_.find(p.ticket);
    if (it == accepted_.end()) return fail("publish_completed: unknown ticket");
    client_message& cm = it->second;
    if (cm.completed) return fail("ticket completed twice: " + std::to_string(p.ticket));
    cm.completed = true;
    ++stats_.completed;
    if (cm.qos == qos::at_most_once) {
        check(!p.error && p.packet_id == 0, "QoS 0 completion");
        return;
    }
    if (p.error) {
        check(p.error == errc::session_discarded && discard_seen_,
              "publish_completed error " + p.error.message());
    } else {
        const auto ack = last_ack_reason_.find(p.packet_id);
        check(ack != last_ack_reason_.end() && ack->second == p.reason,
              "publish_completed reason is not the one the ack carried");
    }
    const auto id = out_ids_.find(p.packet_id);
    if (id == out_ids_.end() || id->second != p.ticket) {
        return fail("publish_completed for a ticket that was not in flight under its id");
    }
    out_ids_.erase(id);
    pubrel_sent_.erase(p.packet_id);
}

void random_run::on_disconnected(const disconnected& d) {
    switch (d.cause) {
        case disconnect_cause::connection_lost:
            check(in_lose_, "disconnected: lost");
            break;
        case disconnect_cause::server:
            check(expect_server_disconnect_, "disconnected by the server unexpectedly");
            break;
        case disconnect_cause::keep_alive_timeout: {
            const duration wait = s_.options().ping_timeout > duration::zero()
                                      ? s_.options().ping_timeout
                                      : duration(std::chrono::seconds(s_.keep_alive())) / 2;
            check(ping_sent_at_ && peer_.now >= *ping_sent_at_ + wait,
                  "keep-alive timeout without an unanswered PINGREQ");
            ++stats_.keep_alive_timeouts;
            break;
        }
        case disconnect_cause::connack_timeout:
            check(!connack_seen_ && peer_.now >= opened_at_ + s_.options().connack_timeout,
                  "CONNACK timeout too early");
            break;
        default:
            fail("disconnected: cause " + std::to_string(int(d.cause)) + " " + d.detail);
    }
}

void random_run::on_written(const packet& p) {
    if (failed_) return;
    if (!link_up_) return fail("wrote " + to_string(p) + " without a connection");
    last_write_ = peer_.now;
    if (type_of(p) != packet_type::connect && !connack_seen_ && !in_connack_call_) {
        return fail("wrote " + to_string(p) + " before CONNACK (MQTT-3.1.2-30 context)");
    }
    if (const auto* pub = std::get_if<mqtt::publish>(&p)) {
        on_written_publish(*pub);
    } else if (const auto* a = std::get_if<puback>(&p)) {
        expect_owed(packet_type::puback, a->packet_id, a->reason);
    } else if (const auto* r = std::get_if<pubrec>(&p)) {
        expect_owed(packet_type::pubrec, r->packet_id, r->reason);
        if (!is_failure(r->reason)) in_qos2_.insert(r->packet_id);
    } else if (const auto* c = std::get_if<pubcomp>(&p)) {
        expect_owed(packet_type::pubcomp, c->packet_id, c->reason);
        in_qos2_.erase(c->packet_id);
    } else if (const auto* rel = std::get_if<pubrel>(&p)) {
        on_written_pubrel(*rel);
    } else if (const auto* sub = std::get_if<mqtt::subscribe>(&p)) {
        check(subscribing_ != 0, "SUBSCRIBE outside subscribe()");
        check(!out_ids_.contains(sub->packet_id) && !sub_ids_.contains(sub->packet_id),
              "SUBSCRIBE id in use (MQTT-2.2.1-3)");
        sub_ids_.insert(sub->packet_id);
        sub_id_of_ticket_[subscribing_] = sub->packet_id;
    } else if (std::holds_alternative<pingreq>(p)) {
        if (!ping_sent_at_) ping_sent_at_ = peer_.now;
        ++stats_.pings;
    } else if (!std::holds_alternative<connect>(p)) {
        return fail("unexpected packet written: " + to_string(p));
    }
    c2b_.push_back(p);  // views point into the peer's buffers, which it keeps
}

void random_run::on_written_publish(const mqtt::publish& p) {
    const std::string body(as_chars(p.payload));
    const auto t = ticket_of_body_.find(body);
    if (t == ticket_of_body_.end()) return fail("PUBLISH of an unknown body " + body);
    const client_message& cm = accepted_[t->second];
    check(p.qos == cm.qos, "PUBLISH QoS");
    check(!bodies_this_connection_.contains(body),
          "PUBLISH " + body + " sent twice on one connection (MQTT-4.4.0-1)");
    bodies_this_connection_.insert(body);
    // Topic Alias: within the server's maximum for this connection (MQTT-3.2.2-18); an empty
    // topic only with an alias this connection has already set.
    std::string topic(p.topic);
    if (p.props.topic_alias) {
        const std::uint16_t a = *p.props.topic_alias;
        check(a >= 1 && a <= b_alias_maximum_, "outbound Topic Alias above the maximum");
        if (topic.empty()) {
            const auto known = aliases_to_server_.find(a);
            if (known == aliases_to_server_.end()) return fail("empty topic, unknown alias");
            topic = known->second;
        } else {
            aliases_to_server_[a] = topic;
        }
    }
    check(topic == cm.topic, "PUBLISH topic of " + body);
    if (p.qos == qos::at_most_once) {
        check(!p.dup && p.packet_id == 0, "QoS 0 PUBLISH with DUP or id (MQTT-4.3.1-1)");
        return;
    }
    if (!p.dup) {  // a first transmission (MQTT-4.3.2-2, MQTT-4.3.3-2)
        check(!out_ids_.contains(p.packet_id) && !sub_ids_.contains(p.packet_id),
              "PUBLISH id " + std::to_string(p.packet_id) + " in use (MQTT-2.2.1-3)");
        check(t->second > last_new_ticket_, "PUBLISHes leave out of accept order");
        last_new_ticket_ = t->second;
        out_ids_[p.packet_id] = t->second;
        check(out_ids_.size() <= server_receive_maximum_, "over Receive Maximum (MQTT-3.3.4-7)");
        return;
    }
    // A resend: right after CONNACK with Session Present 1, original id, original order.
    check(in_connack_call_ && delivered_session_present_, "DUP PUBLISH on a live connection");
    const auto id = out_ids_.find(p.packet_id);
    check(id != out_ids_.end() && id->second == t->second, "resend with another id");
    check(!pubrel_sent_.contains(p.packet_id), "PUBLISH resent after PUBREL (MQTT-4.3.3-6)");
    check(t->second > last_resent_ticket_, "resends out of order (MQTT-4.6.0-1)");
    last_resent_ticket_ = t->second;
    must_resend_.erase(p.packet_id);
    ++stats_.resends;
}

void random_run::on_written_pubrel(const pubrel& p) {
    check(!pubrels_this_connection_.contains(p.packet_id), "PUBREL twice on one connection");
    pubrels_this_connection_.insert(p.packet_id);
    if (in_connack_call_) {  // a resend (MQTT-4.4.0-1)
        check(delivered_session_present_ && pubrel_sent_.contains(p.packet_id) &&
                  must_resend_.erase(p.packet_id) == 1,
              "PUBREL resend " + std::to_string(p.packet_id));
        ++stats_.resends;
        return;
    }
    expect_owed(packet_type::pubrel, p.packet_id, p.reason);
    pubrel_sent_.insert(p.packet_id);
}

void random_run::expect_owed(packet_type type, std::uint16_t id, reason_code reason) {
    const std::string what = std::string(packet_type_name(type)) + " " + std::to_string(id) +
                             " reason " + std::to_string(to_byte(reason));
    if (owed_.empty()) return fail("unexpected " + what);
    const owed_response o = owed_.front();
    owed_.pop_front();
    check(o.type == type && o.packet_id == id && o.reason == reason,
          "wrote " + what + " but owed " + std::string(packet_type_name(o.type)) + " " +
              std::to_string(o.packet_id) + " reason " + std::to_string(to_byte(o.reason)) +
              " (MQTT-4.6.0-2/3)");
}

void random_run::deliver_to_client(std::size_t n) {
    if (!link_up_ || b2c_.empty()) return;
    byte_vector bytes;
    std::set<std::uint16_t> projected = in_qos2_;  // the session's QoS 2 ids, packet by packet
    std::string what = "deliver";
    for (std::size_t i = 0; i < n && !b2c_.empty(); ++i) {
        const decode_result d = decode(b2c_.front());
        if (d.status != decode_status::complete) return fail("broker wrote a bad packet");
        const bool is_connack = std::holds_alternative<connack>(d.value);
        if (is_connack && i > 0) break;  // a CONNACK goes alone: its call resends
        expect_reaction(d.value, projected);
        what += " " + to_string(d.value);
        bytes.insert(bytes.end(), b2c_.front().begin(), b2c_.front().end());
        b2c_.pop_front();
        if (is_connack) break;
    }
    ping_sent_at_.reset();                 // any packet cancels the PINGRESP deadline
    if (chance(30) && bytes.size() > 1) {  // split at a random byte
        const std::size_t cut = 1 + below(std::uint32_t(bytes.size() - 1));
        peer_.reply_bytes(byte_vector(bytes.begin(), bytes.begin() + cut));
        after(what + " (first " + std::to_string(cut) + " bytes)");
        if (link_up_) peer_.reply_bytes(byte_vector(bytes.begin() + cut, bytes.end()));
        after("the rest");
    } else {
        peer_.reply_bytes(bytes);
        after(what);
    }
    if (in_connack_call_ && link_up_ && !failed_) {
        check(must_resend_.empty(), "not every in-flight message was resent (MQTT-4.4.0-1)");
        check(discard_seen_ == expect_discard_, "session_discarded expected (MQTT-3.2.2-5)");
    }
    in_connack_call_ = false;
    expect_server_disconnect_ = false;
    if (link_up_) check(owed_.empty(), "the session did not answer at once");
}

// What the session must do with a packet it is about to receive.
void random_run::expect_reaction(const packet& p, std::set<std::uint16_t>& projected) {
    if (const auto* c = std::get_if<connack>(&p)) {
        in_connack_call_ = true;
        b_discard_unannounced_ = false;
        delivered_session_present_ = c->session_present;
        expect_discard_ = !c->session_present && (!out_ids_.empty() || !in_qos2_.empty());
        discard_seen_ = false;
        last_resent_ticket_ = 0;
        must_resend_.clear();
        if (c->session_present) {
            for (const auto& [id, ticket] : out_ids_)
                must_resend_.insert(id);
        }
    } else if (const auto* pub = std::get_if<mqtt::publish>(&p)) {
        if (pub->qos == qos::at_least_once) {
            owed_.push_back({packet_type::puback, pub->packet_id, reason_code::success});
        } else if (pub->qos == qos::exactly_once) {
            owed_.push_back({packet_type::pubrec, pub->packet_id, reason_code::success});
            projected.insert(pub->packet_id);
        }
    } else if (const auto* rel = std::get_if<pubrel>(&p)) {
        owed_.push_back({packet_type::pubcomp, rel->packet_id,
                         projected.erase(rel->packet_id) == 1
                             ? reason_code::success
                             : reason_code::packet_identifier_not_found});
    } else if (const auto* a = std::get_if<puback>(&p)) {
        last_ack_reason_[a->packet_id] = a->reason;
    } else if (const auto* r = std::get_if<pubrec>(&p)) {
        if (is_failure(r->reason)) {
            last_ack_reason_[r->packet_id] = r->reason;  // ends the exchange: no PUBREL
        } else {
            owed_.push_back({packet_type::pubrel, r->packet_id, reason_code::success});
        }
    } else if (const auto* c = std::get_if<pubcomp>(&p)) {
        last_ack_reason_[c->packet_id] = c->reason;
    } else if (std::holds_alternative<mqtt::disconnect>(p)) {
        expect_server_disconnect_ = true;
    }
}

}  // namespace mqtt::session::test
