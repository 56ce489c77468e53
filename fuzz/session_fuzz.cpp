// Fuzzes a connected session: arbitrary bytes from the "server", interleaved with our own
// publish(), subscribe() and unsubscribe() calls and with handle_timeout() at advancing virtual
// times, and ended by disconnect() with options from the last input byte. The first input byte
// picks the chunk size the rest is fed in (low 6 bits + 1) and the Receive Maximum of the valid
// CONNACK fed before it (high 2 bits + 1). When the session closes (it sent or received DISCONNECT,
// or a timer ran out), the connection is lost and opened again up to three times; the rest of the
// input then plays the server of the new connection, which must start with its own CONNACK (the
// seeds in fuzz/corpus/session/ do).
//
// Invariants, checked after every call (a failure prints why, then aborts):
// - no crash, no hang (libFuzzer and the sanitizers watch those);
// - a refused command carries a detail and writes nothing; an accepted disconnect() writes one
//   DISCONNECT with its reason code;
// - everything the session writes decodes completely with our decoder, and is a packet a client
//   may send: before CONNACK only CONNECT (first), AUTH or DISCONNECT (MQTT-3.1.2-30 context);
// - a protocol violation is reported with a failure reason code, a DISCONNECT carrying it is
//   written, wants_close() is true, and from then on nothing more is written until the next
//   connection (MQTT-3.14.4-1);
// - packet ids: a new PUBLISH, SUBSCRIBE or UNSUBSCRIBE never takes an id in flight
//   (MQTT-2.2.1-3); a DUP PUBLISH keeps an id in flight, comes only right after CONNACK with
//   Session Present 1 (MQTT-4.4.0-1) and never after its PUBREL (MQTT-4.3.3-6);
// - quota: a new QoS 1/2 PUBLISH leaves inflight() <= the server's Receive Maximum
//   (MQTT-3.3.4-7); inflight() matches what was written and not completed; send_quota() never
//   exceeds the Receive Maximum; inbound_qos2_pending() matches the PUBRECs and PUBCOMPs written;
// - a QoS 2 message is not delivered again while its id awaits PUBREL (MQTT-4.3.3-10); every
//   ticket completes at most once.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "client/session/session.hpp"
#include "protocol/codec.hpp"
#include "protocol/render.hpp"

namespace {

using namespace mqtt::session;
using namespace std::chrono_literals;

// SESSION_FUZZ_TRACE=1 prints every packet the session writes (to diagnose a crash input).
const bool trace = std::getenv("SESSION_FUZZ_TRACE") != nullptr;

[[noreturn]] void fail(const std::string& why) {
    std::fprintf(stderr, "session_fuzz invariant broken: %s\n", why.c_str());
    std::abort();
}
void check(bool ok, const char* why) {
    if (!ok) fail(why);
}

std::vector<std::uint8_t> encode_packet(const mqtt::packet& p) {
    std::vector<std::uint8_t> bytes(*mqtt::encoded_size(p));
    mqtt::encode(p, bytes);
    return bytes;
}

connect_options fuzz_options() {
    connect_options o;
    o.client_id = "fuzz";
    o.keep_alive = 10;
    o.session_expiry_interval = 60;  // a session to resume, so Session Present 1 is allowed
    o.receive_maximum = 3;           // ours: a 4th unacknowledged QoS 2 PUBLISH is a violation
    o.maximum_packet_size = 1024;    // larger packets are refused with 0x95
    o.topic_alias_maximum = 3;
    return o;
}

class fuzz_run {
  public:
    explicit fuzz_run(std::uint16_t server_receive_maximum)
        : rm_(server_receive_maximum), s_(fuzz_options()) {}

    void run(mqtt::bytes_view stream, std::size_t chunk) {
        // QoS 1/2 messages accepted while disconnected wait for the CONNACK.
        publish(mqtt::qos::at_least_once, 0);
        publish(mqtt::qos::exactly_once, 1);
        open();
        mqtt::connack ack;
        ack.props.receive_maximum = rm_;
        ack.props.topic_alias_maximum = 2;
        receive(encode_packet(ack));
        check(s_.current_state() == state::connected, "the valid CONNACK was not accepted");

        std::size_t index = 0;
        for (std::size_t pos = 0; pos < stream.size(); pos += chunk, ++index) {
            now_ += 250ms * (1 + index % 8);
            if (const auto d = s_.next_deadline(); d && *d <= now_) {
                s_.handle_timeout(now_);
                after();
            }
            if (index % 3 == 0) publish(mqtt::qos(index / 3 % 3), index);
            if (index % 7 == 5) subscribe();
            if (index % 11 == 8) unsubscribe();
            receive(stream.subspan(pos, std::min(chunk, stream.size() - pos)));
            if (s_.wants_close()) {
                after_close();
                if (connections_ > 3) return;
                s_.connection_lost(now_);
                after();
                open();
            }
        }
        // The application ends the connection, with options taken from the last input byte.
        if (!stream.empty()) disconnect(stream.back());
    }

  private:
    void open() {
        ++connections_;
        connack_seen_ = false;
        closed_ = false;
        wrote_on_connection_ = false;
        s_.connection_opened(now_);
        after();
    }

    void receive(mqtt::bytes_view bytes) {
        if (trace) std::fprintf(stderr, "receive %zu bytes\n", bytes.size());
        s_.receive(bytes, now_);
        after();
    }

    void publish(mqtt::qos q, std::size_t n) {
        message m;
        m.topic = "t/" + std::to_string(n % 4);
        m.payload.assign(n % 5 * 7, std::uint8_t('x'));
        m.qos = q;
        const command_result r = s_.publish(m, now_);
        if (r) {
            check(open_tickets_.emplace(r.ticket, q).second, "a ticket handed out twice");
        } else {
            check(!r.detail.empty(), "a refusal without a detail");
            check(s_.take_output().empty(), "a refused publish wrote something");
        }
        after();
        if (r && q == mqtt::qos::at_most_once) {
            check(!open_tickets_.contains(r.ticket), "QoS 0 publish not completed when written");
        }
    }

    void subscribe() {
        std::vector<subscription_request> filters(1);
        filters[0].topic_filter = "t/#";
        filters[0].max_qos = mqtt::qos::exactly_once;
        request(s_.subscribe(filters, {}, now_));
    }
    void unsubscribe() { request(s_.unsubscribe({"t/#", "a"}, {}, now_)); }
    void request(const command_result& r) {
        if (!r) {
            check(!r.detail.empty(), "a refusal without a detail");
            check(s_.take_output().empty(), "a refused request wrote something");
        }
        requesting_ = r ? r.ticket : 0;
        after();
        requesting_ = 0;
    }

    // disconnect() with reason code `b` (most bytes are not Disconnect Reason Codes: refused,
    // MQTT-3.14.2-1), a Session Expiry update and a Reason String picked by its low bits.
    void disconnect(std::uint8_t b) {
        if (s_.current_state() != state::connected) return;
        disconnect_options o;
        o.reason = mqtt::reason_code(b);
        if (b & 1) o.session_expiry_interval = b;
        if (b & 2) o.reason_string = "fuzz";
        const command_result r = s_.disconnect(o, now_);
        if (!r) {
            check(!r.detail.empty(), "a refusal without a detail");
            check(s_.take_output().empty(), "a refused DISCONNECT wrote something");
            check(s_.current_state() == state::connected, "a refused DISCONNECT changed state");
            after();
            return;
        }
        check(s_.wants_close(), "DISCONNECT accepted but wants_close() is false");
        const byte_vector out = s_.take_output();
        const mqtt::decode_result d = mqtt::decode(out);
        const auto* sent = std::get_if<mqtt::disconnect>(&d.value);
        check(d.status == mqtt::decode_status::complete && d.consumed == out.size() && sent &&
                  sent->reason == o.reason,
              "an accepted disconnect() did not write one DISCONNECT with its reason code");
        closed_ = true;
        after();
    }

    // After wants_close(): nothing more is written, whatever happens (MQTT-3.14.4-1).
    void after_close() {
        closed_ = true;
        now_ += 1h;
        s_.handle_timeout(now_);
        after();
        const command_result r = s_.publish(message{"t/0", {}, mqtt::qos::at_least_once}, now_);
        check(!r && r.error == errc::closed, "publish accepted while closing");
        const std::uint8_t pingresp[] = {0xD0, 0x00};
        s_.receive(pingresp, now_);
        after();
    }

    // Everything the session said and wrote after one call.
    void after() {
        bool resend_allowed = false;
        std::optional<mqtt::reason_code> violation;
        std::map<std::uint16_t, int> qos2_delivered;  // this call, by packet id
        while (std::optional<event> e = s_.poll_event()) {
            if (const auto* c = std::get_if<connected>(&*e)) {
                check(!connack_seen_, "two connected events on one connection");
                connack_seen_ = true;
                resend_allowed = c->session_present;
            } else if (const auto* p = std::get_if<publish_completed>(&*e)) {
                on_completed(*p);
            } else if (const auto* d = std::get_if<session_discarded>(&*e)) {
                check(d->inbound_qos2_dropped == in_qos2_.size(), "session_discarded count");
                in_qos2_.clear();
            } else if (auto* m = std::get_if<message_received>(&*e)) {
                if (m->message.qos == mqtt::qos::exactly_once) ++qos2_delivered[m->packet_id];
                s_.recycle(std::move(m->message));  // the next one is built in its storage
            } else if (const auto* sc = std::get_if<subscribe_completed>(&*e)) {
                requests_done_.push_back(sc->ticket);
            } else if (const auto* uc = std::get_if<unsubscribe_completed>(&*e)) {
                requests_done_.push_back(uc->ticket);
            } else if (const auto* dc = std::get_if<disconnected>(&*e)) {
                if (dc->cause == disconnect_cause::protocol_violation) {
                    check(mqtt::is_failure(dc->reason), "violation without a failure reason");
                    check(s_.wants_close(), "wants_close() is false after a violation");
                    violation = dc->reason;
                }
            }
        }

        // A QoS 2 id is delivered only while not awaiting PUBREL, and leaves that state only by
        // our PUBCOMP: in one call, deliveries <= (awaiting before ? 0 : 1) + PUBCOMPs written.
        for (auto& [id, n] : qos2_delivered)
            n -= in_qos2_.contains(id) ? 0 : 1;
        pubcomps_ = &qos2_delivered;
        const byte_vector out = s_.take_output();
        mqtt::bytes_view rest = out;
        while (!rest.empty()) {
            check(!closed_, "wrote after DISCONNECT or wants_close() (MQTT-3.14.4-1)");
            const mqtt::decode_result d = mqtt::decode(rest);
            if (d.status != mqtt::decode_status::complete) {
                std::string hex;
                for (const std::uint8_t b : rest) {
                    char h[4];
                    std::snprintf(h, sizeof h, "%02x ", b);
                    hex += h;
                }
                fail("the session wrote bytes that do not decode: " + hex + "(" +
                     (d.status == mqtt::decode_status::error ? d.error.message() : "incomplete") +
                     ")");
            }
            rest = rest.subspan(d.consumed);
            on_written(d.value, resend_allowed);
            if (const auto* disc = std::get_if<mqtt::disconnect>(&d.value)) {
                check(!violation || disc->reason == *violation, "DISCONNECT reason != violation");
                violation.reset();
                closed_ = true;
            }
        }
        pubcomps_ = nullptr;
        // Completions are applied after the packets: in one call the session may write a PUBLISH
        // or PUBREL and then complete it, and events and output do not say in which order.
        for (const std::uint16_t id : completed_ids_) {
            check(out_ids_.erase(id) == 1, "publish_completed for an id not in flight");
            pubrel_sent_.erase(id);
        }
        completed_ids_.clear();
        for (const std::uint64_t ticket : requests_done_)
            request_done(ticket);
        requests_done_.clear();
        for (const auto& [id, excess] : qos2_delivered) {
            check(excess <= 0, "a QoS 2 message delivered twice before PUBREL (MQTT-4.3.3-10)");
        }
        check(!violation, "protocol violation without a DISCONNECT");
        if (closed_) {
            check(s_.wants_close() || s_.current_state() == state::disconnected,
                  "DISCONNECT written but wants_close() is false");
        }
        if (s_.wants_close()) closed_ = true;  // nothing more from now on (MQTT-3.14.4-1)

        check(s_.inflight() == out_ids_.size(), "inflight() != PUBLISHes written, not completed");
        // On the first connection the Receive Maximum is the one of our valid CONNACK.
        check(connections_ > 1 || s_.inflight() <= rm_, "inflight() > Receive Maximum");
        check(s_.send_quota() <= s_.limits().receive_maximum, "send_quota() > Receive Maximum");
        check(s_.inbound_qos2_pending() == in_qos2_.size(), "inbound_qos2_pending()");
    }

    void on_written(const mqtt::packet& p, bool resend_allowed) {
        using mqtt::packet_type;
        const packet_type t = mqtt::type_of(p);
        if (trace) std::fprintf(stderr, "wrote %s\n", mqtt::to_string(p).c_str());
        if (t == packet_type::connect) {
            check(!wrote_on_connection_, "CONNECT is not the first packet");
        } else if (!connack_seen_) {
            check(t == packet_type::auth || t == packet_type::disconnect,
                  "only AUTH or DISCONNECT before CONNACK (MQTT-3.1.2-30)");
        }
        wrote_on_connection_ = true;
        switch (t) {
            case packet_type::publish:
                on_written_publish(std::get<mqtt::publish>(p), resend_allowed);
                break;
            case packet_type::subscribe:
                new_request_id(std::get<mqtt::subscribe>(p).packet_id);
                break;
            case packet_type::unsubscribe:
                new_request_id(std::get<mqtt::unsubscribe>(p).packet_id);
                break;
            case packet_type::pubrec: {
                const auto& r = std::get<mqtt::pubrec>(p);
                if (!mqtt::is_failure(r.reason)) in_qos2_.insert(r.packet_id);
                break;
            }
            case packet_type::pubcomp: {
                const auto& c = std::get<mqtt::pubcomp>(p);
                if (in_qos2_.erase(c.packet_id) == 1 && pubcomps_) --(*pubcomps_)[c.packet_id];
                break;
            }
            case packet_type::pubrel: {
                const auto& r = std::get<mqtt::pubrel>(p);
                if (r.reason == mqtt::reason_code::success) {
                    check(out_ids_.contains(r.packet_id), "PUBREL for an id not in flight");
                    pubrel_sent_.insert(r.packet_id);
                }
                break;
            }
            case packet_type::connect:
            case packet_type::puback:
            case packet_type::pingreq:
            case packet_type::disconnect:
            case packet_type::auth:
                break;
            default:
                fail("the session wrote a server's packet: " + mqtt::to_string(p));
        }
    }

    void on_written_publish(const mqtt::publish& p, bool resend_allowed) {
        if (p.qos == mqtt::qos::at_most_once) return;
        if (p.dup) {  // a resend (MQTT-4.4.0-1), never after PUBREL (MQTT-4.3.3-6)
            check(resend_allowed, "DUP PUBLISH outside the resend after Session Present 1");
            check(out_ids_.contains(p.packet_id), "DUP PUBLISH with an id not in flight");
            check(!pubrel_sent_.contains(p.packet_id), "PUBLISH resent after its PUBREL");
            return;
        }
        check(!out_ids_.contains(p.packet_id) && !request_ids_.contains(p.packet_id),
              "new PUBLISH took an id in flight (MQTT-2.2.1-3)");
        out_ids_.insert(p.packet_id);
        // Completions of this call are not applied yet; they may have freed the quota.
        std::size_t done = 0;
        for (const std::uint16_t id : completed_ids_)
            done += out_ids_.contains(id) ? 1 : 0;
        check(out_ids_.size() - done <= s_.limits().receive_maximum,
              "over Receive Maximum (MQTT-3.3.4-7)");
    }

    void new_request_id(std::uint16_t id) {
        check(requesting_ != 0, "SUBSCRIBE/UNSUBSCRIBE written outside its command");
        check(!out_ids_.contains(id) && !request_ids_.contains(id),
              "SUBSCRIBE/UNSUBSCRIBE took an id in flight (MQTT-2.2.1-3)");
        request_ids_.insert(id);
        request_id_of_ticket_[requesting_] = id;
    }
    void request_done(std::uint64_t ticket) {
        const auto it = request_id_of_ticket_.find(ticket);
        if (it == request_id_of_ticket_.end()) fail("SUBACK/UNSUBACK event for an unknown ticket");
        request_ids_.erase(it->second);
        request_id_of_ticket_.erase(it);
    }

    void on_completed(const publish_completed& p) {
        const auto it = open_tickets_.find(p.ticket);
        if (it == open_tickets_.end()) fail("publish_completed for an unknown or completed ticket");
        if (it->second != mqtt::qos::at_most_once) completed_ids_.push_back(p.packet_id);
        open_tickets_.erase(it);
    }

    std::uint16_t rm_;
    session s_;
    time_point now_ = time_point{} + 1h;
    int connections_ = 0;
    bool connack_seen_ = false, closed_ = false, wrote_on_connection_ = false;
    std::map<std::uint64_t, mqtt::qos> open_tickets_;
    std::set<std::uint16_t> out_ids_, pubrel_sent_, in_qos2_, request_ids_;
    std::map<std::uint64_t, std::uint16_t> request_id_of_ticket_;
    std::uint64_t requesting_ = 0;
    std::map<std::uint16_t, int>* pubcomps_ = nullptr;  // counts PUBCOMPs during after()
    std::vector<std::uint16_t> completed_ids_;          // during after()
    std::vector<std::uint64_t> requests_done_;          // during after()
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = std::size_t(data[0] & 0x3F) + 1;
    const auto receive_maximum = std::uint16_t((data[0] >> 6) + 1);
    fuzz_run(receive_maximum).run(mqtt::bytes_view(data + 1, size - 1), chunk);
    return 0;
}
