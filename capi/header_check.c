/* Compiled as C99 and as C11 with -Wall -Wextra -Wpedantic -Werror (capi/CMakeLists.txt):
 * the C API header must be plain C. Uses every type so that none is only declared. */
#include <tcpclose/tcpclose.h>

int tcpclose_header_check(void);
int tcpclose_header_check(void) {
  tcpclose_config cfg;
  tcpclose_tcb tcb;
  tcpclose_input in = {0};
  tcpclose_output out;
  tcpclose_action a = {0};
  tcpclose_segment s = {0};
  if (tcpclose_config_init(&cfg, TCPCLOSE_PROFILE_REFERENCE) != 0) return 1;
  tcpclose_tcb_init(&tcb, &cfg);
  in.kind = TCPCLOSE_IN_LISTEN;
  s.flags = TCPCLOSE_FIN | TCPCLOSE_ACK;
  in.seg = s;
  a.kind = TCPCLOSE_ACT_SEND;
  return tcpclose_step(&tcb, &in, &cfg, &out) + (int)a.kind + (out.tcb.state == TCPCLOSE_LISTEN ? 0 : 1);
}
