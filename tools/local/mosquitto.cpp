#include "tools/local/mosquitto.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace mqtt::local {

namespace fs = std::filesystem;

int run_command(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

namespace {

bool port_open(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

void must(const std::string& command) {
    if (run_command(command + " >/dev/null 2>&1") != 0) {
        throw std::runtime_error("command failed: " + command);
    }
}

// Mosquitto started as root runs as the user "mosquitto": it gets what it must write.
void give_to_broker_user(const fs::path& path) {
    if (::geteuid() != 0) return;
    if (const passwd* user = ::getpwnam("mosquitto")) {
        if (::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
            throw std::runtime_error("cannot give " + path.string() + " to the mosquitto user");
        }
    }
}

// The commands the broker needs, each with the Debian package that has it.
void require_commands() {
    const std::pair<const char*, const char*> needed[] = {
        {"mosquitto", "mosquitto"}, {"mosquitto_passwd", "mosquitto"}, {"openssl", "openssl"}};
    for (const auto& [command, package] : needed) {
        if (run_command(std::string("command -v ") + command + " >/dev/null 2>&1") != 0) {
            throw std::runtime_error(std::string("cannot start a local broker: no `") + command +
                                     "` command (install the Debian package " + package +
                                     ", as scripts/setup does)");
        }
    }
}

// A CA, a server certificate for localhost/127.0.0.1 and a client certificate, all made here.
void make_certificates(const broker_files& f) {
    const std::string d = f.dir.string();
    must(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
        "/CN=mqtt5-test-ca -keyout " +
        d + "/ca.key -out " + f.ca_cert.string());
    must(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
        "/CN=other-ca -keyout " +
        d + "/other.key -out " + f.other_ca_cert.string());
    std::ofstream(f.dir / "server.ext")
        << "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
    must(
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost "
        "-keyout " +
        f.server_key.string() + " -out " + d + "/server.csr");
    must("openssl x509 -req -in " + d + "/server.csr -CA " + f.ca_cert.string() + " -CAkey " + d +
         "/ca.key -CAcreateserial -days 2 -extfile " + d + "/server.ext -out " +
         f.server_cert.string());
    std::ofstream(f.dir / "client.ext") << "extendedKeyUsage=clientAuth\n";
    must(
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "
        "/CN=mqtt5-test-client -keyout " +
        f.client_key.string() + " -out " + d + "/client.csr");
    must("openssl x509 -req -in " + d + "/client.csr -CA " + f.ca_cert.string() + " -CAkey " + d +
         "/ca.key -CAcreateserial -days 2 -extfile " + d + "/client.ext -out " +
         f.client_cert.string());
}

}  // namespace

mosquitto_broker::mosquitto_broker(const mosquitto_options& options) {
    require_commands();
    std::string tmpl = options.directory_prefix + "XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
        throw std::runtime_error("cannot make a temporary directory " + tmpl);
    }
    broker_files& f = files_;
    f.dir = tmpl;
    try {
        prepare(options);
        start();
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(files_.dir, ignored);
        throw;
    }
}

void mosquitto_broker::prepare(const mosquitto_options& options) {
    broker_files& f = files_;
    // Mosquitto started as root drops to its own user, which must read the files and write its
    // persistence file here: the directory is that user's, and nobody else may write in it (a
    // configuration swapped in before the broker starts as root would be obeyed).
    fs::permissions(f.dir, fs::perms(0755));
    give_to_broker_user(f.dir);
    f.ca_cert = f.dir / "ca.crt";
    f.other_ca_cert = f.dir / "other-ca.crt";
    f.server_cert = f.dir / "server.crt";
    f.server_key = f.dir / "server.key";
    f.client_cert = f.dir / "client.crt";
    f.client_key = f.dir / "client.key";
    f.config = f.dir / "mosquitto.conf";
    f.passwords = f.dir / "passwords";
    f.acl = f.dir / "acl";
    f.log = f.dir / "mosquitto.log";
    make_certificates(f);
    must("mosquitto_passwd -c -b " + f.passwords.string() + " alice alice-secret");
    must("mosquitto_passwd -b " + f.passwords.string() + " bob bob-secret");
    std::ofstream(f.acl) << "user alice\ntopic readwrite acl/#\ntopic readwrite open/#\n\n"
                            "user bob\ntopic read acl/#\ntopic readwrite open/#\n";
    for (const fs::directory_entry& e : fs::directory_iterator(f.dir)) {
        fs::permissions(e.path(), fs::perms(0644));
    }
    plain_port = free_port();
    tls_port = free_port();
    auth_port = free_port();
    mutual_tls_port = free_port();
    std::ofstream conf(f.config);
    // A Maximum Packet Size the broker announces in CONNACK (2 MB: a 1 MB message still fits),
    // so a client can be seen refusing a larger publish locally (MQTT-3.2.2-15).
    conf << "max_packet_size 2000000\n";
    if (!options.retain_available) conf << "retain_available false\n";
    if (options.unlimited)
        conf << "max_inflight_messages 0\nmax_queued_messages 0\nmax_queued_bytes 0\n"
             << "set_tcp_nodelay true\n";  // else a sparse message waits for a delayed ACK
    // max_qos is a listener's setting: in every listener.
    const std::string listener_limits =
        options.maximum_qos < 2 ? "max_qos " + std::to_string(options.maximum_qos) + "\n" : "";
    conf << "per_listener_settings true\n"
         << "persistence true\npersistence_location " << f.dir.string() << "/\n"
         << "log_dest file " << f.log.string() << "\nlog_type "
         << (options.unlimited ? "error\nlog_type warning" : "all") << "\n"
         << "\nlistener " << plain_port << " 127.0.0.1\nallow_anonymous true\n"
         << listener_limits << "\nlistener " << tls_port << " 127.0.0.1\nallow_anonymous true\n"
         << listener_limits << "cafile " << f.ca_cert.string() << "\ncertfile "
         << f.server_cert.string() << "\nkeyfile " << f.server_key.string() << "\n"
         << "\nlistener " << auth_port << " 127.0.0.1\nallow_anonymous false\n"
         << listener_limits << "password_file " << f.passwords.string() << "\nacl_file "
         << f.acl.string() << "\n"
         << "\nlistener " << mutual_tls_port << " 127.0.0.1\nallow_anonymous true\n"
         << listener_limits << "cafile " << f.ca_cert.string() << "\ncertfile "
         << f.server_cert.string() << "\nkeyfile " << f.server_key.string()
         << "\nrequire_certificate true\n";
    conf.close();
    fs::permissions(f.config, fs::perms(0644));
}

void mosquitto_broker::start() {
    // The log file must be writable by the mosquitto user when started as root.
    std::ofstream(files_.log, std::ios::app).close();
    fs::permissions(files_.log, fs::perms(0644));
    give_to_broker_user(files_.log);
    pid_ = ::fork();
    if (pid_ == 0) {
        // Not on the test's stdout and stderr: a test binary killed by a sanitizer would leave
        // the broker holding ctest's pipe open, and ctest waiting for it. (It logs to its file.)
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execlp("mosquitto", "mosquitto", "-c", files_.config.c_str(), nullptr);
        ::_exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
        if (port_open(plain_port) && port_open(tls_port) && port_open(auth_port) &&
            port_open(mutual_tls_port)) {
            return;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("mosquitto exited at start:\n" + log());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("mosquitto did not open its ports in 10 s:\n" + log());
}

void mosquitto_broker::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    // It saves its persistence file and exits; one that does not within 5 s is killed.
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > until) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
}

void mosquitto_broker::restart() {
    stop();
    start();
}

std::string mosquitto_broker::log() const {
    std::ifstream in(files_.log);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

mosquitto_broker::~mosquitto_broker() {
    stop();
    std::error_code ignored;
    fs::remove_all(files_.dir, ignored);
}

}  // namespace mqtt::local
