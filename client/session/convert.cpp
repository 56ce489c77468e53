#include "client/session/convert.hpp"

namespace mqtt::session::detail {

std::vector<string_pair> pair_views(const user_property_list& list) {
    std::vector<string_pair> out;
    out.reserve(list.size());
    for (const auto& [name, value] : list)
        out.push_back({name, value});
    return out;
}

user_property_list owned_pairs(const list_view<string_pair>& list) {
    user_property_list out;
    out.reserve(list.size());
    for (const string_pair& p : list)
        out.emplace_back(p.name, p.value);
    return out;
}

mqtt::publish publish_view(const message& m, std::vector<string_pair>& pairs) {
    mqtt::publish p;
    p.qos = m.qos;
    p.retain = m.retain;
    p.topic = m.topic;
    p.payload = m.payload;
    p.props.payload_format_indicator = m.props.payload_format_indicator;
    p.props.message_expiry_interval = m.props.message_expiry_interval;
    p.props.content_type = view(m.props.content_type);
    p.props.response_topic = view(m.props.response_topic);
    p.props.correlation_data = view(m.props.correlation_data);
    pairs = pair_views(m.props.user_properties);
    p.props.user_properties = std::span<const string_pair>(pairs);
    return p;
}

message owned_message(const mqtt::publish& p, std::string_view topic) {
    message m;
    m.topic = topic;
    m.payload.assign(p.payload.begin(), p.payload.end());
    m.qos = p.qos;
    m.retain = p.retain;
    m.props.payload_format_indicator = p.props.payload_format_indicator;
    m.props.message_expiry_interval = p.props.message_expiry_interval;
    m.props.content_type = owned(p.props.content_type);
    m.props.response_topic = owned(p.props.response_topic);
    m.props.correlation_data = owned(p.props.correlation_data);
    m.props.user_properties = owned_pairs(p.props.user_properties);
    for (std::uint32_t id : p.props.subscription_identifiers) {
        m.props.subscription_identifiers.push_back(id);
    }
    return m;
}

}  // namespace mqtt::session::detail
