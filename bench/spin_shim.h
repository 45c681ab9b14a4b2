/* spin_shim.h: the model's successor function behind a C interface, for SPIN's pan (bench/vs-spin).
   A state is the packed world (model/packed.hpp), a move is named by its ordinal (successors.hpp),
   so pan's search runs over exactly the graph `tcpclose check` explores. C, so pan.c includes it. */
#ifndef TCPCLOSE_BENCH_SPIN_SHIM_H
#define TCPCLOSE_BENCH_SPIN_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Selects the world of `tcpclose check --scenario NAME` with check's default bounds and the
   reference profile. Returns 0, or -1 for an unknown scenario. Every other call needs it first. */
int tcs_select(const char* scenario);
/* The index of a scenario in `tcpclose check`'s order (0 = active-close), or -1. */
int tcs_scenario_index(const char* scenario);
/* The scenario by its index in `tcpclose check`'s order (0 = active-close); -1 if out of range. */
int tcs_select_index(int index);
/* The bytes of a packed state of the selected world. */
size_t tcs_packed_size(void);
/* Every ordinal is below this. */
int tcs_max_ordinal(void);
/* Writes the packed initial state; -1 if it is outside the packed bounds. */
int tcs_initial(unsigned char* out);

/* Plain enumeration, in ordinal order: the number of successors of the packed state s, and
   the k-th of them (0 <= k < count), packed into out, returning its ordinal (-1: no such k). */
int tcs_count(const unsigned char* s);
int tcs_successor(const unsigned char* s, int k, unsigned char* out);

/* For pan's guarded branches: the set of s's successor ordinals (bit k: ordinal k), memoized
   per search depth (pan's `depth`), so that the successors of a state are computed once per
   expansion however many branches ask. The memo is checked byte for byte, so any depth is
   correct. tcs_take then overwrites s with the successor of that ordinal (s must be the state
   tcs_ordinals last answered for). */
unsigned long long tcs_ordinals(const unsigned char* s, long depth);
void tcs_take(unsigned char* s, int ordinal);

/* Expansions computed and successors computed by tcs_ordinals since tcs_select (for the report). */
unsigned long long tcs_expansions(void);
unsigned long long tcs_successors_made(void);

#ifdef __cplusplus
}
#endif

#endif
