// Randomized sessions (random_session_*.cpp): one session against a simulated broker on virtual
// time, for thousands of random steps per fixed seed. The broker is a small model of a server's
// side of one session: it answers CONNECT with CONNACK (Session Present 1 while it keeps the
// session), acknowledges our PUBLISHes (sometimes with failure codes, sometimes late), sends QoS
// 0/1/2 PUBLISHes and PUBRELs, resends its unacknowledged PUBLISHes (DUP 1) and PUBRELs after a
// reconnect as a server must (MQTT-4.4.0-1), answers PINGREQ, and now and then drops the connection
// or shuts down (DISCONNECT 0x8B), sometimes forgetting the session (Session Present 0 next time).
// Packets in both directions wait in pipes; a drop loses what is still in them.
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
//
// The run is one class, random_run, in three files: random_session_test.cpp (the random steps,
// the application's side, the invariants and the test), random_session_checks.cpp (what the
// session said and wrote after each call, and what it owed) and random_session_broker.cpp (the
// simulated broker).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/session/helpers.hpp"

namespace mqtt::session::test {

inline constexpr int steps_per_seed = 4000;
inline const std::vector<std::string> topics = {"t/0", "t/1", "t/2", "sensors/room/3", "a", "t/5"};

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

    // Runs steps_per_seed random steps, checking the invariants after each, then lets the
    // broker acknowledge everything and checks that nothing is left.
    void run();

  private:
    // ---- configuration and randomness ----
    std::uint32_t below(std::uint32_t n) { return std::uint32_t(rng_() % n); }
    bool chance(std::uint32_t percent) { return below(100) < percent; }
    template <class T>
    T pick(std::initializer_list<T> values) {
        return *(values.begin() + below(std::uint32_t(values.size())));
    }

    connect_options make_options();

    // ---- failure reporting ----
    void note(std::string what) {
        trace_.push_back("step " + std::to_string(step_) + ": " + std::move(what));
        if (trace_.size() > 40) trace_.pop_front();
    }
    void fail(const std::string& what);
    void check(bool ok, const std::string& what) {
        if (!ok) fail(what);
    }

    // ---- the random steps ----
    void random_step();
    void open();
    void drop_connection(bool broker_keeps_session);
    void server_disconnect();
    void advance_time();

    // Once in some runs: takes the session's packet ids once around 1..65535 while messages of
    // the run are in flight, publishing QoS 1 and acknowledging at once (directly, for speed),
    // and checks that every id skips those in flight (MQTT-2.2.1-3 after wrap-around).
    void wrap_packet_ids();

    // ---- the application's side ----
    void client_publish();
    void client_subscribe();

    // ---- what the session said and wrote after each call ----
    void after(const std::string& what);
    void on_event(const event& e);
    void on_message(const message_received& m);
    void on_completed(const publish_completed& p);
    void on_disconnected(const disconnected& d);
    void on_written(const packet& p);
    void on_written_publish(const mqtt::publish& p);
    void on_written_pubrel(const pubrel& p);
    void expect_owed(packet_type type, std::uint16_t id, reason_code reason);

    // ---- broker to session ----
    void deliver_to_client(std::size_t n);

    // What the session must do with a packet it is about to receive.
    void expect_reaction(const packet& p, std::set<std::uint16_t>& projected);

    // ---- the broker ----
    void broker_send(const packet& p, bool may_delay);
    void broker_flush_delayed();
    void broker_discard_session();

    bool broker_id_in_use(std::uint16_t id) const;
    broker_outbound* broker_find(std::uint16_t id);
    void broker_erase(std::uint16_t id);
    void broker_receive(std::size_t n);
    void broker_handle(const packet& p);
    reason_code broker_ack_reason();
    void broker_connect(const connect& c);
    void broker_send_publish(const std::string& body, std::uint16_t id, bool dup);
    void broker_publish();

    // ---- invariants ----
    void check_invariants();
    void drain();
    void final_checks();

    // configuration
    std::uint32_t seed_;
    std::mt19937 rng_;
    std::uint16_t server_receive_maximum_ = 65'535;
    std::uint16_t client_receive_maximum_ = 10;
    std::uint16_t max_inflight_ = 0;  // our outbound window (connect_options::max_inflight)
    std::size_t window() const {      // what the session may keep in flight
        return max_inflight_ ? std::min<std::size_t>(max_inflight_, server_receive_maximum_)
                             : server_receive_maximum_;
    }
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

}  // namespace mqtt::session::test
