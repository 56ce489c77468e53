// The programs bench-compare runs, as child processes: started with fork/exec, stdin from a file,
// stdout kept or thrown away, stderr kept for the reason of a failure; waited for with wait4,
// whose rusage gives each child's own CPU time (not the broker's, not ours); killed when they
// outlive their time, so that a run never hangs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mqtt::bench::compare {

using clock = std::chrono::steady_clock;

struct spawn_options {
    std::vector<std::string> argv;     // argv[0]: the program's path
    std::filesystem::path stdin_file;  // empty: /dev/null
    bool keep_stdout = false;          // else /dev/null
};

class child {
  public:
    // Starts it. A program that cannot be executed exits 127 with the reason on its stderr.
    explicit child(const spawn_options& options);
    ~child();  // kills and reaps a child still running (an exception left it behind)
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }  // while running
    clock::time_point started, ended;
    int exit_code = -1;   // when it exited by itself
    int signal = 0;       // when a signal ended it
    bool killed = false;  // by wait_all, at its deadline
    double cpu_s = 0;     // user + system
    std::string out, err;

    double wall_s() const { return std::chrono::duration<double>(ended - started).count(); }
    // Empty after exit status 0; else "exit 1: <the last line of stderr>", "killed after 60 s"...
    std::string failure() const;

    // Reads its output (keep_stdout) until its stdout holds `text`: true. False when `deadline`
    // passes first, it has left (its stdout closed and its exit reaped), or an interrupt came.
    // Kills nothing: waiting for a line is not waiting for the end (wait_all).
    bool read_until(std::string_view text, clock::time_point deadline);
    // Asks it to leave (SIGTERM); wait_all then reaps it, and kills it at its deadline.
    void terminate();

  private:
    friend void wait_all(std::span<child* const>, clock::time_point, clock::duration);
    // One poll() over the children's open pipes and pidfds, up to `wait`, then what each said:
    // output read, an exit reaped. poll()'s result: how many were ready, 0 when none.
    static int poll_once(std::span<child* const> children, std::chrono::milliseconds wait);
    void reap();  // wait4 once it has exited
    void read_from(int& fd, std::string& into);
    pid_t pid_ = -1;
    int pidfd_ = -1;  // readable when the child has exited (Linux 5.3): no SIGCHLD, no polling
    int out_fd_ = -1, err_fd_ = -1;
};

// Waits until every child has exited and its output is read, noting each one's end time as it
// happens. Those still running at `deadline` are killed; when one fails, the others get at most
// `grace` more (a subscriber whose publisher failed would otherwise wait for messages until the
// deadline). A SIGINT or SIGTERM to this process counts as the deadline.
void wait_all(std::span<child* const> children, clock::time_point deadline,
              clock::duration grace = std::chrono::seconds(2));

// Whether SIGINT or SIGTERM arrived (after watch_interrupts()): then stop starting runs.
void watch_interrupts();
bool interrupted();

}  // namespace mqtt::bench::compare
