// Counterexamples in the forms people and tools consume: the text trace (model/trace.hpp), a
// Mermaid sequenceDiagram, and a pcap capture readable by Wireshark and tshark.
// Rule: each form is derived from the same replayed trace; nothing here re-runs the model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tcpclose/model/explorer.hpp>

namespace tcpclose::cli {

// Packetdrill is written by cex_script.hpp, from one host's side.
enum class TraceFormat : std::uint8_t { Text, Mermaid, Pcap, Packetdrill };
std::optional<TraceFormat> trace_format_from_name(std::string_view s);

// A Mermaid `sequenceDiagram`: participants A, the network and B; every segment sent or
// delivered with flags, seq, ack and incarnation; losses and duplications as notes over the
// network; state changes and calls as notes over each host; the violated property at the end.
std::string mermaid_trace(const model::World& w, const model::Violation& v);

// The capture's fixed facts (README, "Reading a counterexample"): documentation addresses
// (RFC 5737) for the hosts, the model's ports, and the time of each step.
inline constexpr std::uint32_t kPcapAddrA = 0xC0000201;  // 192.0.2.1
inline constexpr std::uint32_t kPcapAddrB = 0xC0000202;  // 192.0.2.2

// An RFC 7323 timestamps option (kind 8, length 10), after two NOPs so that it is 4-byte aligned.
struct TsOption {
  std::uint32_t val = 0, ecr = 0;
};

// One IPv4 + TCP packet, checksums filled in: no options, or the timestamps option when `ts` is
// given. `ip_id` goes in the IP identification field; the payload is `len` bytes of 'x'.
std::vector<std::uint8_t> ipv4_tcp_packet(std::uint32_t src, std::uint32_t dst, std::uint16_t sport,
                                          std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                                          std::uint8_t flags, std::uint16_t window, std::uint16_t len,
                                          std::uint16_t ip_id, std::optional<TsOption> ts = std::nullopt);

// The TSval of a delivered segment in the capture: the model's TSval (model::pkt_ts_val, minus
// the segment's age: relative to now) moved to an absolute clock that starts at kPcapTsBase with
// the trace and moves `steps` a model tick (World::ts_steps), so a segment sent at step j of tick t
// carries kPcapTsBase + t * steps + j.
inline constexpr std::uint32_t kPcapTsBase = 1000;
constexpr std::uint32_t pcap_ts_val(std::uint64_t ticks_now, const model::Pkt& p, std::uint32_t steps) {
  return static_cast<std::uint32_t>(kPcapTsBase + ticks_now * steps + model::pkt_ts_val(p, steps));
}

// Writes the trace's delivered segments as a pcap file (LINKTYPE_RAW). Returns an error
// message, or an empty string on success.
std::string write_pcap(const std::string& path, const model::World& w, const model::Violation& v);

// Writes `v` in `f` to `path`. Returns an error message, or an empty string on success.
std::string write_trace(const std::string& path, TraceFormat f, const model::World& w, const model::Violation& v);

// The file for one of several counterexamples: "out.pcap" -> "out.reopen-syn.no-stale-delivery.pcap".
std::string trace_path_for(const std::string& path, std::string_view scenario, std::string_view property);

// Whether `path` can be written (the file, or its directory when it does not exist yet).
// Returns an error message, or an empty string.
std::string check_writable(const std::string& path);
// Whether two output paths name one file (after resolving ".", ".." and symbolic links).
bool same_file(const std::string& a, const std::string& b);

}  // namespace tcpclose::cli
