// The C API gives step()'s answer: for every profile and mutant, every (state, input class) of
// the derived table (classes.hpp) is run through tcpclose_step() and through step(), and the
// results must agree field by field. Also includes <tcpclose/tcpclose.h> as C++.
#include <tcpclose/tcpclose.h>

#include <cstring>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

namespace {

using namespace tcpclose;

// Into C by bytes (the layouts are asserted equal in capi/src/tcpclose.cpp); the library
// converts field by field, so the two conversions check each other.
template <class C, class Cpp>
C bytes_of(const Cpp& x) {
  static_assert(sizeof(C) == sizeof(Cpp));
  C c;
  std::memcpy(&c, &x, sizeof c);
  return c;
}

tcpclose_config c_config(Profile p, Mutant m) {
  tcpclose_config c;
  EXPECT_EQ(tcpclose_config_init(&c, static_cast<int>(p)), 0);
  c.mutant = static_cast<std::uint8_t>(m);
  return c;
}

// The differences between the C output and the C++ one, as text ("" when equal).
std::string diff(const tcpclose_output& c, const Output& o) {
  std::string d;
  if (std::memcmp(&c.tcb, &o.tcb, sizeof(Tcb)) != 0) d += " tcb";
  if (c.n_actions != o.actions.size) d += " n_actions";
  for (std::size_t i = 0; i < c.n_actions && i < o.actions.size; ++i)
    if (std::memcmp(&c.actions[i], &o.actions.items[i], sizeof(Action)) != 0) d += " action" + std::to_string(i);
  if (c.has_sent != o.actions.has_seg) d += " has_sent";
  if (c.has_sent && std::memcmp(&c.sent, &o.actions.seg, sizeof(Segment)) != 0) d += " sent";
  if (c.verdict != static_cast<std::uint8_t>(o.verdict)) d += " verdict";
  if (c.effects != o.effects) d += " effects";
  if (c.result != static_cast<std::uint8_t>(o.result)) d += " result";
  if (c.result_n != o.result_n) d += " result_n";
  return d;
}

// Runs every (state, class) under `c_cfg` through C and under `cfg` through C++; returns
// the number of rows that differ (and reports the first few when `report`).
int mismatches(const tcpclose_config& c_cfg, const Config& cfg, bool report) {
  int bad = 0;
  for (State s : kAllStates) {
    const Tcb t = classes::canonical_tcb(s, cfg);
    for (const classes::InputClass& k : classes::all_classes()) {
      const Input in = classes::make_input(k, t);
      const tcpclose_tcb ct = bytes_of<tcpclose_tcb>(t);
      const tcpclose_input ci = bytes_of<tcpclose_input>(in);
      tcpclose_output co;
      EXPECT_EQ(tcpclose_step(&ct, &ci, &c_cfg, &co), 0);
      const std::string d = diff(co, step(t, in, cfg));
      if (d.empty()) continue;
      if (report && ++bad <= 5) ADD_FAILURE() << name(s) << " / class " << static_cast<int>(k.flags) << ": differs in" << d;
      else ++bad;
    }
  }
  return bad;
}

TEST(CApi, AgreesWithStepOnEveryStateAndInputClassOfEveryProfileAndMutant) {
  for (Profile p : kAllProfiles)
    for (Mutant m : kAllMutants) {
      Config cfg = profile_config(p);
      cfg.mutant = m;
      EXPECT_EQ(mismatches(c_config(p, m), cfg, true), 0) << name(p) << " / " << name(m);
    }
}

// Negative control: the comparison sees a difference when the C side runs another knob.
TEST(CApi, ComparisonDetectsAConfigThatDiffers) {
  Config cfg = profile_config(Profile::Reference);
  EXPECT_GT(mismatches(c_config(Profile::Reference, Mutant::NoReackInTimeWait), cfg, false), 0);
  tcpclose_config rfc = c_config(Profile::Reference, Mutant::None);
  rfc.rst_in_time_wait = TCPCLOSE_TW_RST_KILL;
  EXPECT_GT(mismatches(rfc, cfg, false), 0);
}

TEST(CApi, ConfigInitMatchesEveryProfile) {
  for (Profile p : kAllProfiles) {
    // Each knob set to the other profile's value changes some row, so agreement on all rows
    // across every profile pins the conversion; here the raw values are also compared.
    tcpclose_config c = c_config(p, Mutant::None);
    const Config k = profile_config(p);
    EXPECT_EQ(c.msl, k.msl);
    EXPECT_EQ(c.time_wait, k.time_wait);
    EXPECT_EQ(c.fin_retries, k.fin_retries);
    EXPECT_EQ(c.syn_reopen, static_cast<std::uint8_t>(k.syn_reopen));
    EXPECT_EQ(c.time_wait_restart, static_cast<std::uint8_t>(k.time_wait_restart));
    EXPECT_EQ(c.trim_old_duplicates, k.trim_old_duplicates);
    EXPECT_EQ(c.ack_resends_fin, k.ack_resends_fin);
    EXPECT_EQ(c.drop_synfin, k.drop_synfin);
    EXPECT_EQ(c.syn_sent_text, k.syn_sent_text);
    EXPECT_EQ(c.fast_open, k.fast_open);
    EXPECT_EQ(c.rtt_estimate, k.rtt_estimate);
    EXPECT_EQ(c.rto_floor, k.rto_floor);
    EXPECT_EQ(c.rto_var_min, k.rto_var_min);
    EXPECT_EQ(c.rto_slop, k.rto_slop);
    EXPECT_EQ(c.rto_max, k.rto_max);
    EXPECT_EQ(c.tail_loss_probe, k.tail_loss_probe);
    EXPECT_EQ(c.abort_rst_any_synced, k.abort_rst_any_synced);
    EXPECT_EQ(c.ts_recent_needs_valid_ack, k.ts_recent_needs_valid_ack);
    EXPECT_EQ(c.old_ack_challenge, k.old_ack_challenge);
    EXPECT_EQ(c.tw_ack_unless_duplicate, k.tw_ack_unless_duplicate);
    EXPECT_EQ(c.tw_ts_recent_update, k.tw_ts_recent_update);
    EXPECT_EQ(c.tw_paws_rst, k.tw_paws_rst);
    EXPECT_EQ(c.tw_socket_closed, k.tw_socket_closed);
    EXPECT_EQ(c.no_ack_dropped_first, k.no_ack_dropped_first);
    EXPECT_EQ(c.fin_wait2_timewait, k.fin_wait2_timewait);
    EXPECT_EQ(c.after_fin_ignored, k.after_fin_ignored);
    EXPECT_EQ(c.rst_on_data_past_rcv_nxt, k.rst_on_data_past_rcv_nxt);
    EXPECT_EQ(c.past_window_accepted, k.past_window_accepted);
    EXPECT_EQ(c.call_errors, static_cast<std::uint8_t>(k.call_errors));
    EXPECT_EQ(c.oow_ack_interval, k.oow_ack_interval);
    EXPECT_EQ(c.delayed_ack, static_cast<std::uint8_t>(k.delayed_ack));
    EXPECT_EQ(c.delack_min, k.delack_min);
    EXPECT_EQ(c.delack_ato, k.delack_ato);
    EXPECT_EQ(c.ports_exhausted, static_cast<std::uint8_t>(k.ports_exhausted));
  }
  // bind(0)'s errno with the range exhausted is the one knob that differs between these two
  // (step() never reads it, so the agreement test above cannot see it).
  tcpclose_config lin = c_config(Profile::Linux, Mutant::None), bsd = c_config(Profile::FreeBsd, Mutant::None);
  EXPECT_EQ(lin.ports_exhausted, TCPCLOSE_PORTS_EXHAUSTED_EADDRINUSE);
  EXPECT_EQ(bsd.ports_exhausted, TCPCLOSE_PORTS_EXHAUSTED_EADDRNOTAVAIL);
  tcpclose_config c;
  EXPECT_EQ(tcpclose_config_init(&c, 5), -1);
  EXPECT_EQ(tcpclose_config_init(&c, -1), -1);
}

TEST(CApi, RejectsEnumValuesTheCoreCannotRepresent) {
  tcpclose_config cfg = c_config(Profile::Reference, Mutant::None);
  tcpclose_tcb tcb;
  tcpclose_tcb_init(&tcb, &cfg);
  tcpclose_input in{};
  in.kind = TCPCLOSE_IN_LISTEN;
  tcpclose_output out{};
  EXPECT_EQ(tcpclose_step(&tcb, &in, &cfg, &out), 0);
  EXPECT_EQ(out.tcb.state, TCPCLOSE_LISTEN);
  in.kind = 9;
  EXPECT_EQ(tcpclose_step(&tcb, &in, &cfg, &out), -1);
  in.kind = TCPCLOSE_IN_LISTEN;
  tcb.state = TCPCLOSE_STATE_COUNT;
  EXPECT_EQ(tcpclose_step(&tcb, &in, &cfg, &out), -1);
  tcb.state = TCPCLOSE_CLOSED;
  cfg.mutant = 9;
  EXPECT_EQ(tcpclose_step(&tcb, &in, &cfg, &out), -1);
  cfg.mutant = TCPCLOSE_MUTANT_NONE;
  cfg.delayed_ack = TCPCLOSE_DELAYED_ACK_FREEBSD_DATA + 1;
  EXPECT_EQ(tcpclose_step(&tcb, &in, &cfg, &out), -1);
  cfg.delayed_ack = TCPCLOSE_DELAYED_ACK_OFF;
  cfg.ports_exhausted = TCPCLOSE_PORTS_EXHAUSTED_EADDRINUSE;
  EXPECT_EQ(tcpclose_step(&tcb, &in, &cfg, &out), 0);
  cfg.ports_exhausted = TCPCLOSE_PORTS_EXHAUSTED_EADDRINUSE + 1;
  EXPECT_EQ(tcpclose_step(&tcb, &in, &cfg, &out), -1);
}

TEST(CApi, NamesAreTheRfcSpellings) {
  EXPECT_STREQ(tcpclose_state_name(TCPCLOSE_FIN_WAIT_1), "FIN-WAIT-1");
  EXPECT_STREQ(tcpclose_state_name(11), "?");
  EXPECT_STREQ(tcpclose_errno_name(TCPCLOSE_ECONNRESET), "ECONNRESET");
  EXPECT_STREQ(tcpclose_verdict_name(TCPCLOSE_CHALLENGE_ACKED), "challenge-ack");
  EXPECT_STREQ(tcpclose_timer_name(TCPCLOSE_TIMER_2MSL), "2msl");
  EXPECT_STREQ(tcpclose_timer_name(TCPCLOSE_TIMER_DELAYED_ACK), "delayed-ack");
}

}  // namespace
