// The second-solver hook of the engines (see recheck.hpp), over smtlib.hpp's cvc5 runner.
#include "tcpclose/proofs/recheck.hpp"

#include <cstdio>

#include "tcpclose/proofs/smtlib.hpp"

namespace tcpclose::proofs {

std::function<bool(const std::string&, z3::solver&)> cvc5_recheck(double timeout_seconds, std::string keep_dir) {
  return [timeout_seconds, keep_dir](const std::string& label, z3::solver& s) {
    Cvc5Options o = Cvc5Options::labelled(label);
    o.timeout_seconds = timeout_seconds;
    o.keep_dir = keep_dir;
    const Recheck r = recheck_with_cvc5(s, SmtAnswer::Unsat, o);
    if (!r.unsat_confirmed())
      std::fprintf(stderr, "second solver: %s not confirmed: cvc5 says %s (%s)\n", label.c_str(), name(r.cvc5),
                   r.detail.c_str());
    return r.unsat_confirmed();
  };
}

}  // namespace tcpclose::proofs
