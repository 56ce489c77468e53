// Randomized sessions (random_session.hpp): the simulated broker, a small model of a server's
// side of one session. It answers CONNECT with CONNACK (Session Present 1 while it keeps the
// session), acknowledges our PUBLISHes (sometimes with failure codes, sometimes late), sends its
// own, resends them after a reconnect as a server must (MQTT-4.4.0-1), and answers PINGREQ.
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"
#include "tests/session/random_session.hpp"

namespace mqtt::session::test {

using mqtt::test::encode_to_vector;

void random_run::broker_send(const packet& p, bool may_delay) {
    std::deque<byte_vector>& pipe = may_delay && chance(25) ? b_delayed_ : b2c_;
    pipe.push_back(encode_to_vector(p));
    // Now and then a PUBACK or PUBCOMP arrives twice: the second finds nothing in flight
    // (the id cannot be reused in between) and must change nothing.
    const bool ack = std::holds_alternative<puback>(p) || std::holds_alternative<pubcomp>(p);
    if (ack && chance(5)) {
        pipe.push_back(pipe.back());
        ++stats_.duplicate_acks;
    }
}

void random_run::broker_flush_delayed() {
    while (!b_delayed_.empty() && (chance(70) || failed_)) {
        b2c_.push_back(std::move(b_delayed_.front()));
        b_delayed_.pop_front();
    }
}

void random_run::broker_discard_session() {
    for (const auto& [seq, out] : b_out_)
        server_messages_[out.body].must_arrive = false;
    b_out_.clear();
    b_in_qos2_.clear();
}

bool random_run::broker_id_in_use(std::uint16_t id) const {
    for (const auto& [seq, out] : b_out_) {
        if (out.packet_id == id) return true;
    }
    return false;
}

broker_outbound* random_run::broker_find(std::uint16_t id) {
    for (auto& [seq, out] : b_out_) {
        if (out.packet_id == id) return &out;
    }
    return nullptr;
}

void random_run::broker_erase(std::uint16_t id) {
    std::erase_if(b_out_, [id](const auto& e) { return e.second.packet_id == id; });
}

void random_run::broker_receive(std::size_t n) {
    for (std::size_t i = 0; i < n && !c2b_.empty() && !failed_; ++i) {
        const packet p = c2b_.front();
        c2b_.pop_front();
        broker_handle(p);
    }
}

void random_run::broker_handle(const packet& p) {
    if (const auto* c = std::get_if<connect>(&p)) return broker_connect(*c);
    if (!b_connected_) return fail("broker got " + to_string(p) + " before its CONNACK");
    if (const auto* pub = std::get_if<mqtt::publish>(&p)) {
        const std::string body(as_chars(pub->payload));
        if (pub->qos == qos::at_most_once) {
            check(b_app_received_.insert(body).second, "QoS 0 message arrived twice");
        } else if (pub->qos == qos::at_least_once) {
            broker_send(puback{pub->packet_id, broker_ack_reason(), {}}, true);
        } else if (b_in_qos2_.contains(pub->packet_id)) {  // before PUBREL: ack again
            check(pub->dup, "a new QoS 2 PUBLISH took an id awaiting PUBREL (MQTT-2.2.1-3)");
            broker_send(pubrec{pub->packet_id, reason_code::success, {}}, true);
        } else {
            const reason_code rc = broker_ack_reason();
            if (!is_failure(rc)) {
                b_in_qos2_.insert(pub->packet_id);
                check(b_app_received_.insert(body).second,
                      "QoS 2 message " + body + " reached the broker twice");
            }
            broker_send(pubrec{pub->packet_id, rc, {}}, true);
        }
    } else if (const auto* rel = std::get_if<pubrel>(&p)) {
        const bool known = b_in_qos2_.erase(rel->packet_id) == 1;
        broker_send(pubcomp{rel->packet_id,
                            known ? reason_code::success : reason_code::packet_identifier_not_found,
                            {}},
                    true);
    } else if (const auto* a = std::get_if<puback>(&p)) {
        const broker_outbound* out = broker_find(a->packet_id);
        check(
            out && !out->awaiting_pubcomp && server_messages_[out->body].qos == qos::at_least_once,
            "PUBACK for an id the broker did not send at QoS 1");
        broker_erase(a->packet_id);
    } else if (const auto* r = std::get_if<pubrec>(&p)) {
        broker_outbound* out = broker_find(r->packet_id);
        if (!out || out->awaiting_pubcomp || server_messages_[out->body].qos != qos::exactly_once) {
            return fail("PUBREC for an id the broker is not sending at QoS 2");
        }
        if (is_failure(r->reason)) {
            broker_erase(r->packet_id);
        } else {
            out->awaiting_pubcomp = true;
            broker_send(pubrel{r->packet_id, reason_code::success, {}}, true);
        }
    } else if (const auto* c = std::get_if<pubcomp>(&p)) {
        const broker_outbound* out = broker_find(c->packet_id);
        check(out && out->awaiting_pubcomp, "PUBCOMP for an id without PUBREL");
        broker_erase(c->packet_id);
    } else if (const auto* sub = std::get_if<mqtt::subscribe>(&p)) {
        std::vector<reason_code> granted;
        for (const subscription& f : sub->subscriptions)
            granted.push_back(reason_code(f.max_qos));
        suback ack{sub->packet_id, {}, std::span<const reason_code>(granted)};
        broker_send(ack, true);
    } else if (std::holds_alternative<pingreq>(p)) {
        broker_send(pingresp{}, true);
    }
}

reason_code random_run::broker_ack_reason() {
    const std::uint32_t r = below(100);
    if (r < 80) return reason_code::success;
    if (r < 85) return reason_code::no_matching_subscribers;
    return pick({reason_code::unspecified_error, reason_code::implementation_specific_error,
                 reason_code::not_authorized, reason_code::topic_name_invalid,
                 reason_code::quota_exceeded, reason_code::payload_format_invalid});
}

void random_run::broker_connect(const connect& c) {
    check(!b_connected_, "a second CONNECT on one connection");
    check(c.clean_start == !ever_connected_, "Clean Start (first connection only)");
    check(c.keep_alive == s_.options().keep_alive, "CONNECT Keep Alive");
    check(c.props.session_expiry_interval == 3600u, "CONNECT Session Expiry Interval");
    check(c.props.receive_maximum == client_receive_maximum_, "CONNECT Receive Maximum");
    bool session_present = false;
    if (c.clean_start || !b_session_exists_ || !b_keeps_session_) {
        broker_discard_session();
        b_discard_unannounced_ = !c.clean_start;
    } else {
        session_present = true;
    }
    b_session_exists_ = true;
    b_keeps_session_ = true;
    b_connected_ = true;
    b_aliases_.clear();
    connack ack{session_present};
    if (server_receive_maximum_ != 65'535) ack.props.receive_maximum = server_receive_maximum_;
    b_alias_maximum_ = std::uint16_t(below(server_alias_maximum_ + 1u));
    if (b_alias_maximum_ > 0) ack.props.topic_alias_maximum = b_alias_maximum_;
    ack.props.server_keep_alive = server_keep_alive_;
    broker_send(ack, false);
    if (!session_present) return;
    for (const auto& [seq, out] : b_out_) {  // MQTT-4.4.0-1, as a server must
        if (out.awaiting_pubcomp) {
            broker_send(pubrel{out.packet_id, reason_code::success, {}}, false);
        } else {
            broker_send_publish(out.body, out.packet_id, true);
        }
    }
}

void random_run::broker_send_publish(const std::string& body, std::uint16_t id, bool dup) {
    const server_message& sm = server_messages_[body];
    mqtt::publish p;
    p.dup = dup;
    p.qos = sm.qos;
    p.packet_id = id;
    p.topic = sm.topic;
    p.payload = as_bytes(body);
    if (client_alias_maximum_ > 0 && chance(50)) {  // Topic Alias (MQTT-3.3.2-10)
        const auto known = b_aliases_.find(sm.topic);
        if (known != b_aliases_.end() && chance(70)) {
            p.topic = {};
            p.props.topic_alias = known->second;
        } else {
            const auto alias = std::uint16_t(1 + below(client_alias_maximum_));
            std::erase_if(b_aliases_, [alias](const auto& e) { return e.second == alias; });
            b_aliases_[sm.topic] = alias;
            p.props.topic_alias = alias;
        }
    }
    broker_send(p, false);
}

void random_run::broker_publish() {
    if (!b_connected_) return;
    server_message sm;
    sm.topic = topics[below(std::uint32_t(topics.size()))];
    sm.qos = mqtt::qos(below(3));
    // Our Receive Maximum bounds the broker's unacknowledged QoS 1/2 PUBLISHes (spec 4.9).
    if (sm.qos != qos::at_most_once && b_out_.size() >= client_receive_maximum_) {
        sm.qos = qos::at_most_once;
    }
    sm.must_arrive = sm.qos != qos::at_most_once;
    const std::string body = "s" + std::to_string(++server_bodies_);
    server_messages_[body] = sm;
    std::uint16_t id = 0;
    if (sm.qos != qos::at_most_once) {
        // A small id range, so the broker reuses ids soon after they are free (MQTT-4.3.3-12).
        const std::uint16_t range = client_receive_maximum_ + 3;
        do {
            b_last_id_ = std::uint16_t(b_last_id_ % range + 1);
        } while (broker_id_in_use(b_last_id_));
        id = b_last_id_;
        b_out_[++b_seq_] = broker_outbound{id, body};
    }
    broker_send_publish(body, id, false);
}

}  // namespace mqtt::session::test
