// The tools (and mosquitto_pub/sub/rr, tshark) as processes: started with arguments and stdin,
// stdout and stderr going to files the test reads while they run, stopped with a deadline so a
// hung tool fails its test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace mqtt::tools::test {

inline std::string slurp_file(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream s(text);
    for (std::string line; std::getline(s, line);)
        lines.push_back(line);
    return lines;
}

// A scratch directory per test, removed afterwards. Readable by the mosquitto user.
class scratch_dir {
  public:
    scratch_dir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = std::filesystem::temp_directory_path() /
                (std::string("mqtt_tools_") + info->name() + "_" + std::to_string(::getpid()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
        std::filesystem::permissions(path_, std::filesystem::perms(0755));
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

struct exit_status {
    int code = -1;  // the exit code, or -1 when killed by a signal
    std::string out, err;
};

class process {
  public:
    process(std::vector<std::string> argv, const std::filesystem::path& dir,
            const std::string& input = "") {
        static int counter = 0;
        const std::string base = "p" + std::to_string(counter++);
        out_ = dir / (base + ".out");
        err_ = dir / (base + ".err");
        const auto in = dir / (base + ".in");
        std::ofstream(in, std::ios::binary) << input;
        command_ = argv.at(0);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::setpgid(0, 0);
            const int i = ::open(in.c_str(), O_RDONLY);
            const int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(i, 0);
            ::dup2(o, 1);
            ::dup2(e, 2);
            std::vector<char*> args;
            for (std::string& a : argv)
                args.push_back(a.data());
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            std::perror("execvp");
            ::_exit(127);
        }
    }
    ~process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    process(const process&) = delete;
    process& operator=(const process&) = delete;

    std::string out() const { return slurp_file(out_); }
    std::string err() const { return slurp_file(err_); }
    pid_t pid() const { return pid_; }  // -1 once finished

    // Waits until `ready(stdout + stderr)` is true or the process ends; false on timeout.
    bool wait_for(const std::function<bool(const std::string&)>& ready,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < end) {
            if (ready(out() + err())) return true;
            if (pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) != 0) return ready(out() + err());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    bool wait_for_text(const std::string& needle,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
        return wait_for([&](const std::string& t) { return t.find(needle) != std::string::npos; },
                        timeout);
    }

    void signal(int sig) const {
        if (pid_ > 0) ::kill(pid_, sig);
    }

    // Waits for the exit; kills the process after `timeout` (the test then fails).
    exit_status finish(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        exit_status r;
        int status = 0;
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (true) {
            const pid_t done = ::waitpid(pid_, &status, WNOHANG);
            if (done == pid_) break;
            if (std::chrono::steady_clock::now() > end) {
                ADD_FAILURE() << command_ << " did not exit within " << timeout.count()
                              << " ms; stderr:\n"
                              << err();
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pid_ = -1;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = out();
        r.err = err();
        return r;
    }

  private:
    std::string command_;
    std::filesystem::path out_, err_;
    pid_t pid_ = -1;
};

// Runs a program to its end.
inline exit_status run_program(std::vector<std::string> argv, const std::filesystem::path& dir,
                               const std::string& input = "",
                               std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    process p(std::move(argv), dir, input);
    return p.finish(timeout);
}

// Whether the lines of `text` contain lines matching each needle, in this order.
inline bool lines_in_order(const std::string& text, const std::vector<std::string>& needles,
                           std::string* missing = nullptr) {
    std::size_t at = 0;
    const std::vector<std::string> lines = split_lines(text);
    for (const std::string& needle : needles) {
        while (at < lines.size() && lines[at].find(needle) == std::string::npos)
            ++at;
        if (at == lines.size()) {
            if (missing) *missing = needle;
            return false;
        }
        ++at;
    }
    return true;
}

// Opens and closes a TCP connection to `port` on 127.0.0.1: traffic for a capture to see.
inline void knock(std::uint16_t port) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::close(s);
}

// Whether `tshark`, started with `-P -l` (a line on stdout per packet) on a filter that takes
// `port`, is capturing: dumpcap starts a little after tshark says "Capturing on", so knock at
// the port until a packet shows up (5 s at most).
inline bool wait_until_capturing(process& tshark, std::uint16_t port) {
    if (!tshark.wait_for_text("Capturing on")) return false;
    for (int i = 0; i < 50; ++i) {
        knock(port);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!tshark.out().empty()) return true;
    }
    return false;
}

}  // namespace mqtt::tools::test
