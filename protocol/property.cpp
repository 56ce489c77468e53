#include "protocol/property.hpp"

#include <cstring>

#include "protocol/detail/reader.hpp"
#include "protocol/topic.hpp"

namespace mqtt {

namespace {

using pt = property_type;

// The encoder writes properties in table order and visit_properties relies on it; the lookup
// below relies on identifiers below 0x2B. Both are facts of spec Table 2-4.
constexpr bool in_identifier_order() {
    for (std::size_t i = 1; i < property_table.size(); ++i) {
        if (property_table[i - 1].id >= property_table[i].id) return false;
    }
    return true;
}
static_assert(property_table.size() == 27);
static_assert(in_identifier_order());
static_assert(std::uint8_t(property_table.back().id) < 0x2B);
// A property repeats only where it is allowed at all.
static_assert([] {
    for (const property_info& info : property_table) {
        if ((info.repeats & ~info.allowed) != 0) return false;
    }
    return true;
}());

// Identifier -> index into property_table (+1; 0 = undefined).
constexpr std::array<std::uint8_t, 0x2B> index_by_id = [] {
    std::array<std::uint8_t, 0x2B> idx{};
    for (std::size_t i = 0; i < property_table.size(); ++i)
        idx[std::uint8_t(property_table[i].id)] = std::uint8_t(i + 1);
    return idx;
}();

template <class T>
bool same(const std::optional<T>& a, const std::optional<T>& b) {
    return a == b;
}
bool same(const std::optional<bytes_view>& a, const std::optional<bytes_view>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || equal_bytes(*a, *b);
}
template <class T>
bool same(const list_view<T>& a, const list_view<T>& b) {
    return a == b;
}

}  // namespace

const property_info* find_property(std::uint8_t pid) {
    if (pid >= index_by_id.size() || index_by_id[pid] == 0) return nullptr;
    return &property_table[index_by_id[pid] - 1];
}

const property_info* find_property(std::string_view json_key) {
    for (const auto& info : property_table) {
        if (info.json_key == json_key) return &info;
    }
    return nullptr;
}

std::span<const property_info> all_properties() {
    return property_table;
}

bool property_allowed(property_id pid, property_context c) {
    const property_info* info = find_property(std::uint8_t(pid));
    return info && info->allowed_in(c);
}

bool equal_bytes(bytes_view a, bytes_view b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool properties::empty() const {
    bool any = false;
    visit_properties(*this, [&any](const property_info&, const auto&) { any = true; });
    return !any;
}

bool operator==(const properties& a, const properties& b) {
    bool equal = true;
#define MQTT_PROPERTY_SAME(key, member, ...) equal = equal && same(a.member, b.member);
    MQTT_PROPERTIES(MQTT_PROPERTY_SAME)
#undef MQTT_PROPERTY_SAME
    return equal;
}

namespace detail {

namespace {

// A property value as read from the wire, before it is stored in its member.
struct wire_value {
    std::uint32_t number = 0;
    std::string_view text;
    bytes_view binary;
    string_pair pair;
};

// Reads one value of type t: the one place the property data types are read. `checked` is false
// when walking bytes the decoder already validated (the lists below): strings are not checked for
// UTF-8 again.
wire_value read_value(reader& r, property_type t, std::string_view field, bool checked = true) {
    wire_value v;
    switch (t) {
        case pt::byte:
            v.number = r.u8(field);
            break;
        case pt::two_byte_integer:
            v.number = r.u16(field);
            break;
        case pt::four_byte_integer:
            v.number = r.u32(field);
            break;
        case pt::variable_byte_integer:
            v.number = r.varint(field);
            break;
        case pt::utf8_string:
            v.text = checked ? r.utf8(field) : as_chars(r.binary(field));
            break;
        case pt::binary_data:
            v.binary = r.binary(field);
            break;
        case pt::utf8_string_pair:
            v.pair = checked ? r.pair(field)
                             : string_pair{as_chars(r.binary(field)), as_chars(r.binary(field))};
            break;
    }
    return v;
}

template <class T>
T typed(const wire_value& v) {
    if constexpr (std::is_same_v<T, std::string_view>) {
        return v.text;
    } else if constexpr (std::is_same_v<T, bytes_view>) {
        return v.binary;
    } else if constexpr (std::is_same_v<T, string_pair>) {
        return v.pair;
    } else {
        return T(v.number);  // the reader read no more bytes than T holds
    }
}

field_value shown(property_type t, const wire_value& v) {
    switch (t) {
        case pt::utf8_string:
            return v.text;
        case pt::binary_data:
            return v.binary;
        case pt::utf8_string_pair:
            return v.pair;
        default:
            return std::uint64_t(v.number);
    }
}

// The row's value rule (spec 3.1.2.11, 3.2.2.3, 3.3.2.3).
bool obeys_rule(const property_info& info, const wire_value& v) {
    switch (info.rule.check) {
        case value_check::none:
            return true;
        case value_check::zero_or_one:
        case value_check::non_zero:
            return v.number >= info.min() && v.number <= info.max();
        case value_check::topic_name:
            return topic_name_problem(v.text) == nullptr;
    }
    return true;
}

// list_view wire reader for repeatable property Id over a validated property block: yields its
// next value, skipping the other properties. Reads with the decoder's reader, by the table's types.
template <property_id Id, class T>
bool next_of(const std::uint8_t*& p, const std::uint8_t* end, T& out) {
    reader r(bytes_view(p, end), 0, packet_type{0}, nullptr);
    while (!r.at_end() && !r.failed()) {
        const property_info* info = find_property(std::uint8_t(r.varint("Property Identifier")));
        if (!info) break;  // not reached: the block was validated
        const wire_value v = read_value(r, info->type, info->name, false);
        if (info->id == Id && !r.failed()) {
            out = typed<T>(v);
            p = r.position();
            return true;
        }
    }
    p = end;
    return false;
}

template <property_id Id, class T>
void attach_list(std::optional<T>&, bytes_view, std::size_t) {}
template <property_id Id, class T>
void attach_list(list_view<T>& list, bytes_view wire, std::size_t count) {
    if (count) list = list_view<T>::from_wire(wire, count, &next_of<Id, T>);
}

}  // namespace

void read_properties(reader& r, property_context c, properties& out, std::string_view section) {
    r.begin(section);
    const std::uint32_t length = r.varint("Property Length");
    const std::uint8_t* old_end = r.push_limit(length, "Property Length");
    const std::uint8_t* block = r.position();
    std::uint64_t seen = 0;  // bit per identifier
    // Per row, for the lists. 32 bits hold any count a packet can carry (at least 5 bytes each
    // in at most 256 MiB); size_t counts, twice the bytes to clear per packet, made decoding a
    // PUBLISH about 12% slower (bench/codec_bench, BM_DecodePublishQoS1).
    std::array<std::uint32_t, property_rows> counts{};
    std::size_t authentication_data_at = 0;
    while (!r.failed() && !r.at_end()) {
        const std::size_t start = r.offset();
        r.mute(true);
        const std::uint32_t raw_id = r.varint("Property Identifier");
        const property_info* info = raw_id <= 0xFF ? find_property(std::uint8_t(raw_id)) : nullptr;
        if (r.failed()) break;
        if (!info) {
            r.fail_at(start, reason_code::malformed_packet, "Property Identifier",
                      "unknown property identifier");
            break;
        }
        if (!info->allowed_in(c)) {  // spec 2.2.2.2
            r.fail_at(start, reason_code::malformed_packet, info->name,
                      c == property_context::will ? "property not allowed in Will Properties"
                                                  : "property not allowed in this packet");
            break;
        }
        const std::uint64_t bit = std::uint64_t(1) << raw_id;
        if ((seen & bit) && !info->repeatable_in(c)) {
            r.fail_at(start, reason_code::protocol_error, info->name,
                      "property included more than once");
            break;
        }
        seen |= bit;
        const wire_value v = read_value(r, info->type, info->name);
        r.mute(false);
        if (r.failed()) break;
        if (!obeys_rule(*info, v)) {
            r.fail_at(start, info->rule.violation, info->name, info->rule.problem);
            break;
        }
        if (info->id == property_id::authentication_data) authentication_data_at = start;
        ++counts[std::size_t(info - property_table.data())];
        visit_member(out, info->id, [&v](auto& member) {
            using M = std::decay_t<decltype(member)>;
            if constexpr (!is_list_view<M>) {
                member = typed<typename M::value_type>(v);  // lists: attached below
            }
        });
        if (r.visitor()) r.report(info->name, start, r.offset() - start, shown(info->type, v));
    }
    r.mute(false);
    // The lists walk the block's bytes when iterated; never walk bytes that failed validation.
    if (!r.failed()) {
        const bytes_view wire{block, r.position()};
#define MQTT_PROPERTY_ATTACH(key, member, ...) \
    attach_list<property_id::key>(out.member, wire, counts[row_##key]);
        MQTT_PROPERTIES(MQTT_PROPERTY_ATTACH)
#undef MQTT_PROPERTY_ATTACH
    }
    if (!r.failed() && out.authentication_data && !out.authentication_method) {
        r.fail_at(authentication_data_at, reason_code::protocol_error, "Authentication Data",
                  "Authentication Data without an Authentication Method");
    }
    r.pop_limit(old_end);
    r.end();
}

}  // namespace detail

}  // namespace mqtt
