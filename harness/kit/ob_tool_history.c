/*
** ob_tool_history.c: history files are text programs separated by `---` lines, oldest
** first (ob_history.c writes them; people may too).
*/
#define _POSIX_C_SOURCE 200809L

#include "ob_tool_history.h"
#include "harness/util/ou_util.h"
#include "ob_kit.h"
#include "ob_minimize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_RUNS = 256 };

typedef struct history {
    char *text;           /* the file, cut in place at each separator */
    char *runs[MAX_RUNS]; /* each program's text, borrowed from text */
    unsigned n;
} history;

static int load(const char *path, history *h)
{
    size_t size;
    memset(h, 0, sizeof *h);
    h->text = ou_read_file(path, &size);
    if (!h->text) {
        fprintf(stderr, "ouroboros: cannot read the history %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (char *line = h->text; line && *line && h->n < MAX_RUNS;) {
        if (line == h->text || strncmp(line, "---\n", 4) == 0) {
            if (line != h->text)
                *line = 0, line += 4;
            h->runs[h->n++] = line;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return 0;
}

int ob_tool_take_history(int *argc, char ***argv)
{
    if (*argc < 1 || strcmp((*argv)[0], "--history") != 0)
        return 0;
    if (*argc < 2) {
        fprintf(stderr, "ouroboros: --history takes a history file\n");
        return -1;
    }
    setenv("OB_HISTORY", (*argv)[1], 1);
    *argc -= 2;
    *argv += 2;
    return 0;
}

static int run_text(const char *text, unsigned k, const char *path)
{
    ob_program p;
    char err[256] = "";
    uint8_t *bytes = NULL;
    size_t n = 0;
    if (ob_program_assemble(&ob_harness_target, text, &p, err, sizeof err) != OB_OK) {
        fprintf(stderr, "ouroboros: run %u of the history %s: %s\n", k + 1, path, err);
        return 2;
    }
    ob_status st = ob_program_encode(&p, &bytes, &n);
    ob_program_clear(&p);
    /* As it ran: once, unjudged (its own detector reruns are runs of the history too). */
    if (st == OB_OK)
        st = ob_harness_run_once(bytes, n);
    free(bytes);
    if (st != OB_OK)
        fprintf(stderr, "ouroboros: run %u of the history %s: the harness kit failed (status %d)\n",
                k + 1, path, st);
    return st == OB_OK ? 0 : 2;
}

int ob_tool_replay_history(void)
{
    const char *path = getenv("OB_HISTORY");
    history h;
    if (!path || !*path)
        return 0;
    if (load(path, &h) != 0)
        return 2;
    int rc = 0;
    for (unsigned k = 0; k < h.n && rc == 0; k++)
        rc = run_text(h.runs[k], k, path);
    free(h.text);
    return rc;
}

/* The runs with keep[k] set, written to a temporary file; 0, or -1. */
static int write_kept(const history *h, const int *keep, char *path, size_t len)
{
    snprintf(path, len, "/tmp/ob-history-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return -1;
    unsigned written = 0;
    for (unsigned k = 0; k < h->n; k++)
        if (keep[k])
            fprintf(f, "%s%s", written++ ? "---\n" : "", h->runs[k]);
    return fclose(f) == 0 ? 0 : -1;
}

/* Whether data still signs `slug` after the kept runs (none: alone). -1: no child ran. */
static int holds(const char *exe, const uint8_t *data, size_t n, const char *slug, const history *h,
                 const int *keep)
{
    char path[64], klass[64], got[17];
    if (write_kept(h, keep, path, sizeof path) != 0)
        return -1;
    setenv("OB_HISTORY", path, 1);
    int rc = ob_minimize_signature(exe, data, n, klass, got);
    unlink(path);
    return rc != 0 ? -1 : strcmp(got, slug) == 0;
}

static int report_needed(const history *h, const int *keep, const char *input)
{
    char out[4096];
    unsigned needed = 0;
    for (unsigned k = 0; k < h->n; k++)
        needed += keep[k] != 0;
    snprintf(out, sizeof out, "%s.history.txt", input);
    FILE *f = fopen(out, "w");
    printf("history-dependent: in a fresh process %s needs %u of the %u earlier runs:\n", input,
           needed, h->n);
    for (unsigned k = 0, w = 0; k < h->n; k++) {
        if (!keep[k])
            continue;
        printf("--- run %u\n%s", k + 1, h->runs[k]);
        if (f)
            fprintf(f, "%s%s", w++ ? "---\n" : "", h->runs[k]);
    }
    if (!f || fclose(f) != 0) {
        fprintf(stderr, "ouroboros: cannot write %s: %s\n", out, strerror(errno));
        return -1;
    }
    printf("wrote %s: `repro --history %s %s` replays just these\n", out, out, input);
    return 0;
}

int ob_tool_explain_history(const char *exe, const uint8_t *data, size_t n, const char *slug,
                            const char *input)
{
    const char *path = getenv("OB_HISTORY");
    history h;
    if (!path || !*path || load(path, &h) != 0)
        return 0;
    char *saved = strdup(path);
    static int keep[MAX_RUNS];
    memset(keep, 0, sizeof keep);
    int rc = holds(exe, data, n, slug, &h, keep);
    if (rc == 1)
        printf("reproduces alone in a fresh process: the history is not needed\n");
    for (unsigned k = 0; rc == 0 && k < h.n; k++)
        keep[k] = 1;
    /* Drop runs one at a time, oldest first, while the finding holds without them. */
    for (unsigned k = 0; rc == 0 && k < h.n; k++) {
        keep[k] = 0;
        int r = holds(exe, data, n, slug, &h, keep);
        if (r < 0)
            rc = -1;
        keep[k] = r != 1;
    }
    if (rc == 0)
        rc = report_needed(&h, keep, input);
    setenv("OB_HISTORY", saved, 1);
    free(saved);
    free(h.text);
    return rc < 0 ? -1 : 0;
}
