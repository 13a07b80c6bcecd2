/*
** ob_history.c: a ring of the process's last runs as text (operation names survive a
** changed table). The texts live in static buffers, so keeping them moves none of the
** heap measures the detectors read; a program too long for its buffer is kept cut, and
** its file says so.
*/
#define _POSIX_C_SOURCE 200809L

#include "ob_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TEXT_MAX = 64 << 10 };

static char texts[OB_HISTORY_RUNS][TEXT_MAX];
static int cut[OB_HISTORY_RUNS];
static unsigned long long noted, input_start;
static const char *prefix = "";

void ob_history_set_prefix(const char *p)
{
    prefix = p ? p : "";
}

void ob_history_begin_input(void)
{
    input_start = noted;
}

void ob_history_note(const ob_program *p)
{
    unsigned i = (unsigned)(noted++ % OB_HISTORY_RUNS);
    FILE *f = fmemopen(texts[i], TEXT_MAX, "w");
    texts[i][0] = 0;
    cut[i] = !f || ob_program_print(p, f) != 0;
    if (f) {
        cut[i] |= ftell(f) >= TEXT_MAX - 1;
        fclose(f);
    }
    texts[i][TEXT_MAX - 1] = 0;
}

unsigned ob_history_count(void)
{
    unsigned long long oldest = noted > OB_HISTORY_RUNS ? noted - OB_HISTORY_RUNS : 0;
    return input_start > oldest ? (unsigned)(input_start - oldest) : 0;
}

int ob_history_write(const char *slug, char *path, size_t len)
{
    snprintf(path, len, "%shistory-%s.txt", prefix, slug);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    unsigned n = ob_history_count();
    for (unsigned k = 0; k < n; k++) {
        unsigned i = (unsigned)((input_start - n + k) % OB_HISTORY_RUNS);
        fprintf(f, "%s# run %u of %u before the finding%s\n%s", k ? "---\n" : "", k + 1, n,
                cut[i] ? " (cut: too long to keep whole)" : "", texts[i]);
    }
    return fclose(f) == 0 ? 0 : -1;
}

void ob_history_finding(const char *slug)
{
    const ob_target *t = &ob_harness_target;
    char path[4096];
    unsigned n = ob_history_count();
    /* A process replaying a history (the tool's OB_HISTORY) has its history already. */
    if (!t->persistent_setup || !n || getenv("OB_HISTORY"))
        return;
    if (ob_history_write(slug, path, sizeof path) != 0) {
        fprintf(stderr, "ouroboros: cannot write the history of this finding to %s\n", path);
        return;
    }
    fprintf(stderr,
            "history: this process made %u runs before this input on %s's persistent state; "
            "%s holds them. `%s_tool repro --history %s INPUT` replays them first and says "
            "whether the finding needs them, and which\n",
            n, t->name, path, t->name, path);
}
