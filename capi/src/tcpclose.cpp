// The C API (<tcpclose/tcpclose.h>) over the C++ core. Rule: the C structs are the core's
// layout; the static_asserts below fail the build the day they drift apart. Conversions are
// still written field by field (the asserts guard layout, the code does not depend on it).
#include "tcpclose/tcpclose.h"

#include <cstddef>

#include <tcpclose/core.hpp>

namespace {

using namespace tcpclose;

// Enumerations: the same values in the same order.
static_assert(TCPCLOSE_STATE_COUNT == kStateCount);
static_assert(TCPCLOSE_CLOSED == static_cast<int>(State::Closed) && TCPCLOSE_LISTEN == static_cast<int>(State::Listen) &&
              TCPCLOSE_SYN_SENT == static_cast<int>(State::SynSent) &&
              TCPCLOSE_SYN_RECEIVED == static_cast<int>(State::SynReceived) &&
              TCPCLOSE_ESTABLISHED == static_cast<int>(State::Established) &&
              TCPCLOSE_FIN_WAIT_1 == static_cast<int>(State::FinWait1) &&
              TCPCLOSE_FIN_WAIT_2 == static_cast<int>(State::FinWait2) &&
              TCPCLOSE_CLOSE_WAIT == static_cast<int>(State::CloseWait) &&
              TCPCLOSE_CLOSING == static_cast<int>(State::Closing) && TCPCLOSE_LAST_ACK == static_cast<int>(State::LastAck) &&
              TCPCLOSE_TIME_WAIT == static_cast<int>(State::TimeWait));
static_assert(TCPCLOSE_OK == static_cast<int>(Err::None) && TCPCLOSE_ECONNRESET == static_cast<int>(Err::ConnReset) &&
              TCPCLOSE_EPIPE == static_cast<int>(Err::Pipe) && TCPCLOSE_ETIMEDOUT == static_cast<int>(Err::TimedOut) &&
              TCPCLOSE_ECONNREFUSED == static_cast<int>(Err::ConnRefused) &&
              TCPCLOSE_ENOTCONN == static_cast<int>(Err::NotConn) && TCPCLOSE_EISCONN == static_cast<int>(Err::IsConn) &&
              TCPCLOSE_EALREADY == static_cast<int>(Err::Already) && TCPCLOSE_EADDRINUSE == static_cast<int>(Err::AddrInUse) &&
              TCPCLOSE_EADDRNOTAVAIL == static_cast<int>(Err::AddrNotAvail) &&
              TCPCLOSE_EINVAL == static_cast<int>(Err::Inval) && TCPCLOSE_EAGAIN == static_cast<int>(Err::Again) &&
              TCPCLOSE_EINPROGRESS == static_cast<int>(Err::InProgress));
constexpr int kErrCount = TCPCLOSE_EINPROGRESS + 1;
static_assert(TCPCLOSE_FIN == flag::FIN && TCPCLOSE_SYN == flag::SYN && TCPCLOSE_RST == flag::RST &&
              TCPCLOSE_PSH == flag::PSH && TCPCLOSE_ACK == flag::ACK);
static_assert(TCPCLOSE_TIMER_COUNT == kTimerCount && TCPCLOSE_NEVER == kNever &&
              TCPCLOSE_TIMER_REXMIT == static_cast<int>(Timer::Rexmit) &&
              TCPCLOSE_TIMER_2MSL == static_cast<int>(Timer::TimeWait) &&
              TCPCLOSE_TIMER_FIN_WAIT_2 == static_cast<int>(Timer::FinWait2) &&
              TCPCLOSE_TIMER_DELAYED_ACK == static_cast<int>(Timer::DelAck));
static_assert(TCPCLOSE_DELAYED_ACK_OFF == static_cast<int>(DelayedAck::Off) &&
              TCPCLOSE_DELAYED_ACK_LINUX_FIN == static_cast<int>(DelayedAck::LinuxFin) &&
              TCPCLOSE_DELAYED_ACK_FREEBSD_DATA == static_cast<int>(DelayedAck::FreeBsdData));
static_assert(TCPCLOSE_SHUT_RD == static_cast<int>(Shut::Rd) && TCPCLOSE_SHUT_WR == static_cast<int>(Shut::Wr) &&
              TCPCLOSE_SHUT_RDWR == static_cast<int>(Shut::RdWr));
static_assert(TCPCLOSE_IN_SEGMENT == static_cast<int>(InputKind::Segment) &&
              TCPCLOSE_IN_LISTEN == static_cast<int>(InputKind::Listen) &&
              TCPCLOSE_IN_CONNECT == static_cast<int>(InputKind::Connect) &&
              TCPCLOSE_IN_SEND == static_cast<int>(InputKind::Send) &&
              TCPCLOSE_IN_RECEIVE == static_cast<int>(InputKind::Receive) &&
              TCPCLOSE_IN_SHUTDOWN == static_cast<int>(InputKind::Shutdown) &&
              TCPCLOSE_IN_CLOSE == static_cast<int>(InputKind::Close) &&
              TCPCLOSE_IN_ABORT == static_cast<int>(InputKind::Abort) &&
              TCPCLOSE_IN_TIMEOUT == static_cast<int>(InputKind::Timeout) && TCPCLOSE_IN_TIMEOUT + 1 == kInputKindCount);
static_assert(TCPCLOSE_VERDICT_NONE == static_cast<int>(Verdict::None) &&
              TCPCLOSE_ACCEPTED == static_cast<int>(Verdict::Accepted) &&
              TCPCLOSE_DROPPED_ACKED == static_cast<int>(Verdict::DroppedAcked) &&
              TCPCLOSE_DROPPED == static_cast<int>(Verdict::Dropped) &&
              TCPCLOSE_CHALLENGE_ACKED == static_cast<int>(Verdict::ChallengeAcked) &&
              TCPCLOSE_RESET == static_cast<int>(Verdict::Reset));
static_assert(TCPCLOSE_EFFECT_DATA == effect::Data && TCPCLOSE_EFFECT_FIN == effect::Fin &&
              TCPCLOSE_EFFECT_ACKED_NEW == effect::AckedNew && TCPCLOSE_EFFECT_RST_ABORT == effect::RstAbort &&
              TCPCLOSE_EFFECT_REOPENED == effect::Reopened);
static_assert(TCPCLOSE_ACT_SEND == static_cast<int>(ActionKind::Send) &&
              TCPCLOSE_ACT_READABLE == static_cast<int>(ActionKind::Readable) &&
              TCPCLOSE_ACT_EOF == static_cast<int>(ActionKind::Eof) &&
              TCPCLOSE_ACT_ERROR == static_cast<int>(ActionKind::Error) &&
              TCPCLOSE_ACT_CONNECTED == static_cast<int>(ActionKind::Connected) &&
              TCPCLOSE_ACT_ARM_TIMER == static_cast<int>(ActionKind::ArmTimer) &&
              TCPCLOSE_ACT_CANCEL_TIMER == static_cast<int>(ActionKind::CancelTimer));
static_assert(TCPCLOSE_MAX_ACTIONS == kMaxActions);
static_assert(TCPCLOSE_PROFILE_SMOLTCP + 1 == kProfileCount &&
              TCPCLOSE_PROFILE_LINUX == static_cast<int>(Profile::Linux));
static_assert(TCPCLOSE_RST_ERRORS_LINUX == static_cast<int>(RstErrors::Linux) &&
              TCPCLOSE_RST_ERRORS_FREEBSD == static_cast<int>(RstErrors::FreeBsd) &&
              TCPCLOSE_BIND_REUSE_BOTH == static_cast<int>(BindReuse::BothReuse) &&
              TCPCLOSE_BIND_REUSE_CONNECTIONS == static_cast<int>(BindReuse::Connections) &&
              TCPCLOSE_PORTS_EXHAUSTED_EADDRNOTAVAIL == static_cast<int>(PortsExhausted::AddrNotAvail) &&
              TCPCLOSE_PORTS_EXHAUSTED_EADDRINUSE == static_cast<int>(PortsExhausted::AddrInUse));
static_assert(TCPCLOSE_TW_RST_KILL == static_cast<int>(RstInTimeWait::Kill) &&
              TCPCLOSE_RST_EXACT == static_cast<int>(RstAcceptance::Exact) &&
              TCPCLOSE_SYN_DROP == static_cast<int>(SynAcceptance::Drop) &&
              TCPCLOSE_SYN_WINDOW_OR_CHALLENGE == static_cast<int>(SynAcceptance::WindowOrChallenge) &&
              TCPCLOSE_REOPEN_SEQ_OR_TIMESTAMP == static_cast<int>(SynReopen::SeqOrTimestamp) &&
              TCPCLOSE_REOPEN_ISS_ABOVE_SND_NXT == static_cast<int>(ReopenIss::AboveSndNxt) &&
              TCPCLOSE_FW2_ORPHAN_ONLY == static_cast<int>(FinWait2Timeout::OrphanOnly) &&
              TCPCLOSE_TW_RESTART_ON_ANSWER == static_cast<int>(TimeWaitRestart::OnAnswer) &&
              TCPCLOSE_MUTANT_NO_WINDOW_CHECK + 1 == kMutantCount &&
              TCPCLOSE_UNLIMITED_RETRIES == kUnlimitedRetries);

// Layout: the structs a harness copies are the core's, byte for byte.
#define SAME_FIELD(C, Cpp, f) static_assert(offsetof(C, f) == offsetof(Cpp, f), #C "." #f " moved")
static_assert(sizeof(tcpclose_segment) == sizeof(Segment));
SAME_FIELD(tcpclose_segment, Segment, seq); SAME_FIELD(tcpclose_segment, Segment, ack);
SAME_FIELD(tcpclose_segment, Segment, len); SAME_FIELD(tcpclose_segment, Segment, wnd);
SAME_FIELD(tcpclose_segment, Segment, ts_val); SAME_FIELD(tcpclose_segment, Segment, ts_ecr);
SAME_FIELD(tcpclose_segment, Segment, flags); SAME_FIELD(tcpclose_segment, Segment, has_ts);
SAME_FIELD(tcpclose_segment, Segment, sack_perm);
static_assert(sizeof(tcpclose_input) == sizeof(Input));
SAME_FIELD(tcpclose_input, Input, kind); SAME_FIELD(tcpclose_input, Input, timer); SAME_FIELD(tcpclose_input, Input, how);
SAME_FIELD(tcpclose_input, Input, now); SAME_FIELD(tcpclose_input, Input, n); SAME_FIELD(tcpclose_input, Input, iss);
SAME_FIELD(tcpclose_input, Input, seg);
static_assert(sizeof(tcpclose_tcb) == sizeof(Tcb));
SAME_FIELD(tcpclose_tcb, Tcb, state); SAME_FIELD(tcpclose_tcb, Tcb, so_error); SAME_FIELD(tcpclose_tcb, Tcb, retries);
SAME_FIELD(tcpclose_tcb, Tcb, fin_sent); SAME_FIELD(tcpclose_tcb, Tcb, fin_acked); SAME_FIELD(tcpclose_tcb, Tcb, fin_rcvd);
SAME_FIELD(tcpclose_tcb, Tcb, ts_ok); SAME_FIELD(tcpclose_tcb, Tcb, orphan); SAME_FIELD(tcpclose_tcb, Tcb, rd_shut);
SAME_FIELD(tcpclose_tcb, Tcb, wr_shut); SAME_FIELD(tcpclose_tcb, Tcb, passive); SAME_FIELD(tcpclose_tcb, Tcb, was_synced);
SAME_FIELD(tcpclose_tcb, Tcb, iss); SAME_FIELD(tcpclose_tcb, Tcb, irs); SAME_FIELD(tcpclose_tcb, Tcb, snd_una);
SAME_FIELD(tcpclose_tcb, Tcb, snd_nxt); SAME_FIELD(tcpclose_tcb, Tcb, snd_wnd); SAME_FIELD(tcpclose_tcb, Tcb, rcv_nxt);
SAME_FIELD(tcpclose_tcb, Tcb, rcv_wnd); SAME_FIELD(tcpclose_tcb, Tcb, fin_seq); SAME_FIELD(tcpclose_tcb, Tcb, ts_recent);
SAME_FIELD(tcpclose_tcb, Tcb, last_ack_sent); SAME_FIELD(tcpclose_tcb, Tcb, rcv_unread);
SAME_FIELD(tcpclose_tcb, Tcb, rtt_timing); SAME_FIELD(tcpclose_tcb, Tcb, rtt_time); SAME_FIELD(tcpclose_tcb, Tcb, oow_ack_at);
SAME_FIELD(tcpclose_tcb, Tcb, sack_ok); SAME_FIELD(tcpclose_tcb, Tcb, tlp_sent); SAME_FIELD(tcpclose_tcb, Tcb, data_rcvd);
SAME_FIELD(tcpclose_tcb, Tcb, srtt); SAME_FIELD(tcpclose_tcb, Tcb, rttvar);
SAME_FIELD(tcpclose_tcb, Tcb, deadline);
static_assert(sizeof(tcpclose_action) == sizeof(Action));
SAME_FIELD(tcpclose_action, Action, kind); SAME_FIELD(tcpclose_action, Action, timer);
SAME_FIELD(tcpclose_action, Action, err); SAME_FIELD(tcpclose_action, Action, n);
#undef SAME_FIELD

Segment to_core(const tcpclose_segment& s) {
  Segment g;
  g.seq = s.seq; g.ack = s.ack; g.len = s.len; g.wnd = s.wnd; g.ts_val = s.ts_val; g.ts_ecr = s.ts_ecr;
  g.flags = s.flags; g.has_ts = s.has_ts; g.sack_perm = s.sack_perm;
  return g;
}
tcpclose_segment to_c(const Segment& g) {
  tcpclose_segment s{};
  s.seq = g.seq; s.ack = g.ack; s.len = g.len; s.wnd = g.wnd; s.ts_val = g.ts_val; s.ts_ecr = g.ts_ecr;
  s.flags = g.flags; s.has_ts = g.has_ts; s.sack_perm = g.sack_perm;
  return s;
}

Tcb to_core(const tcpclose_tcb& c) {
  Tcb t;
  t.state = static_cast<State>(c.state); t.so_error = static_cast<Err>(c.so_error); t.retries = c.retries;
  t.fin_sent = c.fin_sent; t.fin_acked = c.fin_acked; t.fin_rcvd = c.fin_rcvd; t.ts_ok = c.ts_ok;
  t.orphan = c.orphan; t.rd_shut = c.rd_shut; t.wr_shut = c.wr_shut; t.passive = c.passive;
  t.was_synced = c.was_synced; t.iss = c.iss; t.irs = c.irs; t.snd_una = c.snd_una; t.snd_nxt = c.snd_nxt;
  t.snd_wnd = c.snd_wnd; t.rcv_nxt = c.rcv_nxt; t.rcv_wnd = c.rcv_wnd; t.fin_seq = c.fin_seq;
  t.ts_recent = c.ts_recent; t.last_ack_sent = c.last_ack_sent; t.rcv_unread = c.rcv_unread;
  t.rtt_timing = c.rtt_timing; t.rtt_time = c.rtt_time; t.oow_ack_at = c.oow_ack_at; t.srtt = c.srtt; t.rttvar = c.rttvar;
  t.sack_ok = c.sack_ok; t.tlp_sent = c.tlp_sent; t.data_rcvd = c.data_rcvd;
  for (std::size_t i = 0; i < kTimerCount; ++i) t.deadline[i] = c.deadline[i];
  return t;
}
tcpclose_tcb to_c(const Tcb& t) {
  tcpclose_tcb c{};
  c.state = static_cast<std::uint8_t>(t.state); c.so_error = static_cast<std::uint8_t>(t.so_error);
  c.retries = t.retries; c.fin_sent = t.fin_sent; c.fin_acked = t.fin_acked; c.fin_rcvd = t.fin_rcvd;
  c.ts_ok = t.ts_ok; c.orphan = t.orphan; c.rd_shut = t.rd_shut; c.wr_shut = t.wr_shut; c.passive = t.passive;
  c.was_synced = t.was_synced; c.iss = t.iss; c.irs = t.irs; c.snd_una = t.snd_una; c.snd_nxt = t.snd_nxt;
  c.snd_wnd = t.snd_wnd; c.rcv_nxt = t.rcv_nxt; c.rcv_wnd = t.rcv_wnd; c.fin_seq = t.fin_seq;
  c.ts_recent = t.ts_recent; c.last_ack_sent = t.last_ack_sent; c.rcv_unread = t.rcv_unread;
  c.rtt_timing = t.rtt_timing; c.rtt_time = t.rtt_time; c.oow_ack_at = t.oow_ack_at; c.srtt = t.srtt; c.rttvar = t.rttvar;
  c.sack_ok = t.sack_ok; c.tlp_sent = t.tlp_sent; c.data_rcvd = t.data_rcvd;
  for (std::size_t i = 0; i < kTimerCount; ++i) c.deadline[i] = t.deadline[i];
  return c;
}

Config to_core(const tcpclose_config& c) {
  Config k;
  k.tick_us = c.tick_us; k.msl = c.msl; k.time_wait = c.time_wait;
  k.rst_in_time_wait = static_cast<RstInTimeWait>(c.rst_in_time_wait);
  k.rst_acceptance = static_cast<RstAcceptance>(c.rst_acceptance);
  k.syn_acceptance = static_cast<SynAcceptance>(c.syn_acceptance);
  k.syn_reopen = static_cast<SynReopen>(c.syn_reopen);
  k.reopen_iss = static_cast<ReopenIss>(c.reopen_iss);
  k.timestamps = c.timestamps; k.paws = c.paws;
  k.fin_wait2 = static_cast<FinWait2Timeout>(c.fin_wait2);
  k.fin_wait2_timeout = c.fin_wait2_timeout;
  k.time_wait_restart = static_cast<TimeWaitRestart>(c.time_wait_restart);
  k.tw_challenge_ack = c.tw_challenge_ack; k.rst_on_close_unread = c.rst_on_close_unread;
  k.rst_on_data_after_close = c.rst_on_data_after_close; k.rto = c.rto; k.rto_backoff = c.rto_backoff;
  k.fin_retries = c.fin_retries; k.retries = c.retries; k.rcv_wnd = c.rcv_wnd;
  k.snd_buf = c.snd_buf; k.tw_drop_without_ack = c.tw_drop_without_ack;
  k.rst_errors = static_cast<RstErrors>(c.rst_errors); k.read_eof_before_error = c.read_eof_before_error;
  k.bind_reuse = static_cast<BindReuse>(c.bind_reuse);
  k.ports_exhausted = static_cast<PortsExhausted>(c.ports_exhausted);
  k.trim_old_duplicates = c.trim_old_duplicates; k.ack_resends_fin = c.ack_resends_fin;
  k.drop_synfin = c.drop_synfin;
  k.syn_sent_text = c.syn_sent_text; k.fast_open = c.fast_open;
  k.rtt_estimate = c.rtt_estimate; k.rto_floor = c.rto_floor; k.rto_var_min = c.rto_var_min;
  k.rto_slop = c.rto_slop; k.rto_max = c.rto_max; k.tail_loss_probe = c.tail_loss_probe;
  k.oow_ack_interval = c.oow_ack_interval;
  k.abort_rst_any_synced = c.abort_rst_any_synced;
  k.ts_recent_needs_valid_ack = c.ts_recent_needs_valid_ack;
  k.old_ack_challenge = c.old_ack_challenge;
  k.tw_ack_unless_duplicate = c.tw_ack_unless_duplicate;
  k.tw_ts_recent_update = c.tw_ts_recent_update;
  k.tw_paws_rst = c.tw_paws_rst;
  k.tw_socket_closed = c.tw_socket_closed;
  k.no_ack_dropped_first = c.no_ack_dropped_first;
  k.fin_wait2_timewait = c.fin_wait2_timewait;
  k.after_fin_ignored = c.after_fin_ignored;
  k.rst_on_data_past_rcv_nxt = c.rst_on_data_past_rcv_nxt;
  k.past_window_accepted = c.past_window_accepted;
  k.call_errors = static_cast<CallErrors>(c.call_errors);
  k.delayed_ack = static_cast<DelayedAck>(c.delayed_ack);
  k.delack_min = c.delack_min; k.delack_ato = c.delack_ato;
  k.mutant = static_cast<Mutant>(c.mutant);
  return k;
}

// The core's switches have no default: a value outside an enum must never reach them.
bool valid(const tcpclose_tcb& t, const tcpclose_input& in, const tcpclose_config& c) {
  return t.state < kStateCount && t.so_error < kErrCount && in.kind < kInputKindCount && in.timer < kTimerCount &&
         in.how <= TCPCLOSE_SHUT_RDWR && c.rst_in_time_wait <= TCPCLOSE_TW_RST_KILL &&
         c.rst_acceptance <= TCPCLOSE_RST_EXACT && c.syn_acceptance <= TCPCLOSE_SYN_WINDOW_OR_CHALLENGE &&
         c.syn_reopen <= TCPCLOSE_REOPEN_SEQ_OR_TIMESTAMP && c.reopen_iss <= TCPCLOSE_REOPEN_ISS_ABOVE_SND_NXT &&
         c.fin_wait2 <= TCPCLOSE_FW2_ORPHAN_ONLY && c.time_wait_restart <= TCPCLOSE_TW_RESTART_ON_ANSWER &&
         c.rst_errors <= TCPCLOSE_RST_ERRORS_FREEBSD && c.bind_reuse <= TCPCLOSE_BIND_REUSE_CONNECTIONS &&
         c.ports_exhausted <= TCPCLOSE_PORTS_EXHAUSTED_EADDRINUSE &&
         c.call_errors <= TCPCLOSE_CALL_ERRORS_LINUX && c.delayed_ack <= TCPCLOSE_DELAYED_ACK_FREEBSD_DATA &&
         c.mutant < kMutantCount;
}

}  // namespace

extern "C" {

int tcpclose_config_init(tcpclose_config* cfg, int profile) {
  if (profile < 0 || static_cast<std::size_t>(profile) >= kProfileCount) return -1;
  const Config k = profile_config(static_cast<Profile>(profile));
  tcpclose_config c{};
  c.tick_us = k.tick_us; c.msl = k.msl; c.time_wait = k.time_wait; c.fin_wait2_timeout = k.fin_wait2_timeout;
  c.rto = k.rto; c.rcv_wnd = k.rcv_wnd; c.snd_buf = k.snd_buf;
  c.tw_drop_without_ack = k.tw_drop_without_ack;
  c.rst_errors = static_cast<std::uint8_t>(k.rst_errors);
  c.read_eof_before_error = k.read_eof_before_error;
  c.bind_reuse = static_cast<std::uint8_t>(k.bind_reuse);
  c.ports_exhausted = static_cast<std::uint8_t>(k.ports_exhausted);
  c.trim_old_duplicates = k.trim_old_duplicates; c.ack_resends_fin = k.ack_resends_fin;
  c.drop_synfin = k.drop_synfin;
  c.syn_sent_text = k.syn_sent_text; c.fast_open = k.fast_open;
  c.abort_rst_any_synced = k.abort_rst_any_synced;
  c.ts_recent_needs_valid_ack = k.ts_recent_needs_valid_ack;
  c.old_ack_challenge = k.old_ack_challenge;
  c.tw_ack_unless_duplicate = k.tw_ack_unless_duplicate;
  c.tw_ts_recent_update = k.tw_ts_recent_update;
  c.tw_paws_rst = k.tw_paws_rst;
  c.tw_socket_closed = k.tw_socket_closed;
  c.no_ack_dropped_first = k.no_ack_dropped_first;
  c.fin_wait2_timewait = k.fin_wait2_timewait;
  c.after_fin_ignored = k.after_fin_ignored;
  c.rst_on_data_past_rcv_nxt = k.rst_on_data_past_rcv_nxt;
  c.past_window_accepted = k.past_window_accepted;
  c.call_errors = static_cast<std::uint8_t>(k.call_errors);
  c.delayed_ack = static_cast<std::uint8_t>(k.delayed_ack);
  c.delack_min = k.delack_min; c.delack_ato = k.delack_ato;
  c.rst_in_time_wait = static_cast<std::uint8_t>(k.rst_in_time_wait);
  c.rst_acceptance = static_cast<std::uint8_t>(k.rst_acceptance);
  c.syn_acceptance = static_cast<std::uint8_t>(k.syn_acceptance);
  c.syn_reopen = static_cast<std::uint8_t>(k.syn_reopen);
  c.reopen_iss = static_cast<std::uint8_t>(k.reopen_iss);
  c.fin_wait2 = static_cast<std::uint8_t>(k.fin_wait2);
  c.time_wait_restart = static_cast<std::uint8_t>(k.time_wait_restart);
  c.mutant = static_cast<std::uint8_t>(k.mutant);
  c.fin_retries = k.fin_retries; c.retries = k.retries;
  c.timestamps = k.timestamps; c.paws = k.paws; c.tw_challenge_ack = k.tw_challenge_ack;
  c.rst_on_close_unread = k.rst_on_close_unread; c.rst_on_data_after_close = k.rst_on_data_after_close;
  c.rto_backoff = k.rto_backoff;
  c.rtt_estimate = k.rtt_estimate; c.rto_floor = k.rto_floor; c.rto_var_min = k.rto_var_min;
  c.rto_slop = k.rto_slop; c.rto_max = k.rto_max; c.tail_loss_probe = k.tail_loss_probe;
  c.oow_ack_interval = k.oow_ack_interval;
  *cfg = c;
  return 0;
}

void tcpclose_tcb_init(tcpclose_tcb* tcb, const tcpclose_config* cfg) {
  Tcb t;
  t.rcv_wnd = cfg->rcv_wnd;
  *tcb = to_c(t);
}

int tcpclose_step(const tcpclose_tcb* tcb, const tcpclose_input* in, const tcpclose_config* cfg, tcpclose_output* out) {
  if (!valid(*tcb, *in, *cfg)) return -1;
  Input i;
  i.kind = static_cast<InputKind>(in->kind); i.timer = static_cast<Timer>(in->timer); i.how = static_cast<Shut>(in->how);
  i.now = in->now; i.n = in->n; i.iss = in->iss; i.seg = to_core(in->seg);
  const Output o = step(to_core(*tcb), i, to_core(*cfg));
  tcpclose_output r{};
  r.tcb = to_c(o.tcb);
  for (std::size_t k = 0; k < o.actions.size; ++k) {
    const Action& a = o.actions.items[k];
    r.actions[k].kind = static_cast<std::uint8_t>(a.kind);
    r.actions[k].timer = static_cast<std::uint8_t>(a.timer);
    r.actions[k].err = static_cast<std::uint8_t>(a.err);
    r.actions[k].n = a.n;
  }
  r.n_actions = o.actions.size;
  r.has_sent = o.actions.has_seg;
  if (o.actions.has_seg) r.sent = to_c(o.actions.seg);
  r.verdict = static_cast<std::uint8_t>(o.verdict);
  r.effects = o.effects;
  r.result = static_cast<std::uint8_t>(o.result);
  r.result_n = o.result_n;
  *out = r;
  return 0;
}

const char* tcpclose_state_name(int s) {
  return s >= 0 && static_cast<std::size_t>(s) < kStateCount ? name(static_cast<State>(s)) : "?";
}
const char* tcpclose_errno_name(int e) { return e >= 0 && e < kErrCount ? name(static_cast<Err>(e)) : "?"; }
const char* tcpclose_verdict_name(int v) {
  return v >= 0 && v <= TCPCLOSE_RESET ? name(static_cast<Verdict>(v)) : "?";
}
const char* tcpclose_timer_name(int t) {
  return t >= 0 && static_cast<std::size_t>(t) < kTimerCount ? name(static_cast<Timer>(t)) : "?";
}

}  // extern "C"
