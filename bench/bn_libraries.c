/*
** bn_libraries.c: section 3 on real libraries. Each known finding of a real library's
** harness (the entries of corpus/<lib>/known.md, README.md "Known findings") is a row:
**
** - ours: the library's clean harness (harness/<lib>) with its `_run` flags and seeds; an
**   attempt finds the bug only when the kit signs its first finding with the entry's slug
**   (a different bug first is a miss for this row);
** - the baseline: harness/<lib>/<lib>_plain.c, the plain libFuzzer harness a user of the
**   library would write (input bytes into the parser, or the API on one thread), with
**   libFuzzer's defaults and no seeds (the kit's seed programs mean nothing to it); an
**   attempt finds the bug when it reports the same kind of bug (bn_same_kind).
**
** An entry whose paragraph starts "The same bug as <slug>" is another signature of a bug
** listed above it, and gets no row of its own.
**
** Both sides share section 3's rules (bn_detection.c); the baseline gets the full run's
** library budget, 60 s an attempt, so a miss there is a miss, not a short budget.
*/
#define _POSIX_C_SOURCE 200809L

#include "bench/bn_bench.h"
#include "bench/bn_logs.h"
#include "harness/util/ou_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BN_LIBRARIES
#error "bench/BUILD defines BN_LIBRARIES, the real libraries' names (targets/libraries.bzl)"
#endif

enum { MAX_ENTRIES = 32 };

typedef struct entry {
    char slug[17];
    char klass[64];
    char signature[256];
} entry;

/* The entries of a known.md: headings "## <slug> <class>: <signature>". */
static size_t read_known(const char *path, entry *out, size_t max)
{
    char *text = ou_read_file(path, NULL);
    size_t n = 0;
    for (char *line = text; line && *line && n < max;) {
        entry *e = &out[n];
        int heading = sscanf(line, "## %16[0-9a-f] %63[^:\n]: %255[^\n]", e->slug, e->klass,
                             e->signature) >= 2 &&
                      strlen(e->slug) == 16;
        line = strchr(line, '\n');
        if (line)
            line++;
        /* Another signature of a bug listed above is measured with that bug. */
        while (line && *line == '\n')
            line++;
        if (heading && !(line && strncmp(line, "The same bug as ", 16) == 0))
            n++;
    }
    free(text);
    return n;
}

static json_t *entry_row(const bn_config *c, const char *lib, const entry *e)
{
    char id[128];
    snprintf(id, sizeof id, "%s-%s", lib, e->slug);
    bn_side sides[BN_NSIDES];
    memset(sides, 0, sizeof sides);
    for (int w = 0; w < BN_NSIDES; w++) {
        sides[w].id = id;
        sides[w].which = w;
        sides[w].budget = c->library_budget;
    }
    snprintf(sides[BN_OURS].bin, sizeof sides[BN_OURS].bin, "harness/%s/%s_bin", lib, lib);
    snprintf(sides[BN_OURS].seeds, sizeof sides[BN_OURS].seeds, "harness/%s/%s_corpus", lib, lib);
    sides[BN_OURS].env[0] = "OB_DETECT=hang_seconds=1";
    sides[BN_OURS].want_slug = e->slug;
    snprintf(sides[BN_BASELINE].bin, sizeof sides[BN_BASELINE].bin, "harness/%s/%s_plain", lib,
             lib);
    sides[BN_BASELINE].want_class = e->klass;
    json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "library", lib, "slug", e->slug, "class",
                            e->klass, "signature", e->signature);
    return bn_detection_row(c, row, sides);
}

json_t *bn_libraries(const bn_config *c)
{
    char names[] = BN_LIBRARIES;
    json_t *rows = json_array();
    for (char *save = NULL, *lib = strtok_r(names, ",", &save); lib;
         lib = strtok_r(NULL, ",", &save)) {
        char path[512];
        entry e[MAX_ENTRIES];
        snprintf(path, sizeof path, "corpus/%s/known.md", lib);
        size_t n = read_known(path, e, MAX_ENTRIES);
        /* --quick: one row a library shows the section runs. */
        if (c->quick && n > 1)
            n = 1;
        if (n == 0)
            bn_progress("libraries: %s has no known findings in %s", lib, path);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(rows, entry_row(c, lib, &e[i]));
    }
    return json_pack("{s:f, s:i, s:s, s:s, s:o}", "budget_seconds", c->library_budget,
                     "repetitions", (int)c->reps, "ours",
                     "the library's harness, its _run flags and seeds, OB_DETECT=hang_seconds=1; "
                     "counts only the known finding's slug",
                     "baseline",
                     "plain libFuzzer harness (harness/<lib>/<lib>_plain.c), default flags, no "
                     "seeds; counts the same kind of bug",
                     "rows", rows);
}
