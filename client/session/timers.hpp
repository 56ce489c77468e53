// One table of the session's timers, indexed by kind, instead of timers scattered through the
// code. The session never reads a clock: it stores deadlines computed from the `now` it is given,
// and next() tells the caller when to call handle_timeout().
#pragma once

#include <array>
#include <optional>

#include "client/session/types.hpp"

namespace mqtt::session {

enum class timer_kind : std::uint8_t {
    keep_alive,     // send PINGREQ: nothing sent for the keep-alive interval (MQTT-3.1.2-20)
    ping_response,  // a packet must arrive after our PINGREQ, or the connection is dead
    connack,        // CONNACK (or the next AUTH) must arrive after CONNECT
    count
};

class timer_table {
  public:
    void set(timer_kind k, time_point at) { at_[std::size_t(k)] = at; }
    void cancel(timer_kind k) { at_[std::size_t(k)].reset(); }
    void cancel_all() { at_.fill(std::nullopt); }
    std::optional<time_point> get(timer_kind k) const { return at_[std::size_t(k)]; }
    bool expired(timer_kind k, time_point now) const {
        const auto& t = at_[std::size_t(k)];
        return t && *t <= now;
    }
    std::optional<time_point> next() const {
        std::optional<time_point> soonest;
        for (const auto& t : at_) {
            if (t && (!soonest || *t < *soonest)) soonest = t;
        }
        return soonest;
    }

  private:
    std::array<std::optional<time_point>, std::size_t(timer_kind::count)> at_{};
};

}  // namespace mqtt::session
