// The one table of MQTT v5 properties: spec 2.2.2.2, Table 2-4, one line per property, in
// identifier order (the order the encoder writes them). Everything else about properties derives
// from it in protocol/property.hpp: the property_id enum, the members of `properties`, the
// property_info rows (find_property), visit_properties and visit_member, equality; through those
// the decoder's checks (allowed place, duplicates, values), the encoder, the renderer, the JSON
// keys, mqtt-pub/sub/rr's -D names and ranges, and mqtt-inspect's dissection labels.
//
// X(key, member, id, name, type, allowed, repeats, rule)
//   key      the property_id enumerator and JSON key ("message_expiry_interval"); with '-' for
//            '_' also the -D name ("message-expiry-interval", as mosquitto_pub spells it)
//   member   the member of mqtt::properties holding it: a list_view for repeatable properties,
//            otherwise a std::optional
//   id       the Property Identifier
//   name     the spec's name, used in decode errors, dissections and command-line errors
//   type     its data type (spec 1.5), a property_type enumerator
//   allowed  where it may appear: packet types, and where::will for the Will Properties of a
//            CONNECT (spec 3.1.3.2); anywhere else it makes a Malformed Packet (spec 2.2.2.2)
//   repeats  where it may appear more than once, a Protocol Error elsewhere: User Property
//            everywhere (spec 3.1.2.11.8 and the like), Subscription Identifier only in a
//            PUBLISH, one per matching subscription (spec 3.3.2.3.8, 3.8.2.1.2)
//   rule     values refused beyond its type's range, and the reason code that carries the refusal
//            (a value_rule in namespace mqtt::rule; see property.hpp)
#pragma once

// clang-format off
#define MQTT_PROPERTIES(X)                                                                         \
    X(payload_format_indicator, payload_format_indicator, 0x01, "Payload Format Indicator",        \
      byte, where::publish | where::will, where::none, zero_or_one)             /* 3.3.2.3.2 */    \
    X(message_expiry_interval, message_expiry_interval, 0x02, "Message Expiry Interval",           \
      four_byte_integer, where::publish | where::will, where::none, any)                           \
    X(content_type, content_type, 0x03, "Content Type",                                            \
      utf8_string, where::publish | where::will, where::none, any)                                 \
    X(response_topic, response_topic, 0x08, "Response Topic",                                      \
      utf8_string, where::publish | where::will, where::none, topic_name)       /* 3.3.2.3.5 */    \
    X(correlation_data, correlation_data, 0x09, "Correlation Data",                                \
      binary_data, where::publish | where::will, where::none, any)                                 \
    X(subscription_identifier, subscription_identifiers, 0x0B, "Subscription Identifier",          \
      variable_byte_integer, where::publish | where::subscribe, where::publish,                     \
      non_zero)                                                                 /* 3.3.2.3.8 */    \
    X(session_expiry_interval, session_expiry_interval, 0x11, "Session Expiry Interval",           \
      four_byte_integer, where::connect | where::connack | where::disconnect, where::none, any)    \
    X(assigned_client_identifier, assigned_client_identifier, 0x12, "Assigned Client Identifier",  \
      utf8_string, where::connack, where::none, any)                                               \
    X(server_keep_alive, server_keep_alive, 0x13, "Server Keep Alive",                             \
      two_byte_integer, where::connack, where::none, any)                                          \
    X(authentication_method, authentication_method, 0x15, "Authentication Method",                 \
      utf8_string, where::connect | where::connack | where::auth, where::none, any)                \
    X(authentication_data, authentication_data, 0x16, "Authentication Data",                       \
      binary_data, where::connect | where::connack | where::auth, where::none, any)                \
    X(request_problem_information, request_problem_information, 0x17,                              \
      "Request Problem Information",                                                               \
      byte, where::connect, where::none, zero_or_one)                           /* 3.1.2.11.7 */   \
    X(will_delay_interval, will_delay_interval, 0x18, "Will Delay Interval",                       \
      four_byte_integer, where::will, where::none, any)                                            \
    X(request_response_information, request_response_information, 0x19,                            \
      "Request Response Information",                                                              \
      byte, where::connect, where::none, zero_or_one)                           /* 3.1.2.11.6 */   \
    X(response_information, response_information, 0x1A, "Response Information",                    \
      utf8_string, where::connack, where::none, any)                                               \
    X(server_reference, server_reference, 0x1C, "Server Reference",                                \
      utf8_string, where::connack | where::disconnect, where::none, any)                           \
    X(reason_string, reason_string, 0x1F, "Reason String",                                         \
      utf8_string, where::connack | where::puback | where::pubrec | where::pubrel |                \
      where::pubcomp | where::suback | where::unsuback | where::disconnect | where::auth,          \
      where::none, any)                                                                            \
    X(receive_maximum, receive_maximum, 0x21, "Receive Maximum",                                   \
      two_byte_integer, where::connect | where::connack, where::none, non_zero) /* 3.1.2.11.3 */   \
    X(topic_alias_maximum, topic_alias_maximum, 0x22, "Topic Alias Maximum",                       \
      two_byte_integer, where::connect | where::connack, where::none, any)                         \
    X(topic_alias, topic_alias, 0x23, "Topic Alias",                                               \
      two_byte_integer, where::publish, where::none, topic_alias_non_zero)      /* MQTT-3.3.2-8 */ \
    X(maximum_qos, maximum_qos, 0x24, "Maximum QoS",                                               \
      byte, where::connack, where::none, zero_or_one)                           /* 3.2.2.3.4 */    \
    X(retain_available, retain_available, 0x25, "Retain Available",                                \
      byte, where::connack, where::none, zero_or_one)                           /* 3.2.2.3.5 */    \
    X(user_property, user_properties, 0x26, "User Property",                                       \
      utf8_string_pair, where::all, where::all, any)                                               \
    X(maximum_packet_size, maximum_packet_size, 0x27, "Maximum Packet Size",                       \
      four_byte_integer, where::connect | where::connack, where::none, non_zero) /* 3.1.2.11.4 */  \
    X(wildcard_subscription_available, wildcard_subscription_available, 0x28,                      \
      "Wildcard Subscription Available",                                                           \
      byte, where::connack, where::none, zero_or_one)                           /* 3.2.2.3.11 */   \
    X(subscription_identifier_available, subscription_identifier_available, 0x29,                  \
      "Subscription Identifier Available",                                                         \
      byte, where::connack, where::none, zero_or_one)                           /* 3.2.2.3.12 */   \
    X(shared_subscription_available, shared_subscription_available, 0x2A,                          \
      "Shared Subscription Available",                                                             \
      byte, where::connack, where::none, zero_or_one)                           /* 3.2.2.3.13 */
// clang-format on
