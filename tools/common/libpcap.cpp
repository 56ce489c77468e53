#include "tools/common/libpcap.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace mqtt::tools {

namespace {

// libpcap's soname on Debian and Ubuntu (libpcap0.8), elsewhere, and the development link.
constexpr const char* sonames[] = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"};

template <typename F>
void bind(void* handle, F& f, const char* name, std::string& missing) {
    f = reinterpret_cast<F>(::dlsym(handle, name));
    if (f == nullptr) missing += std::string(missing.empty() ? "" : ", ") + name;
}

struct loaded {
    libpcap_functions f{};
    std::string error;  // why not, when it could not be loaded
};

loaded load() {
    loaded l;
    void* handle = nullptr;
    std::string tried;
    for (const char* name : sonames) {
        handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);  // never closed: used until exit
        if (handle != nullptr) break;
        const char* why = ::dlerror();
        tried += std::string(tried.empty() ? "" : "; ") + (why != nullptr ? why : name);
    }
    if (handle == nullptr) {
        l.error =
            "reading or writing a capture needs libpcap (Debian package libpcap0.8): " + tried;
        return l;
    }
    std::string missing;
    bind(handle, l.f.open_dead, "pcap_open_dead", missing);
    bind(handle, l.f.dump_open, "pcap_dump_open", missing);
    bind(handle, l.f.dump, "pcap_dump", missing);
    bind(handle, l.f.dump_flush, "pcap_dump_flush", missing);
    bind(handle, l.f.dump_file, "pcap_dump_file", missing);
    bind(handle, l.f.dump_close, "pcap_dump_close", missing);
    bind(handle, l.f.open_offline, "pcap_open_offline", missing);
    bind(handle, l.f.fopen_offline, "pcap_fopen_offline", missing);
    bind(handle, l.f.datalink, "pcap_datalink", missing);
    bind(handle, l.f.datalink_val_to_name, "pcap_datalink_val_to_name", missing);
    bind(handle, l.f.next_ex, "pcap_next_ex", missing);
    bind(handle, l.f.file, "pcap_file", missing);
    bind(handle, l.f.geterr, "pcap_geterr", missing);
    bind(handle, l.f.close, "pcap_close", missing);
    if (!missing.empty()) l.error = "the libpcap found lacks " + missing;
    return l;
}

}  // namespace

const libpcap_functions& libpcap() {
    static const loaded l = load();
    if (!l.error.empty()) throw std::runtime_error(l.error);
    return l.f;
}

}  // namespace mqtt::tools
