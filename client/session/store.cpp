#include "client/session/store.hpp"

namespace mqtt::session {

session_snapshot memory_store::load() const {
    session_snapshot s;
    for (const auto& [ticket, entry] : outbound_)
        s.outbound.push_back(entry);
    s.inbound_qos2.assign(inbound_.begin(), inbound_.end());
    s.session_exists = session_exists_;
    return s;
}

}  // namespace mqtt::session
