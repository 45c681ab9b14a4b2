// Human-readable text for core values: segments in packetdrill's notation, actions, TCBs.
// Rule: one formatter serves the CLI, the test failure messages and the docs.
#pragma once

#include <string>

#include <tcpclose/core.hpp>

namespace tcpclose::fmtx {

// "F. 1001:1001(0) ack 5002" (packetdrill's order: flags, seq range, ack, win, options).
std::string segment(const Segment& s, bool with_window = false);
// The segments sent, or "-".
std::string sent(const Actions& a);
// What the application is told: "readable 100; eof; ECONNRESET", or "-".
std::string app(const Actions& a);
// Timer changes: "arm 2msl@240010; cancel rexmit", or "-".
std::string timers(const Actions& a);
// One line per TCB: "FIN-WAIT-1 snd.una=1001 snd.nxt=1002 rcv.nxt=5001 fin@1001 ..."
std::string tcb(const Tcb& t);

}  // namespace tcpclose::fmtx
