#include "transport/tap.hpp"

namespace mqtt::transport {

std::string to_string(const asio::ip::tcp::endpoint& e) {
    const asio::ip::address a = e.address();
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(e.port());
}

void packet_tap::bytes(direction d, bytes_view data, std::chrono::system_clock::time_point time) {
    if (observers_.empty()) return;
    framer& f = d == direction::sent ? sent_ : received_;
    while (!data.empty()) {
        const frame_result r = f.feed(data);
        data = data.subspan(r.consumed);
        if (r.status == decode_status::complete) {
            const tapped_packet p{d, time, r.packet};
            for (const auto& observer : observers_)
                observer(p);
        } else if (r.status == decode_status::error) {
            return;  // not MQTT any more; the session reports the violation
        }
    }
}

void packet_tap::reset() {
    sent_.reset();
    received_.reset();
}

void packet_tap::opened(const connection_event& e) {
    reset();
    open_ = true;
    for (const auto& observer : connection_observers_)
        observer(e);
}

void packet_tap::closed(std::chrono::system_clock::time_point time) {
    if (!open_) return;
    open_ = false;
    connection_event e;
    e.opened = false;
    e.time = time;
    for (const auto& observer : connection_observers_)
        observer(e);
}

}  // namespace mqtt::transport
