// The packetdrill parser for the teardown subset (see script.hpp). A hand-written cursor over
// the text, so every error knows its line and column and no input can make it throw or loop.
// Grammar learned from packetdrill's lexer.l/parser.y and the public scripts; no code copied.
#include <algorithm>
#include <cctype>
#include <exception>
#include <new>

#include "script.hpp"
#include "tcpclose/types.hpp"

namespace tcpclose::replay {
namespace {

struct Failure {
  Loc loc;
  std::string message;
};

class Cursor {
 public:
  explicit Cursor(std::string_view t) : text_(t) {}

  bool end() const { return pos_ >= text_.size(); }
  char peek(std::size_t k = 0) const { return pos_ + k < text_.size() ? text_[pos_ + k] : '\0'; }
  bool starts(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }
  Loc loc() const { return {line_, col_}; }
  std::size_t pos() const { return pos_; }
  std::string_view slice(std::size_t from) const { return text_.substr(from, pos_ - from); }

  void advance() {
    if (end()) return;
    if (text_[pos_] == '\n') { ++line_; col_ = 1; } else { ++col_; }
    ++pos_;
  }
  void advance(std::size_t n) { while (n-- > 0) advance(); }

  [[noreturn]] void fail(const std::string& msg) const { throw Failure{loc(), msg}; }

  // Spaces and tabs, and comments; newlines too when `lines`.
  void skip(bool lines) {
    for (;;) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || (lines && c == '\n')) { advance(); continue; }
      if (starts("//")) { while (!end() && peek() != '\n') advance(); continue; }
      if (starts("/*")) {
        advance(2);
        while (!end() && !starts("*/")) advance();
        if (end()) fail("unterminated /* comment");
        advance(2);
        continue;
      }
      return;
    }
  }
  bool at_line_end() const { return end() || peek() == '\n'; }

  static bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  std::string ident() {
    if (!ident_start(peek())) fail("expected a name");
    const std::size_t from = pos_;
    while (ident_char(peek())) advance();
    return std::string(slice(from));
  }

  // An unsigned decimal or hex number, modulo 2^32 checked: at most 2^32 - 1.
  std::uint32_t u32() {
    if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a number");
    std::uint64_t v = 0;
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      advance(2);
      if (!std::isxdigit(static_cast<unsigned char>(peek()))) fail("expected hex digits after 0x");
      while (std::isxdigit(static_cast<unsigned char>(peek()))) {
        const char c = peek();
        const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
        v = v * 16 + static_cast<unsigned>(d);
        if (v > 0xFFFFFFFFull) fail("number does not fit in 32 bits");
        advance();
      }
      return static_cast<std::uint32_t>(v);
    }
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + static_cast<unsigned>(peek() - '0');
      if (v > 0xFFFFFFFFull) fail("number does not fit in 32 bits");
      advance();
    }
    return static_cast<std::uint32_t>(v);
  }

  // Seconds with an optional fraction ("1", "1.5", ".05"), as microseconds.
  std::int64_t seconds() {
    if (!std::isdigit(static_cast<unsigned char>(peek())) && peek() != '.') fail("expected a time in seconds");
    std::int64_t whole = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      whole = whole * 10 + (peek() - '0');
      if (whole > 100000000) fail("time too large (more than 10^8 seconds)");
      advance();
    }
    std::int64_t frac = 0;
    if (peek() == '.' && peek(1) != '.') {  // not the "..." of a blocking call
      advance();
      int digits = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (digits < 6) { frac = frac * 10 + (peek() - '0'); ++digits; }
        advance();
      }
      while (digits++ < 6) frac *= 10;
    }
    return whole * 1000000 + frac;
  }

  void expect(char c, const char* what) {
    if (peek() != c) fail(std::string("expected ") + what);
    advance();
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1, col_ = 1;
};

// The statement's text on one line, for reports.
std::string one_line(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') { space = !out.empty(); continue; }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// "[+|-]seconds" or "*"; returns false for "*".
// packetdrill's lexer makes '+', the time, '~' and '...' separate tokens, so blanks may
// separate them ("+ 0.00", "+0 ...0.010", "+0 ... .02").
void blanks(Cursor& c) {
  while (c.peek() == ' ' || c.peek() == '\t') c.advance();
}
bool blanks_then(const Cursor& c, std::string_view what) {
  std::size_t k = 0;
  while (c.peek(k) == ' ' || c.peek(k) == '\t') ++k;
  for (std::size_t i = 0; i < what.size(); ++i)
    if (c.peek(k + i) != what[i]) return false;
  return true;
}

void time_point(Cursor& c, bool& relative, std::int64_t& us) {
  relative = false;
  bool negative = false;
  if (c.peek() == '+') { relative = true; c.advance(); blanks(c); }
  else if (c.peek() == '-') { relative = true; negative = true; c.advance(); blanks(c); }
  us = c.seconds();
  if (negative) us = -us;
}

TimeSpec time_spec(Cursor& c) {
  TimeSpec t;
  if (c.peek() == '*') { c.advance(); t.kind = TimeSpec::Kind::Any; return t; }
  bool rel = false;
  time_point(c, rel, t.us);
  t.kind = rel ? TimeSpec::Kind::Relative : TimeSpec::Kind::Absolute;
  if (blanks_then(c, "~")) {
    blanks(c);
    c.advance();
    blanks(c);
    t.end = TimeSpec::End::Window;
    time_point(c, t.end_relative, t.end_us);
  } else if (blanks_then(c, "...")) {
    blanks(c);
    c.advance(3);
    blanks(c);
    t.end = TimeSpec::End::Blocking;
    time_point(c, t.end_relative, t.end_us);
  }
  return t;
}

// "`...`" or "%{ ... }%": kept as one unsupported statement.
void block(Cursor& c, Statement& st) {
  if (c.peek() == '`') {
    c.advance();
    const std::size_t from = c.pos();
    while (!c.end() && c.peek() != '`') c.advance();
    if (c.end()) c.fail("unterminated `command`");
    st.body = std::string(c.slice(from));
    c.advance();
    st.kind = Statement::Kind::Shell;
    return;
  }
  c.advance(2);  // "%{"
  const std::size_t from = c.pos();
  while (!c.end() && !c.starts("}%")) c.advance();
  if (c.end()) c.fail("unterminated %{ python block");
  st.body = std::string(c.slice(from));
  c.advance(2);
  st.kind = Statement::Kind::Python;
}

// The flags word. packetdrill also writes AccECN's ACE field as digits ("P5.", ".5") and the
// AE flag as 'A'; those are valid but beyond the subset, so they mark the packet unsupported.
void packet_flags(Cursor& c, Packet& p) {
  const std::size_t from = c.pos();
  if (c.peek() == '-' && (c.peek(1) == ' ' || c.peek(1) == '\t')) {  // "-": no flags at all
    c.advance();
    p.flags_text = "-";
    return;
  }
  while (!c.end() && c.peek() != ' ' && c.peek() != '\t' && c.peek() != '\n' && c.peek() != '\r') {
    const char f = c.peek();
    switch (f) {
      case 'F': p.flags |= flag::FIN; break;
      case 'S': p.flags |= flag::SYN; break;
      case 'R': p.flags |= flag::RST; break;
      case 'P': p.flags |= flag::PSH; break;
      case '.': p.flags |= flag::ACK; break;
      case 'E': case 'W': if (p.unsupported.empty()) p.unsupported = "ECN flags (E/W)"; break;
      case 'U': if (p.unsupported.empty()) p.unsupported = "urgent data (U flag)"; break;
      case 'A': if (p.unsupported.empty()) p.unsupported = "AccECN (the AE flag 'A')"; break;
      default:
        if (std::isdigit(static_cast<unsigned char>(f))) {
          if (p.unsupported.empty()) p.unsupported = "AccECN (ACE field digits in the flags)";
          break;
        }
        c.fail(std::string("unknown TCP flag '") + f + "' (expected F, S, R, P, ., E, W, U, A or ACE digits)");
    }
    c.advance();
  }
  p.flags_text = std::string(c.slice(from));
  if (p.flags_text.empty()) c.fail("expected TCP flags (S, S., ., P., F., R, R. ...)");
}

// A word after the direction that names another protocol or an outer header (packetdrill's
// udp, icmp, ipv4/ipv6 encapsulation, gre, mpls): valid, beyond the subset.
bool other_protocol(const Cursor& c) {
  static constexpr std::string_view kWords[] = {"udp", "udplite", "icmp", "ipv4", "ipv6", "gre", "mpls", "sctp"};
  std::size_t k = 0;
  std::string w;
  while (Cursor::ident_char(c.peek(k))) w += c.peek(k++);
  for (std::string_view x : kWords)
    if (w == x) return true;
  return false;
}

// "start:end(len)", or "...(len)" on an outbound segment (its sequence number not checked).
void packet_range(Cursor& c, Packet& p) {
  if (c.starts("...")) {
    if (p.inbound) c.fail("'...' as a sequence range is only valid on an outbound ('>') segment");
    c.advance(3);
    p.seq_any = true;
    c.expect('(', "'(' in ...(len)");
    p.len = c.u32();
    c.expect(')', "')' in ...(len)");
    p.end = p.len;
    return;
  }
  p.start = c.u32();
  c.expect(':', "':' in start:end(len)");
  p.end = c.u32();
  c.expect('(', "'(' in start:end(len)");
  p.len = c.u32();
  c.expect(')', "')' in start:end(len)");
  if (p.end - p.start != p.len) c.fail("start:end(len) is inconsistent: end - start must equal len");
}

void tcp_options(Cursor& c, Packet& p) {
  c.advance();  // '<'
  p.options_listed = true;
  c.skip(false);
  if (c.starts("...")) {
    c.advance(3);
    c.skip(false);
    c.expect('>', "'>' after <...");
    p.options_any = true;
    return;
  }
  for (;;) {
    c.skip(false);
    TcpOption o;
    o.name = c.ident();
    c.skip(false);
    if (o.name == "mss" || o.name == "wscale") {
      o.a = c.u32();
    } else if (o.name == "TS") {
      if (c.ident() != "val") c.fail("expected 'val' after TS");
      c.skip(false);
      o.a = c.u32();
      c.skip(false);
      if (c.ident() != "ecr") c.fail("expected 'ecr' after TS val N");
      c.skip(false);
      o.b = c.u32();
    } else {
      // sack blocks, FO cookies, md5, exp...: kept by name, their text kept as it is.
      const std::size_t from = c.pos();
      while (!c.at_line_end() && c.peek() != ',' && c.peek() != '>') c.advance();
      o.arg = std::string(c.slice(from));
      while (!o.arg.empty() && (o.arg.back() == ' ' || o.arg.back() == '\t')) o.arg.pop_back();
    }
    p.options.push_back(o);
    c.skip(false);
    if (c.peek() == ',') { c.advance(); continue; }
    c.expect('>', "',' or '>' in the TCP option list");
    return;
  }
}

void packet(Cursor& c, Statement& st) {
  Packet& p = st.packet;
  p.inbound = c.peek() == '<';
  c.advance();
  c.skip(false);
  if (c.peek() == '[') {  // an ECN codepoint such as [ect0] or [ce]
    p.unsupported = "ECN codepoint";
    while (!c.at_line_end() && c.peek() != ']') c.advance();
    c.expect(']', "']'");
    c.skip(false);
  } else if (c.peek() == '(') {  // IP header fields: (tos 0x20), (hlim 4), (class 0x28)
    const std::size_t from = c.pos();
    while (!c.at_line_end() && c.peek() != ')') c.advance();
    c.expect(')', "')' after the IP header fields");
    p.unsupported = "IP header fields " + std::string(c.slice(from));
    c.skip(false);
  }
  if (other_protocol(c)) {
    const std::size_t from = c.pos();
    while (Cursor::ident_char(c.peek())) c.advance();
    p.unsupported = "a non-TCP packet (" + std::string(c.slice(from)) + ")";
    while (!c.at_line_end()) c.advance();
    return;
  }
  packet_flags(c, p);
  if (p.flags_text.find('.') == std::string::npos && blanks_then(c, ".") && !blanks_then(c, "..")) {
    blanks(c);  // "F  .": the ACK flag as a token of its own, as packetdrill's grammar allows
    c.advance();
    p.flags |= flag::ACK;
    p.flags_text += '.';
  }
  c.skip(false);
  packet_range(c, p);
  for (;;) {
    c.skip(false);
    if (c.at_line_end() || c.peek() == ';') return;
    if (c.peek() == '<') { tcp_options(c, p); continue; }
    if (c.peek() == '!') {  // "0:0(0)!": FreeBSD's packetdrill marks a segment so; not modelled
      c.advance();
      if (p.unsupported.empty()) p.unsupported = "'!' after the sequence range";
      continue;
    }
    if (c.peek() == '/') {  // ".../udp(SPORT > DPORT)": TCP encapsulated in UDP (RFC 8467-style tunnelling)
      if (p.unsupported.empty()) p.unsupported = "UDP encapsulation (/udp(...))";
      while (!c.at_line_end()) c.advance();
      return;
    }
    const Loc at = c.loc();
    const std::string word = c.ident();
    c.skip(false);
    if (word == "ack") { p.has_ack = true; p.ack = c.u32(); }
    else if (word == "win") { p.has_win = true; p.win = c.u32(); }
    else if (word == "urg") { c.u32(); if (p.unsupported.empty()) p.unsupported = "urgent pointer"; }
    else throw Failure{at, "unexpected '" + word + "' in a packet (expected ack, win or <options>)"};
  }
}

void syscall(Cursor& c, Statement& st) {
  Syscall& s = st.call;
  s.name = c.ident();
  c.skip(false);
  c.expect('(', "'(' after the system call name");
  int depth = 0;
  std::size_t from = c.pos();
  Loc arg_loc = c.loc();
  auto push_arg = [&](std::string_view raw) {
    std::string a = one_line(raw);
    if (!a.empty() || !s.args.empty()) { s.args.push_back(a); s.arg_locs.push_back(arg_loc); }
  };
  for (;;) {
    if (c.end()) c.fail("unterminated argument list: missing ')'");
    const char ch = c.peek();
    if (ch == '"') {
      c.advance();
      while (!c.end() && c.peek() != '"') { if (c.peek() == '\\') c.advance(); c.advance(); }
      if (c.end()) c.fail("unterminated string");
      c.advance();
      continue;
    }
    if (ch == '(' || ch == '[' || ch == '{') ++depth;
    if (ch == ']' || ch == '}' || (ch == ')' && depth > 0)) {
      if (--depth < 0) c.fail(std::string("unbalanced '") + ch + "'");
    } else if (ch == ')' && depth == 0) {
      push_arg(c.slice(from));
      c.advance();
      break;
    }
    if (ch == ',' && depth == 0) {
      push_arg(c.slice(from));
      c.advance();
      from = c.pos();
      arg_loc = c.loc();
      continue;
    }
    c.advance();
  }
  c.skip(false);
  c.expect('=', "'= result' after the system call");
  c.skip(false);
  if (c.starts("...")) { c.advance(3); s.ret_any = true; }
  else {
    bool neg = false;
    if (c.peek() == '-') { neg = true; c.advance(); }
    const std::int64_t v = c.u32();
    s.ret = neg ? -v : v;
  }
  c.skip(false);
  if (Cursor::ident_start(c.peek())) {
    s.err = c.ident();
    c.skip(false);
  }
  if (c.peek() == '(') {  // strace's note: "(Broken pipe)", "(flags O_RDWR)": free text, balanced
    const std::size_t from = c.pos();
    int d = 0;
    do {
      if (c.at_line_end()) c.fail("unterminated '(' in the note after the result");
      if (c.peek() == '(') ++d;
      if (c.peek() == ')') --d;
      c.advance();
    } while (d > 0);
    const std::string_view n = c.slice(from);
    s.note = std::string(n.substr(1, n.size() - 2));
  }
}

void statement(Cursor& c, Script& out) {
  Statement st;
  st.loc = c.loc();
  const std::size_t from = c.pos();
  if (c.peek() == '`' || c.starts("%{")) {
    st.time.kind = TimeSpec::Kind::Relative;
    block(c, st);
  } else {
    st.time = time_spec(c);
    c.skip(false);
    if (c.peek() == '<' || c.peek() == '>') { st.kind = Statement::Kind::Packet; packet(c, st); }
    else if (c.peek() == '`' || c.starts("%{")) block(c, st);
    else if (Cursor::ident_start(c.peek())) { st.kind = Statement::Kind::Syscall; syscall(c, st); }
    else c.fail("expected a packet ('<' or '>'), a system call, or a `command` after the time");
  }
  st.text = one_line(c.slice(from));
  c.skip(false);
  if (c.peek() == ';') c.advance();
  c.skip(false);
  if (!c.at_line_end()) c.fail("unexpected text after the statement");
  out.statements.push_back(std::move(st));
}

// "#ifdef NAME", "#ifndef NAME", "#else", "#endif": each on a line of its own. The open blocks
// are a stack; every statement records the conditions around it (Statement::when).
struct Directives {
  std::vector<Cond> open;
  std::vector<Loc> at;  // where each open block began, for "not closed" errors
};

void directive(Cursor& c, Directives& d) {
  const Loc at = c.loc();
  c.advance();  // '#'
  const std::size_t from = c.pos();
  while (Cursor::ident_char(c.peek())) c.advance();
  const std::string word(c.slice(from));
  c.skip(false);
  if (word == "ifdef" || word == "ifndef") {
    if (!Cursor::ident_start(c.peek())) c.fail("#" + word + " needs a name");
    d.open.push_back(Cond{c.ident(), word == "ifdef"});
    d.at.push_back(at);
  } else if (word == "else") {
    if (d.open.empty()) throw Failure{at, "#else without #ifdef"};
    d.open.back().defined = !d.open.back().defined;
  } else if (word == "endif") {
    if (d.open.empty()) throw Failure{at, "#endif without #ifdef"};
    d.open.pop_back();
    d.at.pop_back();
  } else {
    throw Failure{at, "unknown directive '#" + word + "' (expected #ifdef, #ifndef, #else or #endif)"};
  }
  c.skip(false);
  if (!c.at_line_end()) c.fail("unexpected text after #" + word);
}

void header_option(Cursor& c, Script& out) {
  HeaderOption o;
  o.loc = c.loc();
  c.advance(2);
  const std::size_t from = c.pos();
  while (Cursor::ident_char(c.peek()) || c.peek() == '-') c.advance();
  o.name = std::string(c.slice(from));
  if (o.name.empty()) c.fail("expected an option name after --");
  if (c.peek() == '=') {
    c.advance();
    const std::size_t v = c.pos();
    while (!c.at_line_end()) c.advance();
    o.value = one_line(c.slice(v));
  }
  out.options.push_back(std::move(o));
}

// "// profile: linux" in the comments before the first statement names the script's profile.
void scan_profile(std::string_view text, Script& out) {
  std::size_t at = 0;
  while (at < text.size() && out.profile.empty()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(at, nl - at);
    at = nl + 1;
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) continue;
    if (line.substr(i, 2) != "//") return;  // the first non-comment line ends the header
    const std::size_t p = line.find("profile:");
    if (p == std::string_view::npos) continue;
    std::size_t k = p + 8;
    while (k < line.size() && line[k] == ' ') ++k;
    std::size_t e = k;
    while (e < line.size() && (Cursor::ident_char(line[e]) || line[e] == '-')) ++e;
    out.profile = std::string(line.substr(k, e - k));
  }
}

}  // namespace

bool active(const std::vector<Cond>& when, const std::vector<std::string>& defined) noexcept {
  for (const Cond& k : when) {
    const bool is = std::find(defined.begin(), defined.end(), k.name) != defined.end();
    if (is != k.defined) return false;
  }
  return true;
}

ParseResult parse(std::string_view text, std::string_view filename) noexcept {
  ParseResult r;
  try {
    Script s;
    s.filename = std::string(filename);
    scan_profile(text, s);
    Cursor c(text);
    Directives d;
    for (;;) {
      c.skip(true);
      if (c.end()) break;
      if (c.peek() == '\0') c.fail("NUL byte in the script");
      if (c.peek() == '#') { directive(c, d); continue; }
      if (c.starts("--")) { header_option(c, s); s.options.back().when = d.open; continue; }
      statement(c, s);
      s.statements.back().when = d.open;
    }
    if (!d.open.empty())
      throw Failure{d.at.back(), "#ifdef " + d.open.back().name + " is not closed by #endif"};
    r.script = std::move(s);
  } catch (const Failure& f) {
    r.error = ParseError{std::string(filename), f.loc, f.message};
  } catch (const std::exception& e) {
    r.error = ParseError{std::string(filename), Loc{}, std::string("internal: ") + e.what()};
  } catch (...) {
    r.error = ParseError{std::string(filename), Loc{}, "internal error"};
  }
  return r;
}

}  // namespace tcpclose::replay
