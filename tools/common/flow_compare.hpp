// Two captures compared at the MQTT level: whether they hold the same MQTT flow, and if not, the
// first difference. `mqtt-inspect diff` prints it; mqtt-scenario compares a run's capture with a
// committed reference capture.
//
// Each stream of A is compared against the stream of B that is the same flow, whatever order the
// connections were opened in (several clients at once); the streams left pair in order, and the
// first of them that differs is the difference. In each stream, each direction's packets are
// compared in order (how the two directions interleave depends on timing, so it is not
// compared), as their JSON (tools/common/packet_json.hpp), and whether the stream had a problem
// (not its words: they name frame and sequence numbers).
//
// Never compared: times, addresses and ports, the client identifier (CONNECT's, and the Assigned
// Client Identifier of CONNACK), and packet identifiers as long as they differ by a consistent
// renaming. Ids live in two spaces, each renamed on its own: those the client picks (its PUBLISH,
// SUBSCRIBE, UNSUBSCRIBE and PUBREL, and the server's acks of them) and those the server picks.
// Nor the captures' own problems (a file cut short): its streams are compared as far as they go;
// say the problem yourself (capture_contents::problem), as mqtt-inspect diff does on stderr.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tools/common/capture_reader.hpp"

namespace mqtt::tools {

// What differs between runs of the same flow and must not count, beyond what diff always ignores.
struct flow_normalisation {
    // Replaced in every string of a packet (topics, topic filters, response topics, client ids,
    // user properties, payloads shown as text, correlation data shown as text) before comparing,
    // e.g. {"mqtt-scenario/3f9a2c1b", "<prefix>"}. Applied to both sides.
    //
    // Each pair in order, every occurrence, left to right; an empty `first` does nothing. In
    // UTF-8 strings (topics, filters, user properties, content type...) the text is replaced.
    // Binary values (the payload, the Will payload, the password, Correlation Data,
    // Authentication Data), which the JSON shows as hex, are replaced in their bytes before
    // the hex is made: a prefix in a text payload or in a correlation id made of text is
    // replaced, and so is the same byte sequence inside a binary payload. A difference then
    // shows the hex of the replaced bytes. A packet that does not decode is compared byte for
    // byte, without replacements. Trace lines in a difference show the packets as captured.
    std::vector<std::pair<std::string, std::string>> replacements;
    // Fields not compared, as "PACKETTYPE path" using the packet JSON's keys
    // (tools/common/packet_json.hpp), e.g. "PUBLISH properties.message_expiry_interval", or
    // "* properties.correlation_data" for every packet type.
    //
    // PACKETTYPE is a name as packet_json writes it ("PUBLISH", "CONNACK") or "*"; the path's
    // keys are separated by dots, and a key that reaches an array applies to each element
    // ("SUBSCRIBE subscriptions.no_local"). "PUBLISH packet_id" stops comparing the ids (and
    // their renaming) of PUBLISH. compare_flows throws std::invalid_argument, naming the entry,
    // for an entry without a path or with an unknown packet type.
    std::vector<std::string> ignored_fields;
};

// The first difference between two captures' MQTT flows, as mqtt-inspect diff prints it
// (several lines naming the stream, direction, packet number, both packets' trace lines and the
// differing field with both values), or nullopt when they are the same flow. Lines are separated
// by '\n', with none after the last. `name_a` and `name_b` name the captures in those lines.
std::optional<std::string> compare_flows(const capture_contents& a, const capture_contents& b,
                                         const flow_normalisation& n = {}, const char* name_a = "A",
                                         const char* name_b = "B");

// The same comparison on streams, with the verdict when they are the same flow.
struct flow_comparison {
    std::optional<std::string> difference;  // as compare_flows returns it
    // When the same: "same MQTT flow: 2 streams, 12 packets", followed by
    // " (streams opened in another order: A1 = B2, A2 = B1)" when they paired out of order.
    std::string summary;
};
flow_comparison compare_streams(const std::vector<captured_stream>& a,
                                const std::vector<captured_stream>& b,
                                const flow_normalisation& n = {}, const char* name_a = "A",
                                const char* name_b = "B");

}  // namespace mqtt::tools
