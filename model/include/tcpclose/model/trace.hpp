// Counterexamples for people: one line per step (STYLE.md principle 15). The same formatter
// serves the CLI, test failure messages and the docs.
#pragma once

#include <string>

#include "tcpclose/model/explorer.hpp"

namespace tcpclose::model {

// "#4  net->A  F. seq=5001 ack=1002 (inc 1, age 2)   A: FIN-WAIT-2 -> TIME-WAIT  [send ., arm 2msl@4]"
std::string describe_step(const World& w, std::size_t index, const TraceStep& st);
// What step() returned, as in the brackets of a trace line: the verdict when not simply
// accepted, the segment sent (unless `with_send` is false, for formats that draw it as an arrow),
// what the application learns, timers armed or cancelled, and a call's return value.
std::string output_text(const Output& o, bool with_send = true);
// A segment's TSval as a trace shows it, relative to now: " TSval=now-2" (sent two ticks ago),
// " TSval=now-2 step 1" (at the second step of that tick, World::ts_steps); "" without one.
std::string ts_text(const Pkt& p);
// The whole counterexample, ending with the violated property's name and statement.
std::string format_trace(const World& w, const Violation& v);

}  // namespace tcpclose::model
