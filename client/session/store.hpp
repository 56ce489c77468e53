// Where the session keeps what must outlive a connection (spec 4.1): outbound QoS 1/2 messages
// not yet completed, and the Packet Identifiers of inbound QoS 2 messages awaiting PUBREL. The
// session writes through to the store on every change and reads it once, when constructed, so a
// file-backed store can carry a session across a process restart.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "client/session/types.hpp"

namespace mqtt::session {

enum class outbound_stage : std::uint8_t {
    queued,            // accepted, not yet sent (waiting for quota or a connection)
    awaiting_ack,      // PUBLISH sent; waiting for PUBACK (QoS 1) or PUBREC (QoS 2)
    awaiting_pubcomp,  // QoS 2: PUBREL sent; waiting for PUBCOMP
};

struct stored_outbound {
    std::uint64_t ticket = 0;     // accept order = send order
    std::uint16_t packet_id = 0;  // 0 while queued
    outbound_stage stage = outbound_stage::queued;
    mqtt::session::message message;
    friend bool operator==(const stored_outbound&, const stored_outbound&) = default;
};

struct session_snapshot {
    std::vector<stored_outbound> outbound;  // in ticket order
    std::vector<std::uint16_t> inbound_qos2;
    // A session was established with a Session Expiry Interval and not ended since: the server
    // may still hold it (its subscriptions, its queued messages), so Session Present 1 is
    // expected and the next CONNECT resumes it (Clean Start 0), even with nothing in flight.
    bool session_exists = false;
    bool empty() const { return outbound.empty() && inbound_qos2.empty() && !session_exists; }
};

class session_store {
  public:
    virtual ~session_store() = default;
    virtual void put_outbound(const stored_outbound& entry) = 0;  // insert or replace by ticket
    virtual void erase_outbound(std::uint64_t ticket) = 0;
    virtual void put_inbound_qos2(std::uint16_t packet_id) = 0;
    virtual void erase_inbound_qos2(std::uint16_t packet_id) = 0;
    virtual void set_session_exists(bool exists) = 0;
    virtual void clear() = 0;  // a new session (Clean Start, or Session Present 0)
    virtual session_snapshot load() const = 0;
};

// Keeps everything in memory: a session survives reconnects, not a process restart.
class memory_store final : public session_store {
  public:
    void put_outbound(const stored_outbound& entry) override { outbound_[entry.ticket] = entry; }
    void erase_outbound(std::uint64_t ticket) override { outbound_.erase(ticket); }
    void put_inbound_qos2(std::uint16_t id) override { inbound_.insert(id); }
    void erase_inbound_qos2(std::uint16_t id) override { inbound_.erase(id); }
    void set_session_exists(bool exists) override { session_exists_ = exists; }
    void clear() override {
        outbound_.clear();
        inbound_.clear();
        session_exists_ = false;
    }
    session_snapshot load() const override;

  private:
    std::map<std::uint64_t, stored_outbound> outbound_;
    std::set<std::uint16_t> inbound_;
    bool session_exists_ = false;
};

}  // namespace mqtt::session
