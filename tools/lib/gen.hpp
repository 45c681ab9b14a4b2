// `tcpclose gen`: packetdrill scripts derived from step(), one per (state, input class) of the
// table that the local host's side can reach. Rule 1: every expectation in a script is what
// step() does under the profile, never written by hand. Rule 2: a pair that cannot be scripted
// is listed with its reason, never dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <tcpclose/core.hpp>

namespace tcpclose::gen {

struct Options {
  Config config;
  std::string profile = "reference";       // named in each script's "// profile:" line
  bool freebsd_buffers = false;            // the replay's FreeBSD socket buffers set RCV.WND
  std::vector<State> states;               // empty: all eleven
  std::vector<std::string> inputs;         // input class names as `tcpclose table` prints them; empty: all
  std::int64_t max_timer_us = 10'000'000;  // a timer firing later than this is not scripted
};

// One (state, input class): a script, or the reason there is none.
struct Item {
  State state = State::Closed;
  std::string input;      // the class's name, as in `tcpclose table`
  std::string file;       // e.g. "established--FA-seq-eq-nxt-ack-eq-nxt.pkt"; empty when skipped
  std::string text;       // the script
  std::string skipped;    // why no script: empty when generated
  std::string outcome;    // step()'s verdict on the input: "ESTABLISHED -> CLOSE-WAIT, accepted"
};

// Every selected (state, input class) pair, in the table's order.
std::vector<Item> generate(const Options& o);

// The index written beside the scripts: one CSV row per item.
std::string index_csv(const std::vector<Item>& items);

// The RFC 9293 section whose rule step() applies to `k` in state `s` (for the script header).
std::string rfc_rule(State s, const classes::InputClass& k);

// A stack's verdict on each generated script, from `kernel-run` output lines ("PASS  file ...",
// "FAIL  file ..."); scripts without a line are "not run".
struct Agreement {
  std::size_t agree = 0, disagree = 0, not_run = 0, not_generated = 0;
};
enum class Verdict : std::uint8_t { Agree, Disagree, NotRun, NotGenerated };
std::vector<Verdict> judge(const std::vector<Item>& items, const std::string& kernel_run_output);

// Agreement per state (rows) and per input class (columns), as text for a terminal.
std::string agreement_report(const std::vector<Item>& items, const std::vector<Verdict>& v);
// The state x input-class grid coloured by agreement, as Graphviz DOT (an HTML-like table).
std::string agreement_dot(const std::vector<Item>& items, const std::vector<Verdict>& v, const std::string& title);

}  // namespace tcpclose::gen
