// The relation derived from core/'s own rules: step()'s code (detail::on_input) runs on Z3 terms
// (domain.hpp), once per path through it. Each branch on a term is explored both ways, and the
// runs' outputs are joined into one term under the conditions that chose them.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain.hpp"
#include "tcpclose/proofs/encoding.hpp"

namespace tcpclose::proofs {
namespace sym {

std::optional<std::size_t> Paths::known(Decisions Paths::*map, unsigned id) const {
  for (const Paths* p = this; p != nullptr; p = p->parent_) {
    const auto it = (p->*map).find(id);
    if (it != (p->*map).end()) return it->second;
  }
  return std::nullopt;
}

z3::expr Paths::simplified(const z3::expr& e) {
  if (parent_ != nullptr) return parent_->simplified(e);
  const auto it = simple_.find(e.id());
  if (it != simple_.end()) return it->second.second;
  z3::expr s = e.simplify();
  simple_.emplace(e.id(), std::make_pair(e, s));
  return s;
}

std::size_t Paths::branch(const std::vector<z3::expr>& conds) {
  Node* n = at_;
  if (n->kids.empty()) {
    n->conds = conds;
    n->kids.resize(conds.size() + 1);
  }
  std::size_t i = 0;
  if (depth_ < path_.size()) {
    i = path_[depth_];
  } else {
    path_.push_back(0);
    arity_.push_back(conds.size() + 1);
  }
  ++depth_;
  joins_here_ = 0;
  if (!n->kids[i]) n->kids[i] = std::make_unique<Node>();
  at_ = n->kids[i].get();
  return i;
}

// A condition already decided on this run is not a new branch: the same term, the same side.
bool Paths::decide(const z3::expr& cond) {
  if (cond.is_true()) return true;
  if (cond.is_false()) return false;
  const z3::expr s = simplified(cond);
  if (s.is_true()) return true;
  if (s.is_false()) return false;
  if (const auto k = known(&Paths::decided_, s.id())) return *k == 0;
  const std::size_t i = branch({s});
  decided_.emplace(s.id(), i);
  held_.push_back(s);
  return i == 0;
}

std::size_t Paths::choose(const z3::expr& term, const std::vector<z3::expr>& conds) {
  if (const auto k = known(&Paths::chosen_, term.id())) return *k;
  const std::size_t i = branch(conds);
  chosen_.emplace(term.id(), i);
  held_.push_back(term);
  return i;
}

// Depth first: the next run replays the last one's choices up to its deepest decision that has
// an alternative left, and takes that alternative.
bool Paths::next_run() {
  if (started_) {
    while (!path_.empty() && path_.back() + 1 == arity_.back()) {
      path_.pop_back();
      arity_.pop_back();
    }
    if (path_.empty()) return false;
    ++path_.back();
  }
  started_ = true;
  at_ = &root_;
  depth_ = 0;
  joins_here_ = 0;
  decided_.clear();
  chosen_.clear();
  held_.clear();
  ++runs_;
  return true;
}

void Actions::push(const Action& a) {
  switch (a.kind) {
    case ActionKind::Readable: readable = a.n; return;
    case ActionKind::Eof: eof = true; return;
    case ActionKind::Error: error = Code<Err>(a.err); return;
    case ActionKind::Connected: connected = true; return;
    case ActionKind::Send: case ActionKind::ArmTimer: case ActionKind::CancelTimer: return;
  }
}

namespace {

Tcb from(const SymTcb& t) {
  Tcb r;
  r.state = Choice<State>(t.state);
  r.so_error = Code<Err>(t.so_error);
  r.retries = U8(t.retries);
  r.fin_sent = Bool(t.fin_sent); r.fin_acked = Bool(t.fin_acked); r.fin_rcvd = Bool(t.fin_rcvd);
  r.ts_ok = Bool(t.ts_ok); r.orphan = Bool(t.orphan); r.rd_shut = Bool(t.rd_shut); r.wr_shut = Bool(t.wr_shut);
  r.passive = Bool(t.passive); r.was_synced = Bool(t.was_synced);
  r.iss = U32(t.iss); r.irs = U32(t.irs); r.snd_una = U32(t.snd_una); r.snd_nxt = U32(t.snd_nxt);
  r.snd_wnd = U32(t.snd_wnd); r.rcv_nxt = U32(t.rcv_nxt); r.rcv_wnd = U32(t.rcv_wnd); r.fin_seq = U32(t.fin_seq);
  r.ts_recent = U32(t.ts_recent); r.last_ack_sent = U32(t.last_ack_sent); r.rcv_unread = U32(t.rcv_unread);
  for (std::size_t i = 0; i < kTimerCount; ++i) r.deadline[i] = U32(t.deadline[i]);
  r.rtt_timing = Bool(t.rtt_timing); r.rtt_time = U32(t.rtt_time); r.srtt = U16(t.srtt); r.rttvar = U16(t.rttvar);
  r.sack_ok = Bool(t.sack_ok); r.tlp_sent = Bool(t.tlp_sent); r.oow_ack_at = U32(t.oow_ack_at);
  r.data_rcvd = Bool(t.data_rcvd);
  return r;
}

Segment from(const SymSegment& s) {
  return Segment{U32(s.seq), U32(s.ack), U32(s.len), U32(s.wnd), U32(s.ts_val), U32(s.ts_ecr), U8(s.flags),
                 Bool(s.has_ts), Bool(s.sack_perm), 0};
}

Input from(const SymInput& in) {
  Input r;
  r.kind = Choice<InputKind>(in.kind);
  r.timer = Choice<Timer>(in.timer);
  r.how = Choice<Shut>(in.how);
  r.now = U32(in.now); r.n = U32(in.n); r.iss = U32(in.iss);
  r.seg = from(in.seg);
  return r;
}

SymTcb project(const Tcb& t) {
  return SymTcb{t.state.term(), t.so_error.e, t.retries.e, t.fin_sent.e, t.fin_acked.e, t.fin_rcvd.e, t.ts_ok.e,
                t.orphan.e, t.rd_shut.e, t.wr_shut.e, t.passive.e, t.was_synced.e, t.iss.e, t.irs.e, t.snd_una.e,
                t.snd_nxt.e, t.snd_wnd.e, t.rcv_nxt.e, t.rcv_wnd.e, t.fin_seq.e, t.ts_recent.e, t.last_ack_sent.e,
                t.rcv_unread.e, {t.deadline[0].e, t.deadline[1].e, t.deadline[2].e, t.deadline[3].e},
                t.rtt_timing.e, t.rtt_time.e, t.srtt.e, t.rttvar.e, t.sack_ok.e, t.tlp_sent.e, t.oow_ack_at.e,
                t.data_rcvd.e};
}

SymSegment project(const Segment& s) {
  return SymSegment{s.seq.e, s.ack.e, s.len.e, s.wnd.e, s.ts_val.e, s.ts_ecr.e, s.flags.e, s.has_ts.e, s.sack_perm.e};
}

// As lift(Output) reads a concrete one: no segment reads as all zero.
SymOutput project(const Output& o) {
  return SymOutput{project(o.tcb), o.actions.has_seg.e, project(o.actions.seg), o.verdict.e, o.effects.e,
                   o.result.e, o.result_n.e, o.actions.readable.e, o.actions.eof.e, o.actions.error.e,
                   o.actions.connected.e};
}

// Sets the thread's context for one derivation and puts the previous one back.
class Scope {
 public:
  explicit Scope(Context* c) : saved_(g_context) { g_context = c; }
  ~Scope() { g_context = saved_; }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Context* saved_;
};

// The joined output, field by field. A field that takes two values at the leaves is
// ite(selector, rarer, commoner), the selector being the path tree read as a Boolean that is
// true at the rarer value's leaves; fields whose leaves split alike share it. A 32-bit field
// with more values is a chain of such selectors (chained); any other one an if-then-else over
// the path tree, as sym::joined builds it. The chains took BMC from 1.83x the encoding's time
// to 1.12x, medians over Z3's seeds; they made the one-slot CHC proof 4x slower while its checks
// were asked one by one, and 0.55x the encoding's since they are asked together (docs/proofs.md,
// "Term order, grouping and enumerations").
std::vector<z3::expr*> terms(SymOutput& o) {
  // Every field is listed below: a field left out would keep the first leaf's value.
  static_assert(sizeof(SymOutput) == (49 + kTimerCount) * sizeof(z3::expr), "a SymOutput field is missing below");
  SymTcb& t = o.tcb;
  std::vector<z3::expr*> r = {&t.state, &t.so_error, &t.retries, &t.fin_sent, &t.fin_acked, &t.fin_rcvd, &t.ts_ok,
                              &t.orphan, &t.rd_shut, &t.wr_shut, &t.passive, &t.was_synced, &t.iss, &t.irs,
                              &t.snd_una, &t.snd_nxt, &t.snd_wnd, &t.rcv_nxt, &t.rcv_wnd, &t.fin_seq, &t.ts_recent,
                              &t.last_ack_sent, &t.rcv_unread, &t.rtt_timing, &t.rtt_time, &t.srtt, &t.rttvar,
                              &t.sack_ok, &t.tlp_sent, &t.oow_ack_at, &t.data_rcvd, &o.has_seg, &o.seg.seq,
                              &o.seg.ack, &o.seg.len, &o.seg.wnd, &o.seg.ts_val, &o.seg.ts_ecr, &o.seg.flags,
                              &o.seg.has_ts, &o.seg.sack_perm, &o.verdict, &o.effects, &o.result, &o.result_n,
                              &o.readable, &o.eof, &o.error, &o.connected};
  for (z3::expr& d : t.deadline) r.push_back(&d);
  return r;
}

// One field's term at node n: at a leaf its value there, elsewhere the if-then-else of its kids'.
template <class AtLeaf>
z3::expr over_tree(const Paths::Node& n, const AtLeaf& at_leaf) {
  if (n.kids.empty()) return at_leaf(n);
  z3::expr r = over_tree(*n.kids.back(), at_leaf);
  for (std::size_t i = n.kids.size() - 1; i-- > 0;) {
    const z3::expr k = over_tree(*n.kids[i], at_leaf), c = n.conds[i];
    if (z3::eq(k, r)) continue;
    // A Boolean with a constant side folds into and/or: the selectors below are mostly such.
    if (k.is_true() && r.is_false()) r = c;
    else if (k.is_false() && r.is_true()) r = !c;
    else if (k.is_true()) r = c || r;
    else if (k.is_false()) r = !c && r;
    else if (r.is_true()) r = !c || k;
    else if (r.is_false()) r = c && k;
    else r = z3::ite(c, k, r);
  }
  return r;
}

// The leaves in the tree's own order (depth first, alternatives in order), so that the join
// does not depend on where the nodes were allocated. Walking a map keyed by their addresses,
// the two-valued grouping happened not to (the same terms each time), but a join that orders
// many values by how common they are did: its terms changed from one process to the next, and
// so did a proof's time under one Z3 seed, 12 s in one run and 46 s in another
// (proofs.EveryProfile/DerivedRelation.IsTheSameTermsEachTimeItIsDerived).
void leaf_order(const Paths::Node& n, std::vector<const Paths::Node*>& out) {
  if (n.kids.empty()) {
    out.push_back(&n);
    return;
  }
  for (const auto& k : n.kids)
    if (k) leaf_order(*k, out);
}

// A many-valued field as ite(sel_1, v_1, ite(sel_2, v_2, ... v_commonest)): its values ordered
// by how many leaves take them (most first, then by first leaf in leaf_order, so the terms do
// not depend on the heap), each selector the path tree read as a Boolean true at that value's
// leaves. Where the tree's if-then-else carries the 32-bit values down every branch, the chain
// names each value once; BMC answers on it about as fast as on the encoding.
z3::expr chained(const Paths::Node& root, const std::vector<std::vector<z3::expr*>>& at,
                 const std::unordered_map<const Paths::Node*, std::size_t>& index, std::size_t f) {
  std::vector<z3::expr> values;
  std::vector<std::size_t> counts;
  for (const std::vector<z3::expr*>& fs : at) {
    std::size_t k = 0;
    while (k < values.size() && !z3::eq(values[k], *fs[f])) ++k;
    if (k == values.size()) {
      values.push_back(*fs[f]);
      counts.push_back(0);
    }
    ++counts[k];
  }
  std::vector<std::size_t> order(values.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });
  z3::expr r = values[order[0]];
  for (std::size_t j = 1; j < order.size(); ++j) {
    const z3::expr& v = values[order[j]];
    const z3::expr sel =
        over_tree(root, [&](const Paths::Node& n) { return voc().boolean(z3::eq(*at[index.at(&n)][f], v)); });
    r = z3::ite(sel, v, r);
  }
  return r;
}

SymOutput joined_by_field(const Paths::Node& root, std::unordered_map<const Paths::Node*, SymOutput>& leaves) {
  std::vector<const Paths::Node*> order;
  leaf_order(root, order);
  std::vector<std::vector<z3::expr*>> at;  // each leaf's fields, in leaf_order
  std::unordered_map<const Paths::Node*, std::size_t> index;
  for (const Paths::Node* n : order) {
    index.emplace(n, at.size());
    at.push_back(terms(leaves.at(n)));
  }
  SymOutput r = leaves.at(order.front());
  const std::vector<z3::expr*> rf = terms(r);
  std::unordered_map<std::string, z3::expr> selectors;  // by the leaves' marks, one char each
  for (std::size_t f = 0; f < rf.size(); ++f) {
    std::vector<z3::expr> values;  // the first two distinct values, and whether there are more
    std::size_t first = 0;
    bool more = false;
    std::string key;
    for (const std::vector<z3::expr*>& fs : at) {
      const z3::expr& e = *fs[f];
      if (values.empty() || z3::eq(values[0], e)) { if (values.empty()) values.push_back(e); ++first; key.push_back('0'); continue; }
      if (values.size() == 1) values.push_back(e);
      else if (!z3::eq(values[1], e)) more = true;
      key.push_back('1');
    }
    if (values.size() == 1) { *rf[f] = values[0]; continue; }
    if (more && rf[f]->is_bv() && rf[f]->get_sort().bv_size() == 32) { *rf[f] = chained(root, at, index, f); continue; }
    if (more) { *rf[f] = over_tree(root, [&](const Paths::Node& n) { return *at[index.at(&n)][f]; }); continue; }
    // Two values: the selector marks the rarer one's leaves.
    const bool rare0 = 2 * first < at.size();
    if (rare0)
      for (char& ch : key) ch = ch == '0' ? '1' : '0';
    auto it = selectors.find(key);
    if (it == selectors.end()) {
      const z3::expr rare = values[rare0 ? 0 : 1];
      it = selectors.emplace(key, over_tree(root, [&](const Paths::Node& n) {
                                    return voc().boolean(z3::eq(*at[index.at(&n)][f], rare));
                                  })).first;
    }
    *rf[f] = z3::ite(it->second, values[rare0 ? 0 : 1], values[rare0 ? 1 : 0]);
  }
  return r;
}

}  // namespace
}  // namespace sym

SymOutput derive_step(const Vocabulary& v, const Config& c, const SymTcb& tcb, const SymInput& in,
                      bool delack_timeouts, std::size_t* runs, std::size_t max_runs) {
  sym::Paths paths;
  sym::Context context{&v, &paths, delack_timeouts};
  const sym::Scope scope(&context);
  const sym::Tcb start = sym::from(tcb);
  const sym::Input input = sym::from(in);
  std::unordered_map<const sym::Paths::Node*, SymOutput> leaves;
  while (paths.next_run()) {
    sym::Output out;
    out.tcb = start;
    detail::BasicStep<sym::Domain> x{out, input, c};
    detail::on_input(x);
    leaves.emplace(paths.current(), sym::project(out));
    if (paths.runs() > max_runs)
      throw std::runtime_error("derive_step: more than " + std::to_string(max_runs) + " paths through step()");
  }
  if (runs) *runs = paths.runs();
  return sym::joined_by_field(paths.root(), leaves);
}

}  // namespace tcpclose::proofs
