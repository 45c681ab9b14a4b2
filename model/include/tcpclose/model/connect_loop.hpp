// A client that connects in a loop to one server endpoint from a small ephemeral range, each
// connection a pair of real TCBs driven by step() over a lossless one-tick network, its port held
// in the core's BindTable until TIME-WAIT ends. Rule: a deterministic simulation of the core's
// rules under one schedule, not a model-checking result; nothing here decides a port by itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <tcpclose/core.hpp>
#include <tcpclose/ports.hpp>

namespace tcpclose::model {

// How the client gets its port for each connection (both are real Linux behaviours).
enum class PortPick : std::uint8_t {
  Bind0,     // bind() to port 0, then connect(): BindTable::bind picks a port free locally (Linux
             // inet_csk_find_open_port checks inet_csk_bind_conflict with relax false: a TIME-WAIT
             // on the port blocks it, SO_REUSEADDR or not)
  Autobind,  // connect() without bind(): a port is usable when the 4-tuple is unique (Linux
             // __inet_hash_connect / __inet_check_established); a TIME-WAIT with the same 4-tuple
             // blocks it unless tcp_tw_reuse lets connect() take it over (tcp_twsk_unique)
};
const char* name(PortPick p) noexcept;

struct LoopConfig {
  std::uint16_t ephemeral = 4;      // E: the client's range is [kFirstDynamicPort, +E)
  std::uint32_t time_wait = 3;      // ticks (Config::time_wait)
  PortPick pick = PortPick::Autobind;
  bool tw_reuse = false;            // Autobind only: Linux tcp_tw_reuse=1, the takeover of a TIME-WAIT
                                    // at least tw_reuse_delay ticks old (Linux: 1 s of timestamps)
  std::uint32_t tw_reuse_delay = 1;
  std::uint32_t every = 1;          // one connect() attempt every `every` ticks
  std::uint32_t ticks = 200;        // attempts are made in [0, ticks); the run then drains
  std::uint32_t warmup = 40;        // the steady rate is measured over [warmup, ticks)
  // Bind0: bind(0)'s errno once the range is exhausted (Config::ports_exhausted). The client is
  // Linux's (ip_local_port_range, tcp_tw_reuse, __inet_hash_connect), so its profile's by default.
  PortsExhausted ports_exhausted = linux_config().ports_exhausted;
  // A broken stack, for tests: the binding is released when TIME-WAIT begins, not when it ends.
  bool release_at_time_wait = false;
};

// Limits the simulation's fixed tables: checked by validate().
inline constexpr std::uint16_t kMaxEphemeral = 32;
inline constexpr std::uint32_t kMaxLoopTicks = 100000;
inline constexpr std::uint32_t kMaxLoopTimeWait = 1000;

struct LoopResult {
  std::uint64_t attempts = 0, successes = 0;  // connect() calls; those that got a port
  std::uint64_t addr_not_avail = 0;           // EADDRNOTAVAIL (autobind: no port; the 4-tuple in use;
                                              // bind(0) under PortsExhausted::AddrNotAvail)
  std::uint64_t addr_in_use = 0;              // EADDRINUSE (bind(0) under PortsExhausted::AddrInUse)
  std::uint64_t completed = 0;                // connections that reached CLOSED on both ends
  std::uint64_t taken_over = 0;               // TIME-WAITs that connect() took over (tw_reuse)
  std::int64_t first_failure = -1;            // tick of the first failed attempt, -1 none
  std::uint32_t hold = 0;                     // ticks from connect() to TIME-WAIT, as measured
  std::uint64_t window_successes = 0;         // successes in [warmup, ticks)
  std::uint32_t window = 0;                   // ticks - warmup
  bool stuck = false;                         // a connection that never closed (a bug)
  double rate() const noexcept { return window ? static_cast<double>(window_successes) / window : 0.0; }
};

// "" or why the configuration cannot run (names the field as the command line spells it).
std::string validate(const LoopConfig& c);
LoopResult run_connect_loop(const LoopConfig& c);

// The prediction the claim makes: E ports, each busy for hold + the time it stays blocked in
// TIME-WAIT (time_wait, or tw_reuse_delay when taken over), at most one attempt per `every`.
double predicted_rate(const LoopConfig& c, std::uint32_t hold) noexcept;
// The tick of the first failure the claim predicts, or -1: the (E+1)th attempt, when a port is
// not yet free by then.
std::int64_t predicted_first_failure(const LoopConfig& c, std::uint32_t hold) noexcept;

// bind() outcomes for a port of each RFC 6335 class, run on the core's BindTable: one row each.
struct BindCase {
  std::string port_class;   // system, user, dynamic, or ephemeral (port 0)
  std::uint16_t port = 0;
  std::string rule;         // the BindReuse rule, each with its profile's ports_exhausted
  std::string occupant;     // what holds the port when bind() is called
  bool reuseaddr = false;
  std::string result;       // "ok (port N)", "EADDRINUSE", "EADDRNOTAVAIL"
};
std::vector<BindCase> bind_cases();

}  // namespace tcpclose::model
