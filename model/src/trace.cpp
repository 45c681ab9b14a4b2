// Human-readable counterexamples (see trace.hpp).
#include "tcpclose/model/trace.hpp"

#include <fmt/format.h>

namespace tcpclose::model {
namespace {

const char* host_name(std::uint8_t h) { return h == 0 ? "A" : "B"; }

std::string pkt_text(const Pkt& p) {
  std::string s = fmt::format("{} seq={}", flag_text(p.flags).text, p.seq);
  if (p.flags & flag::ACK) s += fmt::format(" ack={}", p.ack);
  if (p.len) s += fmt::format(" len={}", p.len);
  s += ts_text(p);
  return s + fmt::format(" (inc {}, age {}{})", p.inc, p.age, p.late ? ", delayed" : "");
}

std::string doomed_note(const Violation& v) {
  std::string s = "     (from here no state with both TCBs CLOSED (or a TCB left half-open) is reachable";
  if (v.loop_from == Violation::kNoLoop) return s + "; every continuation runs forever without one)\n";
  return s + fmt::format("; steps {}-{} show a way to run forever without one)\n", v.doomed_at + 1, v.trace.size());
}

}  // namespace

// Relative to now (docs/model.md, "Timestamps").
std::string ts_text(const Pkt& p) {
  if (!p.has_ts) return "";
  return p.has_ts > 1 ? fmt::format(" TSval=now-{} step {}", p.age, p.has_ts - 1) : fmt::format(" TSval=now-{}", p.age);
}

std::string output_text(const Output& o, bool with_send) {
  std::string s;
  auto add = [&](const std::string& x) { s += s.empty() ? x : ", " + x; };
  if (o.verdict != Verdict::None && o.verdict != Verdict::Accepted) add(name(o.verdict));
  for (const Action& a : o.actions) {
    switch (a.kind) {
      case ActionKind::Send:
        if (!with_send) break;
        add(fmt::format("send {} seq={}{}{}", flag_text(o.actions.seg.flags).text,
                                             o.actions.seg.seq,
                                             o.actions.seg.has(flag::ACK) ? fmt::format(" ack={}", o.actions.seg.ack) : "",
                                             o.actions.seg.len ? fmt::format(" len={}", o.actions.seg.len) : ""));
        break;
      case ActionKind::Readable: add(fmt::format("{} bytes readable", a.n)); break;
      case ActionKind::Eof: add("end of stream"); break;
      case ActionKind::Error: add(fmt::format("app told {}", name(a.err))); break;
      case ActionKind::Connected: add("connected"); break;
      case ActionKind::ArmTimer: add(fmt::format("arm {} in {}", name(a.timer), a.n)); break;
      case ActionKind::CancelTimer: add(fmt::format("cancel {}", name(a.timer))); break;
    }
  }
  if (o.result != Err::None) add(fmt::format("returns {}", name(o.result)));
  else if (o.result_n) add(fmt::format("returns {}", o.result_n));
  return s;
}

std::string describe_step(const World&, std::size_t index, const TraceStep& st) {
  const Transition& tr = st.tr;
  std::string what;
  switch (tr.kind) {
    case MoveKind::Timer: what = fmt::format("{}: {} timer fires", host_name(tr.host), name(tr.timer)); break;
    case MoveKind::App: {
      what = fmt::format("{}: app {}", host_name(tr.host), name(tr.op));
      if (tr.op == Op::Connect && tr.ran_core) what += fmt::format(" (ISS {})", tr.out.tcb.iss);
      break;
    }
    case MoveKind::Deliver:
      what = fmt::format("net->{}  {}", tr.pkt.to_b ? "B" : "A", pkt_text(tr.pkt));
      if (tr.spawned) what += " to the listener";
      break;
    case MoveKind::Lose: what = fmt::format("net: lose {}", pkt_text(tr.pkt)); break;
    case MoveKind::Dup: what = fmt::format("net: duplicate {}", pkt_text(tr.pkt)); break;
    case MoveKind::Tick:
      what = tr.died ? fmt::format("tick ({} segment{} reached MSL and died)", tr.died, tr.died == 1 ? "" : "s")
                     : std::string("tick");
      break;
  }
  std::string line = fmt::format("#{:<3} {:<52}", index + 1, what);
  if (tr.ran_core) {
    const State from = tr.spawned ? State::Listen : tr.before.state;
    line += fmt::format(" {}: {} -> {}", host_name(tr.host), name(from), name(tr.out.tcb.state));
    const std::string acts = output_text(tr.out);
    if (!acts.empty()) line += fmt::format("  [{}]", acts);
  }
  if (tr.overflow) line += "  (network full: the sent segment was dropped)";
  for (std::uint8_t h = 0; h < 2; ++h)
    if (tr.settled & (1u << h)) line += fmt::format("  ({}'s application accepts or loops on)", host_name(h));
  return line;
}

std::string format_trace(const World& w, const Violation& v) {
  std::string out;
  if (v.doomed && v.doomed_at == 0) out += doomed_note(v);
  for (std::size_t i = 0; i < v.trace.size(); ++i) {
    out += describe_step(w, i, v.trace[i]) + "\n";
    if (v.doomed && i + 1 == v.doomed_at) out += doomed_note(v);
  }
  if (v.doomed && v.loop_from != Violation::kNoLoop)
    out += fmt::format("     (after step {} the state is the one after step {}: steps {}-{} repeat forever)\n",
                       v.trace.size(), v.loop_from, v.loop_from + 1, v.trace.size());
  if (v.terminal) out += "     (no further move is possible)\n";
  out += fmt::format("violated: {}: {}\n", name(v.property), statement(v.property));
  if (!v.replay_ok) out += "internal error: the replay did not reproduce the violation\n";
  return out;
}

}  // namespace tcpclose::model
