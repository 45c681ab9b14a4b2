// Text forms of core values (see format.hpp).
#include "format.hpp"

#include <fmt/format.h>

namespace tcpclose::fmtx {

std::string segment(const Segment& s, bool with_window) {
  std::string out = fmt::format("{} {}:{}({})", flag_text(s.flags).text, s.seq, s.seq + s.len, s.len);
  if (s.has(flag::ACK)) out += fmt::format(" ack {}", s.ack);
  if (with_window) out += fmt::format(" win {}", s.wnd);
  if (s.has_ts) out += fmt::format(" <TS val {} ecr {}>", s.ts_val, s.ts_ecr);
  return out;
}

static std::string join(const std::string& acc, const std::string& next) {
  return acc.empty() ? next : acc + "; " + next;
}

std::string sent(const Actions& a) {
  std::string out;
  for (const Action& x : a)
    if (x.kind == ActionKind::Send) out = join(out, segment(a.seg));
  return out.empty() ? "-" : out;
}

std::string app(const Actions& a) {
  std::string out;
  for (const Action& x : a) {
    switch (x.kind) {
      case ActionKind::Readable: out = join(out, fmt::format("readable {}", x.n)); break;
      case ActionKind::Eof: out = join(out, "eof"); break;
      case ActionKind::Error: out = join(out, name(x.err)); break;
      case ActionKind::Connected: out = join(out, "connected"); break;
      case ActionKind::Send: case ActionKind::ArmTimer: case ActionKind::CancelTimer: break;
    }
  }
  return out.empty() ? "-" : out;
}

std::string timers(const Actions& a) {
  std::string out;
  for (const Action& x : a) {
    if (x.kind == ActionKind::ArmTimer) out = join(out, fmt::format("arm {}@{}", name(x.timer), x.n));
    if (x.kind == ActionKind::CancelTimer) out = join(out, fmt::format("cancel {}", name(x.timer)));
  }
  return out.empty() ? "-" : out;
}

std::string tcb(const Tcb& t) {
  std::string out = fmt::format("{} snd.una={} snd.nxt={} rcv.nxt={}", name(t.state), t.snd_una,
                                t.snd_nxt, t.rcv_nxt);
  if (t.fin_sent) out += fmt::format(" fin@{}{}", t.fin_seq, t.fin_acked ? "(acked)" : "");
  if (t.fin_rcvd) out += " peer-fin";
  if (t.rcv_unread > 0) out += fmt::format(" unread={}", t.rcv_unread);
  if (t.so_error != Err::None) out += fmt::format(" so_error={}", name(t.so_error));
  for (std::size_t i = 0; i < kTimerCount; ++i)
    if (t.deadline[i] != kNever) out += fmt::format(" {}@{}", name(static_cast<Timer>(i)), t.deadline[i]);
  return out;
}

}  // namespace tcpclose::fmtx
