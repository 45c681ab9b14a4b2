// tcpclose selfcheck: the core's close scenarios, and every row of the derived table of each
// profile judged by the single-step invariants' one definition (proofs/invariants.hpp).
#pragma once

#include "knobs.hpp"

namespace tcpclose::cli {

// Prints one block per profile (every profile, or --profile's); exit code 0 when every
// scenario and row holds, 1 otherwise.
int run_selfcheck(const KnobOptions& k, bool all_profiles);

}  // namespace tcpclose::cli
