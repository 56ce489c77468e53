// Splits a byte stream into whole packets. Feed it chunks of any size; it consumes at most one
// packet per call, so it never holds more than one packet (bounded by the Maximum Packet Size,
// which is enforced from the fixed header, before the body is buffered). It needs no protocol
// version: framing is the same in MQTT 3.1.1 and 5 (a 3.1.1 AUTH is framed, then refused by
// decode() with decode_options::version set to 3.1.1). The version is the decoder's setting; a
// server sets it from the first packet's connect::protocol_version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocol/codec.hpp"

namespace mqtt {

struct frame_result {
    decode_status status = decode_status::need_more;
    bytes_view packet;         // complete: the packet's bytes, valid until the next feed()
    std::size_t consumed = 0;  // bytes of the input taken by this call
    fixed_header header;       // complete: the packet's fixed header
    decode_error error;        // error: offsets count from the start of the stream
};

class framer {
  public:
    explicit framer(std::uint32_t maximum_packet_size = max_packet_size_limit);

    // Takes bytes from the front of `input` until one packet is complete or `input` runs out.
    // Call again with input.subspan(result.consumed) to get the next packet. After an error the
    // framer stays failed and consumes nothing more.
    frame_result feed(bytes_view input);

    std::size_t stream_offset() const { return stream_offset_; }  // bytes consumed so far
    std::size_t buffered() const { return buffer_.size(); }  // bytes held (partial or last packet)
    void set_maximum_packet_size(std::uint32_t n) { maximum_packet_size_ = n; }
    void reset();  // a new connection: drop partial input and any error

  private:
    std::uint32_t maximum_packet_size_;
    std::vector<std::uint8_t> buffer_;  // the partial packet (reused, so no steady allocation)
    std::size_t stream_offset_ = 0;
    std::size_t needed_ = 0;  // total size of the packet being buffered, once its header is known
    fixed_header header_;     // its fixed header
    bool failed_ = false;
    decode_error error_;
};

}  // namespace mqtt
