// The state x input-class transition table, derived by calling the real step() on the
// canonical TCB of each state (core/include/tcpclose/classes.hpp). Never hand-written.
#pragma once

#include <string>
#include <vector>

#include <tcpclose/core.hpp>

namespace tcpclose::table {

struct Row {
  State state;
  std::string input;  // the class, e.g. "F. seq=nxt ack=nxt"
  Input concrete;
  Output out;
};

std::vector<Row> derive(const Config& c);
std::string input_name(const classes::InputClass& k);

enum class Format { Markdown, Csv, Json };
// The whole table as text; `title` heads the Markdown and JSON forms.
std::string render(const std::vector<Row>& rows, Format f, const std::string& title);

}  // namespace tcpclose::table
