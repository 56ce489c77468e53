// The list of scenarios, with the words each prints before it runs.
#include "tools/scenario/scenarios.hpp"

namespace mqtt::scenario {

const std::vector<scenario>& all_scenarios() {
    static const std::vector<scenario> list = {
        {"connect", "CONNECT and CONNACK, over TCP and over TLS",
         "   A client says CONNECT; the broker answers CONNACK, and its properties say what it\n"
         "   offers. Look at the CONNACK line: Receive Maximum, Maximum QoS, Topic Alias "
         "Maximum...",
         connect_scenario},
        {"auth", "user name and password: accepted, and refused by reason code",
         "   Credentials travel in CONNECT. A refusal is a CONNACK with a reason code of 0x80 or\n"
         "   more, then the broker closes the connection. Look at the CONNACK reason codes.",
         auth_scenario},
        {"qos", "QoS 0, 1 and 2, from the publisher's and the subscriber's side",
         "   QoS 0 is one PUBLISH; QoS 1 adds PUBACK; QoS 2 is PUBLISH, PUBREC, PUBREL, PUBCOMP,\n"
         "   on each leg (publisher to broker, broker to subscriber). A subscription's QoS caps\n"
         "   what it receives: look at sub-qos1's PUBLISH q1 for the QoS 2 message.",
         qos_scenario},
        {"retained",
         "retained messages: kept for later subscribers, cleared by an empty one",
         "   A PUBLISH with retain=1 is kept by the broker and sent to whoever subscribes later,\n"
         "   with retain=1 on the way out. Look at late-sub's PUBLISH right after its SUBACK.",
         retained_scenario,
         // The retained message's Message Expiry Interval, as left when it is delivered.
         {"PUBLISH properties.message_expiry_interval"}},
        {"expiry",
         "Message Expiry, enforced by the broker and checked by the application",
         "   A message for an offline session waits at the broker until its Message Expiry\n"
         "   Interval runs out; one delivered late carries what is left of it. Look at the\n"
         "   message_expiry_interval of the PUBLISH the subscriber gets when it comes back.",
         expiry_scenario,
         // The JSON payloads carry Unix times, and what is left of the expiry depends on
         // the wait.
         {"PUBLISH payload_hex", "PUBLISH properties.message_expiry_interval"}},
        {"request-response", "requests and responses paired by Correlation Data",
         "   A request carries a Response Topic and Correlation Data; the responder publishes its\n"
         "   answer there with the same Correlation Data. Look at correlation_data on each side.",
         request_response_scenario},
        {"flow-control", "Receive Maximum, a publish rate, and a slow subscriber's bounded queue",
         "   The broker's Receive Maximum limits our unacknowledged QoS 1/2 PUBLISH packets; a\n"
         "   rate paces them; a subscriber that cannot keep up drops what its queue cannot hold.\n"
         "   Long runs of one packet kind are shortened in the trace (all are in the capture).",
         flow_control_scenario},
        {"keepalive", "PINGREQ/PINGRESP, and a broker that stops answering",
         "   With nothing to send, a client sends PINGREQ once per keep-alive and expects\n"
         "   PINGRESP. Look at the times of the PINGREQ lines, then at the one with no answer.",
         keepalive_scenario},
        {"will", "the Last Will: published when a connection dies, not after DISCONNECT",
         "   The Will in CONNECT is the broker's to publish if the client vanishes. Look at the\n"
         "   watcher's PUBLISH lines on .../client/ID/status: online, offline, and the Will.",
         will_scenario},
        {"session", "persistent sessions: messages kept while offline, QoS 2 finished after a cut",
         "   With Clean Start 0 and a Session Expiry Interval the broker keeps the subscriptions\n"
         "   and the messages; CONNACK says session_present=1. Look at the sender's second\n"
         "   connection: its first packet after CONNACK is the PUBREL it could not deliver.",
         session_scenario},
    };
    return list;
}

}  // namespace mqtt::scenario
