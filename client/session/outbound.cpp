// Our PUBLISHes (spec 4.3): QoS 0 goes out at once; QoS 1 and 2 wait in `queue_` until the
// window leaves room (the server's Receive Maximum, spec 4.9, and our own max_inflight), then live
// in `inflight_` until PUBACK, or PUBREC then PUBCOMP. Tickets are taken in accept order and
// publishes leave the queue in that order, so ticket order is send order, which is the order of a
// resend (MQTT-4.6.0-1). A message whose flow has ended goes to the pool of spare messages, for
// the next publish(const message&) or received PUBLISH to be built in its storage.
#include <fmt/format.h>

#include "client/session/convert.hpp"
#include "client/session/session.hpp"
#include "protocol/topic.hpp"

namespace mqtt::session {

std::size_t session::send_quota() const {
    // 3.1.1 has no Receive Maximum (limits_ keeps v5's default): max_inflight alone, 20 for 0.
    const std::uint16_t own =
        options_.max_inflight == 0 && v311() ? v311_default_max_inflight : options_.max_inflight;
    const std::size_t window = outbound_window(own, limits_.receive_maximum);
    return inflight_.size() < window ? window - inflight_.size() : 0;
}

command_result session::check_publish(const message& m) const {
    if (state_ == state::closing)
        return command_result::refused(errc::closed, "the session is closing");
    if (std::uint8_t(m.qos) > 2)
        return command_result::refused(errc::invalid_argument, "QoS must be 0, 1 or 2");
    if (const char* problem = topic_name_problem(m.topic)) {
        return command_result::refused(errc::invalid_topic, fmt::format("Topic Name: {}", problem));
    }
    const message_properties& p = m.props;
    if (v311()) {
        if (const char* what = detail::v5_only_property(p)) return detail::refuse_v5_only(what);
    }
    if (p.payload_format_indicator && *p.payload_format_indicator > 1) {
        return command_result::refused(errc::invalid_argument,
                                       "Payload Format Indicator must be 0 or 1");
    }
    if (p.content_type) {
        if (command_result bad = detail::check_string("Content Type", *p.content_type); !bad)
            return bad;
    }
    if (p.response_topic) {
        if (const char* problem = topic_name_problem(*p.response_topic)) {
            return command_result::refused(
                errc::invalid_topic, fmt::format("Response Topic: {} (MQTT-3.3.2-14)", problem));
        }
    }
    if (p.correlation_data) {
        if (command_result bad = detail::check_binary("Correlation Data", *p.correlation_data);
            !bad)
            return bad;
    }
    if (command_result bad = detail::check_user_properties(p.user_properties); !bad) return bad;
    return check_limits(m);
}

// The server's limits from its CONNACK. Checked when a publish is accepted and again when a
// queued one is finally sent, since a CONNACK may have lowered them in between.
command_result session::check_limits(const message& m) const {
    if (std::uint8_t(m.qos) > limits_.maximum_qos) {
        return command_result::refused(
            errc::qos_not_supported,
            fmt::format("QoS {} is above the server's Maximum QoS {} (MQTT-3.2.2-11)", int(m.qos),
                        limits_.maximum_qos));
    }
    if (m.retain && !limits_.retain_available) {
        return command_result::refused(
            errc::retain_not_supported,
            "the server does not support retained messages (MQTT-3.2.2-14)");
    }
    // Measured on the whole packet as it would be sent without a Topic Alias (MQTT-3.2.2-15).
    mqtt::publish view = detail::publish_view(m, user_property_views_);
    view.packet_id = m.qos == qos::at_most_once ? 0 : 1;
    return detail::check_size(view, limits_.maximum_packet_size);
}

command_result session::publish(message&& m, time_point now) {
    return accept_publish(m, &m, now);
}

command_result session::publish(const message& m, time_point now) {
    return accept_publish(m, nullptr, now);
}

command_result session::accept_publish(const message& m, message* owned, time_point now) {
    now_ = now;
    if (command_result bad = check_publish(m); !bad) return bad;
    if (m.qos == qos::at_most_once) {
        if (state_ != state::connected) {
            return command_result::refused(errc::not_connected,
                                           "a QoS 0 message is only sent on a connection");
        }
        const std::uint64_t ticket = next_ticket_++;
        send_publish(m, 0, false);  // straight from the caller's message: nothing to keep
        emit(publish_completed{ticket});
        return {ticket};
    }
    // Every QoS 1/2 message takes a Packet Identifier; never more than there are (spec 2.2.1).
    if (ids_.in_use_count() + queue_.size() >= 65'535) {
        return command_result::refused(errc::packet_identifiers_exhausted,
                                       "65,535 QoS 1/2 messages are already waiting or in flight");
    }
    const std::uint64_t ticket = next_ticket_++;
    message kept = owned ? std::move(*owned) : spare_message();
    if (!owned) kept = m;  // into the spare's strings and vectors: their capacity is reused
    queue_.push_back(outbound{ticket, 0, outbound_stage::queued, std::move(kept)});
    store_outbound(queue_.back());
    send_queued();
    return {ticket};
}

void session::send_queued() {
    // Only PUBLISHes wait for quota; acknowledgements and PINGREQ never do (MQTT-3.3.4-8).
    while (state_ == state::connected && !queue_.empty() && send_quota() > 0) {
        const std::optional<std::uint16_t> id = ids_.acquire();
        if (!id) return;  // identifiers free up as acknowledgements arrive
        outbound entry = std::move(queue_.front());
        queue_.pop_front();
        if (command_result bad = check_limits(entry.msg); !bad) {
            ids_.release(*id);
            if (store_) store_->erase_outbound(entry.ticket);
            recycle(std::move(entry.msg));
            publish_completed refused{entry.ticket};
            refused.error = bad.error;
            emit(std::move(refused));
            continue;
        }
        entry.packet_id = *id;
        entry.stage = outbound_stage::awaiting_ack;
        id_nodes_.emplace(ticket_by_id_, *id, entry.ticket);
        const auto it = inflight_nodes_.emplace(inflight_, entry.ticket, std::move(entry));
        store_outbound(it->second);
        // DUP 0 on the first send (MQTT-4.3.2-2, -4.3.3-2)
        send_publish(it->second.msg, it->second.packet_id, false);
    }
}

void session::send_publish(const message& m, std::uint16_t packet_id, bool dup) {
    mqtt::publish p = detail::publish_view(m, user_property_views_);
    p.dup = dup && m.qos != qos::at_most_once;  // MQTT-3.3.1-2
    p.packet_id = packet_id;
    // A Topic Alias adds 3 bytes; use one only if the packet still fits the server's Maximum
    // Packet Size with both the topic and the alias (its first use) (MQTT-3.2.2-15).
    mqtt::publish with_alias = p;
    with_alias.props.topic_alias = 1;
    if (options_.outbound_topic_aliases &&
        encoded_size(with_alias).value_or(SIZE_MAX) <= limits_.maximum_packet_size) {
        const outbound_aliases::choice alias = out_aliases_.pick(m.topic);
        if (alias.alias != 0) {
            p.props.topic_alias = alias.alias;
            if (!alias.send_topic) p.topic = {};
        }
    }
    send(p);
}

void session::complete(std::map<std::uint64_t, outbound>::iterator it, reason_code rc,
                       const properties& props) {
    outbound& entry = it->second;
    emit(publish_completed{entry.ticket, entry.packet_id, rc, detail::owned(props.reason_string),
                           detail::owned_pairs(props.user_properties)});
    ids_.release(entry.packet_id);
    id_nodes_.erase(ticket_by_id_, entry.packet_id);
    if (store_) store_->erase_outbound(entry.ticket);
    recycle(std::move(entry.msg));  // before the node is recycled, which would free it
    inflight_nodes_.erase(inflight_, it);
    send_queued();  // the freed quota goes to the next waiting message
}

namespace {

template <class Map, class Ids>
auto find_inflight(Map& inflight, const Ids& ticket_by_id, std::uint16_t id) {
    const auto t = ticket_by_id.find(id);
    return t == ticket_by_id.end() ? inflight.end() : inflight.find(t->second);
}

}  // namespace

void session::on_puback(const puback& p) {
    const auto it = find_inflight(inflight_, ticket_by_id_, p.packet_id);
    if (it == inflight_.end() || it->second.msg.qos != qos::at_least_once) return;  // stale
    complete(it, p.reason, p.props);
}

void session::on_pubrec(const pubrec& p) {
    const auto it = find_inflight(inflight_, ticket_by_id_, p.packet_id);
    if (it == inflight_.end() || it->second.msg.qos != qos::exactly_once) {
        // 3.1.1 acknowledgements carry no reason code: a plain PUBREL ends the server's flow.
        send(pubrel{p.packet_id,
                    v311() ? reason_code::success : reason_code::packet_identifier_not_found,
                    {}});
        return;
    }
    if (is_failure(p.reason)) {  // the exchange ends here: no PUBREL (MQTT-4.3.3-4, 4.4.0-2)
        complete(it, p.reason, p.props);
        return;
    }
    outbound& entry = it->second;
    if (entry.stage == outbound_stage::awaiting_ack) {
        entry.stage = outbound_stage::awaiting_pubcomp;  // never resend the PUBLISH now
        store_outbound(entry);                           // (MQTT-4.3.3-6)
    }
    send(pubrel{p.packet_id, reason_code::success, {}});  // in PUBREC order (MQTT-4.6.0-4)
}

void session::on_pubcomp(const pubcomp& p) {
    const auto it = find_inflight(inflight_, ticket_by_id_, p.packet_id);
    if (it == inflight_.end() || it->second.stage != outbound_stage::awaiting_pubcomp) return;
    complete(it, p.reason, p.props);
}

void session::resend_inflight() {
    // MQTT-4.4.0-1: unacknowledged PUBLISHes again with DUP 1, PUBRELs again, original order
    // and identifiers. (They were counted against the quota when first sent.)
    for (auto& [ticket, entry] : inflight_) {
        if (entry.stage == outbound_stage::awaiting_pubcomp) {
            send(pubrel{entry.packet_id, reason_code::success, {}});
        } else {
            send_publish(entry.msg, entry.packet_id, true);
        }
    }
}

void session::discard_session_state() {
    emit(session_discarded{inflight_.size(), inbound_qos2_.size()});
    for (auto& [ticket, entry] : inflight_) {
        publish_completed done{ticket, entry.packet_id};
        done.error = errc::session_discarded;
        emit(std::move(done));
        ids_.release(entry.packet_id);
        if (store_) store_->erase_outbound(ticket);
        recycle(std::move(entry.msg));
    }
    inflight_.clear();
    ticket_by_id_.clear();
    for (const std::uint16_t id : inbound_qos2_)
        if (store_) store_->erase_inbound_qos2(id);
    inbound_qos2_.clear();
}

// The pool of spare messages (session.hpp, "Reusing messages"), for inbound.cpp too.
void session::recycle(message&& m) {
    const std::size_t bytes = m.payload.capacity();
    if (spare_messages_.size() >= max_spare_messages || bytes > max_spare_payload_capacity ||
        spare_payload_bytes_ + bytes > max_spare_payload_total) {
        const message dropped = std::move(m);  // not kept: freed now, `m` moved from either way
        return;
    }
    spare_payload_bytes_ += bytes;
    spare_messages_.push_back(std::move(m));
}

message session::spare_message() {
    if (spare_messages_.empty()) return {};
    message m = std::move(spare_messages_.back());
    spare_messages_.pop_back();
    spare_payload_bytes_ -= m.payload.capacity();
    return m;
}

void session::store_outbound(const outbound& entry) {
    if (store_)
        store_->put_outbound(
            stored_outbound{entry.ticket, entry.packet_id, entry.stage, entry.msg});
}

}  // namespace mqtt::session
