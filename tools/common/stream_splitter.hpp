// Cuts one direction of a captured TCP stream into MQTT packets, and keeps going when the bytes
// are not what they should be: what field debugging hands us (a segment missing from the
// capture, a broken client, bytes that are not MQTT at all).
//
// A packet is framed by its fixed header: the type and flags byte, then the Remaining Length.
// When the Remaining Length reads as a Variable Byte Integer, the packet is handed out whole
// even if its type or flags are invalid (a PUBLISH with QoS 3, reserved type 0), provided it
// ends where another plausible packet starts or the data ends; decoding it then says what is
// wrong, and framing goes on at the next packet. Otherwise (a Remaining Length longer than
// 4 bytes, or one that leads nowhere) the header is reported as bad and the splitter resyncs.
//
// Resync: bytes are skipped one at a time until a plausible packet start: a fixed header valid
// for its type (decode_fixed_header) whose packet ends at the end of the data or right before
// another valid fixed header. The same happens after a gap (bytes missing from the capture).
// The first packet after a resync is marked `resynced`. Each step moves forward by at least one
// byte or waits for more data, so a resync never loops; every read is checked against the bytes
// held. Memory is bounded as the framer's: a packet (or a candidate) of up to 256 MiB.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/types.hpp"

namespace mqtt::tools {

struct split_event {
    enum class kind : std::uint8_t {
        packet,      // `bytes` is one whole packet (framed; it may still fail to decode)
        bad_header,  // a fixed header that frames nothing plausible; a resync follows
        resync,      // decoding resumes at `offset` after skipping `size` bytes
        skipped,     // `size` bytes from `offset` to the end of the data held no packet start
        cut,         // a packet cut by a gap or by the end of the data: `size` of its bytes held
    };
    kind what = kind::packet;
    std::size_t offset = 0;           // stream offset (bytes of this direction before it)
    std::size_t size = 0;             // see kind
    std::vector<std::uint8_t> bytes;  // packet: the packet
    bool resynced = false;            // packet: the first after a resync
    std::string reason;               // bad_header: the decoder's message; cut: "5 of its 20 bytes"
};

class stream_splitter {
  public:
    // The next bytes of the stream. Whole packets and problems are appended to `out`.
    void feed(bytes_view bytes, std::vector<split_event>& out);
    // `missing` bytes of the stream are not in the capture: a packet they cut is reported, and
    // a resync starts after them.
    void gap(std::size_t missing, std::vector<split_event>& out);
    // No more data: what is held is reported (a cut packet, bytes skipped without a resync).
    void finish(std::vector<split_event>& out);
    // The stream offset of the next byte fed.
    std::size_t offset() const { return offset_ + buffer_.size(); }
    // The stream offset of the first byte held (not yet in an event): events to come are about
    // bytes from here on.
    std::size_t held_from() const { return resyncing_ ? std::min(offset_, skip_from_) : offset_; }

  private:
    void run(bool at_end, std::vector<split_event>& out);

    std::vector<std::uint8_t> buffer_;  // bytes not handed out yet, from stream offset offset_
    std::size_t offset_ = 0;
    bool resyncing_ = false;
    std::size_t skip_from_ = 0;  // resyncing: the stream offset where skipping began
    bool mark_next_ = false;     // the next packet is the first after a resync
};

}  // namespace mqtt::tools
