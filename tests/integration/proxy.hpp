// The integration tests use the tools' own local TCP proxy (tools/local/tcp_proxy.hpp), so the
// tests and mqtt-scenario start and break connections the same way.
#pragma once

#include "tools/local/tcp_proxy.hpp"

namespace mqtt::test {
using namespace mqtt::local;  // NOLINT(google-build-using-namespace)
}  // namespace mqtt::test
