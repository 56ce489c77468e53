#include "client/file_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "client/session/convert.hpp"
#include "protocol/codec.hpp"

namespace mqtt::client {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view magic = "MQS1";  // file format version

fs::path outbound_path(const fs::path& dir, std::uint64_t ticket) {
    return dir / fmt::format("out-{:016x}", ticket);
}
fs::path inbound_path(const fs::path& dir, std::uint16_t id) {
    return dir / fmt::format("in-{:04x}", id);
}

// magic, stage (1 byte), ticket (8 bytes, big-endian), then the PUBLISH packet.
std::string serialize(const session::stored_outbound& e) {
    std::vector<string_pair> pairs;
    mqtt::publish p = session::detail::publish_view(e.message, pairs);
    p.packet_id = e.packet_id == 0 ? 1 : e.packet_id;  // a queued message has no id yet
    std::string out(magic);
    out += char(e.stage);
    for (int shift = 56; shift >= 0; shift -= 8)
        out += char(std::uint8_t(e.ticket >> shift));
    const std::size_t at = out.size();
    out.resize(at + encoded_size(p).value_or(0));
    encode(p, std::span(reinterpret_cast<std::uint8_t*>(out.data() + at), out.size() - at));
    return out;
}

std::optional<session::stored_outbound> parse(const std::string& bytes) {
    if (bytes.size() < magic.size() + 9 || bytes.compare(0, magic.size(), magic) != 0) {
        return std::nullopt;
    }
    session::stored_outbound e;
    e.stage = session::outbound_stage(std::uint8_t(bytes[magic.size()]));
    for (std::size_t i = 0; i < 8; ++i) {
        e.ticket = e.ticket << 8 | std::uint8_t(bytes[magic.size() + 1 + i]);
    }
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data()) + magic.size() + 9;
    const decode_result r = decode(bytes_view(data, bytes.size() - magic.size() - 9));
    if (r.status != decode_status::complete || !std::holds_alternative<mqtt::publish>(r.value)) {
        return std::nullopt;
    }
    const auto& p = std::get<mqtt::publish>(r.value);
    e.message = session::detail::owned_message(p, p.topic);
    e.packet_id = e.stage == session::outbound_stage::queued ? 0 : p.packet_id;
    return e;
}

}  // namespace

file_store::file_store(fs::path directory, bool sync) : dir_(std::move(directory)), sync_(sync) {
    fs::create_directories(dir_);
}

void file_store::write_file(const fs::path& path, const std::string& bytes) const {
    const fs::path tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot write " + tmp.string());
        }
        done += std::size_t(n);
    }
    if (sync_) ::fsync(fd);
    ::close(fd);
    fs::rename(tmp, path);  // atomic: the old version or the new, never half
}

void file_store::put_outbound(const session::stored_outbound& entry) {
    write_file(outbound_path(dir_, entry.ticket), serialize(entry));
}

void file_store::erase_outbound(std::uint64_t ticket) {
    std::error_code ignored;
    fs::remove(outbound_path(dir_, ticket), ignored);
}

void file_store::put_inbound_qos2(std::uint16_t id) {
    write_file(inbound_path(dir_, id), "");
}

void file_store::erase_inbound_qos2(std::uint16_t id) {
    std::error_code ignored;
    fs::remove(inbound_path(dir_, id), ignored);
}

void file_store::set_session_exists(bool exists) {
    if (exists) {
        if (!fs::exists(dir_ / "session")) write_file(dir_ / "session", "");
    } else {
        std::error_code ignored;
        fs::remove(dir_ / "session", ignored);
    }
}

void file_store::clear() {
    for (const fs::directory_entry& e : fs::directory_iterator(dir_)) {
        const std::string name = e.path().filename().string();
        if (name.starts_with("out-") || name.starts_with("in-") || name == "session") {
            fs::remove(e.path());
        }
    }
}

session::session_snapshot file_store::load() const {
    session::session_snapshot s;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_)) {
        const std::string name = e.path().filename().string();
        if (name.ends_with(".tmp")) continue;  // a write the process did not finish
        if (name == "session") {
            s.session_exists = true;
        } else if (name.starts_with("out-")) {
            std::ifstream in(e.path(), std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), {});
            if (auto entry = parse(bytes)) s.outbound.push_back(std::move(*entry));
        } else if (name.starts_with("in-")) {
            s.inbound_qos2.push_back(std::uint16_t(std::stoul(name.substr(3), nullptr, 16)));
        }
    }
    std::sort(s.outbound.begin(), s.outbound.end(),
              [](const auto& a, const auto& b) { return a.ticket < b.ticket; });
    return s;
}

}  // namespace mqtt::client
