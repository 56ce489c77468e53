// Randomized sessions against a simulated broker (the invariants: random_session.hpp). This file:
// the random steps, the application's side, the invariants and the test itself.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "protocol/codec.hpp"
#include "tests/session/random_session.hpp"

namespace mqtt::session::test {

using namespace std::chrono_literals;
using mqtt::test::encode_to_vector;

void random_run::run() {
    for (step_ = 0; step_ < steps_per_seed && !failed_; ++step_) {
        random_step();
        if (!failed_) check_invariants();
    }
    if (!failed_) drain();
    if (!failed_) final_checks();
}

connect_options random_run::make_options() {
    server_receive_maximum_ = pick<std::uint16_t>({1, 2, 3, 5, 10, 65'535});
    client_receive_maximum_ = pick<std::uint16_t>({1, 2, 4, 10});
    max_inflight_ = pick<std::uint16_t>({0, 0, 2, 4, 100});
    client_alias_maximum_ = pick<std::uint16_t>({0, 0, 2, 5});
    server_alias_maximum_ = pick<std::uint16_t>({0, 1, 3});
    if (chance(30)) server_keep_alive_ = pick<std::uint16_t>({3, 8});
    connect_options o;
    o.client_id = "random-" + std::to_string(seed_);
    o.keep_alive = pick<std::uint16_t>({5, 10, 30});
    o.clean_start = true;
    o.session_expiry_interval = 3600;
    o.receive_maximum = client_receive_maximum_;
    o.max_inflight = max_inflight_;
    if (client_alias_maximum_ > 0) o.topic_alias_maximum = client_alias_maximum_;
    if (chance(50)) o.ping_timeout = 2s;
    wrap_ids_ = seed_ % 12 == 6;
    return o;
}

void random_run::fail(const std::string& what) {
    if (failed_) return;
    failed_ = true;
    std::ostringstream out;
    out << "seed " << seed_ << " step " << step_ << ": " << what << "\nlast actions:\n";
    for (const std::string& t : trace_)
        out << "  " << t << "\n";
    ADD_FAILURE() << out.str();
}

void random_run::random_step() {
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
    if (wrap_ids_ && step_ >= 1000 && s_.current_state() == state::connected && !out_ids_.empty() &&
        s_.send_quota() > 0 && s_.queued() == 0) {
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

void random_run::open() {
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

void random_run::drop_connection(bool broker_keeps_session) {
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

void random_run::server_disconnect() {
    if (!b_connected_) return;
    mqtt::disconnect d;
    d.reason = reason_code::server_shutting_down;
    b2c_.push_back(encode_to_vector(d));
    deliver_to_client(b2c_.size());
    if (link_up_) drop_connection(!chance(20));  // the session closes after the DISCONNECT
}

void random_run::advance_time() {
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
void random_run::wrap_packet_ids() {
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
        s_.receive(encode_to_vector(puback{p->packet_id, reason_code::success, {}}), peer_.now);
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

void random_run::client_publish() {
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

void random_run::client_subscribe() {
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

void random_run::check_invariants() {
    std::size_t open_tickets = 0;
    for (const auto& [ticket, cm] : accepted_) {
        if (!cm.completed && cm.qos != qos::at_most_once) ++open_tickets;
    }
    check(s_.inflight() == out_ids_.size(), "inflight() != PUBLISHes written and not done");
    check(s_.inflight() + s_.queued() == open_tickets, "inflight() + queued() != accepted");
    check(s_.inbound_qos2_pending() == in_qos2_.size(), "inbound_qos2_pending()");
    if (s_.current_state() == state::connected) {
        check(s_.limits().receive_maximum == server_receive_maximum_, "limits().receive_maximum");
        check(s_.inflight() <= window(), "inflight() > min(Receive Maximum, max_inflight)");
        check(s_.send_quota() == window() - s_.inflight(),
              "send_quota() != min(Receive Maximum, max_inflight) - inflight() (MQTT-4.9.0-2)");
        const auto ka = std::chrono::seconds(s_.keep_alive());
        check(ka == ka.zero() || peer_.now - last_write_ <= ka,
              "silent for longer than Keep Alive (MQTT-3.1.2-20)");
    }
}

void random_run::drain() {
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

void random_run::final_checks() {
    for (const auto& [ticket, cm] : accepted_) {
        check(cm.completed, "publish never completed: ticket " + std::to_string(ticket));
    }
    for (const auto& [body, sm] : server_messages_) {
        check(!sm.must_arrive || sm.delivered > 0, "message never delivered: " + body);
    }
    check(s_.inflight() == 0 && s_.queued() == 0 && s_.inbound_qos2_pending() == 0,
          "state left after everything was acknowledged");
    check(s_.send_quota() == window(), "send quota leaked");
    check(wrapped_ || seed_ % 12 != 6, "coverage: packet ids never wrapped around");
    // Each seed must have exercised the interesting paths.
    check(stats_.drops > 10 && stats_.resends > 0 && stats_.pings > 0 && stats_.delivered > 100 &&
              stats_.completed > 100,
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

namespace {

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
