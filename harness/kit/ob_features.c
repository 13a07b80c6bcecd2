/*
** ob_features.c: depth, heap left behind and gauge rises as libFuzzer extra counters (see
** ob_features.h). libFuzzer reads the section __libfuzzer_extra_counters on Linux and
** clears it before every input; a binary without libFuzzer never reads it.
*/
#include "ob_features.h"

#include <string.h>

enum { PER_OCTAVE_LOG2 = 4, STEPS = 512, GAUGES = 16, MEASURES = 2 + GAUGES };

__attribute__((section("__libfuzzer_extra_counters"),
               used)) static uint8_t counters[MEASURES][STEPS];

/* Kept apart from the counters, which libFuzzer clears under us. */
static int last_step[MEASURES];

unsigned ob_feature_step(uint64_t v)
{
    if (v < 2)
        return 0;
    unsigned octave = 63u - (unsigned)__builtin_clzll(v), k = PER_OCTAVE_LOG2;
    /* The k bits below the leading one: 2^k steps an octave. */
    uint64_t frac = octave >= k ? v >> (octave - k) : v << (k - octave);
    unsigned step = 1 + ((octave - 1) << k) + (unsigned)(frac & ((1u << k) - 1));
    return step < STEPS ? step : STEPS - 1;
}

static void set(unsigned measure, uint64_t v)
{
    if (v == 0) {
        last_step[measure] = -1;
        return;
    }
    unsigned s = ob_feature_step(v);
    counters[measure][s] = 1;
    last_step[measure] = (int)s;
}

void ob_features_note(size_t deepest_stack, int64_t heap_left, const int64_t *gauges_before,
                      const int64_t *gauges_after, unsigned ngauges)
{
    set(0, deepest_stack);
    set(1, heap_left > 0 ? (uint64_t)heap_left : 0);
    for (unsigned g = 0; g < GAUGES; g++) {
        int64_t rise = g < ngauges ? gauges_after[g] - gauges_before[g] : 0;
        set(2 + g, rise > 0 ? (uint64_t)rise : 0);
    }
}

int ob_features_last_step(unsigned measure)
{
    return measure < MEASURES ? last_step[measure] : -1;
}
