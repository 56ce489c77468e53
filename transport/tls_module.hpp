// What the TLS module (libmqtt_tls.so) and its loader (tls.cpp) agree on: one function, looked up
// by name with dlsym. Both are built from this tree by the same compiler, so C++ types cross.
#pragma once

#include <system_error>

#include "transport/tls.hpp"

namespace mqtt::transport {

// Error codes that Asio gives in its "asio.misc" category (end of stream among them) are made
// from the category object of whoever compiled the code; the module has its own copy. The loader
// passes the program's, and the module hands such codes back in it, so `ec == asio::error::eof`
// holds in the program.
struct tls_module_host {
    const std::error_category* misc_category;
};

using open_tls_function = tls_session* (*)(const tls_module_host& host,
                                           asio::ip::tcp::socket& socket,
                                           const tls_options& options, const std::string& name,
                                           std::string& error);

inline constexpr const char* open_tls_symbol = "mqtt_transport_open_tls";

}  // namespace mqtt::transport
