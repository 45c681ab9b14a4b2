// The knobs: every teardown behaviour on which RFCs and stacks disagree, and the profiles,
// which are nothing but named sets of knob values. Rule: a behaviour that differs between
// two stacks is a field here, never an #ifdef or a branch on a profile name.
#pragma once

#include <array>
#include <cstdint>

namespace tcpclose {

// What a RST does in TIME-WAIT.
enum class RstInTimeWait : std::uint8_t {
  Ignore,  // RFC 1337 §3 fix (TW1): drop every RST in TIME-WAIT
  Kill,    // RFC 9293 §3.10.7.4 second check: an acceptable RST closes TIME-WAIT
};

// Which RSTs are acceptable in synchronized states.
enum class RstAcceptance : std::uint8_t {
  Window,  // RFC 793 §3.4: any RST whose sequence number is in the receive window
  Exact,   // RFC 5961 §3.2: exactly RCV.NXT resets; elsewhere in the window: challenge ACK
};

// What a SYN does in synchronized states (TIME-WAIT reopening aside).
enum class SynAcceptance : std::uint8_t {
  Window,     // RFC 793 §3.9: an in-window SYN resets the connection, else it is ACKed
  Challenge,  // RFC 5961 §4.2: any SYN draws a challenge ACK and is dropped
  Drop,       // smoltcp Socket::process: a SYN without ACK is silently dropped
  // FreeBSD tcp_do_segment with net.inet.tcp.insecure_syn=1, before the sequence check: a SYN in
  // the window resets the connection with <SEQ=SND.NXT><ACK=RCV.NXT><RST,ACK> (tcp_drop(), then
  // tcp_output() in CLOSED) and ECONNRESET; any other SYN draws a challenge ACK. TIME-WAIT
  // (tcp_twcheck) does not look at insecure_syn: there a SYN is challenged.
  WindowOrChallenge,
};

// Whether and when a SYN reopens a connection in TIME-WAIT.
enum class SynReopen : std::uint8_t {
  Never,           // the SYN is treated as in any synchronized state
  HigherSeq,       // RFC 1122 §4.2.2.13: SEG.SEQ > RCV.NXT
  Timestamps,      // RFC 6191 §2: TSval > TS.Recent when timestamps are in use, else HigherSeq
  SeqOrTimestamp,  // Linux: not PAWS-rejected, and SEG.SEQ > RCV.NXT or TSval > TS.Recent
};

// Our ISS when TIME-WAIT is reopened by a SYN.
enum class ReopenIss : std::uint8_t {
  FromInput,    // the ISS the caller supplies (an ISN generator), raised to >= SND.NXT
                // (RFC 1122 §4.2.2.13 (1))
  AboveSndNxt,  // Linux tcp_timewait_state_process: tw_snd_nxt + 65535 + 2
};

enum class FinWait2Timeout : std::uint8_t {
  None,        // RFC 9293: FIN-WAIT-2 waits for the peer's FIN for ever
  OrphanOnly,  // Linux tcp_fin_timeout / FreeBSD tcp_finwait2_timeout: only after close()
};

// Which segments restart the TIME-WAIT timer.
enum class TimeWaitRestart : std::uint8_t {
  OnFin,     // RFC 9293 §3.10.7.4 eighth check: a retransmitted FIN restarts 2MSL
  OnAck,     // Linux tcp_timewait_state_process: any ACK-bearing segment reschedules it
  OnAnswer,  // any segment TIME-WAIT answers restarts 2MSL, so that nothing the answer
             // provokes (a RST from a closed peer) outlives TIME-WAIT (docs/model.md)
};

// What the application is told when an acceptable RST ends a synchronized connection.
enum class RstErrors : std::uint8_t {
  Rfc9293,  // RFC 9293 §3.10.7.4 second check: "connection refused" in an actively opened
            // SYN-RECEIVED, "connection reset" in ESTABLISHED, FIN-WAIT-1/2 and CLOSE-WAIT,
            // nothing in CLOSING, LAST-ACK and TIME-WAIT ("enter CLOSED ... and return")
  Linux,    // Linux tcp_reset(): EPIPE in CLOSE-WAIT, ECONNRESET in every other state that has
            // a socket (SYN-RECEIVED, CLOSING and LAST-ACK included); TIME-WAIT has none
  FreeBsd,  // FreeBSD tcp_input.c RST processing (since r308745): ECONNREFUSED in SYN-RECEIVED,
            // ECONNRESET from ESTABLISHED through LAST-ACK; TIME-WAIT (tcp_twcheck) has no socket
};

// When bind() with SO_REUSEADDR may share its local address with another socket's.
enum class BindReuse : std::uint8_t {
  TimeWait,   // only past connections in TIME-WAIT, whatever flag they had (ports.hpp rule B2)
  BothReuse,  // Linux inet_bind_conflict(): no conflict when both sockets set SO_REUSEADDR and
              // the other is not listening, in any state; a TIME-WAIT socket keeps the flag of
              // the socket that left it (inet_twsk_alloc: tw_reuse = sk_reuse)
  Connections,  // FreeBSD in_pcbbind_setup(): SO_REUSEADDR drops INPLOOKUP_WILDCARD, and the exact
                // in_pcblookup_local() finds only sockets without a foreign address on the same
                // local address: every connection is passed, in any state and whatever its flag; a
                // bound or listening socket on that very address is not (SO_REUSEPORT not modelled)
};

// What bind() to port 0 returns when no port of the ephemeral range is free (ports.hpp,
// BindTable::bind). RFC 6335 §6 and RFC 6056 choose the range and the port, not the errno.
enum class PortsExhausted : std::uint8_t {
  AddrNotAvail,  // FreeBSD in_pcbbind_setup() -> in_pcb_lport() -> in_pcb_lport_dest(): the range
                 // "completely used?" -> EADDRNOTAVAIL (the BSD in_pcbbind() loop before it, too)
  AddrInUse,     // Linux __inet_bind() -> inet_csk_get_port(): inet_csk_find_open_port() finds no
                 // port, and get_port's -EADDRINUSE is what bind() returns (kernel-checked, 6.18)
};

// How the socket layer answers calls on a socket without a connection (a fresh socket, or a
// listener), where the stacks' errno values differ.
enum class CallErrors : std::uint8_t {
  Rfc9293,  // listen() again EINVAL, connect() on a listener EINVAL, write() ENOTCONN (EPIPE after a
            // connection), shutdown() ENOTCONN: nothing is connected (RFC 9293 §3.10 "error:
            // connection does not exist", with the errno values of POSIX)
  Linux,    // Linux af_inet: listen() on a listener 0 (inet_listen only sets the backlog); connect()
            // on a listener EISCONN (__inet_stream_connect: SS_UNCONNECTED, not TCP_CLOSE); write()
            // EPIPE (tcp_sendmsg_locked -> sk_stream_wait_connect); shutdown() on a listener 0, and
            // SHUT_RD or SHUT_RDWR closes it (inet_shutdown -> tcp_disconnect -> inet_csk_listen_stop)
};

// Which ACKs wait for the delayed-ACK timer (Timer::DelAck) instead of going at once. Any segment
// we send that carries an ACK takes the pending one along and cancels the timer; its expiry sends
// the ACK with the then-current RCV.NXT, window and timestamps.
enum class DelayedAck : std::uint8_t {
  Off,       // every ACK goes at once (RFC 9293; RFC 1122 §4.2.3.2's delay is a SHOULD)
  // Linux: the ACK of a FIN that moves SYN-RECEIVED or ESTABLISHED to CLOSE-WAIT waits (tcp_fin()
  // enters pingpong mode, so __tcp_ack_snd_check() calls tcp_send_delayed_ack()): delack_min
  // ticks while no data has been received (icsk_ack.ato still 0: the timer fires at the next
  // jiffy), delack_ato once some has (tcp_event_data_recv(): ato = TCP_ATO_MIN). Data itself is
  // ACKed at once (quickack mode, as at the start of a connection).
  LinuxFin,
  // FreeBSD tcp_do_segment: in-order data is ACKed delack_ato later (DELAY_ACK -> TF_DELACK,
  // tcp_delacktime = TCPTV_DELACK), unless the timer already runs, then at once (an ACK for every
  // second segment); a FIN is ACKed at once ("no more input can be expected, send ACK now").
  FreeBsdData,
};

// Deliberately broken behaviours, used only to show that tests, the checker and the proofs
// catch them (STYLE.md principle 13). Mutant::None is the real protocol.
enum class Mutant : std::uint8_t {
  None,
  TimeWaitZero,        // no TIME-WAIT at all: enter CLOSED where TIME-WAIT is due
  TimeWaitOneMsl,      // TIME-WAIT lasts MSL instead of the configured length
  RstKillsTimeWait,    // any RST in TIME-WAIT is accepted: the RFC 1337 assassination
  NoReackInTimeWait,   // a retransmitted FIN in TIME-WAIT is silently ignored
  NoTimeWaitRestart,   // a retransmitted FIN is ACKed but 2MSL is not restarted
  SynReopensAny,       // any SYN reopens TIME-WAIT
  NoFinRetransmit,     // FINs are never retransmitted
  NoWindowCheck,       // out-of-window segments are accepted
};
inline constexpr std::size_t kMutantCount = 9;

struct Config {
  // Times are in ticks; the profiles below use 1 tick = 1 ms (tick_us = 1000).
  std::uint32_t tick_us = 1000;
  std::uint32_t msl = 120000;          // RFC 9293 §3.4.2: MSL = 2 minutes
  std::uint32_t time_wait = 240000;    // RFC 9293 §3.10.7.4: 2 MSL
  RstInTimeWait rst_in_time_wait = RstInTimeWait::Ignore;
  RstAcceptance rst_acceptance = RstAcceptance::Exact;
  SynAcceptance syn_acceptance = SynAcceptance::Challenge;
  SynReopen syn_reopen = SynReopen::Timestamps;
  ReopenIss reopen_iss = ReopenIss::FromInput;
  bool timestamps = true;              // offer and accept RFC 7323 timestamps
  bool paws = true;                    // RFC 7323 §5 PAWS, when timestamps are in use
  FinWait2Timeout fin_wait2 = FinWait2Timeout::None;
  std::uint32_t fin_wait2_timeout = 60000;
  TimeWaitRestart time_wait_restart = TimeWaitRestart::OnFin;
  bool tw_challenge_ack = true;        // RFC 5961 challenge ACK for in-window RST in TIME-WAIT
  // TIME-WAIT silently drops a segment without ACK that does not reopen it (a bare SYN at or
  // below RCV.NXT, a FIN without ACK), instead of answering it with an ACK.
  bool tw_drop_without_ack = false;
  // An old duplicate (a segment without SYN that lies wholly below RCV.NXT: a retransmitted FIN,
  // an ACK with a stale sequence number) is trimmed instead of dropped: its text and FIN are
  // cut away, an ACK is due, and its ACK is still processed, so it may end LAST-ACK or CLOSING.
  // Off: RFC 9293's first check ACKs it and drops it.
  bool trim_old_duplicates = false;
  // While our FIN is sent and not acknowledged, the ACKs that the output routine sends (not the
  // challenge ACKs) carry the FIN again, at its own sequence number. Off: a bare ACK.
  bool ack_resends_fin = false;
  // A segment with both SYN and FIN is dropped without an answer (in every state with a TCB).
  bool drop_synfin = false;
  // SYN-SENT keeps the text of a SYN,ACK: with ESTABLISHED it is delivered and ACKed (RFC 9293
  // §3.10.7.3 "continue processing at the sixth step"). Off: the text is discarded and the ACK
  // acknowledges the SYN alone, as Linux does for a connect() without Fast Open.
  bool syn_sent_text = false;
  // A listener keeps the text of a SYN (TCP Fast Open server, RFC 7413 §4.2.2, without a cookie
  // check): the SYN,ACK acknowledges it, and the SYN-RECEIVED connection that took it is a full
  // socket, which a RST resets instead of returning to LISTEN. Off: the text is discarded.
  bool fast_open = false;
  // ABORT sends <SEQ=SND.NXT><ACK=RCV.NXT><RST,ACK> in every synchronized state, CLOSING, LAST-ACK
  // and TIME-WAIT included. Off: RFC 9293 §3.10.5, only SYN-RECEIVED through CLOSE-WAIT.
  bool abort_rst_any_synced = false;
  // TS.Recent is taken only from a segment whose ACK lies in [SND.UNA, SND.NXT]: one that acks
  // data not yet sent, or is older than SND.UNA, leaves it. Off: RFC 7323 §5.3 R3, before the ACK.
  bool ts_recent_needs_valid_ack = false;
  // RFC 5961 §5.2: an ACK older than SND.UNA less the bytes acknowledged so far (an ACK of bytes
  // never sent) draws a challenge ACK and the segment is dropped. Off: RFC 9293, an old ACK is ignored.
  bool old_ack_challenge = false;
  // TIME-WAIT answers with an ACK every segment carrying ACK that is not an exact duplicate ACK
  // (flags ACK alone, no text, SEG.SEQ = RCV.NXT, SEG.ACK = SND.NXT). Off: RFC 9293, an
  // acceptable segment without text or FIN is not answered.
  bool tw_ack_unless_duplicate = false;
  // In TIME-WAIT a segment at RCV.NXT without text or FIN (a bare ACK, or a RST that does not end
  // TIME-WAIT) that PAWS accepts updates TS.Recent. Off: TS.Recent is frozen in TIME-WAIT.
  bool tw_ts_recent_update = false;
  // In TIME-WAIT PAWS (RFC 7323 §5.3 R1) rejects a RST with an older TSval too: it is dropped.
  // Off: RFC 7323 §5.2 leaves RSTs out of PAWS.
  bool tw_paws_rst = false;
  // TIME-WAIT belongs to no socket: the application's socket reads as CLOSED (tcpi_state) from
  // the moment TIME-WAIT begins (applied by the socket layer, the replay), and shutdown() on it
  // fails with ENOTCONN (applied by step()).
  bool tw_socket_closed = false;
  // A segment with none of ACK, RST and SYN is discarded silently in a synchronized state other
  // than SYN-RECEIVED, an orphaned FIN-WAIT-2 and TIME-WAIT, before PAWS and the sequence check. Off: RFC 9293 §3.10.7.4
  // ACKs it when it is not acceptable, and drops it at the fifth check ("if the ACK bit is off").
  bool no_ack_dropped_first = false;
  // An orphaned FIN-WAIT-2 whose timeout is not above the TIME-WAIT length is a substate of
  // TIME-WAIT: a segment outside the window (or PAWS-rejected) is ACKed; then a RST ends it
  // silently; a SYN at or above RCV.NXT, new data, or a FIN not at RCV.NXT draws a RST and ends
  // it; anything else without new data or FIN is dropped silently, whatever it acknowledges; the
  // FIN at RCV.NXT enters TIME-WAIT and is ACKed. SEG.ACK is never checked. Off: RFC 9293 §3.10.7.4.
  bool fin_wait2_timewait = false;
  // After the peer's FIN (CLOSE-WAIT, CLOSING, LAST-ACK) a segment at or above RCV.NXT draws no
  // ACK, even with a FIN (which cannot be new). Off: RFC 9293's eighth check ACKs a FIN again.
  bool after_fin_ignored = false;
  // Once the read side is shut (close() or shutdown(SHUT_RD) in FIN-WAIT-1/2, or the peer's FIN
  // in CLOSE-WAIT, CLOSING and LAST-ACK), a segment with data or FIN that ends past RCV.NXT
  // resets the connection wherever it starts (in CLOSE-WAIT, CLOSING and LAST-ACK: one that
  // starts below RCV.NXT), with the RST error of rst_errors. Off: only new data at RCV.NXT after
  // close() resets (rst_on_data_after_close); data above it is out of order, ACKed.
  bool rst_on_data_past_rcv_nxt = false;
  // The right edge of the receive window, in SYN-RECEIVED through LAST-ACK: a segment that ends
  // past RCV.NXT + RCV.WND is acceptable when the part before its FIN fits (a FIN may lie one past
  // the window, a zero window included), or when it starts at or before that edge and nothing is
  // unread (in a passive SYN-RECEIVED, Linux's request socket, not when it starts at the edge
  // itself); in-order text is then taken whole into an open window and none into a zero one (an
  // ACK is due). Off: RFC 9293 Table 6, and the seventh check takes only what the window holds.
  bool past_window_accepted = false;
  bool rst_on_close_unread = true;     // RFC 2525 §2.17: close() with unread data sends RST
  bool rst_on_data_after_close = true; // RFC 1122 §4.2.2.13: data after close() draws RST
  std::uint32_t rto = 1000;            // RFC 6298 §2.1: initial RTO 1 s
  bool rto_backoff = true;             // RFC 6298 §5.5: double the RTO on each expiry
  // RFC 6298 §2: once an RTT sample is in, the RTO follows SRTT and RTTVAR (Karn's rule, §3):
  // RTO = min(rto_max, (max(rto_floor, SRTT + max(rto_var_min, 4 RTTVAR)) << backoff) + rto_slop).
  // Before the first sample, and with this off, it is `rto` doubled as above.
  bool rtt_estimate = false;
  std::uint32_t rto_floor = 1000;      // RFC 6298 §2.4: "rounded up to 1 second"
  std::uint32_t rto_var_min = 1;       // RFC 6298 §2.3: max(G, K*RTTVAR), G = one tick
  std::uint32_t rto_slop = 0;          // added after the backoff (FreeBSD tcp_rexmit_slop)
  std::uint32_t rto_max = 60000;       // RFC 6298 §2.5: a maximum of at least 60 s
  // Linux's tail loss probe (tcp_schedule_loss_probe, tcp_send_loss_probe), for our FIN only: on
  // a connection whose peer offered SACK, once an RTT sample is in, the first expiry after the
  // FIN went out comes at min(2 SRTT + (FIN alone in flight ? rto_var_min : 2 ticks), RTO) and
  // resends the FIN alone, without backoff; then the RTO runs as usual.
  bool tail_loss_probe = false;
  // Linux tcp_invalid_ratelimit (ticks; 0: off): the answers to segments outside the window or
  // rejected by PAWS, and every challenge ACK, go out at most once per interval on a connection
  // (__tcp_oow_rate_limited, tp->last_oow_ack_time; a timewait socket starts afresh). A segment
  // with text or FIN and without SYN is always answered and starts no interval
  // (tcp_oow_rate_limited: "Data packets without SYNs are not likely part of an ACK loop"); a
  // challenge ACK is limited whatever it answers (tcp_send_challenge_ack). Off: RFC 9293 answers each.
  std::uint32_t oow_ack_interval = 0;
  DelayedAck delayed_ack = DelayedAck::Off;
  std::uint32_t delack_min = 4;        // DelayedAck::LinuxFin before any data: one jiffy at HZ 250
  std::uint32_t delack_ato = 40;       // Linux TCP_ATO_MIN, FreeBSD TCPTV_DELACK: HZ/25 = 40 ms
  std::uint8_t fin_retries = 8;        // retransmissions of a FIN before giving up
  std::uint8_t retries = 15;           // retransmissions of SYN or data before giving up
                                       // (kUnlimitedRetries: never give up)
  std::uint32_t rcv_wnd = 65535;       // our receive window
  // Send buffer, bytes: send() takes at most the room left after the data sent and not yet
  // acknowledged (SND.NXT - SND.UNA), as a socket's SO_SNDBUF does. Values above kMaxSndBuf
  // act as kMaxSndBuf. Default 4 MiB: Linux's tcp_wmem[2], the most autotuning grants, so no
  // realistic single write under the reference profile is cut short.
  std::uint32_t snd_buf = 4194304;
  RstErrors rst_errors = RstErrors::Rfc9293;
  // read() after the peer's FIN reports end of stream (0) before a pending error: Linux
  // tcp_recvmsg tests SOCK_DONE (set by tcp_fin) before sk_err. Off: the error first, as
  // FreeBSD soreceive() reports so_error before SBS_CANTRCVMORE.
  bool read_eof_before_error = false;
  BindReuse bind_reuse = BindReuse::TimeWait;
  // bind(0) with the ephemeral range exhausted. AddrNotAvail where no stack says otherwise
  // (reference, rfc9293: no RFC names the errno; smoltcp never picks a port, its listen() and
  // connect() call port 0 Unaddressable), so that the BindTable's answer stays what it was.
  PortsExhausted ports_exhausted = PortsExhausted::AddrNotAvail;
  CallErrors call_errors = CallErrors::Rfc9293;
  Mutant mutant = Mutant::None;

  friend constexpr bool operator==(const Config&, const Config&) = default;
};

inline constexpr std::uint8_t kUnlimitedRetries = 0xFF;
// RFC 7323 §2.3: at most 2^30 bytes (1 GiB) may be outstanding, so that serial comparisons
// (RFC 1982, which fail at a distance of 2^31) stay unambiguous. The send buffer is capped there,
// which keeps SND.UNA <= SND.NXT for any sequence of send() calls.
inline constexpr std::uint32_t kMaxSndBuf = 1u << 30;
inline constexpr std::uint8_t kMaxBackoffShift = 6;  // RFC 6298 §5.5 backoff: the RTO is capped at 64 x RTO
// With rtt_estimate the backoff goes on to rto_max (Linux TCP_RTO_MAX, FreeBSD TCPTV_REXMTMAX).
inline constexpr std::uint8_t kMaxRttBackoffShift = 31;
// The longest RTT sample kept (8.19 s at 1 ms ticks): SRTT x 8 and RTTVAR x 4 fit 16 bits.
inline constexpr std::uint32_t kMaxRttSample = (1u << 13) - 1;
// Linux tcp_schedule_loss_probe: TCP_TIMEOUT_MIN (2 jiffies) when more than the FIN is in flight.
inline constexpr std::uint32_t kProbeMinTicks = 2;

enum class Profile : std::uint8_t { Reference, Rfc9293, Linux, FreeBsd, Smoltcp };
inline constexpr std::size_t kProfileCount = 5;
inline constexpr std::array<Profile, kProfileCount> kAllProfiles = {
    Profile::Reference, Profile::Rfc9293, Profile::Linux, Profile::FreeBsd, Profile::Smoltcp};

// reference: RFC 9293 plus the fixes it and its neighbours recommend: RFC 1337 (ignore RST
// in TIME-WAIT), RFC 5961 (exact RST, challenge ACKs), RFC 6191 (timestamp reopening).
// One departure from RFC 9293's letter, found by the model checker: TIME-WAIT restarts 2MSL
// whenever it answers a segment (TimeWaitRestart::OnAnswer), see docs/model.md.
constexpr Config reference_config() noexcept {
  Config c;
  c.time_wait_restart = TimeWaitRestart::OnAnswer;
  return c;
}

// rfc9293: the letter of RFC 9293 §3.10.7.4 event processing. RFC 5961's mitigations are
// described there as optional ("MAY"/"SHOULD implement" in §3.10.7.4 and §7), so the letter
// is RFC 793's window rule; an acceptable RST closes TIME-WAIT.
constexpr Config rfc9293_config() noexcept {
  Config c;
  c.time_wait_restart = TimeWaitRestart::OnFin;
  c.rst_in_time_wait = RstInTimeWait::Kill;
  c.rst_acceptance = RstAcceptance::Window;
  c.syn_acceptance = SynAcceptance::Window;
  c.syn_reopen = SynReopen::Never;
  c.timestamps = false;
  c.paws = false;
  c.tw_challenge_ack = false;
  c.rst_on_close_unread = false;
  c.rst_on_data_after_close = false;
  return c;
}

// linux_config's finer rules: the send buffer, errnos, timestamps and sockets in TIME-WAIT,
// segment acceptance, each citing the kernel function it follows.
constexpr void linux_finer_rules(Config& c) noexcept {
  // net.ipv4.tcp_wmem[1] = 16384, the initial sk_sndbuf. Linux charges skb overhead against it
  // and autotunes it upwards (tcp_sndbuf_expand); counting payload bytes only is our approximation.
  c.snd_buf = 16384;
  c.rst_errors = RstErrors::Linux;               // tcp_reset()
  c.read_eof_before_error = true;                // tcp_recvmsg: SOCK_DONE before sk_err
  c.bind_reuse = BindReuse::BothReuse;           // inet_bind_conflict()
  c.ports_exhausted = PortsExhausted::AddrInUse; // __inet_bind() <- inet_csk_get_port(): -EADDRINUSE
  // syn_sent_text stays off: tcp_rcv_synsent_state_process keeps a SYN,ACK's text only through
  // tcp_rcv_fastopen_synack, after a Fast Open SYN. fast_open stays off: net.ipv4.tcp_fastopen
  // defaults to 1 (client only); tcp_try_fastopen needs the server bit (0x2).
  // tcp_ack(): the "before(ack, prior_snd_una)" and "after(ack, tp->snd_nxt)" returns come before
  // "tcp_replace_ts_recent() ... must be made after we are sure that the packet is in window"
  c.ts_recent_needs_valid_ack = true;
  // tcp_ack(): "RFC 5961 5.2 [Blind Data Injection Attack].[Mitigation]": before(ack, prior_snd_una -
  // min(max_window, bytes_acked)) -> tcp_send_challenge_ack()
  c.old_ack_challenge = true;
  // tcp_timewait_state_process(): "In window segment, it may be only reset or bare ack" ->
  // tw_ts_recent = rcv_tsval; and paws_reject = tcp_paws_reject(&tmp_opt, th->rst) for RSTs too
  c.tw_ts_recent_update = true;
  c.tw_paws_rst = true;
  // tcp_time_wait() moves the connection into a tcp_timewait_sock and calls tcp_done(sk): the
  // application's socket is TCP_CLOSE (linux/time-wait-socket-closed.pkt), and inet_shutdown()
  // says ENOTCONN (linux/time-wait-shutdown-enotconn.pkt)
  c.tw_socket_closed = true;
  // tcp_rcv_state_process() and tcp_rcv_established()'s slow path: "if (!th->ack && !th->rst &&
  // !th->syn) goto discard;" before tcp_validate_incoming() (linux/no-ack-segment-dropped-first.pkt)
  c.no_ack_dropped_first = true;
  // tcp_rcv_state_process() FIN_WAIT1 (and __tcp_close() in FIN_WAIT2): tmo = tcp_fin_time() is
  // 60 s, not above TCP_TIMEWAIT_LEN, so tcp_time_wait(sk, TCP_FIN_WAIT2, tmo) hands the orphan
  // to a timewait socket and tcp_timewait_state_process() answers its segments
  // (linux/fin-wait-2-orphan-timewait-sock-*.pkt; TCP_LINGER2 61 s keeps a full socket:
  // linux/fin-wait-2-orphan-linger2-above-timewait-len.pkt)
  c.fin_wait2_timewait = true;
  // tcp_rcv_state_process() step 7: CLOSE_WAIT, CLOSING, LAST_ACK "if (!before(seq, rcv_nxt))
  // break;" (linux/after-fin-ignored-*.pkt)
  c.after_fin_ignored = true;
  // tcp_rcv_state_process() step 7 with RCV_SHUTDOWN: "end_seq != seq && after(end_seq - th->fin,
  // rcv_nxt)" -> tcp_reset() (linux/*-beyond-rcv-nxt-after-close-resets.pkt, linux/close-wait-overlapping-data-resets.pkt)
  c.rst_on_data_past_rcv_nxt = true;
  // tcp_sequence() (6.18): "Some stacks are known to handle FIN incorrectly; allow the FIN to extend
  // beyond the window", and "Only accept this packet if receive queue is empty"; tcp_data_queue():
  // in-order data is queued whole, none into a zero window (linux/rcvbuf-window-past-the-edge.pkt)
  c.past_window_accepted = true;
  // inet_listen, __inet_stream_connect, sk_stream_wait_connect, inet_shutdown
  // (linux/socket-calls-listener.pkt)
  c.call_errors = CallErrors::Linux;
}

// linux: include/net/tcp.h and net/ipv4/tcp_minisocks.c (values in ms).
constexpr Config linux_config() noexcept {
  Config c;
  c.msl = 30000;                 // not a Linux constant: TCP_TIMEWAIT_LEN is 60 s = 2 * 30 s
  c.time_wait = 60000;           // include/net/tcp.h TCP_TIMEWAIT_LEN (60*HZ)
  // tcp_rfc1337 defaults to 0: tcp_timewait_state_process kills TIME-WAIT on a RST whose
  // sequence number is exactly rcv_nxt ("TIME_WAIT assassination"), drops other RSTs.
  c.rst_in_time_wait = RstInTimeWait::Kill;
  c.rst_acceptance = RstAcceptance::Exact;       // tcp_validate_incoming (RFC 5961 §3)
  c.syn_acceptance = SynAcceptance::Challenge;   // tcp_validate_incoming (RFC 5961 §4)
  c.syn_reopen = SynReopen::SeqOrTimestamp;      // tcp_timewait_state_process, TCP_TW_SYN
  c.reopen_iss = ReopenIss::AboveSndNxt;         // isn = tw_snd_nxt + 65535 + 2
  c.timestamps = true;                           // sysctl tcp_timestamps = 1
  c.paws = true;
  c.fin_wait2 = FinWait2Timeout::OrphanOnly;     // tcp_fin_timeout, orphans only
  c.fin_wait2_timeout = 60000;                   // TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN
  c.time_wait_restart = TimeWaitRestart::OnAck;  // inet_twsk_reschedule on th->ack
  c.tw_challenge_ack = false;                    // TIME-WAIT drops a non-exact RST silently
  c.rto = 1000;                                  // TCP_TIMEOUT_INIT (1 s)
  // tcp_rtt_estimator / __tcp_set_rto: RTO = SRTT + max(mdev, tcp_rto_min 200 ms), no 1 s floor
  // ("we do not use the 1 s minimum"); inet_csk_rto_backoff doubles it up to TCP_RTO_MAX 120 s.
  c.rtt_estimate = true;
  c.rto_floor = 0;
  c.rto_var_min = 200;                           // TCP_RTO_MIN
  c.rto_max = 120000;                            // TCP_RTO_MAX
  c.tail_loss_probe = true;                      // tcp_early_retrans = 3, tcp_sack = 1
  c.oow_ack_interval = 500;                      // sysctl tcp_invalid_ratelimit = HZ/2
  // tcp_fin() -> inet_csk_enter_pingpong_mode(); __tcp_ack_snd_check() -> tcp_send_delayed_ack():
  // 3-7 ms after a FIN with no data received on this HZ 250 kernel (the next jiffy; 4 ms is one),
  // 41-45 ms after data (TCP_ATO_MIN = HZ/25) (linux/close-wait-fin-ack-delayed-*.pkt)
  c.delayed_ack = DelayedAck::LinuxFin;
  c.delack_min = 4;
  c.delack_ato = 40;
  c.fin_retries = 8;                             // tcp_orphan_retries(): 0 means 8
  c.retries = 15;                                // TCP_RETR2
  linux_finer_rules(c);
  return c;
}

// freebsd_config's rules for aborts, TIME-WAIT's answers and binding, each citing the source it
// follows.
constexpr void freebsd_abort_and_bind_rules(Config& c) noexcept {
  // tcp_drop() (tcp_subr.c), behind tcp_disconnect()'s SO_LINGER {1, 0} close and tcpdrop(8)'s
  // sysctl_drop(): "if (TCPS_HAVERCVDSYN(tp->t_state))" it enters CLOSED and calls tcp_output(),
  // whose CLOSED flags are RST|ACK: a RST from every synchronized state, TIME-WAIT included.
  c.abort_rst_any_synced = true;
  // tcp_twcheck(): "Acknowledge the segment if it has data or is not a duplicate ACK" (thflags !=
  // TH_ACK || tlen != 0 || th_seq != rcv_nxt || th_ack != snd_nxt -> tcp_twrespond(TH_ACK)).
  c.tw_ack_unless_duplicate = true;
  // in_pcbbind_setup(): with SO_REUSEADDR the lookup is exact (no INPLOOKUP_WILDCARD), and
  // in_pcblookup_local() then finds only unconnected sockets on the same local address.
  c.bind_reuse = BindReuse::Connections;
  // in_pcb_lport_dest(): the ephemeral range "completely used?" -> EADDRNOTAVAIL (the default)
  c.ports_exhausted = PortsExhausted::AddrNotAvail;
}

// freebsd: sys/netinet/tcp_timewait.c tcp_twcheck, tcp_input.c, tcp_timer.h (values in ms).
constexpr Config freebsd_config() noexcept {
  Config c;
  c.msl = 30000;                                 // net.inet.tcp.msl = TCPTV_MSL = 30 s
  c.time_wait = 60000;                           // 2 * MSL
  c.rst_in_time_wait = RstInTimeWait::Ignore;    // tcp_twcheck drops every RST
  c.rst_acceptance = RstAcceptance::Exact;       // net.inet.tcp.insecure_rst = 0
  c.syn_acceptance = SynAcceptance::Challenge;   // net.inet.tcp.insecure_syn = 0
  c.syn_reopen = SynReopen::HigherSeq;           // tcp_twcheck: SEQ_GT(th_seq, rcv_nxt)
  c.timestamps = true;
  c.paws = true;
  // tcp_do_segment: once the socket cannot receive more (SBS_CANTRCVMORE, i.e. after close())
  // the 2MSL timer is armed with TP_MAXIDLE = keepcnt 8 * keepintvl 75 s; the 60 s
  // tcp_finwait2_timeout applies only with fast_finwait2_recycle, which is off by default.
  c.fin_wait2 = FinWait2Timeout::OrphanOnly;
  c.fin_wait2_timeout = 600000;
  c.tw_challenge_ack = false;                    // TIME-WAIT RSTs are dropped before any ACK
  // tcp_twcheck, after the RST drop and the SEQ_GT(th_seq, rcv_nxt) SYN reopen: "Drop the
  // segment if it does not contain an ACK" (goto drop, no tcp_twrespond).
  c.tw_drop_without_ack = true;
  // tcp_do_segment "todrop" trimming: "Send an ACK to resynchronize and drop any data. But keep
  // on processing for RST or ACK." (TF_ACKNOW, FIN cleared, then the ACK processing).
  c.trim_old_duplicates = true;
  // tcp_output: the state's flags (tcp_outflags) include FIN in FIN-WAIT-1, CLOSING and LAST-ACK,
  // and "If resending a FIN, be sure not to use a new sequence number" (snd_nxt--).
  c.ack_resends_fin = true;
  // drop_synfin stays off: net.inet.tcp.drop_synfin defaults to 0 (tcp_input.c V_drop_synfin).
  // tcp_do_segment SYN_SENT with an acceptable ACK: ESTABLISHED, then "trimthenstep6" and
  // "dodata" deliver the SYN,ACK's text. (fast_open stays off: syncache_add keeps a SYN's text
  // only for a valid TFO cookie, and net.inet.tcp.fastopen.server_enable defaults to 0.)
  c.syn_sent_text = true;
  freebsd_abort_and_bind_rules(c);
  // tcp_do_segment dodata: DELAY_ACK() (net.inet.tcp.delayed_ack = 1) -> TF_DELACK, TT_DELACK in
  // tcp_delacktime = TCPTV_DELACK (hz/25, 40 ms); a FIN is ACKed at once (TF_ACKNOW)
  c.delayed_ack = DelayedAck::FreeBsdData;
  c.delack_ato = 40;
  c.rto = 1000;                                  // TCPTV_RTOBASE = 1 s
  // tcp_xmit_timer: TCPT_RANGESET(t_rxtcur, TCP_REXMTVAL(tp), ...) with TCP_REXMTVAL =
  // max(t_rttmin, srtt + 4 rttvar); tcp_timer_rexmt multiplies it by tcp_backoff[] and
  // TCPT_RANGESET adds tcp_rexmit_slop, capped at TCPTV_REXMTMAX.
  c.rtt_estimate = true;
  c.rto_floor = 30;                              // t_rttmin = tcp_rexmit_min = TCPTV_MIN (hz/33)
  c.rto_var_min = 0;
  c.rto_slop = 200;                              // tcp_rexmit_slop = TCPTV_CPU_VAR (hz/5)
  c.rto_max = 64000;                             // TCPTV_REXMTMAX = 64 s
  c.fin_retries = 12;                            // tcp_timer_rexmt: ++t_rxtshift > TCP_MAXRXTSHIFT
  c.retries = 12;
  c.snd_buf = 32768;                             // tcp_usrreq.c: net.inet.tcp.sendspace = 1024*32
  c.rst_errors = RstErrors::FreeBsd;             // tcp_input.c: so_error = ECONNRESET ... LAST_ACK
  return c;
}

// smoltcp: src/socket/tcp.rs Socket::process / dispatch (values in ms).
constexpr Config smoltcp_config() noexcept {
  Config c;
  c.msl = 5000;                                  // no MSL constant; TIME-WAIT = 2 * 5 s
  c.time_wait = 10000;                           // CLOSE_DELAY = 10 s (Timer::set_for_close)
  c.rst_in_time_wait = RstInTimeWait::Kill;      // the (_, Rst) arm closes every state
  c.rst_acceptance = RstAcceptance::Window;      // an in-window RST closes; no exact-match test
  c.syn_acceptance = SynAcceptance::Drop;        // "expecting an ACK" arm drops a bare SYN
  c.syn_reopen = SynReopen::Never;               // no TIME-WAIT reopening
  c.timestamps = false;                          // tsval_generator is None by default
  c.paws = false;                                // last_remote_tsval is stored, never compared
  c.fin_wait2 = FinWait2Timeout::None;           // only the user timeout, None by default
  c.tw_challenge_ack = false;
  c.rst_on_close_unread = false;                 // close() only moves to FIN-WAIT-1/LAST-ACK
  c.rst_on_data_after_close = false;             // may_recv() stays true in FIN-WAIT-1/2
  c.rto = 1000;                                  // RTTE_INITIAL_RTO = 1000 ms
  c.fin_retries = kUnlimitedRetries;             // rto_count never aborts the connection
  c.retries = kUnlimitedRetries;
  return c;
}

constexpr Config profile_config(Profile p) noexcept {
  switch (p) {
    case Profile::Reference: return reference_config();
    case Profile::Rfc9293: return rfc9293_config();
    case Profile::Linux: return linux_config();
    case Profile::FreeBsd: return freebsd_config();
    case Profile::Smoltcp: return smoltcp_config();
  }
  return reference_config();
}

}  // namespace tcpclose
