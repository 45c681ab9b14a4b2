// Collection, JSON form and replay of transition vectors (see vectors.hpp, docs/vectors.md).
#include "vectors.hpp"

#include <array>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <tcpclose/model/explorer.hpp>
#include <tcpclose/model/hash.hpp>
#include <tcpclose/model/successors.hpp>

#include "format.hpp"

namespace tcpclose::vectors {
namespace {

using nlohmann::json;

static_assert(std::has_unique_object_representations_v<Input>, "Input bytes are the dedup key");
static_assert(std::has_unique_object_representations_v<Tcb>, "Tcb bytes are the dedup key");

std::uint64_t key_of(const Tcb& t, const Input& in) {
  std::array<unsigned char, sizeof(Tcb) + sizeof(Input)> k;
  std::memcpy(k.data(), &t, sizeof(Tcb));
  std::memcpy(k.data() + sizeof(Tcb), &in, sizeof(Input));
  return model::fingerprint(k.data(), k.size());
}

// The TCB step() actually ran on. The model records it in Transition::before, except when a
// listener spawns a TCB from a SYN: then `before` is the host's CLOSED slot and the core ran
// on a fresh LISTEN TCB (successors.hpp Mover::deliver). Both are tried; the one whose
// output matches the recorded output is the truth, so nothing is guessed.
bool actual_tcb(const model::World& w, const model::Transition& tr, Tcb& out) {
  if (step(tr.before, tr.input, w.cfg) == tr.out) { out = tr.before; return true; }
  const Tcb listener = model::detail::fresh_listener(w.cfg);
  if (step(listener, tr.input, w.cfg) == tr.out) { out = listener; return true; }
  return false;
}

const char* action_kind(ActionKind k) {
  switch (k) {
    case ActionKind::Send: return "send";
    case ActionKind::Readable: return "readable";
    case ActionKind::Eof: return "eof";
    case ActionKind::Error: return "error";
    case ActionKind::Connected: return "connected";
    case ActionKind::ArmTimer: return "arm";
    case ActionKind::CancelTimer: return "cancel";
  }
  return "?";
}

constexpr std::array<std::pair<std::uint8_t, const char*>, 5> kEffects = {{
    {effect::Data, "data"}, {effect::Fin, "fin"}, {effect::AckedNew, "acked-new"},
    {effect::RstAbort, "rst-abort"}, {effect::Reopened, "reopened"}}};

// name() -> value for an enum whose values are 0..count-1.
template <class E>
E enum_from(const json& j, std::size_t count, const char* what) {
  const std::string s = j.get<std::string>();
  for (std::size_t i = 0; i < count; ++i)
    if (s == name(static_cast<E>(i))) return static_cast<E>(i);
  throw std::invalid_argument(std::string("unknown ") + what + " '" + s + "'");
}
ActionKind action_from(const std::string& s) {
  for (std::uint8_t i = 0; i <= static_cast<std::uint8_t>(ActionKind::CancelTimer); ++i)
    if (s == action_kind(static_cast<ActionKind>(i))) return static_cast<ActionKind>(i);
  throw std::invalid_argument("unknown action kind '" + s + "'");
}
std::uint8_t flags_from(const std::string& s) {
  std::uint8_t f = 0;
  for (char ch : s) {
    switch (ch) {
      case 'S': f |= flag::SYN; break;
      case 'F': f |= flag::FIN; break;
      case 'P': f |= flag::PSH; break;
      case 'R': f |= flag::RST; break;
      case '.': f |= flag::ACK; break;
      default: throw std::invalid_argument("unknown flag '" + std::string(1, ch) + "' in '" + s + "'");
    }
  }
  return f;
}

json seg_json(const Segment& s) {
  json j = {{"flags", flag_text(s.flags).text}, {"seq", s.seq}, {"ack", s.ack}, {"len", s.len}, {"wnd", s.wnd}};
  if (s.has_ts) { j["ts_val"] = s.ts_val; j["ts_ecr"] = s.ts_ecr; }
  return j;
}
Segment seg_from(const json& j) {
  Segment s;
  s.flags = flags_from(j.at("flags").get<std::string>());
  s.seq = j.at("seq"); s.ack = j.at("ack"); s.len = j.at("len"); s.wnd = j.at("wnd");
  if (j.contains("ts_val")) { s.has_ts = true; s.ts_val = j.at("ts_val"); s.ts_ecr = j.at("ts_ecr"); }
  return s;
}

json tcb_json(const Tcb& t) {
  json timers = json::object();
  for (std::size_t i = 0; i < kTimerCount; ++i)
    timers[name(static_cast<Timer>(i))] = t.deadline[i] == kNever ? json(nullptr) : json(t.deadline[i]);
  json j = {{"state", name(t.state)}, {"so_error", name(t.so_error)}, {"retries", t.retries},
          {"fin_sent", t.fin_sent}, {"fin_acked", t.fin_acked}, {"fin_rcvd", t.fin_rcvd}, {"ts_ok", t.ts_ok},
          {"orphan", t.orphan}, {"rd_shut", t.rd_shut}, {"wr_shut", t.wr_shut}, {"passive", t.passive},
          {"was_synced", t.was_synced}, {"iss", t.iss}, {"irs", t.irs}, {"snd_una", t.snd_una},
          {"snd_nxt", t.snd_nxt}, {"snd_wnd", t.snd_wnd}, {"rcv_nxt", t.rcv_nxt}, {"rcv_wnd", t.rcv_wnd},
          {"fin_seq", t.fin_seq}, {"ts_recent", t.ts_recent}, {"last_ack_sent", t.last_ack_sent},
          {"rcv_unread", t.rcv_unread}, {"timers", timers}};
  // RFC 6298 estimation state, only where a profile estimates (vectors without it stay as they were).
  if (t.rtt_timing || t.rtt_time != 0 || t.srtt != 0 || t.rttvar != 0) {
    j["rtt_timing"] = t.rtt_timing; j["rtt_time"] = t.rtt_time; j["srtt"] = t.srtt; j["rttvar"] = t.rttvar;
  }
  if (t.oow_ack_at != 0) j["oow_ack_at"] = t.oow_ack_at;  // Config::oow_ack_interval only
  return j;
}
Tcb tcb_from(const json& j) {
  Tcb t;
  t.state = enum_from<State>(j.at("state"), kStateCount, "state");
  t.so_error = enum_from<Err>(j.at("so_error"), static_cast<std::size_t>(Err::InProgress) + 1, "errno");
  t.retries = j.at("retries");
  t.fin_sent = j.at("fin_sent"); t.fin_acked = j.at("fin_acked"); t.fin_rcvd = j.at("fin_rcvd");
  t.ts_ok = j.at("ts_ok"); t.orphan = j.at("orphan"); t.rd_shut = j.at("rd_shut"); t.wr_shut = j.at("wr_shut");
  t.passive = j.at("passive"); t.was_synced = j.at("was_synced");
  t.iss = j.at("iss"); t.irs = j.at("irs"); t.snd_una = j.at("snd_una"); t.snd_nxt = j.at("snd_nxt");
  t.snd_wnd = j.at("snd_wnd"); t.rcv_nxt = j.at("rcv_nxt"); t.rcv_wnd = j.at("rcv_wnd");
  t.fin_seq = j.at("fin_seq"); t.ts_recent = j.at("ts_recent"); t.last_ack_sent = j.at("last_ack_sent");
  t.rcv_unread = j.at("rcv_unread");
  t.rtt_timing = j.value("rtt_timing", false); t.rtt_time = j.value("rtt_time", 0u);
  t.srtt = j.value("srtt", 0u); t.rttvar = j.value("rttvar", 0u);
  t.oow_ack_at = j.value("oow_ack_at", 0u);
  for (std::size_t i = 0; i < kTimerCount; ++i) {
    const json& d = j.at("timers").at(name(static_cast<Timer>(i)));
    t.deadline[i] = d.is_null() ? kNever : d.get<std::uint32_t>();
  }
  return t;
}

json input_json(const Input& in) {
  json j = {{"kind", name(in.kind)}, {"now", in.now}};
  switch (in.kind) {
    case InputKind::Segment: j["seg"] = seg_json(in.seg); j["iss"] = in.iss; break;
    case InputKind::Connect: j["iss"] = in.iss; break;
    case InputKind::Send: case InputKind::Receive: j["n"] = in.n; break;
    case InputKind::Shutdown: j["how"] = name(in.how); break;
    case InputKind::Timeout: j["timer"] = name(in.timer); break;
    case InputKind::Listen: case InputKind::Close: case InputKind::Abort: break;
  }
  return j;
}
Input input_from(const json& j) {
  Input in;
  in.kind = enum_from<InputKind>(j.at("kind"), kInputKindCount, "input kind");
  in.now = j.at("now");
  if (j.contains("seg")) in.seg = seg_from(j.at("seg"));
  if (j.contains("iss")) in.iss = j.at("iss");
  if (j.contains("n")) in.n = j.at("n");
  if (j.contains("how")) in.how = enum_from<Shut>(j.at("how"), 3, "shutdown how");
  if (j.contains("timer")) in.timer = enum_from<Timer>(j.at("timer"), kTimerCount, "timer");
  return in;
}

json actions_json(const Actions& a) {
  json arr = json::array();
  for (const Action& x : a) {
    json j = {{"kind", action_kind(x.kind)}};
    switch (x.kind) {
      case ActionKind::Send: j["seg"] = seg_json(a.seg); break;
      case ActionKind::Readable: j["n"] = x.n; break;
      case ActionKind::Error: j["errno"] = name(x.err); break;
      case ActionKind::ArmTimer: j["timer"] = name(x.timer); j["at"] = x.n; break;
      case ActionKind::CancelTimer: j["timer"] = name(x.timer); break;
      case ActionKind::Eof: case ActionKind::Connected: break;
    }
    arr.push_back(std::move(j));
  }
  return arr;
}

}  // namespace

std::string collect(const model::World& w, model::ExploreOptions opt, Collection& into) {
  // Vectors are told apart by the fingerprint of (TCB, input) bytes, each confirmed byte-wise
  // against the vector it collides with, so a fingerprint collision cannot drop a vector.
  std::unordered_multimap<std::uint64_t, std::size_t> seen;
  for (std::size_t i = 0; i < into.vectors.size(); ++i) seen.emplace(key_of(into.vectors[i].tcb, into.vectors[i].input), i);
  auto is_new = [&](const Tcb& t, const Input& in) {
    const std::uint64_t k = key_of(t, in);
    auto [lo, hi] = seen.equal_range(k);
    for (auto it = lo; it != hi; ++it) {
      const Vector& v = into.vectors[it->second];
      if (std::memcmp(&v.tcb, &t, sizeof(Tcb)) == 0 && std::memcmp(&v.input, &in, sizeof(Input)) == 0) return false;
    }
    seen.emplace(k, into.vectors.size());
    return true;
  };
  // The checker's own search, through its visitor: one thread, so the visits come in
  // breadth-first order and the document is the same on every run. No property is judged.
  opt.threads = 1;
  opt.properties = 0;
  opt.liveness = false;
  opt.visit = [&](const model::Visit& v) {
    if (!v.tr->ran_core) return;
    ++into.steps;
    Tcb t;
    if (!actual_tcb(w, *v.tr, t)) ++into.unexplained;
    else if (is_new(t, v.tr->input)) into.vectors.push_back(Vector{t, v.tr->input, v.tr->out});
  };
  const model::ExploreResult r = model::explore(w, opt);
  into.states += r.states;
  into.transitions += r.transitions;
  if (!r.incomplete_reason.empty() && into.complete) {
    into.complete = false;
    into.incomplete_reason = r.incomplete_reason;
  }
  return r.incomplete_reason;
}

json to_json(const Collection& c, const json& meta) {
  json doc = meta;
  doc["version"] = kSchemaVersion;
  doc["states"] = c.states;
  doc["transitions"] = c.transitions;
  doc["steps"] = c.steps;
  doc["complete"] = c.complete;
  if (!c.complete) doc["incomplete_reason"] = c.incomplete_reason;
  json& arr = doc["vectors"] = json::array();
  for (const Vector& v : c.vectors) {
    json effects = json::array();
    for (auto [bit, nm] : kEffects)
      if (v.out.effects & bit) effects.push_back(nm);
    json result = {{"errno", name(v.out.result)}, {"n", v.out.result_n}};
    arr.push_back({{"tcb", tcb_json(v.tcb)}, {"input", input_json(v.input)}, {"next", tcb_json(v.out.tcb)},
                   {"actions", actions_json(v.out.actions)}, {"verdict", name(v.out.verdict)},
                   {"effects", effects}, {"result", result}});
  }
  return doc;
}

Vector from_json(const json& v) {
  Vector out;
  out.tcb = tcb_from(v.at("tcb"));
  out.input = input_from(v.at("input"));
  Output& o = out.out;
  o.tcb = tcb_from(v.at("next"));
  for (const json& a : v.at("actions")) {
    const ActionKind k = action_from(a.at("kind").get<std::string>());
    if (k == ActionKind::Send) { o.actions.push_send(seg_from(a.at("seg"))); continue; }
    Action x{};
    x.kind = k;
    if (k == ActionKind::Readable) x.n = a.at("n");
    if (k == ActionKind::Error) x.err = enum_from<Err>(a.at("errno"), static_cast<std::size_t>(Err::InProgress) + 1, "errno");
    if (k == ActionKind::ArmTimer) x.n = a.at("at");
    if (k == ActionKind::ArmTimer || k == ActionKind::CancelTimer) x.timer = enum_from<Timer>(a.at("timer"), kTimerCount, "timer");
    o.actions.push(x);
  }
  o.verdict = enum_from<Verdict>(v.at("verdict"), static_cast<std::size_t>(Verdict::Reset) + 1, "verdict");
  for (const json& e : v.at("effects")) {
    bool known = false;
    for (auto [bit, nm] : kEffects)
      if (e.get<std::string>() == nm) { o.effects |= bit; known = true; }
    if (!known) throw std::invalid_argument("unknown effect " + e.dump());
  }
  o.result = enum_from<Err>(v.at("result").at("errno"), static_cast<std::size_t>(Err::InProgress) + 1, "errno");
  o.result_n = v.at("result").at("n");
  return out;
}

std::size_t replay(const json& doc, const Config& cfg, std::vector<std::size_t>& first_bad, std::size_t limit) {
  std::size_t mismatches = 0;
  const json& arr = doc.at("vectors");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const Vector v = from_json(arr[i]);
    if (step(v.tcb, v.input, cfg) == v.out) continue;
    if (++mismatches <= limit) first_bad.push_back(i);
  }
  return mismatches;
}

std::string dump(const json& doc) {
  // Bytes that are not UTF-8 become U+FFFD instead of an exception (a file name, a profile text).
  auto d = [](const json& x) { return x.dump(-1, ' ', false, json::error_handler_t::replace); };
  std::string out = "{\n";
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() == "vectors") continue;
    out += "  " + d(json(it.key())) + ": " + d(it.value()) + ",\n";
  }
  out += "  \"vectors\": [";
  const json& arr = doc.at("vectors");
  for (std::size_t i = 0; i < arr.size(); ++i) out += (i ? ",\n    " : "\n    ") + d(arr[i]);
  out += arr.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace tcpclose::vectors
