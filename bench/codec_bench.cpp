// Codec speed: scripts/bench prints ns per packet (Time column), packets/s and MB/s.
// Aims on the 2-core CI machine: decode and encode of the QoS 1 PUBLISH under 100 ns each.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"

namespace {

using namespace mqtt;

// QoS 1 PUBLISH: 16-byte topic, 64-byte payload, two properties.
const std::string_view topic16 = "sensors/room1/t0";
const std::vector<std::uint8_t> payload64(64, 0x5A);

publish sample_publish() {
    publish p;
    p.qos = qos::at_least_once;
    p.packet_id = 4242;
    p.topic = topic16;
    p.payload = payload64;
    p.props.message_expiry_interval = 3600;
    p.props.content_type = "application/json";
    return p;
}

const string_pair connect_user_props[] = {{"site", "lab-3"}, {"fw", "2.4.1"}};
const std::uint8_t password[] = {'s', '3', 'c', 'r', '3', 't'};

connect sample_connect() {
    connect c;
    c.client_id = "bench-client-0001";
    c.keep_alive = 60;
    c.clean_start = false;
    c.username = "alice";
    c.password = bytes_view(password);
    c.props.session_expiry_interval = 3600;
    c.props.receive_maximum = 100;
    c.props.topic_alias_maximum = 10;
    c.props.user_properties = std::span<const string_pair>(connect_user_props);
    will_message w;
    w.topic = "devices/bench-client-0001/status";
    w.payload = as_bytes("offline");
    w.qos = qos::at_least_once;
    w.retain = true;
    w.props.will_delay_interval = 5;
    w.props.content_type = "text/plain";
    c.will = w;
    return c;
}

std::vector<std::uint8_t> encoded(const packet& p) {
    std::vector<std::uint8_t> out(*encoded_size(p));
    encode(p, out);
    return out;
}

// Decoding and encoding one packet (its views point at static data).
void decode_bench(benchmark::State& state, const packet& p) {
    const auto bytes = encoded(p);
    for (auto _ : state) {
        decode_result r = decode(bytes);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(std::int64_t(state.iterations() * bytes.size()));
}

void encode_bench(benchmark::State& state, const packet& p) {
    std::vector<std::uint8_t> out(*encoded_size(p));
    for (auto _ : state) {
        benchmark::DoNotOptimize(encode(p, out));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(std::int64_t(state.iterations() * out.size()));
}

void BM_DecodePublishQoS1(benchmark::State& state) {
    decode_bench(state, sample_publish());
}
void BM_EncodePublishQoS1(benchmark::State& state) {
    encode_bench(state, sample_publish());
}
void BM_DecodeConnectWithWill(benchmark::State& state) {
    decode_bench(state, sample_connect());
}
void BM_EncodeConnectWithWill(benchmark::State& state) {
    encode_bench(state, sample_connect());
}
BENCHMARK(BM_DecodePublishQoS1);
BENCHMARK(BM_EncodePublishQoS1);
BENCHMARK(BM_DecodeConnectWithWill);
BENCHMARK(BM_EncodeConnectWithWill);

// A 1 MiB stream of mixed packets (PUBLISH QoS 0/1, PUBACK, PINGREQ, SUBSCRIBE), fed to the
// framer in 1,460-byte chunks (one TCP segment), each framed packet decoded.
void BM_FrameAndDecodeStream1MiB(benchmark::State& state) {
    std::vector<std::uint8_t> stream;
    std::mt19937 rng(7);
    const subscription subs[] = {{"a/+/c", qos::at_least_once}};
    std::size_t packets = 0;
    while (stream.size() < (1u << 20)) {
        packet p;
        switch (rng() % 5) {
            case 0:
                p = sample_publish();
                break;
            case 1: {
                publish q = sample_publish();
                q.qos = qos::at_most_once;
                p = q;
                break;
            }
            case 2:
                p = puback{7, reason_code::success, {}};
                break;
            case 3:
                p = pingreq{};
                break;
            default: {
                subscribe s;
                s.packet_id = 9;
                s.subscriptions = std::span<const subscription>(subs);
                p = s;
            }
        }
        const auto bytes = encoded(p);
        stream.insert(stream.end(), bytes.begin(), bytes.end());
        ++packets;
    }
    framer f;
    for (auto _ : state) {
        std::size_t decoded = 0;
        for (std::size_t pos = 0; pos < stream.size(); pos += 1460) {
            bytes_view in =
                bytes_view(stream).subspan(pos, std::min<std::size_t>(1460, stream.size() - pos));
            while (!in.empty()) {
                const frame_result r = f.feed(in);
                in = in.subspan(r.consumed);
                if (r.status == decode_status::complete) {
                    decode_result d = decode(r.packet);
                    benchmark::DoNotOptimize(d);
                    ++decoded;
                } else if (r.status == decode_status::error) {
                    state.SkipWithError("framing error");
                    return;
                }
            }
        }
        if (decoded != packets) state.SkipWithError("lost packets");
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * packets));
    state.SetBytesProcessed(std::int64_t(state.iterations() * stream.size()));
}
BENCHMARK(BM_FrameAndDecodeStream1MiB)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
