// An object that uses every core entry point with run-time values, so the compiler must emit
// the code; core.no_allocator_symbols asserts with nm that it references no allocator.
#include <tcpclose/core.hpp>

using namespace tcpclose;

extern "C" {

int tcpclose_probe_step(const Tcb* t, const Input* in, const Config* c, Output* out) {
  *out = step(*t, *in, *c);
  return static_cast<int>(out->tcb.state);
}

int tcpclose_probe_scenarios(const Config* c) {
  return scenario::active_close(*c) + scenario::passive_close(*c) +
         scenario::simultaneous_close(*c) + scenario::retransmitted_fin_in_time_wait(*c);
}

int tcpclose_probe_ports(std::uint16_t port, std::uint32_t addr, bool reuse) {
  BindTable<8> t;
  const BindResult b = t.bind(Endpoint{addr, port, 0}, reuse);
  const Err l = t.listen(b.slot);
  const BindResult a = t.accept(b.slot, Endpoint{addr + 1, port, 0});
  t.set_state(a.slot, State::TimeWait);
  const Demux d = t.demux(FourTuple{Endpoint{addr, port, 0}, Endpoint{addr + 1, port, 0}});
  const BindResult e = t.bind(Endpoint{addr, 0, 0}, reuse);
  const Err k = t.connect(e.slot, Endpoint{addr + 2, port, 0});
  t.release(b.slot);
  return static_cast<int>(l) + static_cast<int>(d.kind) + static_cast<int>(k) +
         static_cast<int>(port_class(port)) + (t.tuples_unique() ? 1 : 0);
}

const char* tcpclose_probe_names(int i) {
  const Config c = profile_config(kAllProfiles[static_cast<std::size_t>(i) % kProfileCount]);
  const Tcb t = classes::canonical_tcb(kAllStates[static_cast<std::size_t>(i) % kStateCount], c);
  const auto all = classes::all_classes();
  const Input in = classes::make_input(all[static_cast<std::size_t>(i) % all.size()], t);
  return i % 3 == 0 ? name(t.state) : i % 3 == 1 ? name(in.kind) : name(c.mutant);
}

}  // extern "C"
