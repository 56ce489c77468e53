// bench-raw: the broker's ceiling for mqtt-bench pubsub's workload. No MQTT library: POSIX
// sockets and the hand-written packets of raw_packets.hpp, so what it measures is the broker
// (and the kernel), with a client that costs next to nothing. See README.md.
//
// Threads: the publisher runs on the main thread with a non-blocking socket and ppoll(), since
// it waits for three things at once (an acknowledgement, room in the socket, the next --rate
// slot); the subscriber has its own thread and a blocking socket, since it waits for one thing.
// Neither shares anything with the other until the end (join).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <variant>

#include <fmt/format.h>

#include "bench/peers/peer_cli.hpp"
#include "bench/peers/raw_connection.hpp"
#include "bench/peers/raw_packets.hpp"

namespace {

using namespace mqtt::bench;
using namespace mqtt::bench::raw;

constexpr std::size_t batch_bytes = 64 * 1024;  // PUBLISHes per send(), at most about this

// The subscriber: reads PUBLISHes, stamps their arrival, and acknowledges each read's worth in
// one send() (PUBACK; or PUBREC, then PUBCOMP when the PUBREL comes). QoS 2 messages count on
// arrival of the PUBLISH (the specification's method B, 4.3.3), not of the PUBREL.
struct subscriber {
    int fd;
    const peers::options& o;
    bytes in;                       // what the handshake read beyond the SUBACK
    std::atomic<bool> stop{false};  // the publisher gave up: leave quietly

    histogram latency;
    sequence_tracker tracker;
    std::uint64_t received = 0, errors = 0, last_arrival_ns = 0;
    std::string failure;

    std::vector<bool> awaiting_pubrel = std::vector<bool>(65536);
    std::uint64_t open_qos2 = 0;  // PUBRECs sent whose PUBREL has not come

    bool finished() const { return tracker.unique() >= o.count && open_qos2 == 0; }

    // Handles one whole packet; false when the run cannot go on.
    bool handle(const frame& f, bytes& acks) {
        body_reader r(body_of(in, f));
        switch (packet_type(f.first)) {
            case 3: {  // PUBLISH: Topic Name, Packet Identifier (QoS 1/2), properties, payload
                const int qos = (f.first >> 1) & 3;
                r.take_span(r.u16());
                const std::uint16_t id = qos > 0 ? r.u16() : 0;
                r.take_span(r.varint());
                const auto payload = r.rest();
                if (!r.ok()) return broken("the subscriber received a malformed PUBLISH");
                const std::uint64_t now = monotonic_ns();
                ++received;
                last_arrival_ns = now;
                if (const auto st = read_stamp(payload)) {
                    latency.record(now > st->sent_ns ? now - st->sent_ns : 0);
                    tracker.seen(*st);
                } else {
                    ++errors;  // not ours
                }
                if (qos == 1) put_ack(acks, 0x40, id);  // PUBACK
                if (qos == 2) {
                    put_ack(acks, 0x50, id);  // PUBREC
                    if (!awaiting_pubrel[id]) ++open_qos2;
                    awaiting_pubrel[id] = true;
                }
                return true;
            }
            case 6: {  // PUBREL: Packet Identifier
                const std::uint16_t id = r.u16();
                if (awaiting_pubrel[id]) --open_qos2;
                awaiting_pubrel[id] = false;
                put_ack(acks, 0x70, id);  // PUBCOMP
                return true;
            }
            case 14:
                return broken(
                    fmt::format("the subscriber received DISCONNECT, reason code 0x{:02X}",
                                r.left() ? r.u8() : 0));
            default:
                ++errors;
                return true;
        }
    }
    // The connection broke, or the broker broke the protocol: the run ends, counted as an error.
    bool broken(const std::string& why) {
        failure = fmt::format("{} ({})", why, peers::where(o));
        ++errors;
        return false;
    }

    void run() {
        bytes acks;
        std::size_t used = in.size();
        in.resize(std::max<std::size_t>(256 * 1024, used));
        for (;;) {
            std::size_t at = 0;
            for (;;) {
                const frame f = next_frame(std::span(in).subspan(at, used - at));
                if (f.state == frame::status::malformed)
                    return void(broken("the subscriber received a malformed packet"));
                if (f.state == frame::status::need_more) {
                    // A packet larger than the buffer: make room for all of it.
                    if (f.end > in.size() && f.body > 0) in.resize(f.end + 64 * 1024);
                    break;
                }
                if (!handle({f.state, f.first, at + f.body, at + f.end}, acks)) return;
                at += f.end;
            }
            std::copy(in.begin() + std::ptrdiff_t(at), in.begin() + std::ptrdiff_t(used),
                      in.begin());
            used -= at;
            if (!acks.empty() && !send_all(fd, acks))
                return void(
                    broken(fmt::format("the subscriber cannot send: {}", std::strerror(errno))));
            acks.clear();
            if (finished()) return;

            const ssize_t n = ::recv(fd, in.data() + used, in.size() - used, 0);
            if (n > 0) {
                used += std::size_t(n);
            } else if (stop) {
                return;
            } else if (n == 0) {
                return void(broken("the broker closed the subscriber's connection"));
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;  // SO_RCVTIMEO: nothing for --timeout seconds; report what was lost
            } else if (errno != EINTR) {
                return void(
                    broken(fmt::format("the subscriber's connection: {}", std::strerror(errno))));
            }
        }
    }
};

// The publisher: copies of the PUBLISH template, at most `window` unacknowledged at QoS 1/2,
// as many to a send() as the window, the socket and --rate allow; answers PUBREC with PUBREL.
class publisher {
  public:
    publisher(int fd, const peers::options& o, std::uint32_t window)
        : fd_(fd), o_(o), window_(window), template_(publish(o.topic, o.qos, o.size)) {}

    std::uint64_t first_ns = 0, sent = 0, errors = 0;
    std::string failure;

    void run() {
        start_ns_ = last_progress_ns_ = monotonic_ns();
        const auto timeout_ns = std::uint64_t(o_.timeout_s * 1e9);
        bool readable = true;
        while ((!readable || read_acks()) && write() && !finished()) {
            // Nothing can move now: wait for an acknowledgement, for room in the socket, or for
            // the next message's slot. Only waits on the broker count towards --timeout.
            const bool socket_full = out_at_ < out_.size();
            const bool paced = !socket_full && next_seq_ < o_.count &&
                               (o_.qos == 0 || in_flight_ < window_);  // only --rate holds it
            const std::uint64_t now = monotonic_ns();
            const std::uint64_t until =
                paced ? peers::due_ns(o_, start_ns_, next_seq_) : last_progress_ns_ + timeout_ns;
            if (!paced && now >= until) {
                failure = fmt::format("no progress for {} s", o_.timeout_s);
                return;
            }
            const std::uint64_t wait = until > now ? until - now : 0;
            const timespec ts{time_t(wait / 1'000'000'000u), long(wait % 1'000'000'000u)};
            pollfd p{fd_, short(POLLIN | (socket_full ? POLLOUT : 0)), 0};
            // POLLIN, or POLLERR / POLLHUP, which recv() then explains.
            readable = ::ppoll(&p, 1, &ts, nullptr) > 0 && (p.revents & ~POLLOUT) != 0;
        }
    }

  private:
    bool finished() const {
        if (o_.qos == 0) return next_seq_ == o_.count && out_at_ == out_.size();
        return completed_ == o_.count;
    }

    // Fills out_ with the PUBRELs owed, then the PUBLISHes that may go now.
    void fill() {
        out_.clear();
        out_at_ = 0;
        for (const std::uint16_t id : pubrels_)
            put_ack(out_, 0x62, id);  // PUBREL
        pubrels_.clear();
        while (next_seq_ < o_.count && (o_.qos == 0 || in_flight_ < window_) &&
               out_.size() < batch_bytes) {
            const std::uint64_t now = monotonic_ns();
            if (o_.rate > 0 && peers::due_ns(o_, start_ns_, next_seq_) > now) break;
            const std::size_t at = out_.size();
            out_.insert(out_.end(), template_.packet.begin(), template_.packet.end());
            if (o_.qos > 0) {
                const std::uint16_t id = take_packet_id();
                out_[at + template_.packet_id_at] = std::uint8_t(id >> 8);
                out_[at + template_.packet_id_at + 1] = std::uint8_t(id);
                ++in_flight_;
            } else {
                ++qos0_in_batch_;
            }
            write_stamp(std::span(out_).subspan(at + template_.payload_at, o_.size),
                        {0, next_seq_, now});
            if (next_seq_ == 0) first_ns = now;
            ++next_seq_;
        }
    }

    // Sends until the socket is full or nothing more may go; false on error.
    bool write() {
        for (;;) {
            if (out_at_ == out_.size()) {
                sent += qos0_in_batch_;  // QoS 0: written is sent
                qos0_in_batch_ = 0;
                fill();
                if (out_.empty()) return true;
            }
            const ssize_t n = ::send(fd_, out_.data() + out_at_, out_.size() - out_at_,
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                out_at_ += std::size_t(n);
                last_progress_ns_ = monotonic_ns();
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return true;
            } else if (errno != EINTR) {
                return broken(fmt::format("the publisher cannot send: {}", std::strerror(errno)));
            }
        }
    }

    // Reads what has arrived, without waiting, and handles every whole packet; false on error.
    bool read_acks() {
        for (;;) {
            if (in_.size() - used_ < 4096) in_.resize(in_.size() + 64 * 1024);
            const std::size_t room = in_.size() - used_;
            const ssize_t n = ::recv(fd_, in_.data() + used_, room, MSG_DONTWAIT);
            if (n == 0) {
                return broken("the broker closed the publisher's connection");
            }
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
                if (errno == EINTR) continue;
                return broken(fmt::format("the publisher's connection: {}", std::strerror(errno)));
            }
            used_ += std::size_t(n);
            last_progress_ns_ = monotonic_ns();
            std::size_t at = 0;
            for (;;) {
                const frame f = next_frame(std::span(in_).subspan(at, used_ - at));
                if (f.state == frame::status::need_more) break;
                if (f.state == frame::status::malformed)
                    return broken("the publisher received a malformed packet");
                if (!handle(f, at)) return false;
                at += f.end;
            }
            std::copy(in_.begin() + std::ptrdiff_t(at), in_.begin() + std::ptrdiff_t(used_),
                      in_.begin());
            used_ -= at;
            if (std::size_t(n) < room) return true;  // drained
        }
    }

    // PUBACK, PUBREC, PUBCOMP: Packet Identifier, then a Reason Code if Remaining Length > 2.
    bool handle(const frame& f, std::size_t at) {
        body_reader r(body_of(std::span(in_).subspan(at), f));
        const std::uint16_t id = r.u16();
        const std::uint8_t reason = r.left() ? r.u8() : 0;
        const int type = packet_type(f.first);
        if (type == 14)
            return broken(fmt::format("the publisher received DISCONNECT, reason code 0x{:02X}",
                                      f.end > f.body ? in_[at + f.body] : 0));
        if (type != 4 && type != 5 && type != 7) {
            ++errors;  // a publisher gets nothing else
            return true;
        }
        if (!r.ok()) return broken("the publisher received a malformed acknowledgement");
        if (type == 5 && reason < 0x80)
            pubrels_.push_back(id);  // PUBREC: the flow goes on with PUBREL
        else
            end_flow(id, reason);  // PUBACK, PUBCOMP, or a PUBREC that refuses
        return true;
    }

    // The connection broke, or the broker broke the protocol: the run ends, counted as an error.
    bool broken(const std::string& why) {
        failure = fmt::format("{} ({})", why, peers::where(o_));
        ++errors;
        return false;
    }

    void end_flow(std::uint16_t id, std::uint8_t reason) {
        if (!in_use_[id]) {
            ++errors;  // not one of ours in flight
            return;
        }
        in_use_[id] = false;
        --in_flight_;
        ++completed_;
        if (reason >= 0x80)
            ++errors;
        else
            ++sent;
    }

    // The next Packet Identifier not in flight (1..65535); one exists while in_flight_ < window_.
    std::uint16_t take_packet_id() {
        do
            next_id_ = std::uint16_t(next_id_ == 65535 ? 1 : next_id_ + 1);
        while (in_use_[next_id_]);
        in_use_[next_id_] = true;
        return next_id_;
    }

    int fd_;
    const peers::options& o_;
    std::uint32_t window_;
    publish_template template_;
    std::uint64_t start_ns_ = 0, last_progress_ns_ = 0;
    std::uint64_t next_seq_ = 0, completed_ = 0, qos0_in_batch_ = 0;
    std::uint32_t in_flight_ = 0;
    std::uint16_t next_id_ = 0;
    std::vector<bool> in_use_ = std::vector<bool>(65536);
    std::vector<std::uint16_t> pubrels_;
    bytes out_;
    std::size_t out_at_ = 0;
    bytes in_;
    std::size_t used_ = 0;
};

int run_bench(const peers::options& o) {
    int sub_fd = -1, pub_fd = -1;
    // DISCONNECT (best effort, never waiting: the broker may be the reason we stop), so the
    // broker logs a normal end rather than a lost connection.
    const auto close_both = [&] {
        for (const int fd : {sub_fd, pub_fd}) {
            if (fd < 0) continue;
            ::send(fd, disconnect, sizeof disconnect, MSG_NOSIGNAL | MSG_DONTWAIT);
            ::close(fd);
        }
    };
    bytes sub_in, pub_in;
    std::uint32_t window = o.window;
    try {
        const std::string pid = std::to_string(::getpid());
        // With --rate the subscriber may wait a slot's length between messages.
        sub_fd = connect_to(o, o.timeout_s + (o.rate > 0 ? 1.0 / o.rate : 0.0));
        handshake(sub_fd, sub_in, "bench-raw-sub-" + pid, o);
        pub_fd = connect_to(o, o.timeout_s);
        if (const auto maximum = handshake(pub_fd, pub_in, "bench-raw-pub-" + pid, o))
            window = std::min<std::uint32_t>(window, *maximum);
        subscribe_to(sub_fd, sub_in, o);
    } catch (const setup_error& e) {
        std::cerr << "bench-raw: " << e.what() << '\n';
        close_both();
        return peers::exit_failed;
    }

    subscriber sub{sub_fd, o, std::move(sub_in)};
    std::thread sub_thread([&sub] { sub.run(); });
    ::fcntl(pub_fd, F_SETFL, ::fcntl(pub_fd, F_GETFL) | O_NONBLOCK);
    publisher pub(pub_fd, o, window);
    pub.run();
    if (!pub.failure.empty()) {
        sub.stop = true;
        ::shutdown(sub_fd, SHUT_RD);  // wakes the subscriber's recv()
    }
    sub_thread.join();
    close_both();

    summary s = peers::settings_summary(o, "raw");
    if (window != o.window) {
        s.window = window;
        s.note = fmt::format("the broker's Receive Maximum {} lowered -M {}", window, o.window);
    }
    s.sent = pub.sent;
    s.received = sub.received;
    s.lost = sub.tracker.lost(o.count);
    s.duplicated = sub.tracker.duplicates();
    s.reordered = sub.tracker.reordered();
    s.errors = pub.errors + sub.errors;
    s.elapsed_s =
        sub.last_arrival_ns > pub.first_ns ? double(sub.last_arrival_ns - pub.first_ns) / 1e9 : 0;
    s.latency = sub.latency;
    s.usage = usage_now();
    for (const std::string* f : {&pub.failure, &sub.failure})
        if (!f->empty()) std::cerr << "bench-raw: " << *f << '\n';
    if (pub.failure.empty() && sub.failure.empty() && !sub.finished())
        std::cerr << "bench-raw: the subscriber received nothing for " << o.timeout_s
                  << " s; giving up\n";
    return peers::report(s, o);
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = peers::parse_options(argc, argv, "bench-raw",
                                       "mqtt-bench pubsub's workload with no MQTT library: the "
                                       "broker's ceiling");
    if (const int* rc = std::get_if<int>(&parsed)) return *rc;
    return run_bench(std::get<peers::options>(parsed));
}
