// What a tool pays for only when it is used (issue: start as fast and stay as small as
// mosquitto's tools): OpenSSL is mapped only for a TLS connection, libpcap only for --pcap. Read
// from the shared objects a running mqtt-sub has mapped (/proc/PID/maps), and from the files
// the binaries ask the dynamic loader for at start (their ELF dependencies, via ldd).
#include <sys/types.h>

#include <string>
#include <vector>

#include "tools_fixture.hpp"

namespace mqtt::tools::test {
namespace {

// The shared objects mapped into `pid`, one line each as /proc shows them.
std::string mapped_files(pid_t pid) {
    return slurp_file("/proc/" + std::to_string(pid) + "/maps");
}

bool maps(const std::string& maps_text, const std::string& library) {
    return maps_text.find("/" + library) != std::string::npos;
}

// The value of a "Name:\tvalue" line of /proc/PID/status, or empty.
std::string status_field(pid_t pid, const std::string& name) {
    for (const std::string& line :
         split_lines(slurp_file("/proc/" + std::to_string(pid) + "/status")))
        if (line.rfind(name + ":", 0) == 0) {
            const std::size_t value = line.find_first_not_of(" \t", name.size() + 1);
            return value == std::string::npos ? std::string() : line.substr(value);
        }
    return {};
}

class FootprintTest : public ToolsTest {
  protected:
    // The maps of a subscriber once it has its SUBACK, then it is stopped.
    std::string maps_of_subscriber(std::vector<std::string> argv) {
        auto sub = subscriber(std::move(argv));
        const std::string text = sub->pid() > 0 ? mapped_files(sub->pid()) : std::string();
        sub->signal(SIGTERM);
        const exit_status done = sub->finish();
        EXPECT_EQ(done.code, 0) << done.err;
        EXPECT_FALSE(text.empty()) << "no /proc/PID/maps read";
        return text;
    }
};

TEST_F(FootprintTest, PlainSubscriberMapsNeitherOpenSslNorLibpcap) {
    const std::string m = maps_of_subscriber(mqtt_sub({"-d", "-t", "footprint/plain"}));
    EXPECT_TRUE(maps(m, "libc.so")) << m;  // the reading itself works
    EXPECT_FALSE(maps(m, "libssl.so")) << m;
    EXPECT_FALSE(maps(m, "libcrypto.so")) << m;
    EXPECT_FALSE(maps(m, "libmqtt_tls.so")) << m;
    EXPECT_FALSE(maps(m, "libpcap.so")) << m;
}

TEST_F(FootprintTest, TlsSubscriberLoadsTheTlsModuleAndOpenSsl) {
    const std::string m = maps_of_subscriber(
        {MQTT_SUB, "-d", "-h", "127.0.0.1", "-p", std::to_string(broker->tls_port), "--cafile",
         broker->files().ca_cert.string(), "-t", "footprint/tls"});
    EXPECT_TRUE(maps(m, "libmqtt_tls.so")) << m;
    EXPECT_TRUE(maps(m, "libssl.so")) << m;
    EXPECT_FALSE(maps(m, "libpcap.so")) << m;
}

TEST_F(FootprintTest, PcapSubscriberLoadsLibpcapAndWritesTheCapture) {
    const std::string capture = (dir / "sub.pcap").string();
    const std::string m =
        maps_of_subscriber(mqtt_sub({"-d", "-t", "footprint/pcap", "--pcap", capture}));
    EXPECT_TRUE(maps(m, "libpcap.so")) << m;
    EXPECT_FALSE(maps(m, "libssl.so")) << m;
    // The file is a capture: libpcap's magic number, then records (the handshake at least).
    const std::string bytes = slurp_file(capture);
    ASSERT_GE(bytes.size(), 24u + 16u);
    EXPECT_EQ(bytes.substr(0, 4), std::string("\xd4\xc3\xb2\xa1", 4));
}

// A host name is looked up on a thread that ends with the lookup: an idle subscriber keeps one
// thread, as it does when given an address (Asio's resolver would keep a second one, idle).
TEST_F(FootprintTest, SubscriberByHostNameKeepsOneThread) {
    auto sub = subscriber({MQTT_SUB, "-d", "-h", "localhost", "-p",
                           std::to_string(broker->plain_port), "-t", "footprint/name"});
    ASSERT_GT(sub->pid(), 0);
    EXPECT_EQ(status_field(sub->pid(), "Threads"), "1");
    sub->signal(SIGTERM);
    const exit_status done = sub->finish();
    EXPECT_EQ(done.code, 0) << done.err;
}

TEST_F(FootprintTest, ConnectingToolsAskTheLoaderForNeitherOpenSslNorLibpcap) {
    for (const char* tool : {MQTT_PUB, MQTT_SUB, MQTT_RR}) {
        const exit_status ldd = run({"ldd", tool});
        ASSERT_EQ(ldd.code, 0) << ldd.err;
        EXPECT_TRUE(maps(ldd.out, "libc.so")) << ldd.out;
        EXPECT_FALSE(maps(ldd.out, "libssl.so")) << tool << "\n" << ldd.out;
        EXPECT_FALSE(maps(ldd.out, "libcrypto.so")) << tool << "\n" << ldd.out;
        EXPECT_FALSE(maps(ldd.out, "libpcap.so")) << tool << "\n" << ldd.out;
    }
}

}  // namespace
}  // namespace mqtt::tools::test
