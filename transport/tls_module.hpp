// What the TLS module (libmqtt_tls.so) and its loader (tls.cpp) agree on: one function, looked up
// by name with dlsym. Both are built from this tree by the same compiler, so C++ types cross.
#pragma once

#include <system_error>

#include "transport/tls.hpp"

namespace mqtt::transport {

// An error code compares equal only to codes of the same category object, and the module may
// hold its own copies of the categories the program compares against:
// - Asio's "asio.misc" (end of stream among them) is made by whoever compiled the code, and
//   the module keeps its Asio to itself;
// - the system and generic categories belong to the C++ runtime, and a tool linked with the
//   runtime statically (MQTT_STATIC_RUNTIME) has its own, where the module uses libstdc++.so's.
// The loader passes the program's, and the module hands such codes back in them, so
// `ec == asio::error::eof` or `ec == std::errc::connection_reset` holds in the program. Nothing
// else crosses but plain data, strings (both sides allocate with malloc) and this interface's
// virtual calls; no exception leaves the module.
struct tls_module_host {
    const std::error_category* misc_category;
    const std::error_category* system_category;
    const std::error_category* generic_category;
};

using open_tls_function = tls_session* (*)(const tls_module_host& host,
                                           asio::ip::tcp::socket& socket,
                                           const tls_options& options, const std::string& name,
                                           std::string& error);

inline constexpr const char* open_tls_symbol = "mqtt_transport_open_tls";

}  // namespace mqtt::transport
