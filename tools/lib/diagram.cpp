// The derived state diagram (see diagram.hpp). Rows of table::derive() are grouped in three
// steps: each row's input is abstracted to what RFC 9293 Figure 5 would call it ("rcv FIN",
// "CLOSE"), qualified by its seq/ack classes only where they change the outcome, and rows
// with the same (state, next state) become one edge with one line per distinct output.
// Layout follows h11's docs/source/make-state-diagrams.py: fixed node and edge order (dot
// output depends on it), colours per kind of input, and the title as the graph label.
#include "diagram.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <tcpclose/proofs/process.hpp>

#include "table.hpp"

namespace tcpclose::diagram {
namespace {

using classes::AckPos;
using classes::SeqPos;

constexpr const char* kSegColor = "#000000";
constexpr const char* kCallColor = "#002092";   // h11's event colour
constexpr const char* kTimerColor = "#017517";  // h11's state-triggered colour

enum class Kind { Segment, Call, Timer };

// What the input is called on the diagram, without its seq/ack classes.
struct Abstract {
  std::string text;
  Kind kind = Kind::Segment;
  friend auto operator<=>(const Abstract&, const Abstract&) = default;
};

std::string segment_word(std::uint8_t f) {
  if (f & flag::RST) return "RST";
  if (f & flag::SYN) return (f & flag::ACK) ? "SYN,ACK" : "SYN";
  if ((f & flag::FIN) && (f & flag::PSH)) return "FIN+data";
  if (f & flag::FIN) return (f & flag::ACK) ? "FIN" : "FIN without ACK";
  if (f & flag::PSH) return "data";
  return "ACK";
}

Abstract abstract(const classes::InputClass& k) {
  using classes::CallOrTimer;
  if (k.is_segment) return {"rcv " + segment_word(k.flags), Kind::Segment};
  switch (k.other) {
    case CallOrTimer::PawsOld: return {"rcv ACK with old TSval (PAWS)", Kind::Segment};
    case CallOrTimer::Listen: return {"LISTEN", Kind::Call};
    case CallOrTimer::Connect: return {"CONNECT", Kind::Call};
    case CallOrTimer::Send: return {"SEND", Kind::Call};
    case CallOrTimer::Receive: return {"RECEIVE", Kind::Call};
    case CallOrTimer::ShutRd: return {"SHUTDOWN(RD)", Kind::Call};
    case CallOrTimer::ShutWr: return {"SHUTDOWN(WR)", Kind::Call};
    case CallOrTimer::ShutRdWr: return {"SHUTDOWN(RDWR)", Kind::Call};
    case CallOrTimer::Close: return {"CLOSE", Kind::Call};
    case CallOrTimer::Abort: return {"ABORT", Kind::Call};
    case CallOrTimer::TimerRexmit: return {"timeout rexmit", Kind::Timer};
    case CallOrTimer::Timer2Msl: return {"timeout 2MSL", Kind::Timer};
    case CallOrTimer::TimerFinWait2: return {"timeout FIN-WAIT-2", Kind::Timer};
  }
  return {"?", Kind::Segment};
}

// The output as Figure 5 writes it: the segment sent, then what the application is told and
// the non-retransmission timers armed; "x" when the step does none of these.
std::string output_text(const Output& o) {
  std::vector<std::string> parts;
  if (const Segment* s = o.actions.sent()) parts.push_back("snd " + segment_word(s->flags));
  for (const Action& a : o.actions) {
    if (a.kind == ActionKind::Error) parts.emplace_back(name(a.err));
    if (a.kind == ActionKind::ArmTimer && a.timer == Timer::TimeWait) parts.emplace_back("arm 2MSL");
    if (a.kind == ActionKind::ArmTimer && a.timer == Timer::FinWait2) parts.emplace_back("arm FIN-WAIT-2 timer");
  }
  if (o.result != Err::None) parts.emplace_back(name(o.result));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "x" : out;
}

bool arms_long_timer(const Output& o) {
  for (const Action& a : o.actions)
    if (a.kind == ActionKind::ArmTimer && a.timer != Timer::Rexmit) return true;
  return false;
}

// Diagram nodes: the states, with CLOSED drawn twice as in Figure 5: at the top where
// connections start, at the bottom where synchronized ones end.
constexpr int kClosedEnd = static_cast<int>(kStateCount);
int target_node(State from, State to) {
  if (to != State::Closed) return static_cast<int>(to);
  return is_synchronized(from) ? kClosedEnd : static_cast<int>(State::Closed);
}
std::string node_id(int n) {
  if (n == kClosedEnd) return "CLOSED_END";
  std::string id = name(static_cast<State>(n));
  for (char& ch : id)
    if (ch == '-') ch = '_';
  return id;
}

// The row of each node in Figure 5's layout.
int rank_of(int n) {
  if (n == kClosedEnd) return 7;
  switch (static_cast<State>(n)) {
    case State::Closed: return 0;
    case State::Listen: case State::SynSent: return 1;
    case State::SynReceived: return 2;
    case State::Established: return 3;
    case State::FinWait1: case State::CloseWait: return 4;
    case State::FinWait2: case State::Closing: case State::LastAck: return 5;
    case State::TimeWait: return 6;
  }
  return 0;
}

constexpr std::size_t kLineWidth = 44;  // characters of input text per label line

// Ack positions of a segment class; "none" for classes without ACK (bare SYN, RST, FIN).
constexpr int kNoAck = 3;
int ack_of(const classes::InputClass& k) { return (k.flags & flag::ACK) ? static_cast<int>(k.ack) : kNoAck; }

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// "[seq=nxt, ack=nxt]": the classes of `pairs` where they are a strict part of `domain`.
std::string qualifier(const std::set<std::pair<int, int>>& pairs, const std::set<std::pair<int, int>>& domain) {
  if (pairs == domain) return {};
  std::set<int> dseq, dack, seqs, acks;
  for (auto [s, a] : domain) { dseq.insert(s); dack.insert(a); }
  for (auto [s, a] : pairs) { seqs.insert(s); acks.insert(a); }
  // Short forms, and "not X" when all but one class is meant, so labels stay one short line.
  static constexpr const char* kSeq[] = {"<wnd", "=nxt", "in wnd", ">wnd"};
  static constexpr const char* kAck[] = {"<una", "=nxt", ">nxt", "none"};
  auto text = [](const char* what, const std::set<int>& sel, const std::set<int>& dom, const char* const* tok) {
    std::vector<std::string> in, out;
    for (int x : dom) (sel.count(x) ? in : out).emplace_back(tok[x]);
    if (in.size() > 1 && out.size() == 1) return fmt::format("{} not {}", what, out[0]);
    return fmt::format("{}{}{}", what, in[0][0] == 'i' ? " " : "", join(in, "|"));
  };
  auto seq_text = [&](const std::set<int>& ss) { return text("seq", ss, dseq, kSeq); };
  auto ack_text = [&](const std::set<int>& as) { return text("ack", as, dack, kAck); };
  std::vector<std::string> parts;
  if (seqs.size() * acks.size() == pairs.size()) {  // a product: one qualifier
    if (seqs != dseq) parts.push_back(seq_text(seqs));
    if (acks != dack) parts.push_back(ack_text(acks));
    return "[" + join(parts, ", ") + "]";
  }
  for (int a : acks) {  // otherwise one clause per ack position
    std::set<int> ss;
    for (auto [s, x] : pairs)
      if (x == a) ss.insert(s);
    parts.push_back(ss == dseq ? ack_text({a}) : seq_text(ss) + " " + ack_text({a}));
  }
  return "[" + join(parts, "; ") + "]";
}

std::string html(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out += ch;
    }
  }
  return out;
}

struct Line {  // one "inputs / output" line of an edge
  std::vector<std::string> inputs;
  Kind kind = Kind::Segment;
  bool mixed = false;
};

using EdgeLines = std::vector<std::pair<std::string, Line>>;

// The graph's preamble: fonts, the title and legend, the nodes in Figure 5's ranks.
std::string dot_header(const std::string& title, SelfLoops loops) {
  std::string d = "// Generated by `tcpclose diagram` from step(); do not edit; regenerate with\n// `cmake --build build --target update-diagrams`.\n";
  d += "digraph tcpclose {\n";
  d += "  graph [fontname=\"Helvetica\" rankdir=TB nodesep=0.5 ranksep=0.45 labelloc=t labeljust=l]\n";
  d += "  node  [fontname=\"Helvetica-Bold\" shape=box style=\"rounded,filled\" fillcolor=\"#f4f4f4\" fontsize=13]\n";
  d += "  edge  [fontname=\"Helvetica\" fontsize=9 arrowsize=0.7]\n";
  d += fmt::format(
      "  label=<<FONT POINT-SIZE=\"18\">{}</FONT><BR ALIGN=\"LEFT\"/>"
      "<FONT POINT-SIZE=\"10\">Derived from step() on the canonical TCB of each state (tcpclose table). Edges: input / output; "
      "x: no output. <FONT COLOR=\"{}\">Calls</FONT>, segments, <FONT COLOR=\"{}\">timers</FONT>.<BR ALIGN=\"LEFT\"/>"
      "{}. Dropped segments are not drawn; [..] names the seq/ack classes where they decide.</FONT><BR ALIGN=\"LEFT\"/>>\n",
      html(title), kCallColor, kTimerColor,
      loops == SelfLoops::None     ? "Inputs that leave the state unchanged are not drawn"
      : loops == SelfLoops::All    ? "Self-loops: every input that leaves the state unchanged but has an output"
                                   : "Self-loops: only inputs that arm the 2MSL or FIN-WAIT-2 timer; the rest leave the state unchanged");
  for (int n = 0; n <= kClosedEnd; ++n) {
    const bool closed = n == kClosedEnd || n == static_cast<int>(State::Closed);
    d += fmt::format("  {} [label=\"{}\"{}]\n", node_id(n), closed ? "CLOSED" : name(static_cast<State>(n)),
                     closed ? " fillcolor=\"#e8e8e8\"" : "");
  }
  // Figure 5's shape: opening at the top, the two closing paths side by side, CLOSED at the bottom.
  d += "  {rank=source; CLOSED}\n  {rank=same; LISTEN; SYN_SENT}\n  {rank=same; FIN_WAIT_1; CLOSE_WAIT}\n"
       "  {rank=same; FIN_WAIT_2; CLOSING; LAST_ACK}\n  {rank=sink; CLOSED_END}\n";
  return d;
}

// One edge: its lines (inputs / output), coloured by kind, dashed when abnormal.
std::string dot_edge(const std::pair<int, int>& ends, const EdgeLines& lines) {
  std::string label;
  bool one_kind = true;
  for (const auto& [out, l] : lines) {
    one_kind = one_kind && !l.mixed && l.kind == lines.front().second.kind;
    const char* color = l.mixed ? kSegColor : l.kind == Kind::Call ? kCallColor : l.kind == Kind::Timer ? kTimerColor : kSegColor;
    // Inputs with the same output share a line while it stays short; the output ends the last.
    std::string line;
    for (std::size_t i = 0; i < l.inputs.size(); ++i) {
      if (!line.empty() && line.size() + l.inputs[i].size() > kLineWidth) {
        label += fmt::format("<FONT COLOR=\"{}\">{},</FONT><BR ALIGN=\"LEFT\"/>", color, html(line));
        line.clear();
      }
      line += (line.empty() ? "" : ", ") + l.inputs[i];
    }
    label += fmt::format("<FONT COLOR=\"{}\">{} / {}</FONT><BR ALIGN=\"LEFT\"/>", color, html(line), html(out));
  }
  const Kind k = lines.front().second.kind;
  const char* color = one_kind && k == Kind::Call ? kCallColor : one_kind && k == Kind::Timer ? kTimerColor : "#303030";
  // Edges into the bottom CLOSED are the normal ends (LAST-ACK's ACK of our FIN, the 2MSL
  // timeout) or abnormal ones (RST, ABORT, data after close, a SYN in the window); the
  // abnormal ones are dashed so that the close handshake stands out.
  bool abnormal = ends.second == kClosedEnd;
  for (const auto& [out, l] : lines)
    for (const auto& in : l.inputs)
      abnormal = abnormal && in != "timeout 2MSL" && in.rfind("rcv ACK [", 0) != 0 && in != "rcv ACK";
  // Only edges that go down Figure 5's ranks shape the layout; the others (a RST back to
  // LISTEN, a SYN reopening TIME-WAIT) would pull their target down and tangle the picture.
  const bool down = rank_of(ends.second) > rank_of(ends.first);
  return fmt::format("  {} -> {} [color=\"{}\"{}{} label=<{}>]\n", node_id(ends.first), node_id(ends.second), color,
                     abnormal ? " style=dashed" : "", down ? "" : " constraint=false", label);
}

}  // namespace

std::string dot(const Config& c, const std::string& title, SelfLoops loops) {
  const auto rows = table::derive(c);
  const auto all = classes::all_classes();
  // Per (state, abstract input): the seq/ack classes it covers, and per outcome (node, output).
  struct Outcome { std::set<std::pair<int, int>> pairs; bool drawn = false; };
  using Key = std::pair<int, Abstract>;
  std::map<Key, std::set<std::pair<int, int>>> domain;
  std::map<Key, std::map<std::pair<int, std::string>, Outcome>> outcomes;
  std::vector<Key> key_order;  // first appearance, i.e. the table's order
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const table::Row& r = rows[i];
    const classes::InputClass& k = all[i % all.size()];
    const Key key{static_cast<int>(r.state), abstract(k)};
    const std::pair<int, int> sa{static_cast<int>(k.seq), ack_of(k)};
    if (!domain.count(key)) key_order.push_back(key);
    domain[key].insert(sa);
    const bool self = r.out.tcb.state == r.state;
    const std::string out = output_text(r.out);
    bool drawn = !self;
    if (self && loops == SelfLoops::Restart) drawn = arms_long_timer(r.out);
    if (self && loops == SelfLoops::All) drawn = out != "x";
    Outcome& o = outcomes[key][{target_node(r.state, r.out.tcb.state), out}];
    o.pairs.insert(sa);
    o.drawn = o.drawn || drawn;
  }
  // Per edge (from node, to node): lines keyed by output, inputs in table order.
  std::map<std::pair<int, int>, EdgeLines> edges;
  for (const Key& key : key_order) {
    const auto& outs = outcomes[key];
    for (const auto& [dest, o] : outs) {
      if (!o.drawn) continue;
      std::string input = key.second.text;
      if (outs.size() > 1 && key.second.kind == Kind::Segment) {
        const std::string q = qualifier(o.pairs, domain[key]);
        if (!q.empty()) input += " " + q;
      }
      auto& lines = edges[{key.first, dest.first}];
      const std::string& output = dest.second;  // clang 14 cannot capture structured bindings
      auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == output; });
      if (it == lines.end()) {
        lines.push_back({dest.second, Line{{input}, key.second.kind, false}});
      } else {
        it->second.inputs.push_back(input);
        it->second.mixed = it->second.mixed || it->second.kind != key.second.kind;
      }
    }
  }

  std::string d = dot_header(title, loops);
  for (const auto& [ends, lines] : edges) d += dot_edge(ends, lines);
  d += "}\n";
  return d;
}

std::optional<std::string> render_svg(const std::string& dot_text, std::string& error) {
  // Find `dot` in PATH first, so that a missing Graphviz is a clear message, not a shell's.
  const std::string program = proofs::find_on_path("dot");
  if (program.empty()) {
    error = "graphviz's 'dot' program is not in PATH (Debian: apt-get install graphviz); "
            "--format dot prints the diagram without it";
    return std::nullopt;
  }
  // The DOT text reaches dot as its stdin, from a file unlinked at once (no shell, nothing left
  // in $TMPDIR by a stop); its warnings stay out of the SVG.
  const int fd = proofs::unlinked_temp_file(dot_text, "tcpclose-diagram-XXXXXX", ".dot", error);
  if (fd < 0) return std::nullopt;
  proofs::ProgramRun run = proofs::run_program({program, "-Tsvg"}, fd, false);
  ::close(fd);
  if (!run.started) {
    error = run.error;
    return std::nullopt;
  }
  if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0 || run.output.empty()) {
    error = fmt::format("'{} -Tsvg' failed (status {}): {}", program, run.status, run.errors.substr(0, 500));
    return std::nullopt;
  }
  return std::move(run.output);
}

}  // namespace tcpclose::diagram
