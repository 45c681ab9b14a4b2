/* <tcpclose/tcpclose.h>: the C API of tcpclose, so that a C stack can run our TCP transition
 * function as an oracle next to its own. Rule 1: plain structs, no opaque handles, no
 * allocation; the caller owns every byte. Rule 2: the structs mirror the C++ core's types
 * (core/include/tcpclose/types.hpp) field for field and byte for byte; capi/src/tcpclose.cpp
 * checks that at compile time. Compiles as C99, C11 and C++. */
#ifndef TCPCLOSE_TCPCLOSE_H
#define TCPCLOSE_TCPCLOSE_H

#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Enumerations are C enums for their names; struct fields hold them as uint8_t so that the
 * layout is the core's. Values are those of the C++ enums, in the same order. */

/* RFC 9293 §3.3.2 states. */
typedef enum tcpclose_state {
  TCPCLOSE_CLOSED, TCPCLOSE_LISTEN, TCPCLOSE_SYN_SENT, TCPCLOSE_SYN_RECEIVED, TCPCLOSE_ESTABLISHED,
  TCPCLOSE_FIN_WAIT_1, TCPCLOSE_FIN_WAIT_2, TCPCLOSE_CLOSE_WAIT, TCPCLOSE_CLOSING, TCPCLOSE_LAST_ACK,
  TCPCLOSE_TIME_WAIT
} tcpclose_state;
#define TCPCLOSE_STATE_COUNT 11

/* What an application is told, spelled like errno (TCPCLOSE_OK: no error). */
typedef enum tcpclose_errno {
  TCPCLOSE_OK, TCPCLOSE_ECONNRESET, TCPCLOSE_EPIPE, TCPCLOSE_ETIMEDOUT, TCPCLOSE_ECONNREFUSED,
  TCPCLOSE_ENOTCONN, TCPCLOSE_EISCONN, TCPCLOSE_EALREADY, TCPCLOSE_EADDRINUSE, TCPCLOSE_EADDRNOTAVAIL,
  TCPCLOSE_EINVAL, TCPCLOSE_EAGAIN, TCPCLOSE_EINPROGRESS
} tcpclose_errno;

/* TCP header control bits (RFC 9293 §3.1), for tcpclose_segment.flags. */
enum tcpclose_flag {
  TCPCLOSE_FIN = 0x01, TCPCLOSE_SYN = 0x02, TCPCLOSE_RST = 0x04, TCPCLOSE_PSH = 0x08, TCPCLOSE_ACK = 0x10
};

typedef enum tcpclose_timer {
  TCPCLOSE_TIMER_REXMIT, TCPCLOSE_TIMER_2MSL, TCPCLOSE_TIMER_FIN_WAIT_2,
  TCPCLOSE_TIMER_DELAYED_ACK /* delayed_ack: an ACK that waits */
} tcpclose_timer;
#define TCPCLOSE_TIMER_COUNT 4
#define TCPCLOSE_NEVER 0xFFFFFFFFu /* a disarmed timer's deadline */

typedef enum tcpclose_shut { TCPCLOSE_SHUT_RD, TCPCLOSE_SHUT_WR, TCPCLOSE_SHUT_RDWR } tcpclose_shut;

typedef enum tcpclose_input_kind {
  TCPCLOSE_IN_SEGMENT, TCPCLOSE_IN_LISTEN, TCPCLOSE_IN_CONNECT, TCPCLOSE_IN_SEND, TCPCLOSE_IN_RECEIVE,
  TCPCLOSE_IN_SHUTDOWN, TCPCLOSE_IN_CLOSE, TCPCLOSE_IN_ABORT, TCPCLOSE_IN_TIMEOUT
} tcpclose_input_kind;

/* The verdict on an inbound segment (TCPCLOSE_VERDICT_NONE for other inputs). */
typedef enum tcpclose_verdict {
  TCPCLOSE_VERDICT_NONE, TCPCLOSE_ACCEPTED, TCPCLOSE_DROPPED_ACKED, TCPCLOSE_DROPPED,
  TCPCLOSE_CHALLENGE_ACKED, TCPCLOSE_RESET
} tcpclose_verdict;

/* What an accepted segment did (tcpclose_output.effects bits). */
enum tcpclose_effect {
  TCPCLOSE_EFFECT_DATA = 0x01, TCPCLOSE_EFFECT_FIN = 0x02, TCPCLOSE_EFFECT_ACKED_NEW = 0x04,
  TCPCLOSE_EFFECT_RST_ABORT = 0x08, TCPCLOSE_EFFECT_REOPENED = 0x10
};

typedef enum tcpclose_action_kind {
  TCPCLOSE_ACT_SEND,       /* emit tcpclose_output.sent */
  TCPCLOSE_ACT_READABLE,   /* n more bytes can be read */
  TCPCLOSE_ACT_EOF,        /* the peer's FIN */
  TCPCLOSE_ACT_ERROR,      /* the application is told err */
  TCPCLOSE_ACT_CONNECTED,  /* the connection is established */
  TCPCLOSE_ACT_ARM_TIMER,  /* timer fires at tick n */
  TCPCLOSE_ACT_CANCEL_TIMER
} tcpclose_action_kind;

/* A segment. len counts payload bytes only (SYN and FIN are not counted). */
typedef struct tcpclose_segment {
  uint32_t seq, ack, len, wnd;
  uint32_t ts_val, ts_ecr; /* RFC 7323 timestamps, valid when has_ts */
  uint8_t flags;           /* tcpclose_flag bits */
  bool has_ts;
  bool sack_perm;          /* SACK-permitted option (read on a SYN) */
  uint8_t pad_;            /* zero */
} tcpclose_segment;

/* An input: an application call, a segment, or a timer expiry, at tick `now`. */
typedef struct tcpclose_input {
  uint8_t kind;     /* tcpclose_input_kind */
  uint8_t timer;    /* tcpclose_timer, for TCPCLOSE_IN_TIMEOUT */
  uint8_t how;      /* tcpclose_shut, for TCPCLOSE_IN_SHUTDOWN */
  uint8_t pad_;
  uint32_t now;
  uint32_t n;       /* bytes to send, or the receive buffer size */
  uint32_t iss;     /* our ISN if this input opens a connection */
  tcpclose_segment seg;
} tcpclose_input;

/* The transmission control block (RFC 9293 §3.3.1) plus the socket facts a teardown needs.
 * Deadlines are absolute ticks or TCPCLOSE_NEVER. Start from tcpclose_tcb_init(). */
typedef struct tcpclose_tcb {
  uint8_t state;    /* tcpclose_state */
  uint8_t so_error; /* tcpclose_errno, reported once by the next call */
  uint8_t retries;
  bool fin_sent, fin_acked, fin_rcvd, ts_ok, orphan, rd_shut, wr_shut, passive, was_synced;
  bool rtt_timing;  /* RFC 6298 estimation (rtt_estimate): a segment is timed since rtt_time */
  bool sack_ok;     /* the peer offered SACK (tail_loss_probe only) */
  bool tlp_sent;    /* a tail loss probe is out */
  bool data_rcvd;   /* delayed_ack linux-fin: in-order data arrived after the handshake */
  uint16_t srtt, rttvar; /* SRTT x 8 and RTTVAR x 4 in ticks; 0: no sample yet */
  uint32_t iss, irs, snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd, fin_seq;
  uint32_t ts_recent, last_ack_sent, rcv_unread;
  uint32_t rtt_time;
  uint32_t oow_ack_at; /* oow_ack_interval: the tick of the last rate-limited answer + 1; 0: none */
  uint32_t deadline[TCPCLOSE_TIMER_COUNT]; /* indexed by tcpclose_timer */
} tcpclose_tcb;

typedef struct tcpclose_action {
  uint8_t kind;  /* tcpclose_action_kind */
  uint8_t timer; /* tcpclose_timer, for ARM_TIMER and CANCEL_TIMER */
  uint8_t err;   /* tcpclose_errno, for ERROR */
  uint8_t pad_;
  uint32_t n;    /* READABLE: bytes; ARM_TIMER: the deadline tick */
} tcpclose_action;

#define TCPCLOSE_MAX_ACTIONS 8

/* What one step returns: the next TCB, the actions in order, the verdict on a segment, and
 * a call's result the way a socket call returns it. */
typedef struct tcpclose_output {
  tcpclose_tcb tcb;
  tcpclose_action actions[TCPCLOSE_MAX_ACTIONS]; /* actions[0, n_actions) */
  uint8_t n_actions;
  bool has_sent;         /* a TCPCLOSE_ACT_SEND is among the actions; `sent` is its segment */
  uint8_t verdict;       /* tcpclose_verdict */
  uint8_t effects;       /* tcpclose_effect bits */
  uint8_t result;        /* tcpclose_errno of an application call */
  uint32_t result_n;     /* bytes written or read by SEND / RECEIVE */
  tcpclose_segment sent;
} tcpclose_output;

/* The knobs (core/include/tcpclose/config.hpp explains and cites each one). */
typedef enum tcpclose_profile {
  TCPCLOSE_PROFILE_REFERENCE, TCPCLOSE_PROFILE_RFC9293, TCPCLOSE_PROFILE_LINUX,
  TCPCLOSE_PROFILE_FREEBSD, TCPCLOSE_PROFILE_SMOLTCP
} tcpclose_profile;
enum tcpclose_rst_in_time_wait { TCPCLOSE_TW_RST_IGNORE, TCPCLOSE_TW_RST_KILL };
enum tcpclose_rst_acceptance { TCPCLOSE_RST_WINDOW, TCPCLOSE_RST_EXACT };
enum tcpclose_syn_acceptance {
  TCPCLOSE_SYN_WINDOW, TCPCLOSE_SYN_CHALLENGE, TCPCLOSE_SYN_DROP, TCPCLOSE_SYN_WINDOW_OR_CHALLENGE
};
enum tcpclose_syn_reopen {
  TCPCLOSE_REOPEN_NEVER, TCPCLOSE_REOPEN_HIGHER_SEQ, TCPCLOSE_REOPEN_TIMESTAMPS, TCPCLOSE_REOPEN_SEQ_OR_TIMESTAMP
};
enum tcpclose_reopen_iss { TCPCLOSE_REOPEN_ISS_FROM_INPUT, TCPCLOSE_REOPEN_ISS_ABOVE_SND_NXT };
enum tcpclose_fin_wait2_timeout { TCPCLOSE_FW2_NONE, TCPCLOSE_FW2_ORPHAN_ONLY };
enum tcpclose_time_wait_restart { TCPCLOSE_TW_RESTART_ON_FIN, TCPCLOSE_TW_RESTART_ON_ACK, TCPCLOSE_TW_RESTART_ON_ANSWER };
enum tcpclose_rst_errors { TCPCLOSE_RST_ERRORS_RFC9293, TCPCLOSE_RST_ERRORS_LINUX, TCPCLOSE_RST_ERRORS_FREEBSD };
enum tcpclose_bind_reuse { TCPCLOSE_BIND_REUSE_TIME_WAIT, TCPCLOSE_BIND_REUSE_BOTH, TCPCLOSE_BIND_REUSE_CONNECTIONS };
enum tcpclose_ports_exhausted { TCPCLOSE_PORTS_EXHAUSTED_EADDRNOTAVAIL, TCPCLOSE_PORTS_EXHAUSTED_EADDRINUSE };
enum tcpclose_call_errors { TCPCLOSE_CALL_ERRORS_RFC9293, TCPCLOSE_CALL_ERRORS_LINUX };
enum tcpclose_delayed_ack { TCPCLOSE_DELAYED_ACK_OFF, TCPCLOSE_DELAYED_ACK_LINUX_FIN, TCPCLOSE_DELAYED_ACK_FREEBSD_DATA };
enum tcpclose_mutant {
  TCPCLOSE_MUTANT_NONE, TCPCLOSE_MUTANT_TIME_WAIT_ZERO, TCPCLOSE_MUTANT_TIME_WAIT_ONE_MSL,
  TCPCLOSE_MUTANT_RST_KILLS_TIME_WAIT, TCPCLOSE_MUTANT_NO_REACK_IN_TIME_WAIT,
  TCPCLOSE_MUTANT_NO_TIME_WAIT_RESTART, TCPCLOSE_MUTANT_SYN_REOPENS_ANY,
  TCPCLOSE_MUTANT_NO_FIN_RETRANSMIT, TCPCLOSE_MUTANT_NO_WINDOW_CHECK
};
#define TCPCLOSE_UNLIMITED_RETRIES 0xFF

/* Fill with tcpclose_config_init(), then change single knobs. Times are in ticks. */
typedef struct tcpclose_config {
  uint32_t tick_us, msl, time_wait, fin_wait2_timeout, rto, rcv_wnd;
  uint8_t rst_in_time_wait;  /* tcpclose_rst_in_time_wait */
  uint8_t rst_acceptance;    /* tcpclose_rst_acceptance */
  uint8_t syn_acceptance;    /* tcpclose_syn_acceptance */
  uint8_t syn_reopen;        /* tcpclose_syn_reopen */
  uint8_t reopen_iss;        /* tcpclose_reopen_iss */
  uint8_t fin_wait2;         /* tcpclose_fin_wait2_timeout */
  uint8_t time_wait_restart; /* tcpclose_time_wait_restart */
  uint8_t mutant;            /* tcpclose_mutant; TCPCLOSE_MUTANT_NONE is the real protocol */
  uint8_t fin_retries, retries; /* TCPCLOSE_UNLIMITED_RETRIES: never give up */
  bool timestamps, paws, tw_challenge_ack, rst_on_close_unread, rst_on_data_after_close, rto_backoff;
  uint32_t snd_buf;          /* send buffer, bytes: send() takes what fits, EAGAIN when full */
  bool tw_drop_without_ack;  /* TIME-WAIT drops a segment without ACK that does not reopen it */
  uint8_t rst_errors;        /* tcpclose_rst_errors: what an accepted RST tells the application */
  bool read_eof_before_error; /* read() after the peer's FIN returns 0 before a pending error */
  uint8_t bind_reuse;        /* tcpclose_bind_reuse: whom bind() with SO_REUSEADDR may pass */
  bool trim_old_duplicates;  /* a segment wholly below RCV.NXT is trimmed and its ACK processed */
  bool ack_resends_fin;      /* ACKs carry our unacknowledged FIN again (not challenge ACKs) */
  bool drop_synfin;          /* a segment with SYN and FIN is dropped without an answer */
  bool syn_sent_text;        /* SYN-SENT delivers and ACKs the text of a SYN,ACK */
  bool fast_open;            /* a listener keeps a SYN's text (TCP Fast Open server, no cookie) */
  bool rtt_estimate;         /* RFC 6298: the RTO follows the measured RTT once sampled */
  bool tail_loss_probe;      /* Linux TLP: with SACK, an unacknowledged FIN is probed at ~2 SRTT */
  uint32_t rto_floor, rto_var_min, rto_slop, rto_max; /* max(floor, SRTT + max(var_min, 4 RTTVAR)) << backoff, + slop, <= max */
  bool abort_rst_any_synced; /* ABORT sends a RST in CLOSING, LAST-ACK and TIME-WAIT too */
  bool ts_recent_needs_valid_ack; /* TS.Recent only from an ACK in [SND.UNA, SND.NXT] */
  bool old_ack_challenge;       /* an ACK of bytes never sent draws a challenge ACK (RFC 5961 5.2) */
  bool tw_ack_unless_duplicate; /* TIME-WAIT ACKs every segment but an exact duplicate ACK */
  bool tw_ts_recent_update;     /* a bare segment at RCV.NXT updates TS.Recent in TIME-WAIT */
  bool tw_socket_closed;        /* the application's socket reads as CLOSED in TIME-WAIT */
  bool tw_paws_rst;             /* PAWS rejects an older RST in TIME-WAIT */
  bool no_ack_dropped_first;    /* a segment without ACK, RST or SYN is dropped before the sequence check */
  bool fin_wait2_timewait;      /* an orphaned FIN-WAIT-2 answers as Linux's TIME-WAIT substate */
  bool after_fin_ignored;       /* after the peer's FIN a segment at or above RCV.NXT draws no ACK */
  bool rst_on_data_past_rcv_nxt; /* with the read side shut, data or FIN ending past RCV.NXT resets */
  bool past_window_accepted;    /* a FIN one past the window, or a segment past it while nothing is unread, is taken */
  uint8_t call_errors;          /* tcpclose_call_errors: calls on a socket without a connection */
  uint32_t oow_ack_interval;    /* at most one answer outside the window or challenge ACK per this many ticks; 0: off */
  uint8_t delayed_ack;          /* tcpclose_delayed_ack: which ACKs wait for TCPCLOSE_TIMER_DELAYED_ACK */
  uint32_t delack_min, delack_ato; /* the delays, ticks: Linux before any data; Linux after data, FreeBSD */
  uint8_t ports_exhausted;      /* tcpclose_ports_exhausted: bind() to port 0 with no ephemeral port free (no step() rule) */
} tcpclose_config;

/* The knobs of a profile (times in ms ticks). Returns 0, or -1 for an unknown profile. */
int tcpclose_config_init(tcpclose_config* cfg, int profile);

/* A CLOSED TCB for this configuration (its receive window set). */
void tcpclose_tcb_init(tcpclose_tcb* tcb, const tcpclose_config* cfg);

/* One transition: *out = step(*tcb, *in, *cfg). Pure: the same arguments give the same
 * result; no allocation, no clock, no I/O. `out` may alias neither `tcb` nor `in`.
 * Returns 0, or -1 (and leaves *out untouched) if an enumeration field holds a value outside
 * its enum, which the C++ core cannot represent. */
int tcpclose_step(const tcpclose_tcb* tcb, const tcpclose_input* in, const tcpclose_config* cfg,
                  tcpclose_output* out);

/* Names as the RFCs and errno spell them ("FIN-WAIT-1", "ECONNRESET"); "?" when out of range. */
const char* tcpclose_state_name(int state);
const char* tcpclose_errno_name(int err);
const char* tcpclose_verdict_name(int verdict);
const char* tcpclose_timer_name(int timer);

#ifdef __cplusplus
}
#endif

#endif /* TCPCLOSE_TCPCLOSE_H */
