// mqtt-inspect: MQTT v5 packets byte by byte. `decode` prints hex as packets, layer by layer (or
// as JSON lines); `encode` turns those JSON lines back into bytes; `pcap` prints the MQTT in a
// capture file; `diagram` draws it as a sequence diagram; `diff` compares two captures. See
// tools/README.md.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "tools/inspect/commands.hpp"

namespace {

// --protocol VERSION into `out` (one parser for it: mqtt::tools::parse_protocol_version).
template <class T>
void add_protocol_option(CLI::App* cmd, T& out, const char* what) {
    cmd->add_option_function<std::string>(
           "--protocol",
           [&out](const std::string& v) { out = *mqtt::tools::parse_protocol_version(v); }, what)
        ->check(CLI::Validator(
            [](std::string& v) -> std::string {
                return mqtt::tools::parse_protocol_version(v)
                           ? std::string()
                           : "expected 5, 311 or 31 (or mqttv5, mqttv311, mqttv31), got " + v;
            },
            "VERSION"));
}

}  // namespace

int main(int argc, char** argv) {
    using namespace mqtt::inspect;

    CLI::App app{
        "Shows MQTT v5 packets byte by byte and in captures, and builds packets from JSON.",
        "mqtt-inspect"};
    app.set_version_flag("--version", "mqtt-inspect " MQTT_VERSION);
    app.require_subcommand(1);

    const char* const stream_version_help =
        "The version of streams captured without their CONNECT: 5, 311 or 31 (also mqttv5, "
        "mqttv311, mqttv31); a stream with a CONNECT speaks its CONNECT's";

    decode_settings dec;
    CLI::App* decode_cmd = app.add_subcommand(
        "decode", "Print packets layer by layer from hex (arguments, or stdin when none).");
    decode_cmd->add_option(
        "hex", dec.hex, "Packet bytes as hex; spaces, newlines, 0x prefixes and ':' are allowed");
    decode_cmd->add_flag("--json", dec.json, "Print one JSON object per packet instead");
    decode_cmd
        ->add_option("--max-packet-size", dec.maximum_packet_size,
                     "Refuse packets larger than N bytes (0x95 Packet too large); default: "
                     "unlimited")
        ->check(CLI::Range(std::uint32_t(1), mqtt::max_packet_size_limit));
    add_protocol_option(decode_cmd, dec.version,
                        "The version the packets speak: 5 (default), 311 or 31 (also mqttv5, "
                        "mqttv311, mqttv31); a CONNECT says its own");

    encode_settings enc;
    CLI::App* encode_cmd = app.add_subcommand(
        "encode", "Print the bytes of packets given as JSON lines (the format of decode --json).");
    encode_cmd->add_option("file", enc.file, "File of JSON lines; stdin when absent or -");
    encode_cmd->add_flag("--force", enc.force,
                         "Encode packets that break the protocol too (with a warning)");

    pcap_settings pcap;
    CLI::App* pcap_cmd = app.add_subcommand(
        "pcap", "Print the MQTT packets of a capture (pcap or pcapng), stream by stream.");
    pcap_cmd->add_option("file", pcap.file, "Capture file")->required();
    pcap_cmd->add_option("--port", pcap.ports,
                         "TCP port of the MQTT server (repeatable); default 1883 and 8883");
    pcap_cmd->add_flag("--json", pcap.json, "One JSON object per packet");
    pcap_cmd->add_flag("--hex", pcap.hex, "Each packet layer by layer under its line");
    add_protocol_option(pcap_cmd, pcap.version, stream_version_help);

    diagram_settings dia;
    CLI::App* diagram_cmd = app.add_subcommand(
        "diagram", "Draw the MQTT of a capture as a sequence diagram (terminal, SVG, HTML).");
    diagram_cmd->add_option("file", dia.file, "Capture file")->required();
    diagram_cmd->add_option("--port", dia.ports,
                            "TCP port of the MQTT server (repeatable); default 1883 and 8883");
    diagram_cmd->add_option("--stream", dia.options.streams, "Only stream N (repeatable)");
    diagram_cmd->add_option("--client", dia.options.clients,
                            "Only the client with this client id or address (repeatable)");
    diagram_cmd->add_option("--types", dia.options.types, "Only these packet types: PUBLISH,PUBACK")
        ->delimiter(',');
    diagram_cmd->add_option("--from", dia.options.from, "Only from S seconds into the capture");
    diagram_cmd->add_option("--to", dia.options.to, "Only up to S seconds into the capture");
    diagram_cmd
        ->add_option("--gap", dia.options.gap,
                     "Draw silences longer than S seconds as a gap (default 1; 0: never)")
        ->check(CLI::NonNegativeNumber);
    diagram_cmd->add_option("--max-arrows", dia.options.max_arrows,
                            "Above N packets, elide the middle (default 2000; 0: never)");
    add_protocol_option(diagram_cmd, dia.version, stream_version_help);
    diagram_cmd->add_flag("--no-times", dia.no_times, "No time margin (to compare runs)");
    diagram_cmd->add_option("--svg", dia.svg, "Also write the diagram as a standalone SVG");
    diagram_cmd->add_option("--html", dia.html,
                            "Also write an offline HTML page: the diagram, and each packet's "
                            "trace line and dissection on hover or click");

    diff_settings diff;
    CLI::App* diff_cmd = app.add_subcommand(
        "diff", "Compare two captures at the MQTT level (exit 0: the same flow, 1: different).");
    diff_cmd->add_option("a", diff.a, "First capture")->required();
    diff_cmd->add_option("b", diff.b, "Second capture")->required();
    diff_cmd->add_option("--port", diff.ports,
                         "TCP port of the MQTT server (repeatable); default 1883 and 8883");
    add_protocol_option(diff_cmd, diff.version, stream_version_help);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);  // prints help, version or the error
        return rc == 0 ? exit_ok : exit_bad_input;
    }

    try {
        if (decode_cmd->parsed()) return run_decode(dec, std::cin, std::cout, std::cerr);
        if (pcap_cmd->parsed()) return run_pcap(pcap, std::cout, std::cerr);
        if (diff_cmd->parsed()) return run_diff(diff, std::cout, std::cerr);
        if (diagram_cmd->parsed()) return run_diagram(dia, std::cout, std::cerr);
        return run_encode(enc, std::cin, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
