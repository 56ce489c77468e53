// Randomized sessions: one session against a simulated broker on virtual time, for thousands of
// random steps per fixed seed. The broker is a small model of a server's side of one session:
// it answers CONNECT with CONNACK (Session Present 1 while it keeps the session), acknowledges
// our PUBLISHes (sometimes with failure codes, sometimes late), sends QoS 0/1/2 PUBLISHes and
// PUBRELs, resends its unacknowledged PUBLISHes (DUP 1) and PUBRELs after a reconnect as a server
// must (MQTT-4.4.0-1), answers PINGREQ, and now and then drops the connection or shuts down
// (DISCONNECT 0x8B), sometimes forgetting the session (Session Present 0 next time). Packets in
// both directions wait in pipes; a drop loses what is still in them.
//
// Invariants, checked at every step (each failure names seed, step and the last actions):
// - every packet the session writes decodes (scripted_peer) and is one a client may send then;
// - packet ids: a new PUBLISH or SUBSCRIBE never takes an id still in flight (MQTT-2.2.1-3); a
//   resend (DUP 1) keeps its id and body, comes only right after CONNACK with Session Present 1,
//   in original order (MQTT-4.4.0-1, MQTT-4.6.0-1), never once its PUBREL was sent
//   (MQTT-4.3.3-6), and nothing is sent twice on one connection;
// - send quota: inflight() <= the server's Receive Maximum (MQTT-3.3.4-7), send_quota() ==
//   Receive Maximum - inflight() while connected (MQTT-4.9.0-2), inflight() and queued() match
//   what the test saw written and completed;
// - acknowledgements: the session answers at once, in arrival order (MQTT-4.6.0-2, -3), PUBREL
//   only after a successful PUBREC (MQTT-4.3.3-4, MQTT-4.4.0-2), PUBCOMP 0x92 only for an id it
//   does not hold;
// - inbound: a QoS 0 or QoS 2 message is delivered at most once (MQTT-4.3.3-10), every QoS 1/2
//   message the broker sent is delivered unless the broker discarded the session;
// - outbound: every accepted publish completes exactly once, with the reason of the ack that
//   arrived, or errc::session_discarded after Session Present 0 (MQTT-3.2.2-5);
// - keep-alive: while connected, never more than Keep Alive without sending (MQTT-3.1.2-20); a
//   keep-alive timeout only after PINGREQ went unanswered for the ping timeout.
// At the end the broker acknowledges everything: then inflight() == 0, queued() == 0 and
// send_quota() == the server's Receive Maximum (no leaked quota).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"
#include "scripted_peer.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;

constexpr int steps_per_seed = 4000;
const std::vector<std::string> topics = {"t/0", "t/1", "t/2", "sensors/room/3", "a", "t/5"};

byte_vector encode_packet(const packet& p) {
    byte_vector bytes(*encoded_size(p));
    encode(p, bytes);
    return bytes;
}

struct client_message {  // one the application published
    std::string topic;
    mqtt::qos qos = qos::at_most_once;
    bool completed = false;
};

struct server_message {  // one the broker sent us
    std::string topic;
    mqtt::qos qos = qos::at_most_once;
    bool must_arrive = true;  // false once the broker discarded the session first
    int delivered = 0;
};

struct broker_outbound {  // the broker's side of its QoS 1/2 PUBLISH to us
    std::uint16_t packet_id = 0;
    std::string body;
    bool awaiting_pubcomp = false;
};

struct owed_response {  // what the session must answer, at once, to a packet it was given
    packet_type type;
    std::uint16_t packet_id;
    reason_code reason;
};

class random_run {
  public:
    explicit random_run(std::uint32_t seed)
        : seed_(seed), rng_(seed), s_(make_options()), peer_(s_) {}

    void run() {
        for (step_ = 0; step_ < steps_per_seed && !failed_; ++step_) {
            random_step();
            if (!failed_) check_invariants();
        }
        if (!failed_) drain();
        if (!failed_) final_checks();
    }

  private:
    // ---- configuration and randomness ----
    std::uint32_t below(std::uint32_t n) { return std::uint32_t(rng_() % n); }
    bool chance(std::uint32_t percent) { return below(100) < percent; }
    template <class T>
    T pick(std::initializer_list<T> values) {
        return *(values.begin() + below(std::uint32_t(values.size())));
    }

    connect_options make_options() {
        server_receive_maximum_ = pick<std::uint16_t>({1, 2, 3, 5, 10, 65'535});
        client_receive_maximum_ = pick<std::uint16_t>({1, 2, 4, 10});
        client_alias_maximum_ = pick<std::uint16_t>({0, 0, 2, 5});
        server_alias_maximum_ = pick<std::uint16_t>({0, 1, 3});
        if (chance(30)) server_keep_alive_ = pick<std::uint16_t>({3, 8});
        connect_options o;
        o.client_id = "random-" + std::to_string(seed_);
        o.keep_alive = pick<std::uint16_t>({5, 10, 30});
        o.clean_start = true;
        o.session_expiry_interval = 3600;
        o.receive_maximum = client_receive_maximum_;
        if (client_alias_maximum_ > 0) o.topic_alias_maximum = client_alias_maximum_;
        if (chance(50)) o.ping_timeout = 2s;
        wrap_ids_ = seed_ % 12 == 6;
        return o;
    }

    // ---- failure reporting ----
    void note(std::string what) {
        trace_.push_back("step " + std::to_string(step_) + ": " + std::move(what));
        if (trace_.size() > 40) trace_.pop_front();
    }
    void fail(const std::string& what) {
        if (failed_) return;
        failed_ = true;
        std::ostringstream out;
        out << "seed " << seed_ << " step " << step_ << ": " << what << "\nlast actions:\n";
        for (const std::string& t : trace_)
            out << "  " << t << "\n";
        ADD_FAILURE() << out.str();
    }
    void check(bool ok, const std::string& what) {
        if (!ok) fail(what);
    }

    // ---- the random steps ----
    void random_step() {
        if (!link_up_) {
            const std::uint32_t r = below(100);
            if (r < 40)
                open();
            else if (r < 70)
                client_publish();
            else
                advance_time();
            return;
        }
        if (wrap_ids_ && step_ >= 1000 && s_.current_state() == state::connected &&
            !out_ids_.empty() && s_.send_quota() > 0 && s_.queued() == 0) {
            return wrap_packet_ids();
        }
        const std::uint32_t r = below(1000);
        if (r < 300)
            deliver_to_client(1 + below(3));
        else if (r < 550)
            broker_receive(1 + below(3));
        else if (r < 600)
            broker_flush_delayed();
        else if (r < 700)
            broker_publish();
        else if (r < 820)
            client_publish();
        else if (r < 840)
            client_subscribe();
        else if (r < 975)
            advance_time();
        else if (r < 993)
            drop_connection(!chance(20));
        else
            server_disconnect();
    }

    void open() {
        ++connection_;
        link_up_ = true;
        connack_seen_ = false;
        opened_at_ = peer_.now;
        ping_sent_at_.reset();
        bodies_this_connection_.clear();
        pubrels_this_connection_.clear();
        aliases_to_server_.clear();
        b_connected_ = false;
        b_aliases_.clear();
        peer_.open();
        after("connection_opened");
    }

    void drop_connection(bool broker_keeps_session) {
        c2b_.clear();
        b2c_.clear();
        b_delayed_.clear();
        owed_.clear();
        b_connected_ = false;
        // A session the broker discarded stays discarded until the session has heard so: were the
        // broker to say Session Present 1 for its new empty session on the next connection, the
        // session would resume state the broker no longer has (a gap of the protocol itself).
        b_keeps_session_ = b_keeps_session_ && broker_keeps_session && !b_discard_unannounced_;
        link_up_ = false;
        if (!broker_keeps_session) ++stats_.expiries;
        in_lose_ = true;
        peer_.lose();
        after("connection_lost" + std::string(broker_keeps_session ? "" : " (session expires)"));
        in_lose_ = false;
        ++stats_.drops;
    }

    void server_disconnect() {
        if (!b_connected_) return;
        mqtt::disconnect d;
        d.reason = reason_code::server_shutting_down;
        b2c_.push_back(encode_packet(d));
        deliver_to_client(b2c_.size());
        if (link_up_) drop_connection(!chance(20));  // the session closes after the DISCONNECT
    }

    void advance_time() {
        const std::uint32_t ka_ms = std::uint32_t(s_.options().keep_alive) * 1000;
        const std::uint32_t r = below(100);
        const duration dt(r < 60 ? below(2000) : r < 95 ? below(ka_ms * 3 / 2) : 3 * ka_ms);
        const time_point target = peer_.now + dt;
        for (int i = 0; !failed_; ++i) {
            const std::optional<time_point> d = s_.next_deadline();
            if (!d || *d > target) break;
            if (i == 100) return fail("the session's deadline does not move after handle_timeout");
            peer_.advance_to_deadline();
            after("handle_timeout");
        }
        if (peer_.now < target) peer_.now = target;
    }

    // Once in some runs: takes the session's packet ids once around 1..65535 while messages of
    // the run are in flight, publishing QoS 1 and acknowledging at once (directly, for speed),
    // and checks that every id skips those in flight (MQTT-2.2.1-3 after wrap-around).
    void wrap_packet_ids() {
        wrap_ids_ = false;
        wrapped_ = true;
        note("wrap packet ids around with " + std::to_string(out_ids_.size()) + " in flight");
        message m;
        m.topic = "w";
        m.qos = qos::at_least_once;
        for (int i = 0; i < 65'600 && !failed_; ++i) {
            const command_result r = s_.publish(m, peer_.now);
            if (!r) return fail("wrap: publish refused: " + r.detail);
            const byte_vector out = s_.take_output();
            const decode_result d = decode(out);
            const auto* p = std::get_if<mqtt::publish>(&d.value);
            if (d.status != decode_status::complete || d.consumed != out.size() || !p) {
                return fail("wrap: expected one PUBLISH");
            }
            if (out_ids_.contains(p->packet_id) || sub_ids_.contains(p->packet_id)) {
                return fail("wrap: PUBLISH took id " + std::to_string(p->packet_id) +
                            ", still in flight (MQTT-2.2.1-3)");
            }
            if (p->props.topic_alias && !p->topic.empty())
                aliases_to_server_[*p->props.topic_alias] = "w";
            s_.receive(encode_packet(puback{p->packet_id, reason_code::success, {}}), peer_.now);
            check(s_.take_output().empty(), "wrap: output after PUBACK");
            const std::optional<event> e = s_.poll_event();
            const auto* c = e ? std::get_if<publish_completed>(&*e) : nullptr;
            if (!c || c->ticket != r.ticket || s_.poll_event()) {
                return fail("wrap: expected one publish_completed");
            }
        }
        last_write_ = peer_.now;
        ping_sent_at_.reset();
    }

    // ---- the application's side ----
    void client_publish() {
        message m;
        m.qos = mqtt::qos(below(3));
        m.topic = topics[below(std::uint32_t(topics.size()))];
        const std::string body = "c" + std::to_string(++client_bodies_);
        m.payload.assign(body.begin(), body.end());
        m.retain = chance(10);
        if (chance(20)) m.props.user_properties.push_back({"k", "v"});
        const bool connected = s_.current_state() == state::connected;
        const command_result r = s_.publish(m, peer_.now);
        if (!r) {
            check(m.qos == qos::at_most_once && !connected && r.error == errc::not_connected,
                  "publish refused: " + r.error.message() + " " + r.detail);
            after("publish refused");
            return;
        }
        accepted_[r.ticket] = client_message{m.topic, m.qos};
        ticket_of_body_[body] = r.ticket;
        after("publish " + body + " qos " + std::to_string(int(m.qos)) + " ticket " +
              std::to_string(r.ticket));
        if (m.qos == qos::at_most_once) {
            check(accepted_[r.ticket].completed, "QoS 0 publish not completed when written");
        }
    }

    void client_subscribe() {
        if (s_.current_state() != state::connected) return;
        std::vector<subscription_request> filters(1 + below(3));
        for (std::size_t i = 0; i < filters.size(); ++i) {
            filters[i].topic_filter = pick<const char*>({"a/#", "t/+", "sensors/#", "c"});
            filters[i].max_qos = mqtt::qos(below(3));
        }
        const command_result r = s_.subscribe(filters, {}, peer_.now);
        if (!r) return fail("subscribe refused: " + r.error.message() + " " + r.detail);
        subscribe_filters_[r.ticket] = filters.size();
        subscribing_ = r.ticket;
        after("subscribe ticket " + std::to_string(r.ticket));
        subscribing_ = 0;
    }

    // ---- what the session said and wrote after each call ----
    void after(const std::string& what) {
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

    void on_event(const event& e) {
        if (failed_) return;
        if (const auto* c = std::get_if<connected>(&e)) {
            check(in_connack_call_, "connected without a CONNACK");
            check(c->session_present == delivered_session_present_, "connected: Session Present");
            const std::uint16_t ka =
                server_keep_alive_ ? *server_keep_alive_ : s_.options().keep_alive;
            check(c->keep_alive == ka && s_.keep_alive() == ka,
                  "keep alive in force (MQTT-3.2.2-21)");
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

    void on_message(const message_received& m) {
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

    void on_completed(const publish_completed& p) {
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

    void on_disconnected(const disconnected& d) {
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

    void on_written(const packet& p) {
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

    void on_written_publish(const mqtt::publish& p) {
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
            check(out_ids_.size() <= server_receive_maximum_,
                  "over Receive Maximum (MQTT-3.3.4-7)");
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

    void on_written_pubrel(const pubrel& p) {
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

    void expect_owed(packet_type type, std::uint16_t id, reason_code reason) {
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

    // ---- broker to session ----
    void deliver_to_client(std::size_t n) {
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
    void expect_reaction(const packet& p, std::set<std::uint16_t>& projected) {
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

    // ---- the broker ----
    void broker_send(const packet& p, bool may_delay) {
        std::deque<byte_vector>& pipe = may_delay && chance(25) ? b_delayed_ : b2c_;
        pipe.push_back(encode_packet(p));
        // Now and then a PUBACK or PUBCOMP arrives twice: the second finds nothing in flight
        // (the id cannot be reused in between) and must change nothing.
        const bool ack = std::holds_alternative<puback>(p) || std::holds_alternative<pubcomp>(p);
        if (ack && chance(5)) {
            pipe.push_back(pipe.back());
            ++stats_.duplicate_acks;
        }
    }

    void broker_flush_delayed() {
        while (!b_delayed_.empty() && (chance(70) || failed_)) {
            b2c_.push_back(std::move(b_delayed_.front()));
            b_delayed_.pop_front();
        }
    }

    void broker_discard_session() {
        for (const auto& [seq, out] : b_out_)
            server_messages_[out.body].must_arrive = false;
        b_out_.clear();
        b_in_qos2_.clear();
    }

    bool broker_id_in_use(std::uint16_t id) const {
        for (const auto& [seq, out] : b_out_) {
            if (out.packet_id == id) return true;
        }
        return false;
    }
    broker_outbound* broker_find(std::uint16_t id) {
        for (auto& [seq, out] : b_out_) {
            if (out.packet_id == id) return &out;
        }
        return nullptr;
    }
    void broker_erase(std::uint16_t id) {
        std::erase_if(b_out_, [id](const auto& e) { return e.second.packet_id == id; });
    }

    void broker_receive(std::size_t n) {
        for (std::size_t i = 0; i < n && !c2b_.empty() && !failed_; ++i) {
            const packet p = c2b_.front();
            c2b_.pop_front();
            broker_handle(p);
        }
    }

    void broker_handle(const packet& p) {
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
            broker_send(
                pubcomp{rel->packet_id,
                        known ? reason_code::success : reason_code::packet_identifier_not_found,
                        {}},
                true);
        } else if (const auto* a = std::get_if<puback>(&p)) {
            const broker_outbound* out = broker_find(a->packet_id);
            check(out && !out->awaiting_pubcomp &&
                      server_messages_[out->body].qos == qos::at_least_once,
                  "PUBACK for an id the broker did not send at QoS 1");
            broker_erase(a->packet_id);
        } else if (const auto* r = std::get_if<pubrec>(&p)) {
            broker_outbound* out = broker_find(r->packet_id);
            if (!out || out->awaiting_pubcomp ||
                server_messages_[out->body].qos != qos::exactly_once) {
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

    reason_code broker_ack_reason() {
        const std::uint32_t r = below(100);
        if (r < 80) return reason_code::success;
        if (r < 85) return reason_code::no_matching_subscribers;
        return pick({reason_code::unspecified_error, reason_code::implementation_specific_error,
                     reason_code::not_authorized, reason_code::topic_name_invalid,
                     reason_code::quota_exceeded, reason_code::payload_format_invalid});
    }

    void broker_connect(const connect& c) {
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

    void broker_send_publish(const std::string& body, std::uint16_t id, bool dup) {
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

    void broker_publish() {
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

    // ---- invariants ----
    void check_invariants() {
        std::size_t open_tickets = 0;
        for (const auto& [ticket, cm] : accepted_) {
            if (!cm.completed && cm.qos != qos::at_most_once) ++open_tickets;
        }
        check(s_.inflight() == out_ids_.size(), "inflight() != PUBLISHes written and not done");
        check(s_.inflight() + s_.queued() == open_tickets, "inflight() + queued() != accepted");
        check(s_.inbound_qos2_pending() == in_qos2_.size(), "inbound_qos2_pending()");
        if (s_.current_state() == state::connected) {
            check(s_.limits().receive_maximum == server_receive_maximum_,
                  "limits().receive_maximum");
            check(s_.inflight() <= server_receive_maximum_, "inflight() > Receive Maximum");
            check(s_.send_quota() == server_receive_maximum_ - s_.inflight(),
                  "send_quota() != Receive Maximum - inflight() (MQTT-4.9.0-2)");
            const auto ka = std::chrono::seconds(s_.keep_alive());
            check(ka == ka.zero() || peer_.now - last_write_ <= ka,
                  "silent for longer than Keep Alive (MQTT-3.1.2-20)");
        }
    }

    void drain() {
        note("drain");
        for (int i = 0; i < 10'000 && !failed_; ++i) {
            if (!link_up_) {
                open();
            } else if (!c2b_.empty()) {
                broker_receive(c2b_.size());
            } else if (!b_delayed_.empty()) {
                broker_flush_delayed();
            } else if (!b2c_.empty()) {
                deliver_to_client(b2c_.size());
            } else if (s_.current_state() == state::connected && s_.queued() == 0 &&
                       s_.inflight() == 0 && b_out_.empty() && b_in_qos2_.empty()) {
                return;
            } else {
                return fail("stuck: nothing in flight on the wire, but the exchange is not over");
            }
            check_invariants();
        }
        fail("drain did not finish");
    }

    void final_checks() {
        for (const auto& [ticket, cm] : accepted_) {
            check(cm.completed, "publish never completed: ticket " + std::to_string(ticket));
        }
        for (const auto& [body, sm] : server_messages_) {
            check(!sm.must_arrive || sm.delivered > 0, "message never delivered: " + body);
        }
        check(s_.inflight() == 0 && s_.queued() == 0 && s_.inbound_qos2_pending() == 0,
              "state left after everything was acknowledged");
        check(s_.send_quota() == server_receive_maximum_, "send quota leaked");
        check(wrapped_ || seed_ % 12 != 6, "coverage: packet ids never wrapped around");
        // Each seed must have exercised the interesting paths.
        check(stats_.drops > 10 && stats_.resends > 0 && stats_.pings > 0 &&
                  stats_.delivered > 100 && stats_.completed > 100,
              "coverage: drops " + std::to_string(stats_.drops) + " resends " +
                  std::to_string(stats_.resends) + " pings " + std::to_string(stats_.pings));
        for (const auto& [name, value] : {std::pair{"connections", connection_},
                                          {"expiries", stats_.expiries},
                                          {"discards", stats_.discards},
                                          {"resends", stats_.resends},
                                          {"keep_alive_timeouts", stats_.keep_alive_timeouts},
                                          {"duplicate_acks", stats_.duplicate_acks}}) {
            ::testing::Test::RecordProperty(name, value);
        }
    }

    // configuration
    std::uint32_t seed_;
    std::mt19937 rng_;
    std::uint16_t server_receive_maximum_ = 65'535;
    std::uint16_t client_receive_maximum_ = 10;
    std::uint16_t client_alias_maximum_ = 0;
    std::uint16_t server_alias_maximum_ = 0;
    std::optional<std::uint16_t> server_keep_alive_;
    bool wrap_ids_ = false, wrapped_ = false;

    session s_;
    scripted_peer peer_;
    int step_ = 0;
    bool failed_ = false;
    std::deque<std::string> trace_;
    struct {
        int drops = 0, expiries = 0, discards = 0, resends = 0, pings = 0, keep_alive_timeouts = 0,
            delivered = 0, completed = 0, duplicate_acks = 0;
    } stats_;

    // the connection
    bool link_up_ = false;
    int connection_ = 0;
    time_point opened_at_{};
    time_point last_write_{};
    std::optional<time_point> ping_sent_at_;
    std::deque<packet> c2b_;       // written by the session, not yet read by the broker
    std::deque<byte_vector> b2c_;  // written by the broker, not yet given to the session

    // what the test knows of the session's side
    bool ever_connected_ = false, connack_seen_ = false;
    bool in_connack_call_ = false, delivered_session_present_ = false;
    bool expect_discard_ = false, discard_seen_ = false;
    bool in_lose_ = false, expect_server_disconnect_ = false;
    std::uint64_t client_bodies_ = 0, server_bodies_ = 0;
    std::map<std::uint64_t, client_message> accepted_;
    std::map<std::string, std::uint64_t> ticket_of_body_;
    std::map<std::uint16_t, std::uint64_t> out_ids_;  // PUBLISH written, not completed
    std::set<std::uint16_t> pubrel_sent_;
    std::set<std::uint16_t> must_resend_;
    std::uint64_t last_new_ticket_ = 0, last_resent_ticket_ = 0;
    std::set<std::string> bodies_this_connection_;
    std::set<std::uint16_t> pubrels_this_connection_;
    std::map<std::uint16_t, std::string> aliases_to_server_;
    std::deque<owed_response> owed_;
    std::map<std::uint16_t, reason_code> last_ack_reason_;
    std::set<std::uint16_t> in_qos2_;  // PUBREC written, PUBCOMP not yet
    std::set<std::uint16_t> sub_ids_;
    std::map<std::uint64_t, std::size_t> subscribe_filters_;
    std::map<std::uint64_t, std::uint16_t> sub_id_of_ticket_;
    std::uint64_t subscribing_ = 0;
    std::map<std::string, server_message> server_messages_;

    // the broker
    bool b_session_exists_ = false, b_keeps_session_ = true, b_connected_ = false;
    bool b_discard_unannounced_ = false;  // CONNACK with Session Present 0 not yet delivered
    std::uint16_t b_alias_maximum_ = 0;
    std::map<std::uint64_t, broker_outbound> b_out_;  // by send order
    std::uint64_t b_seq_ = 0;
    std::uint16_t b_last_id_ = 0;
    std::set<std::uint16_t> b_in_qos2_;
    std::set<std::string> b_app_received_;
    std::map<std::string, std::uint16_t> b_aliases_;  // topic -> alias, to the session
    std::deque<byte_vector> b_delayed_;               // acks the broker holds back
};

class random_session : public ::testing::TestWithParam<std::uint32_t> {};

// MQTT-2.2.1-3, MQTT-3.2.2-5, MQTT-3.3.4-7, MQTT-4.3.3-4, MQTT-4.3.3-6, MQTT-4.3.3-10,
// MQTT-4.4.0-1, MQTT-4.4.0-2, MQTT-4.6.0-1..3, MQTT-4.9.0-2, MQTT-3.1.2-20 (see the top comment).
TEST_P(random_session, invariants_hold_against_a_simulated_broker) {
    random_run(GetParam()).run();
}

INSTANTIATE_TEST_SUITE_P(seeds, random_session,
                         ::testing::Values(1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u));

}  // namespace
}  // namespace mqtt::session::test
