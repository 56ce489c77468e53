// The MQTT v5 client session: a state machine with no sockets, no clock and no threads.
//
// Call-order contract
// -------------------
// The caller owns the connection and the clock; the session owns the protocol.
//
//   1. Construct with the connect options (and optionally a store and an authenticator).
//   2. When a network connection is up: connection_opened(now). CONNECT is now in the output.
//   3. Whenever bytes arrive: receive(bytes, now). Any chunking is fine.
//   4. Commands at any time: publish(), subscribe(), unsubscribe(), disconnect(),
//      reauthenticate(), each with `now`, each returning a command_result. They validate first
//      and refuse misuse with an errc and a detail (nothing is sent then). QoS 1/2 publishes are
//      accepted while disconnected and wait.
//   5. After EVERY call above: send take_output() (or output(), then clear_output()) on the
//      connection (it may be empty), drain poll_event() until it returns nullopt, and make sure
//      a timer fires by next_deadline() (firing earlier is harmless: handle_timeout() acts only
//      on what is due, so a caller may leave a timer armed for an earlier deadline).
//   6. When the timer fires: handle_timeout(now), then step 5 again.
//   7. If wants_close() is true after step 5, close the connection once the output is written:
//      the session sent or received DISCONNECT, or gave up on the connection.
//   8. When the connection ends (for any reason): connection_lost(now), then step 5. The session
//      keeps its state; connection_opened() on a new connection resumes it (Clean Start 0).
//
// MQTT 3.1.1 (connect_options::protocol_version): the same calls and events. Bytes in and out are
// 3.1.1; options and commands 3.1.1 cannot carry are refused with errc::needs_mqtt5; acks carry
// no reason codes (an UNSUBACK's filters all read 0x00); CONNACK's return code is reported as
// the v5 reason code of the same meaning (connack_reason_text() names it as 3.1.1 does); a
// protocol violation closes the connection without a DISCONNECT (3.1.1 MQTT-4.8.0-1).
//
// Reusing messages (optional: without it everything works the same, it just allocates). The
// session keeps a pool of spare `message` objects, at most 1,024 (as many as one 64 KiB read of
// small messages brings), and builds into them rather than allocating fresh ones:
//   - a received PUBLISH becomes the message of message_received in a spare, its strings and
//     vectors reused (every field is set; nothing of the spare's old content remains);
//   - publish(const message&, now) sends QoS 0 straight from the caller's message and copies a
//     QoS 1/2 one into a spare; publish(message&&, now) takes the caller's storage instead;
//   - when a QoS 1/2 publish ends (PUBACK, PUBCOMP, PUBREC >= 0x80, refused when finally sent,
//     dropped with the session state) its message goes back to the pool;
//   - recycle(std::move(m)) gives back the message of a message_received once the application
//     is done with it.
// A spare whose payload capacity is above 64 KiB, or that would take the spares' payloads above
// 256 KiB in all, is dropped rather than kept, so big messages do not pin their memory. Once warmed
// up, a session without a store whose output is drained with output() and clear_output() allocates
// nothing per message, sent or received, at any QoS (tests/alloc/session_alloc_test.cpp). What
// still allocates: a field that outgrows the spare's capacity or that the spare's last message
// lacked, and acknowledgements carrying a Reason String or User Properties.
//
// `now` must come from a monotonic clock and never go backwards. Output bytes are complete MQTT
// packets, in the order they must be written.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "client/session/authenticator.hpp"
#include "client/session/errors.hpp"
#include "client/session/events.hpp"
#include "client/session/fifo.hpp"
#include "client/session/packet_ids.hpp"
#include "client/session/recycled_nodes.hpp"
#include "client/session/store.hpp"
#include "client/session/timers.hpp"
#include "client/session/topic_alias.hpp"
#include "client/session/types.hpp"
#include "protocol/codec.hpp"
#include "protocol/framer.hpp"

namespace mqtt::session {

// A command's outcome: accepted, with a ticket that later events carry (0 from disconnect() and
// reauthenticate(), whose events carry none), or refused with an errc and a detail that names the
// field, limit or rule of the spec; a refused command sent nothing and changed nothing.
struct command_result {
    std::uint64_t ticket = 0;
    std::error_code error;
    std::string detail;  // says which field or limit, for people
    explicit operator bool() const { return !error; }
    static command_result refused(errc e, std::string detail) {
        return {0, make_error_code(e), std::move(detail)};
    }
};

struct disconnect_options {
    reason_code reason = reason_code::success;             // 0x04 asks the server to send the Will
    std::optional<std::uint32_t> session_expiry_interval;  // an update (spec 3.14.2.2.2)
    std::optional<std::string> reason_string;
    user_property_list user_properties;
};

// Whether `options` make a valid CONNECT (UTF-8 strings, a valid Will Topic and properties,
// non-zero Receive Maximum and Maximum Packet Size, field lengths; in MQTT 3.1.1 no option it
// cannot carry, errc::needs_mqtt5 naming it, and its CONNECT rules), with `auth` the session's
// authenticator if it has one (enhanced authentication is MQTT 5 only). Check before constructing
// a session; connection_opened() with invalid options sends nothing and reports a
// disconnected{cause = client} event with the detail.
command_result check_connect_options(const connect_options& options,
                                     const authenticator* auth = nullptr);

// A CONNACK's reason code as the server sent it: "0x87 Not authorized" in v5; in 3.1.1, where
// connack::reason holds the v5 code of the same meaning, the Connect Return Code itself, "0x05 Not
// authorized" (3.1.1 Table 3.1).
std::string connack_reason_text(reason_code rc, protocol_version version);

enum class state : std::uint8_t {
    disconnected,  // no connection
    connecting,    // CONNECT sent; AUTH exchanges may follow; waiting for CONNACK
    connected,     // CONNACK 0x00 received
    closing,       // DISCONNECT sent or received: nothing more is sent; close the connection
};

class session {
  public:
    explicit session(connect_options options, session_store* store = nullptr,
                     authenticator* auth = nullptr);

    // Connection lifecycle.
    void connection_opened(time_point now);
    void connection_lost(time_point now);
    void receive(bytes_view bytes, time_point now);
    void handle_timeout(time_point now);
    std::optional<time_point> next_deadline() const { return timers_.next(); }

    // Commands.
    // Takes the message's storage (QoS 1/2; QoS 0 is encoded from it and left as it is).
    command_result publish(message&& m, time_point now);
    // Leaves `m` to the caller: QoS 0 is encoded from it, QoS 1/2 copied into a spare message.
    command_result publish(const message& m, time_point now);
    command_result subscribe(std::vector<subscription_request> subscriptions,
                             subscribe_options options, time_point now);
    command_result unsubscribe(std::vector<std::string> topic_filters,
                               user_property_list user_properties, time_point now);
    command_result disconnect(disconnect_options options, time_point now);
    // Whether disconnect() would accept `options` (a reason code DISCONNECT may carry; no
    // Session Expiry Interval when CONNECT's was 0, spec 3.14.2.2.2; valid strings), whatever
    // the state.
    command_result check_disconnect(const disconnect_options& options) const;
    command_result reauthenticate(time_point now);

    // Outputs. take_output() hands the bytes over; output() and clear_output() let a caller
    // copy them into its own buffer instead, so that the session's buffer keeps its capacity
    // and a busy connection allocates nothing per packet.
    byte_vector take_output();
    bytes_view output() const { return output_; }
    void clear_output() { output_.clear(); }
    std::optional<event> poll_event();
    bool wants_close() const { return state_ == state::closing; }
    // Gives back a message the application is done with (a message_received's, typically), as a
    // spare for the next received PUBLISH or publish(const message&). Optional; see the top.
    void recycle(message&& m);

    // Observations (for tools and tests).
    mqtt::session::state current_state() const { return state_; }
    const server_limits& limits() const { return limits_; }
    std::uint16_t keep_alive() const { return keep_alive_; }   // in force on this connection
    std::size_t inflight() const { return inflight_.size(); }  // sent, not completed (QoS 1/2)
    std::size_t queued() const { return queue_.size(); }       // accepted, waiting to be sent
    std::size_t send_quota() const;  // QoS 1/2 PUBLISHes we may still send (spec 4.9)
    std::size_t inbound_qos2_pending() const { return inbound_qos2_.size(); }
    const connect_options& options() const { return options_; }
    // The Client Identifier later CONNECTs carry: the options', or the one the server assigned
    // when that was empty (spec 3.2.2.3.7), so that a reconnect can resume the session.
    const std::string& client_id() const { return client_id_; }

  private:
    bool v311() const { return options_.protocol_version == protocol_version::v311; }

    struct outbound {
        std::uint64_t ticket = 0;
        std::uint16_t packet_id = 0;
        outbound_stage stage = outbound_stage::queued;
        message msg;
    };
    struct pending_request {  // SUBSCRIBE or UNSUBSCRIBE awaiting its ack
        std::uint64_t ticket = 0;
        std::size_t filters = 0;
        bool subscribe = true;
    };

    // session.cpp: the transitions (theory of operation there)
    void on_packet(const packet& p);
    void on_connack(const connack& p);
    void on_disconnect(const mqtt::disconnect& p);
    // The server broke the protocol: DISCONNECT with `rc` and a Reason String (`reason_string`,
    // or `detail` when empty), then a disconnected{protocol_violation} event with `detail`.
    void violation(reason_code rc, std::string detail, std::string reason_string = {});
    void end_connection(disconnected ev);

    // connect.cpp: what CONNECT says and what CONNACK means
    bool clean_start_now() const;
    void send_connect();
    void apply_connack(const connack& p);
    connected connected_event(const connack& p) const;

    // auth.cpp: enhanced authentication
    bool check_connack_authentication(const connack& p);
    void on_auth(const auth& p);
    command_result check_auth(const auth& a) const;
    void fail_authentication(std::string detail);

    // outbound.cpp: our PUBLISHes and their acknowledgements
    // Both publish() overloads: `owned` is `m` when its storage may be taken, else null.
    command_result accept_publish(const message& m, message* owned, time_point now);
    command_result check_publish(const message& m) const;
    command_result check_limits(const message& m) const;
    void send_queued();
    void send_publish(const message& m, std::uint16_t packet_id, bool dup);
    void on_puback(const puback& p);
    void on_pubrec(const pubrec& p);
    void on_pubcomp(const pubcomp& p);
    void complete(std::map<std::uint64_t, outbound>::iterator it, reason_code rc,
                  const properties& props);
    void resend_inflight();
    void discard_session_state();

    // inbound.cpp: the server's PUBLISHes
    void on_publish(const mqtt::publish& p);
    // message_received for `p` under its resolved topic.
    void deliver(const mqtt::publish& p, std::string_view topic);
    void on_pubrel(const pubrel& p);

    // subscriptions.cpp: SUBACK and UNSUBACK
    void on_suback(const suback& p);
    void on_unsuback(const unsuback& p);
    std::optional<pending_request> take_request(std::uint16_t id, bool subscribe,
                                                std::size_t reason_codes);

    // Writing: every packet goes through send(), which also restarts the keep-alive timer. The
    // packet must encode: what callers and the authenticator give is checked before it gets here
    // (convert.hpp), and send() stops the process rather than lose a packet (session.cpp).
    void send(const packet& p);
    void emit(event e) { events_.push_back(std::move(e)); }
    // Whether a session we may resume exists, here and in the store (MQTT-3.2.2-4).
    void note_session(bool exists) {
        have_session_state_ = exists;
        if (store_) store_->set_session_exists(exists);
    }
    void store_outbound(const outbound& entry);
    // A spare message from the pool (recycle()), or a new empty one.
    message spare_message();

    connect_options options_;
    std::string client_id_;
    session_store* store_;  // may be null: nothing to write through to
    authenticator* auth_;

    mqtt::session::state state_ = state::disconnected;
    bool first_connection_ = true;
    // A session we may resume: established with a Session Expiry Interval and not ended since,
    // or restored from the store. Without one, Session Present 1 is a violation (MQTT-3.2.2-4).
    bool have_session_state_ = false;
    bool reauthenticating_ = false;
    time_point now_{};
    time_point last_send_{};

    server_limits limits_;
    std::uint16_t keep_alive_ = 0;
    framer framer_;
    timer_table timers_;
    packet_id_pool ids_;
    outbound_aliases out_aliases_;
    inbound_aliases in_aliases_;

    std::uint64_t next_ticket_ = 1;
    fifo<outbound> queue_;                        // QoS 1/2 waiting to be sent, in order
    std::map<std::uint64_t, outbound> inflight_;  // by ticket = original send order
    std::unordered_map<std::uint16_t, std::uint64_t> ticket_by_id_;
    // Their nodes, used again (recycled_nodes.hpp): no allocation per message.
    recycled_nodes<std::map<std::uint64_t, outbound>> inflight_nodes_;
    recycled_nodes<std::unordered_map<std::uint16_t, std::uint64_t>> id_nodes_;
    std::unordered_map<std::uint16_t, pending_request> requests_;
    std::set<std::uint16_t> inbound_qos2_;  // PUBREC sent, PUBREL not yet received
    recycled_nodes<std::set<std::uint16_t>> inbound_qos2_nodes_;

    // Spare messages to build into (see the top). As many as one read can bring: a 64 KiB read
    // of small QoS 0 messages holds some 800, all decoded before any is handed over.
    static constexpr std::size_t max_spare_messages = 1024;
    static constexpr std::size_t max_spare_payload_capacity = 64 * 1024;  // each
    static constexpr std::size_t max_spare_payload_total = 256 * 1024;    // all together
    std::vector<message> spare_messages_;
    std::size_t spare_payload_bytes_ = 0;  // their payloads' capacities
    // The views of a PUBLISH's User Properties while it is measured or encoded (publish_view),
    // kept so that its capacity is reused.
    mutable std::vector<string_pair> user_property_views_;

    byte_vector output_;
    fifo<event> events_;
};

}  // namespace mqtt::session
