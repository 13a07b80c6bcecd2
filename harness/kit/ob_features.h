/*
** ob_features.h: what an input did that coverage does not show, as features libFuzzer
** can see. Internal to the kit.
**
** Recursion one level deeper runs the same edges again, and hit-count buckets stop
** rewarding at 128 hits, so libFuzzer keeps no input for going deeper, or for leaving more
** behind in global state. These do: one extra counter per step of a log scale (16 steps
** an octave) for the deepest stack any logical thread used, for the heap bytes an
** input left behind after teardown, and for each gauge's rise. An input that reaches a
** step no input reached before is new coverage, joins the corpus and is mutated further.
*/
#ifndef OB_FEATURES_H
#define OB_FEATURES_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_features.h is internal to the harness kit"
#endif

#include <stddef.h>
#include <stdint.h>

/* The step of v on the log scale: 0 for v < 2, then 16 per octave; at most 511. */
unsigned ob_feature_step(uint64_t v);

/* Sets the counters for one run: the deepest stack use of any logical thread (bytes),
   the heap bytes it left behind (may be negative: nothing is set) and each gauge's rise.
   The libFuzzer entry clears the counters before each input; elsewhere they are unused. */
void ob_features_note(size_t deepest_stack, int64_t heap_left, const int64_t *gauges_before,
                      const int64_t *gauges_after, unsigned ngauges);

/* The step each measure reached in the last run, for tests: measure 0 is depth, 1 the
   heap left behind, 2 + g gauge g's rise. Returns the step, or -1 when it set none. */
int ob_features_last_step(unsigned measure);

#endif
