/*
** bn_catalog.c: the defect catalog (targets/defects.def) as the benchmark uses it, and
** where each defect's binaries are in the runfiles (bench/BUILD puts them there).
*/
#include "bench/bn_bench.h"

#include <stdio.h>
#include <string.h>

size_t bn_targets(const char **names, size_t max)
{
    size_t n = 0, count = 0;
    const tg_defect *d = tg_defects(&count);
    for (size_t i = 0; i < count; i++) {
        size_t k = 0;
        while (k < n && strcmp(names[k], d[i].target) != 0)
            k++;
        if (k == n && n < max)
            names[n++] = d[i].target;
    }
    return n;
}

int bn_needs_tsan(const tg_defect *d)
{
    return strcmp(d->klass, "data-race") == 0;
}

void bn_harness_paths(const tg_defect *d, char *bin, char *tool, char *seeds, size_t len)
{
    /* Data races: the same harness built under TSan, renamed under bench/tsan/. */
    const char *prefix = bn_needs_tsan(d) ? "bench/tsan/" : "";
    snprintf(bin, len, "%sharness/%s/%s_bin", prefix, d->target, d->id);
    snprintf(tool, len, "%sharness/%s/%s_tool", prefix, d->target, d->id);
    snprintf(seeds, len, "harness/%s/%s_corpus", d->target, d->id);
}
