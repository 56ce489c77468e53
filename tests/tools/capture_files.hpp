// What the tests that write capture files share: a fixed start time for their packets, and a file
// name in the temporary directory unique to the test process.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace mqtt::tools::test_files {

inline const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

inline std::string temp_file(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("mqtt_tools_test_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

}  // namespace mqtt::tools::test_files
