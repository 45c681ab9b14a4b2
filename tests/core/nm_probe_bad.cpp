// The negative control of core.no_allocator_symbols: this object does allocate, so the
// symbol check must fail on it (the CTest test is marked WILL_FAIL).
#include <vector>

extern "C" int tcpclose_probe_step(int n) {
  std::vector<int> v(static_cast<std::size_t>(n), 1);
  return static_cast<int>(v.size());
}
