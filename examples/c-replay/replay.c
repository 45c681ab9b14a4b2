/* A C stack's view of tcpclose: replay an active close, in which our last ACK is lost and the
 * peer retransmits its FIN into TIME-WAIT, through tcpclose_step(), and print each state.
 * Rule: the program checks every state against the RFC 9293 answer and exits 1 on a
 * difference, so it doubles as a test of the installed library (tests/outputs). */
#include <stdio.h>
#include <string.h>

#include <tcpclose/tcpclose.h>

static tcpclose_segment seg(uint8_t flags, uint32_t seq, uint32_t ack) {
  tcpclose_segment s;
  memset(&s, 0, sizeof s);
  s.flags = flags;
  s.seq = seq;
  s.ack = ack;
  s.wnd = 65535;
  return s;
}

static tcpclose_input input(uint8_t kind, uint32_t now) {
  tcpclose_input in;
  memset(&in, 0, sizeof in);
  in.kind = kind;
  in.now = now;
  return in;
}

static tcpclose_input rcv(uint32_t now, tcpclose_segment s) {
  tcpclose_input in = input(TCPCLOSE_IN_SEGMENT, now);
  in.seg = s;
  return in;
}

int main(void) {
  tcpclose_config cfg;
  tcpclose_tcb tcb;
  tcpclose_output out;
  tcpclose_input steps[7];
  const char* what[7] = {"connect()", "rcv SYN,ACK", "close()", "rcv ACK of FIN", "rcv FIN",
                         "rcv FIN again (our ACK was lost)", "2MSL timer fires"};
  const uint8_t expect[7] = {TCPCLOSE_SYN_SENT, TCPCLOSE_ESTABLISHED, TCPCLOSE_FIN_WAIT_1, TCPCLOSE_FIN_WAIT_2,
                             TCPCLOSE_TIME_WAIT, TCPCLOSE_TIME_WAIT, TCPCLOSE_CLOSED};
  int i, k, failed = 0;

  if (tcpclose_config_init(&cfg, TCPCLOSE_PROFILE_RFC9293) != 0) return 1;
  tcpclose_tcb_init(&tcb, &cfg);

  /* Our ISS is 1000, the peer's 5000; times are in ms ticks. */
  steps[0] = input(TCPCLOSE_IN_CONNECT, 0);
  steps[0].iss = 1000;
  steps[1] = rcv(10, seg(TCPCLOSE_SYN | TCPCLOSE_ACK, 5000, 1001));
  steps[2] = input(TCPCLOSE_IN_CLOSE, 20);
  steps[3] = rcv(30, seg(TCPCLOSE_ACK, 5001, 1002));
  steps[4] = rcv(40, seg(TCPCLOSE_FIN | TCPCLOSE_ACK, 5001, 1002));
  steps[5] = rcv(50, seg(TCPCLOSE_FIN | TCPCLOSE_ACK, 5001, 1002));
  steps[6] = input(TCPCLOSE_IN_TIMEOUT, 0);
  steps[6].timer = TCPCLOSE_TIMER_2MSL;

  for (i = 0; i < 7; ++i) {
    if (i == 6) steps[6].now = tcb.deadline[TCPCLOSE_TIMER_2MSL]; /* when the timer is due */
    if (tcpclose_step(&tcb, &steps[i], &cfg, &out) != 0) return 1;
    printf("#%d %-34s %-12s -> %-12s", i + 1, what[i], tcpclose_state_name(tcb.state),
           tcpclose_state_name(out.tcb.state));
    if (out.has_sent)
      printf("  send%s%s%s seq=%u ack=%u", out.sent.flags & TCPCLOSE_SYN ? " SYN" : "",
             out.sent.flags & TCPCLOSE_FIN ? " FIN" : "", out.sent.flags & TCPCLOSE_ACK ? " ACK" : "",
             (unsigned)out.sent.seq, (unsigned)out.sent.ack);
    for (k = 0; k < out.n_actions; ++k)
      if (out.actions[k].kind == TCPCLOSE_ACT_ARM_TIMER)
        printf("  arm %s@%u", tcpclose_timer_name(out.actions[k].timer), (unsigned)out.actions[k].n);
    printf("\n");
    if (out.tcb.state != expect[i]) {
      printf("  expected %s\n", tcpclose_state_name(expect[i]));
      failed = 1;
    }
    tcb = out.tcb;
  }
  printf(failed ? "FAILED\n" : "ok: the connection ended in CLOSED after a full TIME-WAIT\n");
  return failed;
}
