#include "bench/compare/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace mqtt::bench::compare {

namespace {

volatile std::sig_atomic_t interrupt_seen = 0;

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// In the child: the descriptor for dup2, closed itself at exec.
int open_or_die(const char* path, int flags) {
    const int fd = ::open(path, flags | O_CLOEXEC);
    if (fd < 0) {
        const std::string message = fmt::format("cannot open {}: {}\n", path, std::strerror(errno));
        (void)!::write(STDERR_FILENO, message.data(), message.size());
        ::_exit(127);
    }
    return fd;
}

}  // namespace

void watch_interrupts() {
    struct sigaction sa {};
    sa.sa_handler = [](int) { interrupt_seen = 1; };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR, and wait_all sees it at once
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() {
    return interrupt_seen != 0;
}

child::child(const spawn_options& options) {
    int out[2] = {-1, -1}, err[2];
    if (::pipe2(err, O_CLOEXEC) != 0) fail("pipe2");
    if (options.keep_stdout && ::pipe2(out, O_CLOEXEC) != 0) fail("pipe2");
    std::vector<char*> argv;
    for (const std::string& a : options.argv)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const std::string in = options.stdin_file.empty() ? "/dev/null" : options.stdin_file.string();

    started = clock::now();
    pid_ = ::fork();
    if (pid_ < 0) fail("fork");
    if (pid_ == 0) {
        ::dup2(err[1], STDERR_FILENO);
        ::dup2(open_or_die(in.c_str(), O_RDONLY), STDIN_FILENO);
        ::dup2(options.keep_stdout ? out[1] : open_or_die("/dev/null", O_WRONLY), STDOUT_FILENO);
        ::execv(argv[0], argv.data());
        const std::string message =
            fmt::format("cannot run {}: {}\n", argv[0], std::strerror(errno));
        (void)!::write(STDERR_FILENO, message.data(), message.size());
        ::_exit(127);
    }
    ::close(err[1]);
    err_fd_ = err[0];
    if (options.keep_stdout) {
        ::close(out[1]);
        out_fd_ = out[0];
    }
    // glibc 2.36's <sys/pidfd.h> declares pidfd_open without extern "C" (fixed in 2.37).
    pidfd_ = int(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd_ < 0) fail("pidfd_open");
}

child::~child() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    for (const int fd : {pidfd_, out_fd_, err_fd_})
        if (fd >= 0) ::close(fd);
}

void child::reap() {
    int status = 0;
    rusage ru{};
    if (::wait4(pid_, &status, WNOHANG, &ru) != pid_) return;  // not yet
    ended = clock::now();
    if (WIFEXITED(status)) exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) signal = WTERMSIG(status);
    const auto seconds = [](const timeval& tv) { return double(tv.tv_sec) + tv.tv_usec / 1e6; };
    cpu_s = seconds(ru.ru_utime) + seconds(ru.ru_stime);
    pid_ = -1;
    ::close(pidfd_);
    pidfd_ = -1;
}

void child::read_from(int& fd, std::string& into) {
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
        into.append(buffer, std::size_t(n));
    } else if (n == 0 || errno != EINTR) {
        ::close(fd);
        fd = -1;
    }
}

std::string child::failure() const {
    if (killed && interrupted()) return "interrupted";
    if (killed) return fmt::format("killed after {:.0f} s", wall_s());
    std::string last = err.substr(0, err.find_last_not_of("\n.") + 1);
    last = last.substr(last.find_last_of('\n') + 1);
    if (last.size() > 100) last = last.substr(0, 97) + "...";
    const std::string why = last.empty() ? "" : ": " + last;
    if (signal) return fmt::format("signal {}{}", signal, why);
    if (exit_code != 0) return fmt::format("exit {}{}", exit_code, why);
    return {};
}

int child::poll_once(std::span<child* const> children, std::chrono::milliseconds wait) {
    std::vector<pollfd> fds;
    for (const child* c : children)
        for (const int fd : {c->pidfd_, c->out_fd_, c->err_fd_})
            if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), int(std::max<long>(0, wait.count())));
    if (ready < 0 && errno != EINTR) fail("poll");
    const auto readable = [&fds](int fd) {
        return fd >= 0 && std::any_of(fds.begin(), fds.end(), [fd](const pollfd& p) {
                   return p.fd == fd && p.revents != 0;
               });
    };
    for (child* c : children) {
        if (readable(c->out_fd_)) c->read_from(c->out_fd_, c->out);
        if (readable(c->err_fd_)) c->read_from(c->err_fd_, c->err);
        if (readable(c->pidfd_)) c->reap();
    }
    return ready;
}

bool child::read_until(std::string_view text, clock::time_point deadline) {
    child* const self[] = {this};
    while (out.find(text) == std::string::npos) {
        // Its stdout may close a moment before its exit can be reaped: wait for both.
        if ((out_fd_ < 0 && pidfd_ < 0) || interrupted()) return false;
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
        if (wait.count() <= 0) return false;
        poll_once(self, wait);
    }
    return true;
}

void child::terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
}

void wait_all(std::span<child* const> children, clock::time_point deadline, clock::duration grace) {
    bool kills_sent = false;
    for (;;) {
        const bool open = std::any_of(children.begin(), children.end(), [](const child* c) {
            return c->pidfd_ >= 0 || c->out_fd_ >= 0 || c->err_fd_ >= 0;
        });
        if (!open) return;
        if (!kills_sent && (clock::now() >= deadline || interrupted())) {
            for (child* c : children)
                if (c->running()) {
                    ::kill(c->pid_, SIGKILL);
                    c->killed = true;
                }
            kills_sent = true;
        }
        // After the kills, whatever still holds a pipe open is a grandchild: stop reading soon.
        const auto wait =
            kills_sent ? std::chrono::milliseconds(2000)
                       : std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
        std::vector<bool> was_running;
        for (const child* c : children)
            was_running.push_back(c->running());
        const int ready = child::poll_once(children, wait);
        if (ready == 0 && kills_sent) return;
        for (std::size_t i = 0; i < children.size(); ++i) {
            const child* c = children[i];
            if (was_running[i] && !c->running() && (c->exit_code != 0 || c->signal))
                deadline = std::min(deadline, clock::now() + grace);
        }
    }
}

}  // namespace mqtt::bench::compare
