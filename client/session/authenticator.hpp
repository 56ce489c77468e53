// Enhanced authentication (spec 4.12): a pluggable exchange of AUTH packets, before CONNACK and,
// for re-authentication, on a live connection.
#pragma once

#include <optional>
#include <string>

#include "client/session/types.hpp"

namespace mqtt::session {

class authenticator {
  public:
    virtual ~authenticator() = default;
    // The Authentication Method, sent in CONNECT and in every AUTH (MQTT-4.12.0-5).
    virtual std::string method() const = 0;
    // The Authentication Data of CONNECT, or of AUTH 0x19 when re-authenticating; nullopt for
    // none. Starts a new exchange.
    virtual std::optional<byte_vector> start(bool reauthentication) = 0;
    // The server sent AUTH 0x18 Continue authentication with this data: the data for our AUTH
    // 0x18 reply (MQTT-4.12.0-3), or nullopt to give up (the session disconnects).
    virtual std::optional<byte_vector> step(const std::optional<byte_vector>& server_data) = 0;
    // The exchange succeeded (CONNACK 0x00 or AUTH 0x00) with this final server data. Return
    // false if the server failed to prove itself (the session disconnects).
    virtual bool finish(const std::optional<byte_vector>& server_data) = 0;
};

}  // namespace mqtt::session
