// open_tls(): loads the TLS module (tls_module.cpp, built as libmqtt_tls.so) on first use. The
// module is found next to the program first, so a copied bin/ and lib/ keep working, then
// where the build put it (MQTT_TLS_MODULE, set by CMake), which is how the tests find it.
#include "transport/tls.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <asio/error.hpp>
#include <filesystem>

#include "transport/tls_module.hpp"

#ifndef MQTT_TLS_MODULE
#error "CMake sets MQTT_TLS_MODULE to the path of the TLS module it builds"
#endif

namespace mqtt::transport {

namespace {

inline constexpr const char* module_name = "libmqtt_tls.so";

struct loaded_module {
    open_tls_function open = nullptr;
    std::string error;  // why it could not be loaded, when open is null
};

loaded_module load_module() {
    loaded_module m;
    std::string tried;
    for (const std::string& path : tls_module_candidates()) {
        // RTLD_LOCAL: the module's copies of Asio and OpenSSL symbols stay its own.
        void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            const char* why = ::dlerror();
            tried += "; " + (why != nullptr ? std::string(why) : path + ": not loadable");
            continue;
        }
        // Never closed: sessions, their vtables and error categories live in it.
        if (void* f = ::dlsym(handle, open_tls_symbol)) {
            m.open = reinterpret_cast<open_tls_function>(f);
            return m;
        }
        tried += "; " + path + ": no " + open_tls_symbol;
    }
    m.error = std::string("TLS is not available: cannot load the TLS module ") + module_name +
              " (" + (tried.empty() ? std::string("nowhere to look") : tried.substr(2)) + ")";
    return m;
}

}  // namespace

std::vector<std::string> tls_module_candidates() {
    std::vector<std::string> paths;
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) paths.push_back((self.parent_path().parent_path() / "lib" / module_name).string());
    if (std::find(paths.begin(), paths.end(), MQTT_TLS_MODULE) == paths.end())
        paths.emplace_back(MQTT_TLS_MODULE);
    return paths;
}

std::unique_ptr<tls_session> open_tls(asio::ip::tcp::socket& socket, const tls_options& options,
                                      const std::string& host, std::string& error) {
    static const loaded_module module = load_module();  // once per process, thread-safe
    if (module.open == nullptr) {
        error = module.error;
        return nullptr;
    }
    const std::string& name = options.server_name.empty() ? host : options.server_name;
    const tls_module_host host_side{&asio::error::get_misc_category(), &std::system_category(),
                                    &std::generic_category()};
    return std::unique_ptr<tls_session>(module.open(host_side, socket, options, name, error));
}

}  // namespace mqtt::transport
