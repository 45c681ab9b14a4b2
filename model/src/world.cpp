// Scenario programs and the model's default knobs (see world.hpp).
#include "tcpclose/model/world.hpp"

namespace tcpclose::model {

Config model_config(Profile p) {
  Config c = profile_config(p);
  // Ticks of the model, not milliseconds: small enough to explore exhaustively, with the
  // relations that matter kept: RTO < MSL, TIME-WAIT = 2 MSL, and retries whose backed-off
  // total (1 + 2 + 4 + 8 ticks) outlasts two round trips of 2 MSL: the core keeps no
  // reassembly queue, so a FIN that overtakes its data costs a whole retransmission.
  c.tick_us = 0;  // abstract
  c.msl = 2;
  c.time_wait = 4;
  c.rto = 1;
  // A fixed RTO in ticks: the model has no RTT to measure (its network delivers in no time),
  // so RFC 6298 estimation would only add TCB fields that differ between equal states.
  c.rtt_estimate = false;
  c.tail_loss_probe = false;
  // No rate limit on answers: it would keep the tick of the last one in the TCB.
  c.oow_ack_interval = 0;
  // ACKs go at once, whatever the profile (Config::delayed_ack; --delayed-ack asks otherwise): a
  // delayed ACK only adds a timer to states, and the model's default results stay as they were.
  c.delayed_ack = DelayedAck::Off;
  c.delack_min = 1;  // in model ticks, should it be asked for
  c.delack_ato = 1;
  c.fin_retries = c.fin_retries == kUnlimitedRetries ? kUnlimitedRetries : 3;
  c.retries = c.retries == kUnlimitedRetries ? kUnlimitedRetries : 3;
  c.fin_wait2_timeout = 8;
  // Timestamps are off unless asked for (model_timestamps, `check --timestamps on`), whatever
  // the profile says: the model's default results and pinned counts are those without them.
  c.timestamps = false;
  c.paws = false;
  return c;
}

Config model_timestamps(Config c, Profile p) {
  c.timestamps = true;
  c.paws = profile_config(p).paws;
  return c;
}

namespace {

Program prog(std::initializer_list<Instr> code) {
  Program p;
  for (const Instr& i : code) p.code[p.size++] = i;
  return p;
}

constexpr std::uint8_t kReuse = 1;   // Listen/Connect: set SO_REUSEADDR first
constexpr std::uint8_t kAccept = 1;  // AwaitConn: wait for a new incoming connection

}  // namespace

World make_world(Scenario s, const Config& cfg) {
  World w;
  w.cfg = cfg;
  w.scenario = s;
  // The passive side in every scenario: accept a connection, read to the end, close.
  const Program server = prog({{Op::Listen, 0}, {Op::AwaitConn, kAccept}, {Op::ReadEof, 0},
                               {Op::Close, 0}, {Op::Unlisten, 0}, {Op::End, 0}});
  switch (s) {
    case Scenario::ActiveClose:
      w.prog[0] = prog({{Op::Connect, 0}, {Op::AwaitConn, 0}, {Op::Send, 0}, {Op::Close, 0},
                        {Op::End, 0}});
      w.prog[1] = server;
      break;
    case Scenario::SimultaneousClose:
      w.prog[0] = prog({{Op::Connect, 0}, {Op::AwaitConn, 0}, {Op::Close, 0}, {Op::End, 0}});
      w.prog[1] = prog({{Op::Listen, 0}, {Op::AwaitConn, kAccept}, {Op::Close, 0},
                        {Op::Unlisten, 0}, {Op::End, 0}});
      break;
    case Scenario::HalfClose:
      w.prog[0] = prog({{Op::Connect, 0}, {Op::AwaitConn, 0}, {Op::ShutWr, 0}, {Op::ReadEof, 0},
                        {Op::Close, 0}, {Op::End, 0}});
      w.prog[1] = prog({{Op::Listen, 0}, {Op::AwaitConn, kAccept}, {Op::ReadEof, 0}, {Op::Send, 0},
                        {Op::Close, 0}, {Op::Unlisten, 0}, {Op::End, 0}});
      break;
    case Scenario::EarlyClose:
      w.prog[0] = prog({{Op::Connect, 0}, {Op::Close, 0}, {Op::End, 0}});
      w.prog[1] = server;
      break;
    case Scenario::Abort:
      w.prog[0] = prog({{Op::Connect, 0}, {Op::AwaitConn, 0}, {Op::Send, 0}, {Op::Abort, 0},
                        {Op::End, 0}});
      w.prog[1] = server;
      break;
    case Scenario::ReopenConnect:
    case Scenario::ReopenConnectReuse: {
      const std::uint8_t reuse = s == Scenario::ReopenConnectReuse ? kReuse : 0;
      // A closes first (TIME-WAIT is A's) and connects again from the same port.
      w.prog[0] = prog({{Op::Connect, reuse}, {Op::AwaitConn, 0}, {Op::Send, 0}, {Op::Close, 0},
                        {Op::Again, 0}, {Op::End, 0}});
      w.prog[1] = prog({{Op::Listen, kReuse}, {Op::AwaitConn, kAccept}, {Op::ReadEof, 0},
                        {Op::Close, 0}, {Op::Again, 1}, {Op::Unlisten, 0}, {Op::End, 0}});
      break;
    }
    case Scenario::ReopenAbort:
      // A aborts (SO_LINGER 0: no TIME-WAIT) and connects again from the same port at once.
      w.prog[0] = prog({{Op::Connect, 0}, {Op::AwaitConn, 0}, {Op::Send, 0}, {Op::Abort, 0},
                        {Op::Again, 0}, {Op::End, 0}});
      w.prog[1] = prog({{Op::Listen, kReuse}, {Op::AwaitConn, kAccept}, {Op::ReadEof, 0},
                        {Op::Close, 0}, {Op::Again, 1}, {Op::Unlisten, 0}, {Op::End, 0}});
      break;
    case Scenario::ReopenSyn:
      // B closes first, so TIME-WAIT is B's; A's next SYN from the same port meets it.
      w.prog[0] = prog({{Op::Connect, 0}, {Op::AwaitConn, 0}, {Op::ReadEof, 0}, {Op::Close, 0},
                        {Op::Again, 0}, {Op::End, 0}});
      w.prog[1] = prog({{Op::Listen, kReuse}, {Op::AwaitConn, kAccept}, {Op::Send, 0}, {Op::Close, 0},
                        {Op::Again, 1}, {Op::Unlisten, 0}, {Op::End, 0}});
      break;
  }
  return w;
}

const char* name(Scenario s) {
  switch (s) {
    case Scenario::ActiveClose: return "active-close";
    case Scenario::SimultaneousClose: return "simultaneous-close";
    case Scenario::HalfClose: return "half-close";
    case Scenario::EarlyClose: return "early-close";
    case Scenario::Abort: return "abort";
    case Scenario::ReopenConnect: return "reopen-connect";
    case Scenario::ReopenConnectReuse: return "reopen-connect-reuseaddr";
    case Scenario::ReopenSyn: return "reopen-syn";
    case Scenario::ReopenAbort: return "reopen-abort";
  }
  return "?";
}

const char* describe(Scenario s) {
  switch (s) {
    case Scenario::ActiveClose: return "A connects, sends, closes first; B reads to EOF and closes";
    case Scenario::SimultaneousClose: return "both close as soon as they are connected; the FINs may cross";
    case Scenario::HalfClose: return "A shuts down writing, B still sends data, then both close";
    case Scenario::EarlyClose: return "A closes before the connection is established";
    case Scenario::Abort: return "A sends and aborts (SO_LINGER 0): a RST instead of a FIN";
    case Scenario::ReopenConnect: return "A closes first and connects again from the same port, K times";
    case Scenario::ReopenConnectReuse: return "as reopen-connect, A's socket uses SO_REUSEADDR";
    case Scenario::ReopenSyn: return "B closes first; A's new SYN from the same port meets B's TIME-WAIT, K times";
    case Scenario::ReopenAbort:
      return "A sends, aborts (SO_LINGER 0: a RST, no TIME-WAIT) and connects again from the same port, K times "
             "(only when named: not in \"all\")";
  }
  return "?";
}

const char* name(Op op) {
  switch (op) {
    case Op::Listen: return "listen";
    case Op::Unlisten: return "close(listener)";
    case Op::Connect: return "connect";
    case Op::AwaitConn: return "await-connection";
    case Op::Send: return "send";
    case Op::ReadEof: return "read";
    case Op::ShutWr: return "shutdown(SHUT_WR)";
    case Op::Close: return "close";
    case Op::Abort: return "abort";
    case Op::Again: return "again";
    case Op::End: return "end";
  }
  return "?";
}

WorldState initial_state(const World&) { return WorldState{}; }

bool same_but_reuse(const World& a, const World& b) {
  for (std::size_t host = 0; host < 2; ++host) {
    const Program& p = a.prog[host];
    const Program& q = b.prog[host];
    if (p.size != q.size) return false;
    for (std::size_t i = 0; i < kMaxProgram; ++i) {
      const Instr& x = p.code[i];
      const Instr& y = q.code[i];
      const bool flag_only = x.op == y.op && (x.op == Op::Listen || x.op == Op::Connect);
      if (!(x == y || flag_only)) return false;
    }
  }
  return a.cfg == b.cfg && a.isn == b.isn && a.incarnations == b.incarnations && a.loss == b.loss &&
         a.dup == b.dup && a.delay == b.delay && a.in_flight == b.in_flight && a.data == b.data &&
         a.server_first == b.server_first && a.port == b.port && a.addr == b.addr && a.isn_base == b.isn_base &&
         a.tw_reuse == b.tw_reuse && a.tw_reuse_delay == b.tw_reuse_delay;
}

}  // namespace tcpclose::model
