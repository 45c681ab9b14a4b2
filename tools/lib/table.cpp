// Derivation and rendering of the transition table (see table.hpp).
#include "table.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "format.hpp"

namespace tcpclose::table {

std::string input_name(const classes::InputClass& k) {
  if (!k.is_segment) return classes::name(k.other);
  std::string out = fmt::format("{} {}", flag_text(k.flags).text, classes::name(k.seq));
  if ((k.flags & flag::ACK) != 0) out += fmt::format(" {}", classes::name(k.ack));
  return out;
}

std::vector<Row> derive(const Config& c) {
  std::vector<Row> rows;
  const auto all = classes::all_classes();
  rows.reserve(kStateCount * all.size());
  for (State s : kAllStates) {
    const Tcb t = classes::canonical_tcb(s, c);
    for (const classes::InputClass& k : all) {
      const Input in = classes::make_input(k, t);
      rows.push_back(Row{s, input_name(k), in, step(t, in, c)});
    }
  }
  return rows;
}

static std::string result_text(const Row& r) {
  if (r.concrete.kind == InputKind::Segment) return "-";
  if (r.out.result != Err::None) return name(r.out.result);
  if (r.concrete.kind == InputKind::Send || r.concrete.kind == InputKind::Receive)
    return std::to_string(r.out.result_n);
  return "0";
}

static std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

std::string render(const std::vector<Row>& rows, Format f, const std::string& title) {
  std::string out;
  switch (f) {
    case Format::Csv:
      out = "state,input,next_state,verdict,sent,app,timers,result\n";
      for (const Row& r : rows)
        out += fmt::format("{},{},{},{},{},{},{},{}\n", name(r.state), csv_field(r.input),
                           name(r.out.tcb.state), name(r.out.verdict), csv_field(fmtx::sent(r.out.actions)),
                           csv_field(fmtx::app(r.out.actions)), csv_field(fmtx::timers(r.out.actions)),
                           result_text(r));
      return out;
    case Format::Markdown:
      out = fmt::format("# {}\n\n| state | input | next state | verdict | sent | application | timers | result |\n"
                        "| --- | --- | --- | --- | --- | --- | --- | --- |\n", title);
      for (const Row& r : rows)
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", name(r.state), r.input,
                           name(r.out.tcb.state), name(r.out.verdict), fmtx::sent(r.out.actions),
                           fmtx::app(r.out.actions), fmtx::timers(r.out.actions), result_text(r));
      return out;
    case Format::Json: {
      nlohmann::json j;
      j["version"] = 1;
      j["title"] = title;
      auto& arr = j["rows"] = nlohmann::json::array();
      for (const Row& r : rows)
        arr.push_back({{"state", name(r.state)}, {"input", r.input}, {"next_state", name(r.out.tcb.state)},
                       {"verdict", name(r.out.verdict)}, {"sent", fmtx::sent(r.out.actions)},
                       {"app", fmtx::app(r.out.actions)}, {"timers", fmtx::timers(r.out.actions)},
                       {"result", result_text(r)}});
      return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
  }
  return out;
}

}  // namespace tcpclose::table
