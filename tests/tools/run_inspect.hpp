// Runs the built mqtt-inspect binary (path from the MQTT_INSPECT compile definition) as a
// program: arguments in, stdin from a string, stdout, stderr and the exit code back.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mqtt::tools::test {

struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

inline std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline run_result run_inspect(const std::vector<std::string>& args, const std::string& input = "") {
    static int counter = 0;
    const std::string base = ::testing::TempDir() + "mqtt_inspect_" + std::to_string(::getpid()) +
                             "_" + std::to_string(counter++);
    const std::string in = base + ".in", out = base + ".out", err = base + ".err";
    std::ofstream(in, std::ios::binary) << input;
    std::string command = shell_quote(MQTT_INSPECT);
    for (const std::string& a : args)
        command += " " + shell_quote(a);
    command += " <" + shell_quote(in) + " >" + shell_quote(out) + " 2>" + shell_quote(err);
    const int status = std::system(command.c_str());
    run_result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    std::remove(in.c_str());
    std::remove(out.c_str());
    std::remove(err.c_str());
    return r;
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream s(text);
    for (std::string line; std::getline(s, line);)
        lines.push_back(line);
    return lines;
}

// Whether some line of `text` contains `needle`.
inline bool has_line_containing(const std::string& text, const std::string& needle) {
    for (const std::string& line : lines_of(text)) {
        if (line.find(needle) != std::string::npos) return true;
    }
    return false;
}

// Whether each needle is in a line of `text`, each in a later line than the one before.
inline bool lines_in_order(const std::string& text, const std::vector<std::string>& needles) {
    const std::vector<std::string> lines = lines_of(text);
    std::size_t at = 0;
    for (const std::string& needle : needles) {
        while (at < lines.size() && lines[at].find(needle) == std::string::npos)
            ++at;
        if (at == lines.size()) return false;
        ++at;
    }
    return true;
}

}  // namespace mqtt::tools::test
