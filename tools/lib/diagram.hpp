// The state diagram, derived from the real step() through the derived table (table.hpp): one
// edge per (state, next state), labelled "input / output" in RFC 9293 Figure 5's style.
// Rule: nothing here knows TCP; it only groups the rows that step() produced (STYLE.md 6).
#pragma once

#include <optional>
#include <string>

#include <tcpclose/core.hpp>

namespace tcpclose::diagram {

// Which inputs that leave the state unchanged are drawn as self-loops.
enum class SelfLoops {
  None,     // none
  Restart,  // those that arm a timer other than retransmission, e.g. TIME-WAIT re-ACKing a FIN
  All,      // every one whose output is not empty (a silently dropped segment is never drawn)
};

// The Graphviz DOT text of the diagram for `c`; `title` heads it. Deterministic: the same
// Config gives byte-identical text, so docs/diagrams/*.dot can be diffed in a test.
std::string dot(const Config& c, const std::string& title, SelfLoops loops = SelfLoops::Restart);

// Renders DOT text to SVG with Graphviz's `dot` program (found in PATH). On failure returns
// nullopt and sets `error` (e.g. "graphviz's 'dot' program is not in PATH").
std::optional<std::string> render_svg(const std::string& dot_text, std::string& error);

}  // namespace tcpclose::diagram
