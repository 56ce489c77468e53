// A session_store on disk, so QoS 1/2 messages accepted by the client survive the process being
// killed and restarted with the same client id and directory. One file per in-flight message
// (the message stored as the PUBLISH packet it is, encoded by the protocol layer) and one per
// inbound QoS 2 identifier; each write goes to a temporary file renamed into place, so a kill at
// any moment leaves either the old or the new version, never half of one.
#pragma once

#include <filesystem>
#include <string>

#include "client/session/store.hpp"

namespace mqtt::client {

class file_store final : public session::session_store {
  public:
    // Creates `directory` if needed. With sync, each write is also flushed to the disk (fsync),
    // which survives a power cut, not only a killed process, at a cost per message.
    explicit file_store(std::filesystem::path directory, bool sync = false);

    void put_outbound(const session::stored_outbound& entry) override;
    void erase_outbound(std::uint64_t ticket) override;
    void put_inbound_qos2(std::uint16_t packet_id) override;
    void erase_inbound_qos2(std::uint16_t packet_id) override;
    void set_session_exists(bool exists) override;  // a file named "session"
    void clear() override;
    session::session_snapshot load() const override;

    const std::filesystem::path& directory() const { return dir_; }

  private:
    void write_file(const std::filesystem::path& path, const std::string& bytes) const;
    std::filesystem::path dir_;
    bool sync_;
};

}  // namespace mqtt::client
