// A real Mosquitto on free loopback ports, for the integration tests and mqtt-scenario: a
// configuration, certificates (made with the openssl command) and a password file generated in a
// temporary directory; the broker is stopped and the directory removed by the destructor.
//
// Listeners (all on 127.0.0.1):
//   plain         MQTT over TCP, anonymous allowed
//   tls           MQTT over TLS with a server certificate for "localhost" and 127.0.0.1
//   auth          TCP, username/password required (users "alice"/"alice-secret" and
//                 "bob"/"bob-secret"), with an ACL: alice may read and write "acl/#", bob only
//                 read it; both may use "open/#"
//   mutual_tls    TLS that requires a client certificate signed by the test CA
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace mqtt::local {

struct broker_files {
    std::filesystem::path dir;
    std::filesystem::path ca_cert, server_cert, server_key, client_cert, client_key;
    std::filesystem::path other_ca_cert;  // a CA that signed nothing the broker uses
    std::filesystem::path config, passwords, acl, log;
};

// What the broker offers beyond the defaults (mosquitto.conf(5)).
struct mosquitto_options {
    bool retain_available = true;  // false: CONNACK Retain Available 0, retained PUBLISH refused
    int maximum_qos = 2;           // < 2: CONNACK Maximum QoS
    std::string directory_prefix = "/tmp/mqtt5-broker-";  // the temporary directory's name
    // For benchmarks: no limit on messages in flight or queued per client (CONNACK Receive
    // Maximum 65,535), TCP_NODELAY on its sockets (Mosquitto leaves Nagle on, so a lone message
    // waits ~40 ms for a delayed ACK), and a log of errors and warnings only (log_type all
    // writes a line per packet, which would be most of what the broker does).
    bool unlimited = false;
};

class mosquitto_broker {
  public:
    // Starts it. Throws std::runtime_error naming what is missing (the mosquitto or openssl
    // command, and the Debian package that has it) or with the broker's log if it fails.
    explicit mosquitto_broker(const mosquitto_options& options = {});
    ~mosquitto_broker();
    mosquitto_broker(const mosquitto_broker&) = delete;
    mosquitto_broker& operator=(const mosquitto_broker&) = delete;

    std::uint16_t plain_port = 0;
    std::uint16_t tls_port = 0;
    std::uint16_t auth_port = 0;
    std::uint16_t mutual_tls_port = 0;
    const broker_files& files() const { return files_; }
    int pid() const { return pid_; }  // the broker's process, -1 when stopped
    std::string log() const;          // what the broker printed, for failure messages

    void stop();     // SIGTERM and wait; persistence is written
    void restart();  // same ports, same files: a broker that went away and came back

  private:
    void prepare(const mosquitto_options& options);  // files and configuration
    void start();
    broker_files files_;
    int pid_ = -1;
};

// Runs a shell command, returns its exit status (the tests use openssl and mosquitto_passwd).
int run_command(const std::string& command);
// A TCP port on 127.0.0.1 that nothing listens on right now.
std::uint16_t free_port();

}  // namespace mqtt::local
