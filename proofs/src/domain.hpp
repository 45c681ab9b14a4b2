// The symbolic value domain that core/'s rules run on to derive the relation (derive.cpp): Z3
// terms with the core's field names, where converting a term to bool or to an enum asks the
// path explorer which way this run goes. Private to proofs/src.
#pragma once

#include <algorithm>
#include <any>
#include <initializer_list>
#include <array>
#include <tuple>
#include <utility>
#include <memory>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <z3++.h>

#include <tcpclose/core.hpp>

#include "tcpclose/proofs/encoding.hpp"

namespace tcpclose::proofs::sym {

// One exploration: the decisions of the run in progress, as a tree shared by every run. A join
// (Domain::join) explores its part of a run with a Paths of its own, whose parent's decisions hold.
class Paths {
 public:
  struct Node {
    std::vector<z3::expr> conds;  // alternative i when conds[i] holds (and no earlier one); the last is "else"
    std::vector<std::unique_ptr<Node>> kids;
  };
  explicit Paths(Paths* parent = nullptr) : parent_(parent) {}
  // Which of n alternatives this run takes; conds holds the first n - 1 conditions.
  std::size_t branch(const std::vector<z3::expr>& conds);
  bool decide(const z3::expr& cond);
  // Which value an enumeration term takes on this run (conds as for branch).
  std::size_t choose(const z3::expr& term, const std::vector<z3::expr>& conds);
  // Start a run at the root; returns false when every path has been run.
  bool next_run();
  const Node* current() const { return at_; }  // where the run in progress ends
  // A join's outcome, kept for the next run that reaches the same point: the code is deterministic,
  // so the same decisions so far and the same count of joins since the last one mean the same join.
  template <class Leaf>
  const Leaf* cached() {
    const auto it = joins_.find({at_, joins_here_});
    return it == joins_.end() ? nullptr : std::any_cast<Leaf>(&it->second);
  }
  template <class Leaf>
  void keep(Leaf leaf) {
    joins_.emplace(std::make_pair(at_, joins_here_), std::any(std::move(leaf)));
  }
  void joined_one() { ++joins_here_; }
  const Node& root() const { return root_; }
  std::size_t runs() const { return runs_; }
  z3::expr simplified(const z3::expr& e);

 private:
  using Decisions = std::unordered_map<unsigned, std::size_t>;
  std::optional<std::size_t> known(Decisions Paths::*map, unsigned id) const;
  struct KeyHash {
    std::size_t operator()(const std::pair<const Node*, unsigned>& k) const {
      return std::hash<const void*>()(k.first) * 31 + k.second;
    }
  };
  Paths* parent_;
  std::unordered_map<std::pair<const Node*, unsigned>, std::any, KeyHash> joins_;
  unsigned joins_here_ = 0;
  Node root_;
  Node* at_ = &root_;
  std::vector<std::size_t> path_, arity_;
  std::size_t depth_ = 0, runs_ = 0;
  bool started_ = false;
  std::unordered_map<unsigned, std::size_t> decided_;  // this run: condition id -> alternative
  std::unordered_map<unsigned, std::size_t> chosen_;   // this run: enumeration term id -> alternative
  // Keyed by term id, with the term itself held so that its id is not reused while here.
  std::unordered_map<unsigned, std::pair<z3::expr, z3::expr>> simple_;
  std::vector<z3::expr> held_;  // this run's decided terms, for the same reason
};

// What the values need while a derivation runs.
struct Context {
  const Vocabulary* v;
  Paths* paths;
  bool delack_timeouts;
};
inline thread_local Context* g_context = nullptr;
inline const Vocabulary& voc() { return *g_context->v; }

// A Boolean term. Used as a bool, it is a branch point: each run takes one side.
class Bool {
 public:
  Bool(bool b) : e(voc().boolean(b)) {}  // NOLINT: as the core writes `t.fin_sent = true`
  explicit Bool(const z3::expr& x) : e(x) {}
  operator bool() const { return g_context->paths->decide(e); }  // NOLINT: the branch
  friend Bool merge(const z3::expr& k, const Bool& a, const Bool& b) { return Bool(proofs::merge(k, a.e, b.e)); }
  z3::expr e;
};

// An unsigned N-bit number; smaller ones widen as C++'s integer promotions do.
template <unsigned N>
class Bits {
 public:
  template <class I>
    requires std::is_integral_v<I>
  Bits(I value) : e(make(value)) {}  // NOLINT
  template <unsigned M>
    requires(M < N)
  Bits(const Bits<M>& o) : e(z3::zext(o.e, N - M)) {}  // NOLINT
  explicit Bits(const z3::expr& x) : e(x) {}

  friend Bits operator+(const Bits& a, const Bits& b) { return fold(a, b, a.e + b.e); }
  friend Bits operator-(const Bits& a, const Bits& b) { return fold(a, b, a.e - b.e); }
  friend Bits operator/(const Bits& a, const Bits& b) { return fold(a, b, z3::udiv(a.e, b.e)); }
  friend Bits operator&(const Bits& a, const Bits& b) { return fold(a, b, a.e & b.e); }
  friend Bits operator|(const Bits& a, const Bits& b) { return fold(a, b, a.e | b.e); }
  friend Bits operator<<(const Bits& a, const Bits& b) { return fold(a, b, z3::shl(a.e, b.e)); }
  friend Bits operator>>(const Bits& a, const Bits& b) { return fold(a, b, z3::lshr(a.e, b.e)); }
  Bits& operator+=(const Bits& b) { return *this = *this + b; }
  Bits& operator-=(const Bits& b) { return *this = *this - b; }
  Bits& operator&=(const Bits& b) { return *this = *this & b; }
  Bits& operator|=(const Bits& b) { return *this = *this | b; }
  Bits& operator++() { return *this = *this + Bits(1); }
  Bits& operator--() { return *this = *this - Bits(1); }
  friend Bool operator==(const Bits& a, const Bits& b) { return truth(a, b, a.e == b.e); }
  friend Bool operator!=(const Bits& a, const Bits& b) { return truth(a, b, a.e != b.e); }
  friend Bool operator<(const Bits& a, const Bits& b) { return truth(a, b, z3::ult(a.e, b.e)); }
  friend Bool operator<=(const Bits& a, const Bits& b) { return truth(a, b, z3::ule(a.e, b.e)); }
  friend Bool operator>(const Bits& a, const Bits& b) { return truth(a, b, z3::ugt(a.e, b.e)); }
  friend Bool operator>=(const Bits& a, const Bits& b) { return truth(a, b, z3::uge(a.e, b.e)); }
  friend Bits merge(const z3::expr& k, const Bits& a, const Bits& b) { return Bits(proofs::merge(k, a.e, b.e)); }

  z3::expr e;

 private:
  template <class I>
  static z3::expr make(I value) {
    if constexpr (std::is_signed_v<I>) {
      if (value < 0) throw std::logic_error("derive: a negative constant in an unsigned term");
    }
    const auto u = static_cast<std::uint64_t>(value);
    if (N < 64 && (u >> (N < 64 ? N : 0)) != 0) throw std::logic_error("derive: a constant wider than its term");
    return voc().ctx().bv_val(u, N);
  }
  // Constant folding: both numerals give a numeral, so a branch on constants is no branch.
  static Bits fold(const Bits& a, const Bits& b, const z3::expr& r) {
    return (a.e.is_numeral() && b.e.is_numeral()) ? Bits(r.simplify()) : Bits(r);
  }
  static Bool truth(const Bits& a, const Bits& b, const z3::expr& r) {
    return (a.e.is_numeral() && b.e.is_numeral()) ? Bool(r.simplify()) : Bool(r);
  }
};
using U8 = Bits<8>;
using U16 = Bits<16>;
using U32 = Bits<32>;
using U64 = Bits<64>;

// Serial arithmetic on terms: seq.hpp's primitives are encoding.hpp's terms, which the lemmas
// prove against RFC 1982 (lemmas.cpp); the rest of seq.hpp is generic and runs as it is.
// Numerals fold, as in Bits, so that a comparison of constants is no branch.
inline Bool folded(const z3::expr& r, std::initializer_list<const U32*> args) {
  for (const U32* a : args)
    if (!a->e.is_numeral()) return Bool(r);
  return Bool(r.simplify());
}
inline Bool seq_lt(const U32& a, const U32& b) { return folded(proofs::seq_lt(a.e, b.e), {&a, &b}); }
inline Bool seq_le(const U32& a, const U32& b) { return folded(proofs::seq_le(a.e, b.e), {&a, &b}); }
inline Bool seq_in_window(const U32& x, const U32& lo, const U32& len) {
  return folded(proofs::seq_in_window(x.e, lo.e, len.e), {&x, &lo, &len});
}

// The alternatives of an enumeration held as a term, in the order a switch tries them.
template <class E>
std::vector<E> alternatives();
template <class E>
z3::expr constant(E value);
template <>
inline std::vector<State> alternatives<State>() { return {kAllStates.begin(), kAllStates.end()}; }
template <>
inline z3::expr constant<State>(State s) { return voc().state(s); }
template <>
inline std::vector<InputKind> alternatives<InputKind>() {
  return {InputKind::Segment, InputKind::Listen, InputKind::Connect, InputKind::Send,   InputKind::Receive,
          InputKind::Shutdown, InputKind::Close, InputKind::Abort,   InputKind::Timeout};
}
template <>
inline z3::expr constant<InputKind>(InputKind k) { return voc().kind(k); }
// derive_step's delack_timeouts = false: a DelAck timeout reads as the FIN-WAIT-2 timer's.
template <>
inline std::vector<Timer> alternatives<Timer>() {
  if (!g_context->delack_timeouts) return {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2};
  return {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2, Timer::DelAck};
}
template <>
inline z3::expr constant<Timer>(Timer t) { return voc().timer(t); }
// SymInput::how is 8 bits: every value but SHUT_RD and SHUT_WR acts as SHUT_RDWR.
template <>
inline std::vector<Shut> alternatives<Shut>() { return {Shut::Rd, Shut::Wr, Shut::RdWr}; }
template <>
inline z3::expr constant<Shut>(Shut h) { return voc().bv8(static_cast<std::uint32_t>(h)); }

// The values an enumeration term can take: when it is an if-then-else of constants (as the
// composed system's input kind is), only those; otherwise every alternative.
template <class E>
std::vector<E> possible_values(const z3::expr& x) {
  const std::vector<E> all = alternatives<E>();
  std::vector<bool> seen(all.size(), false);
  std::vector<z3::expr> todo{x};
  std::unordered_set<unsigned> visited;  // a joined term shares its subterms: walk each once
  while (!todo.empty()) {
    const z3::expr t = todo.back();
    todo.pop_back();
    if (!visited.insert(t.id()).second) continue;
    if (t.is_app() && t.decl().decl_kind() == Z3_OP_ITE) {
      todo.push_back(t.arg(1));
      todo.push_back(t.arg(2));
      continue;
    }
    const auto it = std::find_if(all.begin(), all.end(), [&](E value) { return z3::eq(t, constant(value)); });
    if (it == all.end()) return all;
    seen[static_cast<std::size_t>(it - all.begin())] = true;
  }
  std::vector<E> r;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (seen[i]) r.push_back(all[i]);
  return r;
}

// An enumeration (State, InputKind, Timer, Shut): a known value, or a term that the first
// read splits into one run per value it can take.
// A joined one keeps the values it can have, so that its split has no impossible runs.
template <class E>
class Choice {
 public:
  Choice(E value) : known_(value) {}  // NOLINT
  explicit Choice(const z3::expr& x) : term_(x), possible_(possible_values<E>(x)) {
    if (possible_.size() == 1) known_ = possible_.front();
  }
  operator E() const {  // NOLINT: the branch
    if (known_) return *known_;
    for (E value : possible_)
      if (z3::eq(*term_, constant(value))) return value;
    std::vector<z3::expr> conds;
    for (std::size_t i = 0; i + 1 < possible_.size(); ++i) conds.push_back(*term_ == constant(possible_[i]));
    return possible_[g_context->paths->choose(*term_, conds)];
  }
  z3::expr term() const { return known_ ? constant(*known_) : *term_; }
  std::vector<E> possible() const { return known_ ? std::vector<E>{*known_} : possible_; }
  friend Choice merge(const z3::expr& k, const Choice& a, const Choice& b) {
    if (a.known_ && b.known_ && *a.known_ == *b.known_) return a;
    Choice r(proofs::merge(k, a.term(), b.term()));
    r.possible_.clear();
    for (E value : alternatives<E>()) {
      const auto pa = a.possible(), pb = b.possible();
      if (std::find(pa.begin(), pa.end(), value) != pa.end() || std::find(pb.begin(), pb.end(), value) != pb.end())
        r.possible_.push_back(value);
    }
    return r;
  }

 private:
  std::optional<E> known_;
  std::optional<z3::expr> term_;
  std::vector<E> possible_;
};

// An 8-bit code (Err, Verdict): compared and copied, never split into its values.
template <class E>
class Code {
 public:
  Code(E value) : e(voc().bv8(static_cast<std::uint32_t>(value))) {}  // NOLINT
  explicit Code(const z3::expr& x) : e(x) {}
  friend Bool operator==(const Code& a, E b) { return Bool(a.e == voc().bv8(static_cast<std::uint32_t>(b))); }
  friend Bool operator!=(const Code& a, E b) { return Bool(a.e != voc().bv8(static_cast<std::uint32_t>(b))); }
  friend Code merge(const z3::expr& k, const Code& a, const Code& b) { return Code(proofs::merge(k, a.e, b.e)); }
  z3::expr e;
};

struct Segment {
  U32 seq = 0, ack = 0, len = 0, wnd = 0, ts_val = 0, ts_ecr = 0;
  U8 flags = 0;
  Bool has_ts = false, sack_perm = false;
  std::uint8_t pad_ = 0;

  Bool has(std::uint8_t f) const { return (flags & f) != 0; }
  U32 seg_len() const { return segment_length(*this); }
  auto tie() { return std::tie(seq, ack, len, wnd, ts_val, ts_ecr, flags, has_ts, sack_perm); }
};

struct Tcb {
  Choice<State> state = State::Closed;
  Code<Err> so_error = Err::None;
  U8 retries = 0;
  Bool fin_sent = false, fin_acked = false, fin_rcvd = false, ts_ok = false, orphan = false, rd_shut = false,
       wr_shut = false, passive = false, was_synced = false, rtt_timing = false, sack_ok = false, tlp_sent = false,
       data_rcvd = false;
  U16 srtt = 0, rttvar = 0;
  U32 iss = 0, irs = 0, snd_una = 0, snd_nxt = 0, snd_wnd = 0, rcv_nxt = 0, rcv_wnd = 0, fin_seq = 0, ts_recent = 0,
      last_ack_sent = 0, rcv_unread = 0, rtt_time = 0, oow_ack_at = 0;
  std::array<U32, kTimerCount> deadline = {kNever, kNever, kNever, kNever};

  U32 at(Timer t) const { return deadline[static_cast<std::size_t>(t)]; }
  Bool armed(Timer t) const { return at(t) != kNever; }
  auto tie() {
    return std::tie(state, so_error, retries, fin_sent, fin_acked, fin_rcvd, ts_ok, orphan, rd_shut, wr_shut, passive,
                    was_synced, rtt_timing, sack_ok, tlp_sent, data_rcvd, srtt, rttvar, iss, irs, snd_una, snd_nxt,
                    snd_wnd, rcv_nxt, rcv_wnd, fin_seq, ts_recent, last_ack_sent, rcv_unread, rtt_time, oow_ack_at,
                    deadline);
  }
};

struct Input {
  Choice<InputKind> kind = InputKind::Segment;
  Choice<Timer> timer = Timer::Rexmit;
  Choice<Shut> how = Shut::RdWr;
  std::uint8_t pad_ = 0;
  U32 now = 0, n = 0, iss = 0;
  Segment seg{};
};

struct Action {
  ActionKind kind;
  Timer timer;
  Err err;
  std::uint8_t pad_;
  U32 n;
};

// What SymOutput projects from Output::actions: the segment, and what the application learns.
struct Actions {
  Segment seg{};  // all zero while none is sent, as lift(Output) reads it
  Bool has_seg = false;
  U32 readable = 0;
  Bool eof = false, connected = false;
  Code<Err> error = Err::None;
  auto tie() { return std::tie(seg, has_seg, readable, eof, connected, error); }

  void push(const Action& a);
  Segment& push_send(const Segment& s) {
    has_seg = true;
    seg = s;
    return seg;
  }
};

struct Output {
  Tcb tcb{};
  Actions actions{};
  Code<Verdict> verdict = Verdict::None;
  U8 effects = 0;
  Code<Err> result = Err::None;
  U32 result_n = 0;
  auto tie() { return std::tie(tcb, actions, verdict, effects, result, result_n); }
};

// A struct with tie(): joined field by field.
template <class T>
  requires requires(T& t) { t.tie(); }
T merge(const z3::expr& k, const T& a, const T& b) {
  T r = a, other = b;
  std::apply([&](auto&... ra) { std::apply([&](auto&... rb) { ((ra = merge(k, ra, rb)), ...); }, other.tie()); },
             r.tie());
  return r;
}
template <class T, std::size_t N>
std::array<T, N> merge(const z3::expr& k, const std::array<T, N>& a, const std::array<T, N>& b) {
  std::array<T, N> r = a;
  for (std::size_t i = 0; i < N; ++i) r[i] = merge(k, a[i], b[i]);
  return r;
}

// The outcome of one run through a join: the output, the builder's three flags, f's result.
template <class R>
struct JoinLeaf {
  Output out;
  Bool ack_due, fin_delays_ack, data_delays_ack;
  R result;
  auto tie() { return std::tie(out, ack_due, fin_delays_ack, data_delays_ack, result); }
};

// The tree's outcome: each decision an if-then-else of its alternatives' outcomes.
template <class Leaf>
Leaf joined(const Paths::Node& n, const std::unordered_map<const Paths::Node*, Leaf>& leaves) {
  if (n.kids.empty()) return leaves.at(&n);
  Leaf r = joined(*n.kids.back(), leaves);
  for (std::size_t i = n.kids.size() - 1; i-- > 0;) r = merge(n.conds[i], joined(*n.kids[i], leaves), r);
  return r;
}

// The domain itself, as step.hpp's Concrete is the core's.
struct Domain {
  using Tcb = sym::Tcb;
  using Segment = sym::Segment;
  using Input = sym::Input;
  using Output = sym::Output;
  using Action = sym::Action;
  using Word = U32;
  using Bool = sym::Bool;
  static constexpr bool kTimerActions = false;  // SymOutput keeps the deadlines, not the actions
  template <unsigned N>
  static U64 wide(const Bits<N>& v) { return U64(v); }
  static U64 wide(std::uint32_t v) { return U64(v); }
  static U32 word(const U64& v) { return U32(v.e.extract(31, 0)); }
  static U16 half(const U32& v) { return U16(v.e.extract(15, 0)); }

  // BasicStep::join on a value: every path through f, its results joined.
  template <class F>
  static auto join_value(F&& f) {
    using R = decltype(f());
    using Result = std::conditional_t<std::is_same_v<R, bool>, Bool, R>;
    Paths* outer = g_context->paths;
    if (const Result* hit = outer->cached<Result>()) {
      outer->joined_one();
      return *hit;
    }
    Paths inner(outer);
    g_context->paths = &inner;
    std::unordered_map<const Paths::Node*, Result> leaves;
    while (inner.next_run()) {
      const Result r(f());
      leaves.emplace(inner.current(), r);
    }
    g_context->paths = outer;
    Result r = joined(inner.root(), leaves);
    outer->keep(r);
    outer->joined_one();
    return r;
  }

  // BasicStep::join: every path through f from this point, joined. f's bool becomes a Bool.
  template <class X, class F>
  static auto join(X& x, F&& f) {
    using R = decltype(f());
    using Result = std::conditional_t<std::is_void_v<R>, Bool, std::conditional_t<std::is_same_v<R, bool>, Bool, R>>;
    Paths* outer = g_context->paths;
    if (const JoinLeaf<Result>* hit = outer->cached<JoinLeaf<Result>>()) {
      outer->joined_one();
      return apply(x, *hit);
    }
    Paths inner(outer);
    g_context->paths = &inner;
    const Output start = x.out;
    const Bool ack = x.ack_due, fin = x.fin_delays_ack, data = x.data_delays_ack;
    std::unordered_map<const Paths::Node*, JoinLeaf<Result>> leaves;
    while (inner.next_run()) {
      x.out = start;
      x.ack_due = ack, x.fin_delays_ack = fin, x.data_delays_ack = data;
      if constexpr (std::is_void_v<R>) {
        f();
        leaves.emplace(inner.current(), JoinLeaf<Result>{x.out, x.ack_due, x.fin_delays_ack, x.data_delays_ack, Bool(true)});
      } else {
        const Result r(f());
        leaves.emplace(inner.current(), JoinLeaf<Result>{x.out, x.ack_due, x.fin_delays_ack, x.data_delays_ack, r});
      }
    }
    g_context->paths = outer;
    const JoinLeaf<Result> j = joined(inner.root(), leaves);
    outer->keep(j);
    outer->joined_one();
    return apply(x, j);
  }
  template <class X, class Result>
  static auto apply(X& x, const JoinLeaf<Result>& j) {
    x.out = j.out;
    x.ack_due = j.ack_due, x.fin_delays_ack = j.fin_delays_ack, x.data_delays_ack = j.data_delays_ack;
    if constexpr (!std::is_same_v<Result, void>) return j.result;
  }
};

}  // namespace tcpclose::proofs::sym
