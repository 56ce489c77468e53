// SUBSCRIBE and UNSUBSCRIBE (spec 3.8 - 3.11). They live for one connection: one still
// unanswered when the connection ends is reported with errc::connection_lost (session.cpp).
#include <fmt/format.h>

#include "client/session/convert.hpp"
#include "client/session/session.hpp"
#include "protocol/topic.hpp"

namespace mqtt::session {

namespace {

bool has_wildcard(std::string_view filter) {
    return filter.find_first_of("+#") != std::string_view::npos;
}

}  // namespace

command_result session::subscribe(std::vector<subscription_request> subs, subscribe_options o,
                                  time_point now) {
    now_ = now;
    if (state_ == state::closing)
        return command_result::refused(errc::closed, "the session is closing");
    if (state_ != state::connected)
        return command_result::refused(errc::not_connected, "SUBSCRIBE needs a connection");
    if (subs.empty()) {
        return command_result::refused(errc::invalid_argument,
                                       "SUBSCRIBE needs a Topic Filter (MQTT-3.8.3-2)");
    }
    for (const subscription_request& s : subs) {
        if (v311()) {  // a 3.1.1 SUBSCRIBE has only the Requested QoS (3.1.1 spec 3.8.3)
            if (s.no_local) return detail::refuse_v5_only("No Local");
            if (s.retain_as_published) return detail::refuse_v5_only("Retain As Published");
            if (s.retain_handling != retain_handling::send_on_subscribe)
                return detail::refuse_v5_only("Retain Handling");
        }
        if (const char* problem = topic_filter_problem(s.topic_filter)) {
            return command_result::refused(
                errc::invalid_topic_filter,
                fmt::format("Topic Filter \"{}\": {}", s.topic_filter, problem));
        }
        if (std::uint8_t(s.max_qos) > 2)
            return command_result::refused(errc::invalid_argument, "QoS must be 0, 1 or 2");
        if (std::uint8_t(s.retain_handling) > 2) {
            return command_result::refused(errc::invalid_argument,
                                           "Retain Handling must be 0, 1 or 2");
        }
        const auto shared = parse_shared(s.topic_filter);
        if (shared && s.no_local) {
            return command_result::refused(errc::invalid_argument,
                                           "No Local on a Shared Subscription (MQTT-3.8.3-4)");
        }
        if (shared && !limits_.shared_subscription_available) {
            return command_result::refused(errc::feature_not_available,
                                           "the server does not support Shared Subscriptions");
        }
        if (has_wildcard(shared ? shared->filter : s.topic_filter) &&
            !limits_.wildcard_subscription_available) {
            return command_result::refused(errc::feature_not_available,
                                           "the server does not support Wildcard Subscriptions");
        }
    }
    if (v311() && o.subscription_identifier)
        return detail::refuse_v5_only("Subscription Identifier");
    if (v311() && !o.user_properties.empty()) return detail::refuse_v5_only("User Property");
    if (o.subscription_identifier) {
        if (*o.subscription_identifier == 0 ||
            *o.subscription_identifier > max_variable_byte_integer) {
            return command_result::refused(errc::invalid_argument,
                                           "Subscription Identifier must be 1..268,435,455");
        }
        if (!limits_.subscription_identifier_available) {
            return command_result::refused(errc::feature_not_available,
                                           "the server does not support Subscription Identifiers");
        }
    }
    if (command_result bad = detail::check_user_properties(o.user_properties); !bad) return bad;

    std::vector<subscription> entries;
    entries.reserve(subs.size());
    for (const subscription_request& s : subs) {
        entries.push_back(
            {s.topic_filter, s.max_qos, s.no_local, s.retain_as_published, s.retain_handling});
    }
    const std::vector<string_pair> pairs = detail::pair_views(o.user_properties);
    mqtt::subscribe p;
    p.packet_id = 1;
    p.props.subscription_identifiers =
        o.subscription_identifier
            ? list_view<std::uint32_t>(std::span(&*o.subscription_identifier, 1))
            : list_view<std::uint32_t>();
    p.props.user_properties = std::span<const string_pair>(pairs);
    p.subscriptions = std::span<const subscription>(entries);
    if (command_result bad = detail::check_size(p, limits_.maximum_packet_size); !bad) return bad;
    const std::optional<std::uint16_t> id = ids_.acquire();
    if (!id)
        return command_result::refused(errc::packet_identifiers_exhausted,
                                       "all Packet Identifiers are in use");
    p.packet_id = *id;
    const std::uint64_t ticket = next_ticket_++;
    requests_[*id] = pending_request{ticket, subs.size(), true};
    send(p);
    return {ticket};
}

command_result session::unsubscribe(std::vector<std::string> filters,
                                    user_property_list user_properties, time_point now) {
    now_ = now;
    if (state_ == state::closing)
        return command_result::refused(errc::closed, "the session is closing");
    if (state_ != state::connected) {
        return command_result::refused(errc::not_connected, "UNSUBSCRIBE needs a connection");
    }
    if (filters.empty()) {
        return command_result::refused(errc::invalid_argument,
                                       "UNSUBSCRIBE needs a Topic Filter (MQTT-3.10.3-2)");
    }
    for (const std::string& f : filters) {
        if (const char* problem = topic_filter_problem(f)) {
            return command_result::refused(errc::invalid_topic_filter,
                                           fmt::format("Topic Filter \"{}\": {}", f, problem));
        }
    }
    if (v311() && !user_properties.empty()) return detail::refuse_v5_only("User Property");
    if (command_result bad = detail::check_user_properties(user_properties); !bad) return bad;
    std::vector<std::string_view> views(filters.begin(), filters.end());
    const std::vector<string_pair> pairs = detail::pair_views(user_properties);
    mqtt::unsubscribe p;
    p.packet_id = 1;
    p.props.user_properties = std::span<const string_pair>(pairs);
    p.topic_filters = std::span<const std::string_view>(views);
    if (command_result bad = detail::check_size(p, limits_.maximum_packet_size); !bad) return bad;
    const std::optional<std::uint16_t> id = ids_.acquire();
    if (!id)
        return command_result::refused(errc::packet_identifiers_exhausted,
                                       "all Packet Identifiers are in use");
    p.packet_id = *id;
    const std::uint64_t ticket = next_ticket_++;
    requests_[*id] = pending_request{ticket, filters.size(), false};
    send(p);
    return {ticket};
}

namespace {

template <class Ack>
std::vector<reason_code> codes(const Ack& p) {
    return {p.reason_codes.begin(), p.reason_codes.end()};
}

}  // namespace

// The request an acknowledgement answers, taken out of `requests_` with its identifier freed; or
// nullopt after a violation: no such request (of that kind), or not one reason code per filter
// (MQTT-3.8.4-6, spec 3.11.3; a 3.1.1 UNSUBACK has none, 3.1.1 spec 3.11.3).
std::optional<session::pending_request> session::take_request(std::uint16_t id, bool subscribe,
                                                              std::size_t reason_codes) {
    const packet_type ack = subscribe ? packet_type::suback : packet_type::unsuback;
    const packet_type request = subscribe ? packet_type::subscribe : packet_type::unsubscribe;
    const auto it = requests_.find(id);
    if (it == requests_.end() || it->second.subscribe != subscribe) {
        violation(reason_code::protocol_error,
                  fmt::format("{} for Packet Identifier {}, which no {} used (MQTT-2.2.1-6)",
                              packet_type_name(ack), id, packet_type_name(request)));
        return std::nullopt;
    }
    if (reason_codes != it->second.filters && (subscribe || !v311())) {
        violation(reason_code::protocol_error,
                  fmt::format("{} with {} reason codes for {} Topic Filters ({})",
                              packet_type_name(ack), reason_codes, it->second.filters,
                              subscribe ? "MQTT-3.8.4-6" : "MQTT-3.11.3-1"));
        return std::nullopt;
    }
    const pending_request r = it->second;
    requests_.erase(it);
    ids_.release(id);
    return r;
}

void session::on_suback(const suback& p) {
    const auto r = take_request(p.packet_id, true, p.reason_codes.size());
    if (!r) return;
    emit(subscribe_completed{r->ticket, codes(p), detail::owned(p.props.reason_string),
                             detail::owned_pairs(p.props.user_properties)});
    send_queued();  // a freed identifier may unblock a waiting publish
}

void session::on_unsuback(const unsuback& p) {
    const auto r = take_request(p.packet_id, false, p.reason_codes.size());
    if (!r) return;
    // A 3.1.1 UNSUBACK says only that the UNSUBSCRIBE was done: 0x00 Success for every filter.
    std::vector<reason_code> reasons =
        v311() ? std::vector<reason_code>(r->filters, reason_code::success) : codes(p);
    emit(unsubscribe_completed{r->ticket, std::move(reasons), detail::owned(p.props.reason_string),
                               detail::owned_pairs(p.props.user_properties)});
    send_queued();
}

}  // namespace mqtt::session
