// Counterexamples as text, Mermaid and pcap (see counterexample.hpp).
// The pcap is written with libpcap's dump API (pcap_open_dead + pcap_dump_open + pcap_dump),
// the way tcpdump -w writes a file, so any reader of the classic format opens it.
#include "counterexample.hpp"

#include "atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <tcpclose/model/trace.hpp>

namespace tcpclose::cli {
namespace {

const char* host_name(std::uint8_t h) { return h == 0 ? "A" : "B"; }

// Mermaid reads ';' as the end of a statement and '#' as the start of an entity code; '<'
// and '>' could open HTML. Entity codes render as the character itself.
std::string mm_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '#': out += "#35;"; break;
      case ';': out += "#59;"; break;
      case '<': out += "#60;"; break;
      case '>': out += "#62;"; break;
      case '\n': out += "<br/>"; break;
      default: out += c;
    }
  }
  return out;
}

std::string seg_text(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len) {
  std::string s = fmt::format("{} seq={}", flag_text(flags).text, seq);
  if (flags & flag::ACK) s += fmt::format(" ack={}", ack);
  if (len) s += fmt::format(" len={}", len);
  return s;
}

std::string pkt_text(const model::Pkt& p, bool with_age) {
  std::string s = seg_text(p.flags, p.seq, p.ack, p.len);
  s += model::ts_text(p);
  s += fmt::format(" (inc {}", p.inc);
  if (with_age) s += fmt::format(", age {}{}", p.age, p.late ? ", delayed" : "");
  return s + ")";
}


// The incarnation of the segment a step sent, by the model's rule (successors.hpp, Mover::run):
// a reply from a TCB that was not live belongs to the segment it answers.
std::uint8_t sent_inc(const model::TraceStep& st) {
  const model::Transition& tr = st.tr;
  const bool reply = tr.out.verdict == Verdict::Reset ||
                     !(model::detail::live(tr.before) || tr.spawned || model::detail::live(tr.out.tcb));
  return reply && tr.kind == model::MoveKind::Deliver ? tr.pkt.inc : st.after.h[tr.host].inc;
}

std::string core_note(const model::Transition& tr, std::string head) {
  const State from = tr.spawned ? State::Listen : tr.before.state;
  std::string body = std::move(head);
  auto line = [&](const std::string& x) { if (!x.empty()) body += body.empty() ? x : "\n" + x; };
  if (tr.ran_core) {
    if (from != tr.out.tcb.state) line(fmt::format("{} → {}", name(from), name(tr.out.tcb.state)));
    line(model::output_text(tr.out, /*with_send=*/false));  // the segment sent is an arrow of its own
  }
  return body;
}

void note(std::string& out, const std::string& over, const std::string& text) {
  if (!text.empty()) out += fmt::format("    Note over {}: {}\n", over, mm_escape(text));
}

}  // namespace

std::optional<TraceFormat> trace_format_from_name(std::string_view s) {
  if (s == "text") return TraceFormat::Text;
  if (s == "mermaid") return TraceFormat::Mermaid;
  if (s == "pcap") return TraceFormat::Pcap;
  if (s == "packetdrill") return TraceFormat::Packetdrill;
  return std::nullopt;
}

std::string mermaid_trace(const model::World& w, const model::Violation& v) {
  std::string out = "sequenceDiagram\n    participant A\n    participant N as network\n    participant B\n";
  auto doomed = [&] {
    note(out, "A,B", "from here no state with both TCBs CLOSED (or one left half-open) is reachable");
  };
  if (v.doomed && v.doomed_at == 0) doomed();
  for (std::size_t i = 0; i < v.trace.size(); ++i) {
    const model::TraceStep& st = v.trace[i];
    const model::Transition& tr = st.tr;
    const std::string n = fmt::format("[{}]", i + 1);
    switch (tr.kind) {
      case model::MoveKind::App: {
        std::string head = fmt::format("{} app {}", n, name(tr.op));
        if (tr.op == model::Op::Connect && tr.ran_core) head += fmt::format(" (ISS {})", tr.out.tcb.iss);
        note(out, host_name(tr.host), core_note(tr, head));
        break;
      }
      case model::MoveKind::Timer:
        note(out, host_name(tr.host), core_note(tr, fmt::format("{} {} timer fires", n, name(tr.timer))));
        break;
      case model::MoveKind::Deliver:
        out += fmt::format("    N->>{}: {}\n", tr.pkt.to_b ? "B" : "A",
                           mm_escape(fmt::format("{} {}{}", n, pkt_text(tr.pkt, true),
                                                 tr.spawned ? " to the listener" : "")));
        note(out, host_name(tr.host), core_note(tr, ""));
        break;
      case model::MoveKind::Lose: note(out, "N", fmt::format("{} lost {}", n, pkt_text(tr.pkt, false))); break;
      case model::MoveKind::Dup: note(out, "N", fmt::format("{} duplicated {}", n, pkt_text(tr.pkt, false))); break;
      case model::MoveKind::Tick: {
        std::size_t last = i;  // consecutive quiet ticks read as one note
        while (!tr.died && last + 1 < v.trace.size() && v.trace[last + 1].tr.kind == model::MoveKind::Tick &&
               !v.trace[last + 1].tr.died && !(v.doomed && last + 1 == v.doomed_at) &&
               !(v.doomed && v.loop_from != model::Violation::kNoLoop && last + 1 == v.loop_from))
          ++last;
        if (last == i)
          note(out, "A,B", tr.died ? fmt::format("{} tick: {} segment(s) reached MSL and died", n, tr.died)
                                   : fmt::format("{} tick", n));
        else
          note(out, "A,B", fmt::format("[{}-{}] {} ticks", i + 1, last + 1, last - i + 1));
        i = last;
        break;
      }
    }
    if (tr.ran_core)
      if (const Segment* s = tr.out.actions.sent()) {
        out += fmt::format("    {}->>N: {}\n", host_name(tr.host),
                           mm_escape(seg_text(s->flags, s->seq, s->ack, s->len) +
                                     fmt::format(" (inc {})", sent_inc(st))));
        if (tr.overflow) note(out, "N", "network full: the sent segment was dropped");
      }
    if (v.doomed && i + 1 == v.doomed_at) doomed();
    if (v.doomed && v.loop_from != model::Violation::kNoLoop && i + 1 == v.loop_from)
      note(out, "A,B", fmt::format("the steps from here to [{}] repeat forever", v.trace.size()));
  }
  if (v.terminal) note(out, "A,B", "no further move is possible");
  note(out, "A,B", fmt::format("violated: {}: {}", model::name(v.property), model::statement(v.property)));
  (void)w;
  return out;
}

std::vector<std::uint8_t> ipv4_tcp_packet(std::uint32_t src, std::uint32_t dst, std::uint16_t sport,
                                          std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                                          std::uint8_t flags, std::uint16_t window, std::uint16_t len,
                                          std::uint16_t ip_id, std::optional<TsOption> ts) {
  constexpr std::size_t kIp = 20;
  const std::size_t kTcp = ts ? 32 : 20;  // + NOP, NOP, kind 8, length 10, TSval, TSecr
  std::vector<std::uint8_t> p(kIp + kTcp + len, 0);
  auto put16 = [&](std::size_t at, std::uint32_t v) {
    p[at] = static_cast<std::uint8_t>(v >> 8); p[at + 1] = static_cast<std::uint8_t>(v);
  };
  auto put32 = [&](std::size_t at, std::uint32_t v) { put16(at, v >> 16); put16(at + 2, v & 0xFFFF); };
  // RFC 1071: the ones' complement of the ones' complement sum of 16-bit words.
  auto sum = [&](std::size_t from, std::size_t n, std::uint32_t acc) {
    for (std::size_t i = 0; i + 1 < n; i += 2) acc += static_cast<std::uint32_t>(p[from + i] << 8 | p[from + i + 1]);
    if (n % 2) acc += static_cast<std::uint32_t>(p[from + n - 1] << 8);
    return acc;
  };
  auto fold = [](std::uint32_t acc) {
    while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
    return static_cast<std::uint16_t>(~acc);
  };
  // IPv4 (RFC 791): version 4, IHL 5, DF, TTL 64, protocol 6.
  p[0] = 0x45;
  put16(2, static_cast<std::uint32_t>(p.size()));
  put16(4, ip_id);
  put16(6, 0x4000);
  p[8] = 64;
  p[9] = 6;
  put32(12, src);
  put32(16, dst);
  put16(10, fold(sum(0, kIp, 0)));
  // TCP (RFC 9293 §3.1): data offset 5 words, or 8 with the timestamps option (RFC 7323 §3).
  put16(kIp + 0, sport);
  put16(kIp + 2, dport);
  put32(kIp + 4, seq);
  put32(kIp + 8, (flags & flag::ACK) ? ack : 0);
  p[kIp + 12] = static_cast<std::uint8_t>((kTcp / 4) << 4);
  if (ts) {
    p[kIp + 20] = 1;  // NOP
    p[kIp + 21] = 1;
    p[kIp + 22] = 8;
    p[kIp + 23] = 10;
    put32(kIp + 24, ts->val);
    put32(kIp + 28, ts->ecr);
  }
  p[kIp + 13] = flags;  // FIN, SYN, RST, PSH, ACK: the same bits as on the wire
  put16(kIp + 14, window);
  std::memset(p.data() + kIp + kTcp, 'x', len);
  // The checksum covers the pseudo-header: source, destination, zero, protocol, TCP length.
  const std::uint32_t tcp_len = static_cast<std::uint32_t>(kTcp + len);
  std::uint32_t acc = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 6 + tcp_len;
  put16(kIp + 16, fold(sum(kIp, tcp_len, acc)));
  return p;
}

std::string write_pcap(const std::string& path, const model::World& w, const model::Violation& v) {
  pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
  if (!dead) return "pcap_open_dead failed";
  const std::string target = atomic_target(path);  // "": a special file, written in place
  const std::string tmp = target.empty() ? path : temp_path_for(target);
  pcap_dumper_t* d = pcap_dump_open(dead, tmp.c_str());
  if (!d) {
    std::string e = pcap_geterr(dead);
    pcap_close(dead);
    return e;
  }
  const std::uint16_t wnd = static_cast<std::uint16_t>(std::min<std::uint32_t>(w.cfg.rcv_wnd, 65535));
  std::uint64_t ticks = 0;
  for (std::size_t i = 0; i < v.trace.size(); ++i) {
    const model::Transition& tr = v.trace[i].tr;
    if (tr.kind == model::MoveKind::Tick) ++ticks;
    if (tr.kind != model::MoveKind::Deliver) continue;
    const model::Pkt& k = tr.pkt;
    const bool ab = k.to_b != 0;
    // IP ID: incarnation x 1000 + the step's number in the text trace, so 1022 reads "inc 1, #22".
    const auto id = static_cast<std::uint16_t>(k.inc * 1000u + (i + 1) % 1000u);
    // TSecr is 0: the model does not keep it (the core never reads it; model/world.hpp).
    std::optional<TsOption> ts;
    if (k.has_ts) ts = TsOption{pcap_ts_val(ticks, k, w.ts_steps), 0};
    const std::vector<std::uint8_t> pkt =
        ipv4_tcp_packet(ab ? kPcapAddrA : kPcapAddrB, ab ? kPcapAddrB : kPcapAddrA, w.port[ab ? 0 : 1],
                        w.port[ab ? 1 : 0], k.seq, k.ack, k.flags, k.wnd_full ? wnd : 0, k.len, id, ts);
    // Time: one tick is one second; step #N adds N ms, which keeps the trace's order.
    const std::uint64_t us = (ticks * 1000 + (i + 1)) * 1000;
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(us / 1000000);
    h.ts.tv_usec = static_cast<suseconds_t>(us % 1000000);
    h.caplen = h.len = static_cast<bpf_u_int32>(pkt.size());
    pcap_dump(reinterpret_cast<u_char*>(d), &h, pkt.data());
  }
  const bool ok = pcap_dump_flush(d) == 0;
  pcap_dump_close(d);
  pcap_close(dead);
  if (!ok) {
    if (!target.empty()) std::remove(tmp.c_str());
    return fmt::format("cannot write {}: {}", path, std::strerror(errno));
  }
  return target.empty() ? std::string() : commit_temp(tmp, target);
}

std::string write_trace(const std::string& path, TraceFormat f, const model::World& w, const model::Violation& v) {
  if (f == TraceFormat::Pcap) return write_pcap(path, w, v);
  return write_atomic(path, f == TraceFormat::Mermaid ? mermaid_trace(w, v) : model::format_trace(w, v));
}

std::string trace_path_for(const std::string& path, std::string_view scenario, std::string_view property) {
  const std::filesystem::path p(path);
  std::filesystem::path out = p.parent_path() / p.stem();
  out += fmt::format(".{}.{}{}", scenario, property, p.extension().string());
  return out.string();
}

std::string check_writable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (path.empty()) return "empty path";
  if (fs::is_directory(p, ec)) return fmt::format("{} is a directory", path);
  if (fs::exists(p, ec)) return access(path.c_str(), W_OK) == 0 ? "" : fmt::format("cannot write {}", path);
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (!fs::is_directory(dir, ec)) return fmt::format("directory {} does not exist", dir.string());
  return access(dir.c_str(), W_OK) == 0 ? "" : fmt::format("cannot write in directory {}", dir.string());
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ea, eb;
  // absolute() first: libstdc++'s weakly_canonical("r.xml") stays relative when the file does not exist.
  const auto pa = std::filesystem::weakly_canonical(std::filesystem::absolute(a), ea);
  const auto pb = std::filesystem::weakly_canonical(std::filesystem::absolute(b), eb);
  return ea || eb ? a == b : pa == pb;
}

}  // namespace tcpclose::cli
