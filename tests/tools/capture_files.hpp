// What the tests that write capture files share: a fixed start time for their packets, a file
// name in the temporary directory unique to the test process, and a command's output lines.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace mqtt::tools::test_files {

inline const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

inline std::string temp_file(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("mqtt_tools_test_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

// The lines a shell command prints on its standard output (tshark's, in these tests).
inline std::vector<std::string> output_lines(const std::string& command) {
    std::vector<std::string> lines;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return lines;
    std::string line;
    for (int c; (c = std::fgetc(pipe.get())) != EOF;) {
        if (c == '\n') {
            lines.push_back(line);
            line.clear();
        } else {
            line += char(c);
        }
    }
    return lines;
}

}  // namespace mqtt::tools::test_files
