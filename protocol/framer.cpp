#include "protocol/framer.hpp"

#include <algorithm>

namespace mqtt {

framer::framer(std::uint32_t maximum_packet_size) : maximum_packet_size_(maximum_packet_size) {}

void framer::reset() {
    buffer_.clear();
    stream_offset_ = 0;
    needed_ = 0;
    failed_ = false;
    error_ = {};
}

frame_result framer::feed(bytes_view input) {
    frame_result res;
    if (failed_) {
        res.status = decode_status::error;
        res.error = error_;
        return res;
    }
    if (needed_ != 0 && buffer_.size() == needed_) {  // the packet handed out last time
        buffer_.clear();
        needed_ = 0;
    }
    const auto fail = [&](const decode_error& e, std::size_t used) {
        stream_offset_ += used;
        failed_ = true;
        error_ = e;
        res.status = decode_status::error;
        res.error = e;
        res.consumed = used;
        return res;
    };

    // Fast path: a whole packet at the front of the input is handed out in place, uncopied.
    // Anything else, errors included, takes the byte-at-a-time path below, so `consumed` counts
    // exactly the header bytes read before an error.
    if (buffer_.empty()) {
        const header_result hr = decode_fixed_header(input, {maximum_packet_size_, stream_offset_});
        if (hr.status == decode_status::complete && input.size() >= hr.header.packet_size()) {
            const std::size_t n = hr.header.packet_size();
            stream_offset_ += n;
            res.status = decode_status::complete;
            res.packet = input.first(n);
            res.consumed = n;
            res.header = hr.header;
            return res;
        }
    }

    // Slow path: buffer a partial packet. The fixed header is taken a byte at a time, so a packet
    // over the Maximum Packet Size is refused before any of its body is buffered.
    const std::size_t packet_start = stream_offset_ - buffer_.size();
    std::size_t used = 0;
    while (needed_ == 0 && used < input.size()) {
        buffer_.push_back(input[used++]);
        const header_result hr = decode_fixed_header(buffer_, {maximum_packet_size_, packet_start});
        if (hr.status == decode_status::error) return fail(hr.error, used);
        if (hr.status == decode_status::complete) {
            needed_ = hr.header.packet_size();
            header_ = hr.header;
        }
    }
    if (needed_ != 0) {
        const std::size_t take = std::min(needed_ - buffer_.size(), input.size() - used);
        buffer_.insert(buffer_.end(), input.begin() + std::ptrdiff_t(used),
                       input.begin() + std::ptrdiff_t(used + take));
        used += take;
    }
    stream_offset_ += used;
    res.consumed = used;
    if (needed_ != 0 && buffer_.size() == needed_) {
        res.status = decode_status::complete;
        res.packet = buffer_;
        res.header = header_;
    }
    return res;
}

}  // namespace mqtt
