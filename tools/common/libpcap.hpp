// libpcap, loaded with dlopen the first time a capture is read or written. A tool that is not
// asked for --pcap never maps libpcap, nor what it links (libdbus, libsystemd, libgcrypt, lzma,
// zstd, lz4, ...: twelve shared libraries that cost a short mqtt-pub run about a third of its
// start-up and an idle mqtt-sub about a megabyte). The functions keep libpcap's own types and
// signatures (taken from <pcap/pcap.h> with decltype), so calling through this table reads like
// calling libpcap.
#pragma once

#include <pcap/pcap.h>

namespace mqtt::tools {

struct libpcap_functions {
    // Writing (pcap_writer)
    decltype(&::pcap_open_dead) open_dead;
    decltype(&::pcap_dump_open) dump_open;
    decltype(&::pcap_dump) dump;
    decltype(&::pcap_dump_flush) dump_flush;
    decltype(&::pcap_dump_file) dump_file;
    decltype(&::pcap_dump_close) dump_close;
    // Reading (capture_reader)
    decltype(&::pcap_open_offline) open_offline;
    decltype(&::pcap_fopen_offline) fopen_offline;
    decltype(&::pcap_datalink) datalink;
    decltype(&::pcap_datalink_val_to_name) datalink_val_to_name;
    decltype(&::pcap_next_ex) next_ex;
    decltype(&::pcap_file) file;
    // Both
    decltype(&::pcap_geterr) geterr;
    decltype(&::pcap_close) close;
};

// Loads libpcap on the first call (thread-safe) and returns its functions. Throws
// std::runtime_error when it cannot be loaded, naming the files tried and the package.
const libpcap_functions& libpcap();

}  // namespace mqtt::tools
