// A scripted server for session tests, on virtual time: the test says which packets it expects
// the session to send and which packets the server answers with, and moves the clock by hand.
//
//   session s(options);
//   scripted_peer peer(s);
//   peer.open();                                   // connection_opened
//   auto c = peer.expect<connect>();               // the next packet sent must be CONNECT
//   peer.reply(connack{});                         // the server answers
//   peer.expect_event<connected>();
//   peer.advance_to_deadline();                    // jump the clock to next_deadline()
//   peer.expect<pingreq>();
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "client/session/session.hpp"
#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "protocol/render.hpp"

namespace mqtt::session::test {

class scripted_peer {
  public:
    explicit scripted_peer(session& s) : s_(s) {}

    // Virtual time; starts at an arbitrary non-zero point.
    time_point now = time_point{} + std::chrono::hours(1);

    void open() {
        s_.connection_opened(now);
        collect();
    }
    void lose() {
        s_.connection_lost(now);
        collect();
    }
    // Moves the clock and fires the session's timer if it is due.
    void advance(duration d) {
        now += d;
        fire();
    }
    // Jumps the clock to the session's next deadline (it must have one) and fires it.
    void advance_to_deadline() {
        const auto d = s_.next_deadline();
        ASSERT_TRUE(d.has_value()) << "the session has no deadline";
        if (*d > now) now = *d;
        fire();
    }

    // The server sends a packet (encoded by our encoder, in the session's protocol version) or
    // raw bytes.
    void reply(const packet& p) {
        const std::optional<std::size_t> size = encoded_size(p, version());
        if (!size) {
            ADD_FAILURE() << "the scripted server cannot encode " << to_string(p) << " in "
                          << protocol_version_name(version());
            return;
        }
        byte_vector bytes(*size);
        encode(p, bytes, version());
        reply_bytes(bytes);
    }
    void reply_bytes(const byte_vector& bytes) {
        s_.receive(bytes, now);
        collect();
    }

    // Every packet the session has written so far and nobody has taken yet.
    std::size_t pending_packets() const { return sent_.size(); }
    // The next packet the session sent; fails the test if there is none or it is another type.
    template <class P>
    P expect() {
        collect();
        if (sent_.empty()) {
            ADD_FAILURE() << "expected " << packet_type_name(type_of(packet{P{}}))
                          << " but the session sent nothing";
            return P{};
        }
        packet p = sent_.front();
        sent_.pop_front();
        if (!std::holds_alternative<P>(p)) {
            ADD_FAILURE() << "expected " << packet_type_name(type_of(packet{P{}}))
                          << " but the session sent " << to_string(p);
            return P{};
        }
        return std::get<P>(p);
    }
    packet next_packet() {
        collect();
        if (sent_.empty()) {
            ADD_FAILURE() << "the session sent nothing";
            return pingreq{};
        }
        packet p = sent_.front();
        sent_.pop_front();
        return p;
    }
    void expect_nothing_sent() {
        collect();
        EXPECT_TRUE(sent_.empty()) << "unexpected packet: " << to_string(sent_.front());
    }

    // Events, in order.
    std::size_t pending_events() const { return events_.size(); }
    template <class E>
    E expect_event() {
        collect();
        if (events_.empty()) {
            ADD_FAILURE() << "expected an event but there is none";
            return E{};
        }
        event e = std::move(events_.front());
        events_.pop_front();
        if (!std::holds_alternative<E>(e)) {
            ADD_FAILURE() << "another event came first (index " << e.index() << ")";
            return E{};
        }
        return std::get<E>(std::move(e));
    }
    std::optional<event> next_event() {
        collect();
        if (events_.empty()) return std::nullopt;
        event e = std::move(events_.front());
        events_.pop_front();
        return e;
    }
    // Every event not yet taken, in order.
    std::vector<event> drain_events() {
        collect();
        std::vector<event> all(std::make_move_iterator(events_.begin()),
                               std::make_move_iterator(events_.end()));
        events_.clear();
        return all;
    }
    void expect_no_event() {
        collect();
        EXPECT_TRUE(events_.empty())
            << "unexpected event (index " << events_.front().index() << ")";
    }

    // The usual opening: connection up, CONNECT out, CONNACK in, `connected` out.
    connected handshake(connack ack = {}) {
        open();
        expect<connect>();
        reply(ack);
        return expect_event<connected>();
    }

    session& target() { return s_; }
    // The version both sides speak: the session's.
    protocol_version version() const { return s_.options().protocol_version; }

  private:
    void fire() {
        if (auto d = s_.next_deadline(); d && *d <= now) s_.handle_timeout(now);
        collect();
    }
    // Drains the session's output and events; decodes the output into packets whose views point
    // into byte buffers this peer keeps.
    void collect() {
        byte_vector out = s_.take_output();
        if (!out.empty()) {
            buffers_.push_back(std::move(out));
            bytes_view rest = buffers_.back();
            while (!rest.empty()) {
                const decode_result r = decode(rest, {.version = version()});
                if (r.status != decode_status::complete) {
                    ADD_FAILURE() << "the session wrote bytes that do not decode: "
                                  << (r.status == decode_status::error ? r.error.message()
                                                                       : "incomplete packet");
                    break;
                }
                sent_.push_back(r.value);
                rest = rest.subspan(r.consumed);
            }
        }
        while (auto e = s_.poll_event())
            events_.push_back(std::move(*e));
    }

    session& s_;
    std::deque<byte_vector> buffers_;
    std::deque<packet> sent_;
    std::deque<event> events_;
};

// The events of one kind among `all`, in order.
template <class E>
std::vector<E> events_of(const std::vector<event>& all) {
    std::vector<E> out;
    for (const event& e : all) {
        if (const E* p = std::get_if<E>(&e)) out.push_back(*p);
    }
    return out;
}

}  // namespace mqtt::session::test
