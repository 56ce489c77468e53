// Internal: the writer's twin that only counts bytes, so each packet's layout is written once, as
// a template over both (see put_* in the packet family files), and the encoded size is known
// before encoding. It also notes values that cannot be encoded.
#pragma once

#include <cstddef>
#include <string_view>

#include "protocol/detail/writer.hpp"
#include "protocol/property.hpp"

namespace mqtt::detail {

class sizer {
  public:
    explicit sizer(protocol_version version = protocol_version::v5) : version_(version) {}
    bool v311() const { return version_ != protocol_version::v5; }  // 3.1.1 or 3.1
    void u8(std::uint8_t) { n_ += 1; }
    void u16(std::uint16_t) { n_ += 2; }
    void u32(std::uint32_t) { n_ += 4; }
    void varint(std::uint32_t v) {
        if (v > max_variable_byte_integer) ok_ = false;
        n_ += varint_size(v);
    }
    void raw(bytes_view b) { n_ += b.size(); }
    void utf8(std::string_view s) { binary(as_bytes(s)); }
    void binary(bytes_view b) {
        if (b.size() > 65'535) ok_ = false;
        n_ += 2 + b.size();
    }
    void add(const sizer& other) {
        n_ += other.n_;
        ok_ = ok_ && other.ok_;
    }
    std::size_t size() const { return n_; }
    bool ok() const { return ok_; }

  private:
    std::size_t n_ = 0;
    bool ok_ = true;
    protocol_version version_;
};

// Each property: identifier, then its value in the type the table gives (spec 2.2.2.2).
template <class W>
void put_property_list(W& w, const properties& p) {
    visit_properties(p, [&w](const property_info& info, const auto& v) {
        using T = std::decay_t<decltype(v)>;
        w.u8(std::uint8_t(info.id));
        if constexpr (std::is_same_v<T, std::uint8_t>) {
            w.u8(v);
        } else if constexpr (std::is_same_v<T, std::uint16_t>) {
            w.u16(v);
        } else if constexpr (std::is_same_v<T, std::uint32_t>) {
            if (info.type == property_type::variable_byte_integer) {
                w.varint(v);
            } else {
                w.u32(v);
            }
        } else if constexpr (std::is_same_v<T, std::string_view>) {
            w.utf8(v);
        } else if constexpr (std::is_same_v<T, bytes_view>) {
            w.binary(v);
        } else {
            w.utf8(v.name);
            w.utf8(v.value);
        }
    });
}

// Property Length, then the properties (a zero length when there are none: MQTT-2.2.2-1).
template <class W>
void put_properties(W& w, const properties& p) {
    sizer content;
    put_property_list(content, p);
    w.varint(content.size() > max_variable_byte_integer ? max_variable_byte_integer + 1
                                                        : std::uint32_t(content.size()));
    if constexpr (std::is_same_v<W, sizer>) {
        w.add(content);
    } else {
        put_property_list(w, p);
    }
}

}  // namespace mqtt::detail
