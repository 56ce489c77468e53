#include "tools/common/capture_reader.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <tuple>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "tools/common/libpcap.hpp"
#include "tools/common/stream_splitter.hpp"
#include "tools/common/tcp_segment.hpp"
#include "tools/common/websocket.hpp"

namespace mqtt::tools {

namespace {

// Where a packet or a problem was found: by frame, then in the order they were found.
struct found_at {
    std::size_t frame = 0;
    std::size_t serial = 0;
    bool operator<(const found_at& o) const {
        return std::tie(frame, serial) < std::tie(o.frame, o.serial);
    }
};

// One direction of a TCP connection: bytes put back in order, then cut into MQTT packets.
struct early_segment {  // a segment after a gap, waiting for the gap to fill
    std::vector<std::uint8_t> bytes;
    std::chrono::system_clock::time_point time;
    std::size_t frame = 0;
};
struct half {
    bool started = false;
    std::uint32_t next = 0;                        // the next byte expected
    std::map<std::uint32_t, early_segment> early;  // out-of-order segments
    stream_splitter splitter;
    bool dead = false;  // not MQTT (TLS): nothing more is read
    // The frames whose bytes the splitter may still report on, each with the stream offset
    // where its bytes end: a packet is from the frame of its last byte, a problem from the
    // frame of its first (the splitter may look past a packet before handing it out).
    struct fed {
        std::size_t end = 0;
        std::size_t frame = 0;
        std::chrono::system_clock::time_point time;
    };
    std::deque<fed> frames;
    // The frame by which the last packet or problem was put in capture order: never less for
    // the next one, so a direction stays in stream order where its frames do not (a segment
    // held behind a gap that never fills comes after what arrived after it).
    std::size_t order_frame = 0;
    found_at next_place(std::size_t frame, std::size_t& serial) {
        order_frame = std::max(order_frame, frame);
        return {order_frame, serial++};
    }
    const fed& frame_of(std::size_t offset) const {
        static const fed none;
        if (frames.empty()) return none;
        const auto it = std::upper_bound(frames.begin(), frames.end(), offset,
                                         [](std::size_t o, const fed& f) { return o < f.end; });
        return it == frames.end() ? frames.back() : *it;
    }
};

struct stream_state {
    captured_stream out;
    std::array<half, 2> halves;  // [0] client to server, [1] server to client
    bool finished = false;       // FIN or RST seen
    bool tls_checked[2] = {false, false};
    bool websocket_checked = false;  // the client's first bytes looked at
    // MQTT over WebSocket: each direction's unwrapper, before the framer.
    std::array<std::unique_ptr<websocket::unwrapper>, 2> websocket;
    std::size_t serial = 0;
    std::vector<found_at> packet_at, problem_at;  // parallel to out.packets and out.problems
};

// Why a connection on a port not known as MQTT's is read as MQTT: its client's first bytes are a
// CONNECT (a fixed header 0x10, its Remaining Length, then the Protocol Name "MQTT" or "MQIsdp")
// or a WebSocket upgrade offering "mqtt". Empty when they are neither.
std::string_view starts_like_mqtt(bytes_view b) {
    if (!b.empty() && b[0] == 0x10) {
        std::size_t at = 1;
        while (at < b.size() && at < 5 && (b[at] & 0x80) != 0)
            ++at;
        ++at;  // past the Remaining Length's last byte
        const std::string_view rest = at <= b.size() ? as_chars(b.subspan(at)) : std::string_view();
        if (rest.starts_with(std::string_view("\0\4MQTT", 6)) ||
            rest.starts_with(std::string_view("\0\6MQIsdp", 8)))
            return "its client's first bytes are a CONNECT";
    }
    if (websocket::upgrade_offers_mqtt(b))
        return "its client's first bytes are a WebSocket upgrade offering the mqtt subprotocol";
    return {};
}

transport::direction packet_direction(int dir) {
    return dir == 0 ? transport::direction::sent : transport::direction::received;
}
const char* direction_name(int dir) {
    return dir == 0 ? "client to server" : "server to client";
}

bool seq_before(std::uint32_t a, std::uint32_t b) {
    return std::int32_t(a - b) < 0;
}

class reassembler {
  public:
    explicit reassembler(const capture_options& o) : options_(o) {}

    void segment(const tcp_segment& s, std::chrono::system_clock::time_point time,
                 std::size_t frame) {
        bool src_mqtt = is_mqtt_port(s.sport), dst_mqtt = is_mqtt_port(s.dport);
        if (!src_mqtt && !dst_mqtt) {
            // Not a port we were told of: read it when its client starts like MQTT.
            if (!options_.discover || s.payload.empty()) return;
            const std::string_view why = starts_like_mqtt(s.payload);
            if (why.empty()) return;
            discovered_.emplace(s.dport,
                                fmt::format("port {} is not one of --port's: {}", s.dport, why));
            dst_mqtt = true;
        }
        // The server is on the MQTT port (the lower one when both are).
        const bool from_server = src_mqtt && (!dst_mqtt || s.sport < s.dport);
        const std::string& client = from_server ? s.dst : s.src;
        const std::string& server = from_server ? s.src : s.dst;
        const auto key = std::make_pair(client, server);
        auto it = index_.find(key);
        const bool syn = (s.flags & tcp_syn) != 0;
        if (it == index_.end() ||
            (syn && !from_server && streams_[it->second]->finished)) {  // a new connection
            streams_.push_back(std::make_unique<stream_state>());
            streams_.back()->out.client = client;
            streams_.back()->out.server = server;
            const auto found = discovered_.find(from_server ? s.sport : s.dport);
            if (found != discovered_.end()) streams_.back()->out.found_by = found->second;
            it = index_.insert_or_assign(key, streams_.size() - 1).first;
        }
        stream_state& st = *streams_[it->second];
        const int dir = from_server ? 1 : 0;
        half& h = st.halves[std::size_t(dir)];
        if (syn) {
            h.started = true;
            h.next = s.seq + 1;
            h.early.clear();
        } else if (!h.started && !s.payload.empty()) {
            h.started = true;  // the capture began mid-connection
            h.next = s.seq;
        }
        if (s.flags & (tcp_fin | tcp_rst)) st.finished = true;
        if (!h.started || s.payload.empty()) return;
        const std::uint32_t seq = syn ? s.seq + 1 : s.seq;
        if (seq_before(h.next, seq)) {  // a gap: keep it until the gap fills
            early_segment& kept = h.early[seq];
            if (kept.bytes.size() < s.payload.size()) {
                kept.bytes.assign(s.payload.begin(), s.payload.end());
                kept.time = time;
                kept.frame = frame;
            }
            return;
        }
        deliver(st, dir, seq, s.payload, time, frame);
        // Segments that waited for this one.
        for (auto e = h.early.begin(); e != h.early.end();) {
            if (seq_before(h.next, e->first)) {
                ++e;
                continue;
            }
            const early_segment kept = std::move(e->second);
            const std::uint32_t at = e->first;
            h.early.erase(e);
            deliver(st, dir, at, kept.bytes, time, frame);
            e = h.early.begin();
        }
    }

    std::vector<captured_stream> finish() {
        std::vector<captured_stream> result;
        for (auto& st : streams_) {
            for (int dir = 0; dir < 2; ++dir)
                end_of_data(*st, dir);
            put_in_order(*st);
            set_version(st->out);
            for (int dir = 0; dir < 2; ++dir) {  // a WebSocket frame the capture cut
                const auto& ws = st->websocket[std::size_t(dir)];
                const half& h = st->halves[std::size_t(dir)];
                if (ws && !h.dead && !ws->at_boundary()) {
                    add_problem(*st, dir, h.frames.empty() ? 0 : h.frames.back().frame,
                                problem_kind::cut, h.splitter.offset(), 0,
                                "the capture ends inside a WebSocket frame");
                }
            }
            find_malformed(*st);
            place_problems(*st);
            if (!st->out.packets.empty() || !st->out.problems.empty())
                result.push_back(std::move(st->out));
        }
        return result;
    }

  private:
    // A stream speaks the version of its CONNECT (read even when the CONNECT is malformed);
    // without one, the version --protocol gives, or MQTT 5.
    void set_version(captured_stream& s) const {
        for (const captured_packet& p : s.packets) {
            if (p.dir != transport::direction::sent) continue;
            if (const std::optional<protocol_version> v = connect_version(p.bytes)) {
                s.version = *v;
                s.version_from = version_source::connect;
                s.version_note.clear();
                return;
            }
        }
        if (options_.version) {
            s.version = *options_.version;
            s.version_from = version_source::option;
            s.version_note =
                fmt::format("no CONNECT in the capture: decoded as {}, as --protocol says",
                            protocol_version_name(s.version));
            return;
        }
        choose_version(s);
    }

    // Without a CONNECT: the version under which the stream decodes cleanly, or with fewer
    // malformed packets; MQTT 5 when both decode it alike. 3.1 and 3.1.1 differ only in their
    // CONNECT, so without one they are one candidate.
    static void choose_version(captured_stream& s) {
        const auto malformed = [&s](protocol_version v) {
            decode_options opts;
            opts.version = v;
            std::size_t n = 0;
            for (const captured_packet& p : s.packets)
                n += decode(p.bytes, opts).status == decode_status::error ? 1 : 0;
            return n;
        };
        const std::size_t as_v5 = malformed(protocol_version::v5);
        const std::size_t as_v311 = malformed(protocol_version::v311);
        s.version_from = version_source::chosen;
        const auto count = [](std::size_t n) {
            return n == 0 ? std::string("none") : fmt::format("{}", n);
        };
        if (as_v311 < as_v5) {
            s.version = protocol_version::v311;
            s.version_note = fmt::format(
                "no CONNECT in the capture: decoded as MQTT 3.1.1 (3.1 is the same without a "
                "CONNECT): malformed packets as MQTT 3.1.1: {}, as MQTT 5: {} (--protocol sets it)",
                count(as_v311), count(as_v5));
        } else {
            s.version = protocol_version::v5;
            s.version_note =
                as_v5 == as_v311
                    ? fmt::format(
                          "no CONNECT in the capture: decoded as MQTT 5: malformed packets "
                          "as MQTT 5 and as MQTT 3.1.1 alike: {} (--protocol sets it)",
                          count(as_v5))
                    : fmt::format(
                          "no CONNECT in the capture: decoded as MQTT 5: malformed packets "
                          "as MQTT 5: {}, as MQTT 3.1.1: {} (--protocol sets it)",
                          count(as_v5), count(as_v311));
        }
    }

    bool is_mqtt_port(std::uint16_t p) const {
        return std::find(options_.ports.begin(), options_.ports.end(), p) != options_.ports.end() ||
               discovered_.count(p) != 0;
    }

    void deliver(stream_state& st, int dir, std::uint32_t seq, bytes_view bytes,
                 std::chrono::system_clock::time_point time, std::size_t frame) {
        half& h = st.halves[std::size_t(dir)];
        const std::uint32_t skip = h.next - seq;  // bytes already delivered (retransmitted)
        if (skip >= bytes.size()) return;
        bytes = bytes.subspan(skip);
        h.next += std::uint32_t(bytes.size());
        if (h.dead) return;
        if (!st.tls_checked[dir]) {
            st.tls_checked[dir] = true;
            if (bytes.size() >= 2 && bytes[0] >= 0x14 && bytes[0] <= 0x17 && bytes[1] == 0x03) {
                h.dead = true;
                // The hint once a stream: the other direction is TLS too.
                const bool said = std::any_of(
                    st.out.problems.begin(), st.out.problems.end(),
                    [](const stream_problem& p) { return p.kind == problem_kind::not_mqtt; });
                add_problem(st, dir, frame, problem_kind::not_mqtt, h.splitter.offset(), 0,
                            said ? "TLS records, not MQTT, as in the other direction"
                                 : "TLS records, not MQTT: the capture holds only the encrypted "
                                   "bytes. To read them, capture again with our tools' --pcap "
                                   "FILE (it writes the plain MQTT the client sends and "
                                   "receives), or decrypt this capture in Wireshark with the TLS "
                                   "key log of the client that made the connection (run it with "
                                   "SSLKEYLOGFILE=FILE set, or our tools with --keylog FILE)");
                return;
            }
        }
        if (dir == 0 && !st.websocket_checked) {
            st.websocket_checked = true;
            if (as_chars(bytes).starts_with("GET ")) {  // HTTP: MQTT over WebSocket, or not MQTT
                st.out.websocket = true;
                st.websocket[0] =
                    std::make_unique<websocket::unwrapper>(websocket::unwrapper::side::client);
                st.websocket[1] =
                    std::make_unique<websocket::unwrapper>(websocket::unwrapper::side::server);
            }
        }
        if (websocket::unwrapper* ws = st.websocket[std::size_t(dir)].get()) {
            // The MQTT bytes out of the frames; what the WebSocket layer said becomes notes, or
            // a problem that ends this direction when the frames cannot be read on.
            unwrapped_.clear();
            ws->feed(bytes, unwrapped_);
            for (websocket::note& n : ws->take_notes()) {
                if (ws->failed() && n.what == websocket::note::kind::problem) {
                    h.dead = true;
                    add_problem(st, dir, frame, problem_kind::not_mqtt, h.splitter.offset(), 0,
                                n.text);
                    continue;
                }
                st.out.notes.push_back({packet_direction(dir), time, frame, std::move(n.text),
                                        n.what == websocket::note::kind::problem});
            }
            if (h.dead) return;
            bytes = unwrapped_;
        }
        h.frames.push_back({h.splitter.offset() + bytes.size(), frame, time});
        std::vector<split_event> events;
        h.splitter.feed(bytes, events);
        take(st, dir, events);
    }

    void add_problem(stream_state& st, int dir, std::size_t frame, problem_kind kind,
                     std::size_t offset, std::size_t size, const std::string& what,
                     std::optional<std::uint32_t> sequence = std::nullopt) {
        stream_problem p;
        p.kind = kind;
        p.dir = packet_direction(dir);
        p.frame = frame;
        p.offset = offset;
        p.size = size;
        p.sequence = sequence;
        p.text =
            fmt::format("frame {}, {}, offset {}: {}", frame, direction_name(dir), offset, what);
        st.out.problems.push_back(std::move(p));
        st.problem_at.push_back(st.halves[std::size_t(dir)].next_place(frame, st.serial));
    }

    // Packets and problems the splitter found in bytes that arrived with `frame`.
    // Packets and problems the splitter found, each given its frame. `cut_by`: what cuts a
    // packet the splitter gives up ("the end of the capture").
    void take(stream_state& st, int dir, std::vector<split_event>& events,
              const char* cut_by = "the end of the capture") {
        half& h = st.halves[std::size_t(dir)];
        for (split_event& e : events) {
            const std::size_t frame = h.frame_of(e.offset).frame;
            switch (e.what) {
                case split_event::kind::packet: {
                    const half::fed& last = h.frame_of(e.offset + e.bytes.size() - 1);
                    captured_packet p;
                    p.dir = packet_direction(dir);
                    p.time = last.time;
                    p.frame = last.frame;
                    p.bytes = std::move(e.bytes);
                    p.offset = e.offset;
                    p.resynced = e.resynced;
                    st.packet_at.push_back(h.next_place(p.frame, st.serial));
                    st.out.packets.push_back(std::move(p));
                    break;
                }
                case split_event::kind::bad_header:
                    add_problem(st, dir, frame, problem_kind::bad_header, e.offset, 0,
                                fmt::format("bad fixed header: {}; skipping to the next "
                                            "plausible packet start",
                                            e.reason));
                    break;
                case split_event::kind::resync:
                    add_problem(st, dir, frame, problem_kind::resync, e.offset, e.size,
                                fmt::format("resync: decoding resumes here, at a plausible "
                                            "packet start, after skipping {} bytes",
                                            e.size));
                    break;
                case split_event::kind::skipped:
                    add_problem(st, dir, frame, problem_kind::skipped, e.offset, e.size,
                                fmt::format("{} bytes skipped: no plausible packet start in "
                                            "them before the end of the data",
                                            e.size));
                    break;
                case split_event::kind::cut:
                    add_problem(
                        st, dir, frame, problem_kind::cut, e.offset, e.size,
                        fmt::format("a packet cut by {}: {} in the capture", cut_by, e.reason));
                    break;
            }
        }
        events.clear();
        // Frames wholly before what the splitter holds are done with (one is kept for the
        // problems said at the end).
        while (h.frames.size() > 1 && h.frames.front().end <= h.splitter.held_from())
            h.frames.pop_front();
    }

    // No more frames: segments still waiting behind a gap are read after it (each gap said
    // with its sequence number and size), then the splitter gives up what it holds.
    void end_of_data(stream_state& st, int dir) {
        half& h = st.halves[std::size_t(dir)];
        if (h.dead) return;
        std::vector<split_event> events;
        while (!h.early.empty()) {
            // The next in sequence space from h.next: one that starts at or before it (it
            // overlaps what was delivered) first, else the first after it, where sequence
            // numbers may wrap around. Found by the map's order: no quadratic scan.
            auto e = h.early.lower_bound(h.next);
            if (e != h.early.begin() && !seq_before(h.next, std::prev(e)->first)) {
                e = std::prev(e);
            } else if (e == h.early.end()) {
                e = h.early.begin();
            }
            const early_segment kept = std::move(e->second);
            const std::uint32_t at = e->first;
            h.early.erase(e);
            if (seq_before(h.next, at)) {
                const std::uint32_t missing = at - h.next;
                h.splitter.gap(missing, events);
                // What the gap cut comes first, then the gap.
                take(st, dir, events, "the gap after it");
                add_problem(st, dir, kept.frame, problem_kind::gap, h.splitter.offset() - missing,
                            missing,
                            fmt::format("{} bytes missing from the capture before this frame "
                                        "(TCP sequence numbers {} to {}): a segment was not "
                                        "captured",
                                        missing, h.next, std::uint32_t(at - 1)),
                            h.next);
                h.next = at;
                if (st.websocket[std::size_t(dir)]) {  // frames cannot be found again after it
                    h.dead = true;
                    add_problem(st, dir, kept.frame, problem_kind::not_mqtt, h.splitter.offset(), 0,
                                "WebSocket frames cannot be followed past a gap");
                    break;
                }
            }
            deliver(st, dir, at, kept.bytes, kept.time, kept.frame);
        }
        h.splitter.finish(events);
        take(st, dir, events);
    }

    // Both directions' packets in capture order: by frame, then in the order they were found.
    static void put_in_order(stream_state& st) {
        std::vector<std::size_t> order(st.out.packets.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return st.packet_at[a] < st.packet_at[b];
        });
        std::vector<captured_packet> packets;
        std::vector<found_at> at;
        packets.reserve(order.size());
        for (const std::size_t i : order) {
            packets.push_back(std::move(st.out.packets[i]));
            at.push_back(st.packet_at[i]);
        }
        st.out.packets = std::move(packets);
        st.packet_at = std::move(at);
    }

    // Every packet that does not decode in the stream's version, right after the packet.
    void find_malformed(stream_state& st) {
        for (std::size_t i = 0; i < st.out.packets.size(); ++i) {
            const captured_packet& p = st.out.packets[i];
            decode_options opts;
            opts.version = st.out.version;
            opts.base_offset = p.offset;
            const decode_result d = decode(p.bytes, opts);
            if (d.status != decode_status::error) continue;
            const int dir = p.dir == transport::direction::sent ? 0 : 1;
            add_problem(st, dir, p.frame, problem_kind::malformed, p.offset, p.bytes.size(),
                        fmt::format("malformed packet: {}", d.error.message()));
            st.problem_at.back() = st.packet_at[i];  // with its packet, after it
        }
    }

    // Each problem's place among the packets, and the problems in that order.
    static void place_problems(stream_state& st) {
        auto& problems = st.out.problems;
        std::vector<std::size_t> order(problems.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            const found_at at = st.problem_at[i];
            order[i] = i;
            const auto next = std::upper_bound(st.packet_at.begin(), st.packet_at.end(), at);
            problems[i].before_packet = std::size_t(next - st.packet_at.begin());
        }
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return st.problem_at[a] < st.problem_at[b] ||
                   (!(st.problem_at[b] < st.problem_at[a]) &&
                    problems[a].kind != problem_kind::malformed &&
                    problems[b].kind == problem_kind::malformed);
        });
        std::vector<stream_problem> sorted;
        sorted.reserve(order.size());
        for (const std::size_t i : order)
            sorted.push_back(std::move(problems[i]));
        problems = std::move(sorted);
    }

    capture_options options_;
    std::map<std::uint16_t, std::string> discovered_;  // ports found by their first bytes, and how
    std::vector<std::uint8_t> unwrapped_;              // the MQTT bytes out of WebSocket frames
    std::vector<std::unique_ptr<stream_state>> streams_;
    std::map<std::pair<std::string, std::string>, std::size_t> index_;
};

}  // namespace

namespace {

// Why libpcap stopped before the end of the file: a record cut short (what a killed tcpdump
// leaves) or one it cannot make sense of. `offset` is where that record starts (-1: unknown).
std::string stopped_early(const std::string& path, std::size_t frames, long offset,
                          const char* libpcap_says) {
    std::string record = frames == 0 ? std::string("the first record")
                                     : fmt::format("the record after frame {}", frames);
    if (offset >= 0) record += fmt::format(" (byte offset {})", offset);
    if (std::strstr(libpcap_says, "truncated") != nullptr) {
        return fmt::format("{}: the file is truncated: {} is cut short: {}", path, record,
                           libpcap_says);
    }
    return fmt::format("{}: {} cannot be read: {}", path, record, libpcap_says);
}

// libpcap, or a capture_error saying why it cannot be loaded.
const libpcap_functions& pcap_library() {
    try {
        return libpcap();
    } catch (const std::runtime_error& e) {
        throw capture_error(e.what());
    }
}

capture_contents read_from(const libpcap_functions& lib, pcap_t* pcap, const std::string& path,
                           const capture_options& options) {
    const int link = lib.datalink(pcap);
    if (!link_type_known(link)) {
        const char* name = lib.datalink_val_to_name(link);
        throw capture_error(
            fmt::format("{}: link type {} ({}) is not one we read (raw IP, "
                        "loopback, Ethernet, Linux cooked)",
                        path, link, name ? name : "unknown"));
    }
    reassembler streams(options);
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    std::size_t frame = 0;
    FILE* file = lib.file(pcap);
    long record_offset = file != nullptr ? std::ftell(file) : -1;
    int rc = 0;
    while ((rc = lib.next_ex(pcap, &header, &data)) == 1) {
        ++frame;
        if (file != nullptr) record_offset = std::ftell(file);  // where the next record starts
        const auto segment = tcp_segment_of(link, data, header->caplen);
        if (!segment) continue;
        // A broken record's timestamp can be anything: keep it within what a system_clock
        // time_point holds (nanoseconds since 1970 in 64 bits, ~292 years).
        const auto secs = std::clamp<std::int64_t>(header->ts.tv_sec, 0, 8'000'000'000);
        const auto usecs = std::clamp<std::int64_t>(header->ts.tv_usec, 0, 999'999);
        const auto time = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::seconds(secs) + std::chrono::microseconds(usecs)));
        streams.segment(*segment, time, frame);
    }
    capture_contents contents;
    // The frames read so far are kept: a stream they leave inside a packet says so itself.
    if (rc == PCAP_ERROR)
        contents.problem = stopped_early(path, frame, record_offset, lib.geterr(pcap));
    contents.streams = streams.finish();
    return contents;
}

}  // namespace

capture_contents read_capture_contents(const std::string& path, const capture_options& options) {
    const libpcap_functions& lib = pcap_library();
    char error[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap_t, void (*)(pcap_t*)> pcap(lib.open_offline(path.c_str(), error),
                                                    lib.close);
    if (!pcap) throw capture_error(fmt::format("cannot read capture {}: {}", path, error));
    return read_from(lib, pcap.get(), path, options);
}

capture_contents read_capture_contents(bytes_view file, const capture_options& options) {
    const libpcap_functions& lib = pcap_library();
    // libpcap reads from a FILE*; fmemopen gives one over the bytes (closed by pcap_close).
    FILE* f = ::fmemopen(const_cast<std::uint8_t*>(file.data()), file.size(), "rb");
    if (f == nullptr) throw capture_error("cannot read capture from memory");
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* opened = lib.fopen_offline(f, error);
    if (opened == nullptr) {
        std::fclose(f);
        throw capture_error(fmt::format("cannot read capture: {}", error));
    }
    std::unique_ptr<pcap_t, void (*)(pcap_t*)> pcap(opened, lib.close);
    return read_from(lib, pcap.get(), "(memory)", options);
}

const char* problem_kind_name(problem_kind k) {
    switch (k) {
        case problem_kind::not_mqtt:
            return "not_mqtt";
        case problem_kind::malformed:
            return "malformed";
        case problem_kind::bad_header:
            return "bad_header";
        case problem_kind::gap:
            return "gap";
        case problem_kind::resync:
            return "resync";
        case problem_kind::skipped:
            return "skipped";
        case problem_kind::cut:
            return "cut";
    }
    return "unknown";
}

std::optional<protocol_version> parse_protocol_version(std::string_view text) {
    if (text == "5" || text == "mqttv5") return protocol_version::v5;
    if (text == "311" || text == "3.1.1" || text == "mqttv311") return protocol_version::v311;
    if (text == "31" || text == "3.1" || text == "mqttv31") return protocol_version::v31;
    return std::nullopt;
}

std::vector<captured_stream> read_capture(const std::string& path, const capture_options& options) {
    return read_capture_contents(path, options).streams;
}

std::vector<captured_stream> read_capture(bytes_view file, const capture_options& options) {
    return read_capture_contents(file, options).streams;
}

}  // namespace mqtt::tools
