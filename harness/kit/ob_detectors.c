/*
** ob_detectors.c: detector settings, one table of names (see ob_kit.h for the syntax).
*/
#include "ob_kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { FLAG_BOOL, FLAG_UINT, FLAG_SECONDS } flag_kind;

typedef struct flag {
    const char *name;
    flag_kind kind;
    size_t offset;
    double lo, hi;
} flag;

#define FLAG(name, kind, lo, hi)                                                                   \
    {                                                                                              \
#name, kind, offsetof(ob_detectors, name), lo, hi                                          \
    }
static const flag flags[] = {
    FLAG(leak, FLAG_BOOL, 0, 1),
    FLAG(growth, FLAG_BOOL, 0, 1),
    FLAG(stack, FLAG_BOOL, 0, 1),
    FLAG(hang, FLAG_BOOL, 0, 1),
    FLAG(invariant, FLAG_BOOL, 0, 1),
    FLAG(lsan, FLAG_BOOL, 0, 1),
    FLAG(growth_warmup, FLAG_UINT, 0, 100),
    FLAG(growth_runs, FLAG_UINT, 2, 100),
    FLAG(growth_every, FLAG_UINT, 1, 1000000),
    FLAG(stack_budget, FLAG_UINT, 1, 100),
    FLAG(hang_seconds, FLAG_SECONDS, 0.01, 86400),
    FLAG(fiber_stack, FLAG_UINT, 0, 1048576),
    FLAG(thread_stack, FLAG_UINT, 0, 1048576),
    FLAG(features, FLAG_BOOL, 0, 1),
};
#undef FLAG

void ob_detectors_default(ob_detectors *d)
{
    *d = (ob_detectors){1, 1, 1, 1, 1, 1, 2, 3, 1, 50, 5.0, 0, 0, 1};
}

static void set(ob_detectors *d, const flag *f, double v)
{
    char *field = (char *)d + f->offset;
    if (f->kind == FLAG_SECONDS)
        *(double *)field = v;
    else if (f->kind == FLAG_BOOL)
        *(int *)field = (int)v;
    else
        *(unsigned *)field = (unsigned)v;
}

static ob_status apply(ob_detectors *d, const char *word, char *err, size_t errlen)
{
    const char *eq = strchr(word, '=');
    size_t n = eq ? (size_t)(eq - word) : strlen(word);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const flag *f = &flags[i];
        if (strlen(f->name) != n || strncmp(f->name, word, n) != 0)
            continue;
        char *end = NULL;
        double v = eq ? strtod(eq + 1, &end) : 0;
        if (!eq || end == eq + 1 || *end || v < f->lo || v > f->hi ||
            (f->kind != FLAG_SECONDS && v != (double)(long long)v)) {
            snprintf(err, errlen, "detector setting '%s': %s wants a %s from %g to %g", word,
                     f->name, f->kind == FLAG_SECONDS ? "number" : "whole number", f->lo, f->hi);
            return OB_EINVAL;
        }
        set(d, f, v);
        return OB_OK;
    }
    snprintf(err, errlen, "unknown detector setting '%s'", word);
    return OB_EINVAL;
}

ob_status ob_detectors_parse(ob_detectors *d, const char *spec, char *err, size_t errlen)
{
    char word[128];
    while (spec && *spec) {
        size_t n = strcspn(spec, " ,\t\n");
        if (n >= sizeof word) {
            snprintf(err, errlen, "detector setting too long: %.40s...", spec);
            return OB_EINVAL;
        }
        memcpy(word, spec, n);
        word[n] = 0;
        if (n && apply(d, word, err, errlen) != OB_OK)
            return OB_EINVAL;
        spec += n;
        spec += strspn(spec, " ,\t\n");
    }
    return OB_OK;
}
