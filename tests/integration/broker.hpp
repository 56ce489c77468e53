// The integration tests use the tools' own local Mosquitto (tools/local/mosquitto.hpp), so the
// tests and mqtt-scenario start and break connections the same way.
#pragma once

#include "tools/local/mosquitto.hpp"

namespace mqtt::test {
using namespace mqtt::local;  // NOLINT(google-build-using-namespace)
}  // namespace mqtt::test
