// The server's PUBLISHes (spec 4.3, receiver side). Every PUBLISH is acknowledged as its QoS
// requires, whether or not the application handles it (MQTT-4.5.0-2), and at once, so
// acknowledgements leave in arrival order (MQTT-4.6.0-2, -3).
#include <fmt/format.h>

#include "client/session/convert.hpp"
#include "client/session/session.hpp"

namespace mqtt::session {

void session::on_publish(const mqtt::publish& p) {
    // Topic Alias (spec 3.3.2.3.4): 1..our maximum, remapped for this connection only.
    std::string_view topic = p.topic;
    if (p.props.topic_alias) {
        const std::uint16_t alias = *p.props.topic_alias;
        if (alias > in_aliases_.maximum()) {
            violation(
                reason_code::topic_alias_invalid,
                fmt::format("Topic Alias {} is above our Topic Alias Maximum {} (MQTT-3.3.2-11)",
                            alias, in_aliases_.maximum()));
            return;
        }
        if (!p.topic.empty()) {
            in_aliases_.set(alias, p.topic);
        } else if (const auto known = in_aliases_.get(alias)) {
            topic = *known;
        } else {
            violation(
                reason_code::protocol_error,
                fmt::format("Topic Alias {} was never set and the Topic Name is empty", alias));
            return;
        }
    }

    switch (p.qos) {
        case qos::at_most_once:
            deliver(p, topic);
            break;
        case qos::at_least_once:
            deliver(p, topic);
            send(puback{p.packet_id, reason_code::success, {}});
            break;
        case qos::exactly_once:
            if (inbound_qos2_.contains(p.packet_id)) {
                // Seen before PUBREL: acknowledge again, deliver once (MQTT-4.3.3-10).
                send(pubrec{p.packet_id, reason_code::success, {}});
                break;
            }
            if (inbound_qos2_.size() >= options_.receive_maximum.value_or(65'535)) {
                violation(reason_code::receive_maximum_exceeded,
                          fmt::format("more than our Receive Maximum of {} QoS 2 messages "
                                      "unacknowledged (MQTT-3.3.4-9)",
                                      options_.receive_maximum.value_or(65'535)));
                return;
            }
            inbound_qos2_nodes_.insert(inbound_qos2_, p.packet_id);
            if (store_) store_->put_inbound_qos2(p.packet_id);
            deliver(p, topic);
            send(pubrec{p.packet_id, reason_code::success, {}});
            break;
    }
}

void session::deliver(const mqtt::publish& p, std::string_view topic) {
    message_received ev{spare_message(), p.packet_id, p.dup, p.props.topic_alias};
    detail::assign_owned_message(ev.message, p, topic);  // into a spare's storage (recycle())
    emit(std::move(ev));
}

void session::on_pubrel(const pubrel& p) {
    if (!inbound_qos2_nodes_.erase(inbound_qos2_, p.packet_id)) {
        // 3.1.1 acknowledgements carry no reason code: a PUBREL is answered with a plain PUBCOMP
        // of the same Packet Identifier (3.1.1 spec 4.3.3).
        send(pubcomp{p.packet_id,
                     v311() ? reason_code::success : reason_code::packet_identifier_not_found,
                     {}});
        return;
    }
    if (store_) store_->erase_inbound_qos2(p.packet_id);
    send(pubcomp{p.packet_id, reason_code::success, {}});  // MQTT-4.3.3-11
}

}  // namespace mqtt::session
