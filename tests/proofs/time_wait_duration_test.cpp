// proofs.TimeWaitDuration.*: time-wait-duration's exits, per profile. The proofs' monitor
// (bad_tw, System::apply) must allow exactly the exits the single-step invariant time-wait-held
// allows, on every input class delivered into TIME-WAIT, in every profile (issue 18).
#include <gtest/gtest.h>

#include <z3++.h>

#include <tcpclose/core.hpp>
#include <tcpclose/model/world.hpp>
#include <tcpclose/proofs/invariants.hpp>
#include <tcpclose/proofs/system.hpp>

namespace tcpclose::proofs {
namespace {

struct Tally {
  int delivered = 0, left = 0, bad = 0;
};

// Delivers each segment class of the table to A in TIME-WAIT through System::apply, and
// requires bad_tw exactly where time-wait-held fails. Returns what it saw.
Tally deliver_every_class(const Config& cfg, Oracle& oracle) {
  Tally t;
  z3::context ctx;
  SystemOptions o;
  o.cfg = cfg;
  const System sys(ctx, o);
  int idx = -1;
  for (const classes::InputClass& k : classes::all_classes()) {
    ++idx;
    const Tcb tw = classes::canonical_tcb(State::TimeWait, cfg);
    const Input in = classes::make_input(k, tw);
    if (in.kind != InputKind::Segment) continue;
    CState s;
    s.now = 0;
    s.h[0].tcb = tw;
    s.h[0].inc = 1;
    s.net.resize(o.slots);
    s.net[0] = CSlot{true, false, 0, 1, in.seg, false};
    CChoice c;
    c.move = Move::Deliver;
    c.slot = 0;
    CEvent ev;
    const std::optional<CState> n = sys.apply(s, c, &ev);
    if (!n || !ev.ran_core) continue;
    ++t.delivered;
    const bool left = ev.out.tcb.state != State::TimeWait;
    const bool allowed = oracle.holds(InvariantId::TimeWaitHeld, cfg, ev.before, ev.input, ev.out);
    t.left += left;
    t.bad += n->bad_tw;
    EXPECT_EQ(n->bad_tw, !allowed) << name(cfg.mutant) << " input class #" << idx << " (flags " << int{in.seg.flags}
                                   << "): TIME-WAIT -> "
                                   << name(ev.out.tcb.state);
  }
  return t;
}

TEST(TimeWaitDuration, EveryProfileAllowsTheExitsItsInvariantAllows) {
  Oracle oracle;
  int left = 0;
  for (Profile p : kAllProfiles) {
    SCOPED_TRACE(name(p));
    const Tally t = deliver_every_class(model::model_config(p), oracle);
    EXPECT_GT(t.delivered, 40);  // every segment class reached step()
    EXPECT_EQ(t.bad, 0);         // the unmutated profile never cuts TIME-WAIT short
    left += t.left;
  }
  EXPECT_GT(left, 0);  // some profiles do leave TIME-WAIT on a segment (RST, SYN): not vacuous
}

// The rfc9293 profile resets on an acceptable SYN (RFC 793's rule, syn_acceptance window): an
// exit the checker and the invariant allowed and the proofs' monitor counted as a violation.
TEST(TimeWaitDuration, Rfc9293SynResetIsAnAllowedExit) {
  Oracle oracle;
  const Tally t = deliver_every_class(model::model_config(Profile::Rfc9293), oracle);
  EXPECT_GT(t.left, 0);
  EXPECT_EQ(t.bad, 0);
}

// Controls: mutants that cut TIME-WAIT short are seen by both, row for row.
TEST(TimeWaitDuration, MutantsAreViolationsForBoth) {
  Oracle oracle;
  for (Mutant m : {Mutant::RstKillsTimeWait, Mutant::SynReopensAny}) {
    Config cfg = model::model_config(Profile::Reference);
    cfg.mutant = m;
    SCOPED_TRACE(name(m));
    EXPECT_GT(deliver_every_class(cfg, oracle).bad, 0);
  }
}

}  // namespace
}  // namespace tcpclose::proofs
