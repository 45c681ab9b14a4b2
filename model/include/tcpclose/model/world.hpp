// The world around two cores: hosts A and B with applications, a lossy, duplicating,
// reordering network whose segments die at MSL, discrete time, and ghost incarnations.
// Rule: the WorldState is canonical and fixed-size (byte-wise equality and hashing); the core
// never sees a ghost field.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <tcpclose/core.hpp>

namespace tcpclose::model {

inline constexpr std::size_t kMaxInFlight = 4;               // per direction
inline constexpr std::size_t kMaxPkts = 2 * kMaxInFlight;
// World::ts_steps of `--ts-clock fine`: enough steps that no segment shares a TSval (successors.hpp,
// canonical_ts).
inline constexpr std::uint8_t kFineTsSteps = 8;
// The largest MSL the fine clock's packed segments hold: an age in the 4 bits below the step.
inline constexpr std::uint32_t kFineTsMaxMsl = 15;

// A segment in flight. The window is one of two values (0 in RSTs, RCV.WND otherwise). Its TSval,
// when it has one, is derived: the core stamps TSval = now = 0 and the segment keeps its age, so
// at delivery the TSval is -age (pkt_ts_val; docs/model.md, "Timestamps"), in clock steps
// -age * ts_steps + the step it was sent at. TSecr is not kept: the core never reads it.
struct Pkt {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t len = 0;       // bytes of text (Mover::send refuses more than 255: kPktOutOfBounds)
  std::uint8_t has_ts = 0;    // 1 + the clock step within its tick: an RFC 7323 timestamps option
                              // (World::ts_steps; 0: none, always with timestamps off)
  std::uint8_t flags = 0;
  std::uint8_t age = 0;       // ticks in flight; delivered only while age <= MSL
  std::uint8_t inc = 0;       // ghost: the incarnation (connection id) of the sender
  std::uint8_t to_b = 0;      // direction: 1 = A->B, 0 = B->A
  std::uint8_t wnd_full = 0;  // 1: window = RCV.WND; 0: window 0
  std::uint8_t late = 0;      // 1: delayed beyond the normal delay (spent the delay budget)
  friend constexpr bool operator==(const Pkt&, const Pkt&) = default;
};
// has_ts of a segment the model cannot hold (text beyond 255 bytes, a TSval other than now):
// the packed encoding refuses it, so the search stops with an error instead of wrapping.
inline constexpr std::uint8_t kPktOutOfBounds = 0xFF;

// Timestamps relative to now (docs/model.md, "Timestamps"). The core runs with now = 0, so every
// TSval it stamps is 0, and every stored one is kept as minus its age in ticks: each tick moves
// TS.Recent one tick into the past (a segment's TSval follows its age). The core compares
// TSvals only with each other, as serial numbers (seq_lt / paws_rejects), so a common shift of
// time changes no decision. TS.Recent's age saturates at MSL + 1: every TSval the core compares
// it with is that of a segment in flight, at most MSL ticks old, so an older TS.Recent compares
// the same way at any age beyond MSL.
//
// With a finer clock (World::ts_steps = S > 1) every value is in steps, S a tick: a segment sent at
// step j of its tick carries j (has_ts = 1 + j), so TS.Recent lies in (-(cap + 1) * S, S) and is
// kept as minus its age in steps; each tick moves it S steps back, up to the cap in steps. The
// argument is the same: at the cap it is older than any segment in flight (age <= MSL).
constexpr std::uint32_t ts_age(std::uint32_t ts) noexcept { return 0u - ts; }
constexpr std::uint32_t ts_age_cap(const Config& c) noexcept { return c.msl + 1; }
constexpr std::uint32_t pkt_ts_val(const Pkt& p, std::uint32_t steps) noexcept {
  return p.has_ts ? 0u - p.age * steps + (p.has_ts - 1u) : 0u;
}

// Application operations; a scenario is a program of these per host.
enum class Op : std::uint8_t {
  Listen,     // open a listener on our port (bind + listen; waits while bind fails)
  Unlisten,   // close the listener
  Connect,    // bind our fixed port and connect: a new incarnation (waits while refused)
  AwaitConn,  // wait until a new connection is established, or has failed
  Send,       // write `data` bytes if the connection can still send
  ReadEof,    // read until end of stream or an error
  ShutWr,     // shutdown(SHUT_WR)
  Close,      // close()
  Abort,      // close() with SO_LINGER {1, 0}
  Again,      // loop to `arg` while this host has had fewer than K connections
  End,
};

struct Instr {
  Op op = Op::End;
  std::uint8_t arg = 0;  // Again: target pc; Listen/Connect: 1 = SO_REUSEADDR; AwaitConn: 1 = accept
  friend constexpr bool operator==(const Instr&, const Instr&) = default;
};

inline constexpr std::size_t kMaxProgram = 12;
struct Program {
  std::array<Instr, kMaxProgram> code{};
  std::uint8_t size = 0;
};

enum class Scenario : std::uint8_t {
  ActiveClose, SimultaneousClose, HalfClose, EarlyClose, Abort, ReopenConnect,
  ReopenConnectReuse, ReopenSyn, ReopenAbort,
};
inline constexpr std::size_t kScenarioCount = 8;  // those of "all" (kAllScenarios)

enum class IsnPolicy : std::uint8_t {
  Adversarial,  // the ISS is last + 1 (a space overlapping the old one: the peer's old
                // segments land in the new window) or last + 2^30; it never repeats or goes back
  Clock,        // RFC 9293 §3.4.1 ISN clock: every ISS is 2^24 above the host's last
};

// Whether a Connect may take over its own TIME-WAIT 4-tuple before TIME-WAIT ends, as Linux's
// tcp_twsk_unique() lets it when timestamps were in use on the old connection (tw_ts_recent_stamp):
// with ISS = the old SND.NXT + 65537 ("write_seq = tw_snd_nxt + 65535 + 2"), the TIME-WAIT TCB
// discarded. With timestamps on (Config::timestamps) the TIME-WAIT must have them (Tcb::ts_ok) and
// both incarnations' segments carry TSvals, so PAWS guards the new one; with them off the model
// assumes the old connection had them but checks no TSval (docs/model.md).
enum class TwReuse : std::uint8_t {
  Off,    // TIME-WAIT holds the 4-tuple to its end (RFC 9293)
  Delay,  // net.ipv4.tcp_tw_reuse=1, connect() picking the port: once `tw_reuse_delay` ticks have
          // passed since TIME-WAIT began or last ACKed a FIN (Linux: a second after the last timestamp)
  Bound,  // bind() before connect(): tcp_twsk_unique() is called without twp and reuses at once,
          // whatever tcp_tw_reuse says (the bypass ip-sysctl.rst's tcp_tw_reuse warns about)
};

// Ghost bits of a host (read by properties only).
namespace ghost {
inline constexpr std::uint8_t Eof = 0x01;       // the application has read end of stream
inline constexpr std::uint8_t Error = 0x02;     // the application has seen an error
inline constexpr std::uint8_t Passive = 0x04;   // this incarnation's TCB went through CLOSE-WAIT
// Not a ghost: the application holds the TCB in the slot (it connected or accepted it). A TCB
// spawned or reopened from a SYN is not owned until accepted.
inline constexpr std::uint8_t Owned = 0x08;
}  // namespace ghost

namespace fault {
inline constexpr std::uint8_t Other = 0x01;    // a fault other than losing an ACK or a FIN
inline constexpr std::uint8_t RstLost = 0x02;  // a RST was lost
inline constexpr std::uint8_t Any = 0x04;      // any loss, death, overflow, duplication or delay
}  // namespace fault

struct HostState {
  Tcb tcb{};                 // remaining ticks in the deadlines: the core runs with now = 0
  std::uint8_t pc = 0;       // the application's program counter
  std::uint8_t inc = 0;      // ghost: incarnation of tcb (0: none yet)
  std::uint8_t app_inc = 0;  // the incarnation the application last accepted or connected
  std::uint8_t conns = 0;    // connections this application has made or accepted
  std::uint8_t listening = 0;
  std::uint8_t wrote = 0;    // ghost: bytes the application wrote in app_inc
  std::uint8_t read = 0;     // ghost: bytes the application read in app_inc
  std::uint8_t flags = 0;    // ghost:: bits
  std::uint8_t tw_age = 0;   // ghost: ticks since TIME-WAIT began or last ACKed a FIN
  std::uint8_t ts_step = 0;  // the TSval clock's step within this tick (World::ts_steps > 1)
  std::uint8_t pad_[2] = {0, 0};  // 104 bytes a host: whole words for the fingerprint
  Seq last_iss = 0;          // the ISN generator's state: the last ISS this host chose (0: none)
  friend constexpr bool operator==(const HostState&, const HostState&) = default;
};

struct WorldState {
  std::array<HostState, 2> h{};   // [0] = A, [1] = B
  std::array<Pkt, kMaxPkts> net{};  // sorted by (direction, contents); unused slots zero
  std::uint8_t n = 0;             // segments in flight
  std::uint8_t losses = 0;
  std::uint8_t dups = 0;
  std::uint8_t next_inc = 1;      // ghost: the next connection id
  std::uint8_t faults = 0;        // ghost: fault:: bits
  std::uint8_t delays = 0;        // segments delayed beyond the normal delay
  std::uint8_t pad_[2] = {0, 0};
  friend constexpr bool operator==(const WorldState&, const WorldState&) = default;
};
static_assert(std::is_trivially_copyable_v<WorldState>);
static_assert(std::has_unique_object_representations_v<WorldState>, "WorldState must have no padding");

// Everything that defines one model: the core's knobs (in ticks) and the world's bounds.
struct World {
  Config cfg{};
  Scenario scenario = Scenario::ActiveClose;
  IsnPolicy isn = IsnPolicy::Adversarial;
  std::uint8_t incarnations = 2;  // K: connections per application in the reopen scenarios
  std::uint8_t loss = 1;          // loss budget
  std::uint8_t dup = 1;           // duplication budget
  std::uint8_t delay = 1;         // delay budget: segments that may outlive the normal delay
                                  // (1 tick) and wander up to MSL
  std::uint8_t in_flight = 2;     // capacity per direction (<= kMaxInFlight)
  std::uint8_t data = 1;          // bytes per Send
  bool server_first = true;       // a client connects only while its peer listens (docs/model.md)
  TwReuse tw_reuse = TwReuse::Off;
  std::uint8_t tw_reuse_delay = 1;  // ticks, for TwReuse::Delay
  // The TSval clock's steps a tick (with timestamps on). 1: it ticks with the model, so segments
  // a host sends within one tick share a TSval. S > 1: each segment a host sends within a tick
  // takes the next of the tick's S steps, the last one shared by all beyond S - 1 (docs/model.md).
  std::uint8_t ts_steps = 1;
  std::array<Program, 2> prog{};
  std::array<std::uint16_t, 2> port = {21, 23};
  std::array<std::uint32_t, 2> addr = {0x0A000001, 0x0A000002};
  std::array<Seq, 2> isn_base = {1000, 5000};
};

// The model's defaults, in ticks: MSL 2, TIME-WAIT 2*MSL, RTO 1 doubling on each expiry (the
// profile's backoff), 3 retries (model/src/world.cpp).
// Timestamps are off, in every profile.
Config model_config(Profile p);
// `--timestamps on`: c with RFC 7323 timestamps, and PAWS as the profile has it (off in smoltcp's
// and rfc9293's; --paws decides after this). TSvals are relative to now (ts_age above).
Config model_timestamps(Config c, Profile p);
World make_world(Scenario s, const Config& cfg);
const char* name(Scenario s);
const char* describe(Scenario s);
const char* name(Op op);
inline constexpr std::array<Scenario, kScenarioCount> kAllScenarios = {
    Scenario::ActiveClose, Scenario::SimultaneousClose, Scenario::HalfClose, Scenario::EarlyClose,
    Scenario::Abort, Scenario::ReopenConnect, Scenario::ReopenConnectReuse, Scenario::ReopenSyn};
// Scenarios checked only when named (--scenario NAME): not in "all", whose pinned state counts
// and results they would otherwise move (the abort-instead-of-close experiment's reopening).
inline constexpr std::array<Scenario, 1> kExtraScenarios = {Scenario::ReopenAbort};

WorldState initial_state(const World& w);

// Whether two worlds differ at most in their scenario name and the SO_REUSEADDR flags of their
// Listen and Connect instructions (see reuse_sensitive in successors.hpp).
bool same_but_reuse(const World& a, const World& b);

}  // namespace tcpclose::model
