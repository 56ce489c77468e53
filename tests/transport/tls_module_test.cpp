// Where open_tls() looks for the TLS module (transport/tls.hpp): beside the program first, so a
// copied bin/ and lib/ keep working, then where the build put it. The TLS connections themselves
// are tested against Mosquitto in tests/integration/transport_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>

#include "transport/tls.hpp"

namespace mqtt::transport {
namespace {

TEST(tls_module, looked_for_beside_the_program_then_where_the_build_put_it) {
    const std::vector<std::string> paths = tls_module_candidates();
    ASSERT_GE(paths.size(), 1u);
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
    EXPECT_EQ(paths.front(),
              (self.parent_path().parent_path() / "lib" / "libmqtt_tls.so").string());
    // The build's own path comes last, and the module is there.
    EXPECT_EQ(std::filesystem::path(paths.back()).filename(), "libmqtt_tls.so");
    EXPECT_TRUE(std::filesystem::exists(paths.back())) << paths.back();
    EXPECT_TRUE(std::filesystem::path(paths.back()).is_absolute()) << paths.back();
}

}  // namespace
}  // namespace mqtt::transport
