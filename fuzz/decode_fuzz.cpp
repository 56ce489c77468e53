// Fuzzes the framer and the decoder together. The first input byte picks the chunk size the
// stream is fed in; the rest is the stream. Invariants checked for every input:
// - every call ends as a packet, need-more or an error carrying a failure reason code (>= 0x80)
//   at an offset inside the stream;
// - any decoded packet re-encodes, and its encoding decodes to an equal packet;
// - decoding with a visitor gives the same outcome, with fields inside the packet's bytes.
// The stream is decoded twice, starting as MQTT 5 and as MQTT 3.1.1; a CONNECT switches the
// version to its own Protocol Level, as a server's stream would, and each packet re-encodes in
// the version it was decoded in.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "protocol/render.hpp"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

class bounds_visitor : public mqtt::field_visitor {
  public:
    bounds_visitor(std::size_t begin, std::size_t end) : begin_(begin), end_(end) {}
    void begin_section(std::string_view, std::size_t offset) override { in(offset); }
    void end_section(std::size_t offset) override { in(offset); }
    void field(const mqtt::field_event& e) override {
        in(e.offset);
        in(e.offset + e.size);
    }

  private:
    void in(std::size_t offset) const { check(offset >= begin_ && offset <= end_); }
    std::size_t begin_, end_;
};

void round_trip(const mqtt::packet& p, mqtt::protocol_version version) {
    const std::optional<std::size_t> size = mqtt::encoded_size(p, version);
    check(size.has_value());
    std::vector<std::uint8_t> bytes(*size);
    check(mqtt::encode(p, bytes, version) == *size);
    mqtt::decode_options opts;
    opts.version = version;
    const mqtt::decode_result again = mqtt::decode(bytes, opts);
    check(again.status == mqtt::decode_status::complete && again.consumed == *size);
    check(again.value == p);
    check(!mqtt::to_string(p).empty());
}

void fuzz_stream(std::size_t chunk, mqtt::bytes_view stream, mqtt::protocol_version version) {
    mqtt::framer framer(4096);
    mqtt::decode_options opts{4096, 0};
    opts.version = version;
    std::size_t pos = 0;
    while (pos < stream.size()) {
        mqtt::bytes_view in = stream.subspan(pos, std::min(chunk, stream.size() - pos));
        while (!in.empty()) {
            const mqtt::frame_result f = framer.feed(in);
            check(f.consumed <= in.size());
            in = in.subspan(f.consumed);
            pos += f.consumed;
            if (f.status == mqtt::decode_status::error) {
                check(mqtt::is_failure(f.error.reason));
                check(f.error.offset <= stream.size());
                return;
            }
            if (f.status == mqtt::decode_status::need_more) {
                check(in.empty());
                break;
            }
            const std::size_t start = framer.stream_offset() - f.packet.size();
            opts.base_offset = start;
            const mqtt::decode_result d = mqtt::decode(f.packet, opts);
            bounds_visitor v(start, start + f.packet.size());
            const mqtt::decode_result seen = mqtt::decode(f.packet, opts, &v);
            check(d.status == seen.status);
            if (d.status == mqtt::decode_status::error) {
                check(mqtt::is_failure(d.error.reason));
                check(d.error.offset >= start && d.error.offset <= start + f.packet.size());
                check(!d.error.message().empty());
                return;
            }
            check(d.status == mqtt::decode_status::complete && d.consumed == f.packet.size());
            if (const auto* c = std::get_if<mqtt::connect>(&d.value)) {
                opts.version = c->protocol_version;  // the stream speaks its CONNECT's version
            }
            round_trip(d.value, opts.version);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = std::size_t(data[0] % 64) + 1;
    const mqtt::bytes_view stream(data + 1, size - 1);
    fuzz_stream(chunk, stream, mqtt::protocol_version::v5);
    fuzz_stream(chunk, stream, mqtt::protocol_version::v311);
    return 0;
}
