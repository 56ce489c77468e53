// Capture files from anywhere: mqtt-inspect pcap and diff read what people hand them. Arbitrary
// bytes as a pcap/pcapng file must give streams or a capture_error, never a crash or a hang, and
// every packet that comes out is one whole MQTT packet (its fixed header says its own size),
// decoded in the version its stream was given (its CONNECT's, or the one it decodes under).
#include <cstdint>
#include <cstdlib>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"
#include "tools/common/capture_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<mqtt::tools::captured_stream> streams;
    try {
        streams = mqtt::tools::read_capture(mqtt::bytes_view(data, size));
    } catch (const mqtt::tools::capture_error&) {
        return 0;
    }
    for (const auto& s : streams) {
        for (const auto& p : s.packets) {
            const mqtt::header_result h = mqtt::decode_fixed_header(p.bytes);
            if (h.status != mqtt::decode_status::complete ||
                h.header.packet_size() != p.bytes.size())
                std::abort();
            // Each packet decodes in its stream's version (from its CONNECT, or chosen) to one
            // of the three outcomes, never need-more (it is whole), and renders in it.
            mqtt::decode_options o;
            o.version = s.version;
            const mqtt::decode_result r = mqtt::decode(p.bytes, o);
            if (r.status == mqtt::decode_status::need_more) std::abort();
            if (r.status == mqtt::decode_status::complete && r.consumed != p.bytes.size())
                std::abort();
            if (r.status == mqtt::decode_status::complete)
                (void)mqtt::to_string(r.value, s.version);
        }
    }
    return 0;
}
