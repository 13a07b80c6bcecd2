/*
** bn_minimization.c: section 4, minimization. The failing input our harness found for a
** defect in section 3 is minimized twice, each from its own copy:
**
** - ours: the harness's minimizer as `<harness>_minimize` runs it
**   (harness/private/minimize.sh: the tool's structure-aware `minimize`, then libFuzzer's
**   -minimize_crash kept only when the signature stays);
** - libFuzzer alone: -minimize_crash=1 -runs=2000 (the script's own setting) on the
**   harness binary.
**
** Both get the settings the script gives each try (growth checked on every run, the kit's
** LeakSanitizer check on) plus section 3's 1 s hang deadline, and a wall-clock cap. For
** the input and both results: operations (the tool's `print`), bytes, and whether the
** signature (the tool's `signature`: class and slug) is still the input's.
**
** Data races are not minimized here: every candidate is replayed up to 8 times on real
** threads under TSan, minutes per input, past this section's bound.
*/
#include "bench/bn_bench.h"
#include "bench/bn_logs.h"
#include "bench/bn_proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OURS, LIBFUZZER, NWAYS };
static const char *const way_names[NWAYS] = {"ours", "libfuzzer"};

typedef struct subject {
    const tg_defect *d;
    char bin[512], tool[512], seeds[512];
    const char *env[3];
    char dir[4200];
} subject;

/* Runs `tool VERB file` and returns its first stdout line (malloc'd), or NULL. */
static char *tool_says(const subject *s, const char *verb, const char *file)
{
    char out[4300];
    snprintf(out, sizeof out, "%s/tool.out", s->dir);
    const char *argv[] = {s->tool, verb, file, NULL};
    bn_cmd cmd = {.argv = argv, .env = s->env, .out = out, .timeout = 300};
    ou_result r;
    char *text = bn_run(&cmd, &r) == 0 ? ou_read_file(out, NULL) : NULL;
    if (text && strcmp(verb, "signature") == 0)
        text[strcspn(text, "\n")] = 0;
    return text;
}

/* Operations, bytes and signature of one input, as a JSON object. */
static json_t *describe(const subject *s, const char *file)
{
    char *printed = tool_says(s, "print", file);
    char *sig = tool_says(s, "signature", file);
    json_t *j =
        json_pack("{s:I, s:I, s:s}", "ops", (json_int_t)(printed ? bn_program_ops(printed) : -1),
                  "bytes", (json_int_t)ou_file_size(file), "signature", sig ? sig : "");
    free(printed);
    free(sig);
    return j;
}

/* Minimizes a copy of the input one way; returns its result's description. */
static json_t *minimize(const bn_config *c, const subject *s, int way, const char *input)
{
    char dir[4300], copy[4400], result[4400], log[4400];
    snprintf(dir, sizeof dir, "%s/%s", s->dir, way_names[way]);
    snprintf(copy, sizeof copy, "%s/input", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    if (ou_mkdirs(dir) || ou_copy_file(input, copy))
        return json_pack("{s:s}", "error", "cannot copy the input");
    char exact[4500];
    snprintf(result, sizeof result, "%s/%s", dir, way == OURS ? "input.min" : "output");
    snprintf(exact, sizeof exact, "-exact_artifact_path=%s", result);
    const char *script[] = {"/bin/sh", "harness/private/minimize.sh", s->bin, s->tool, copy, NULL};
    const char *plain[] = {s->bin, "-minimize_crash=1", "-runs=2000", exact, copy, NULL};
    bn_cmd cmd = {.argv = way == OURS ? script : plain,
                  .env = s->env,
                  .out = log,
                  .err = log,
                  .timeout = c->minimize_cap};
    ou_result r;
    if (bn_run(&cmd, &r) != 0)
        return json_pack("{s:s}", "error", "cannot run the minimizer");
    /* libFuzzer writes nothing when it cannot shrink the input at all. */
    const char *kept = ou_file_size(result) > 0 ? result : way == LIBFUZZER ? copy : NULL;
    json_t *j = kept ? describe(s, kept) : json_pack("{s:s}", "error", "no minimized input");
    json_object_set_new(j, "seconds", bn_real(r.seconds));
    json_object_set_new(j, "killed", json_boolean(r.killed));
    bn_progress("minimization: %-26s %-9s %.1f s%s", s->d->id, way_names[way], r.seconds,
                r.killed ? " (cap reached)" : "");
    return j;
}

static void subject_init(const bn_config *c, subject *s, const tg_defect *d)
{
    memset(s, 0, sizeof *s);
    s->d = d;
    bn_harness_paths(d, s->bin, s->tool, s->seeds, sizeof s->bin);
    s->env[0] = "OB_DETECT=growth_every=1 lsan=1 hang_seconds=1";
    snprintf(s->dir, sizeof s->dir, "%s/minimization/%s", c->scratch, d->id);
}

static int same_signature(const json_t *a, const json_t *b)
{
    const char *x = json_string_value(json_object_get(a, "signature"));
    const char *y = json_string_value(json_object_get(b, "signature"));
    return x && y && *x && strncmp(x, "none", 4) != 0 && strcmp(x, y) == 0;
}

static double ratio(const json_t *a, const json_t *b, const char *key)
{
    return json_number_value(json_object_get(a, key)) / json_number_value(json_object_get(b, key));
}

static json_t *defect_row(const bn_config *c, const tg_defect *d, const char *input)
{
    subject s;
    subject_init(c, &s, d);
    json_t *row = json_pack("{s:s}", "defect", d->id);
    if (ou_mkdirs(s.dir))
        return row;
    json_t *in = describe(&s, input);
    json_object_set_new(row, "input", in);
    for (int w = 0; w < NWAYS; w++) {
        json_t *j = minimize(c, &s, w, input);
        json_object_set_new(j, "signature_kept", json_boolean(same_signature(in, j)));
        json_object_set_new(row, way_names[w], j);
    }
    json_t *ours = json_object_get(row, "ours"), *lf = json_object_get(row, "libfuzzer");
    json_object_set_new(row, "ops_libfuzzer_vs_ours", bn_real(ratio(lf, ours, "ops")));
    json_object_set_new(row, "seconds_libfuzzer_vs_ours", bn_real(ratio(lf, ours, "seconds")));
    return row;
}

/* Quick runs minimize one defect per target, the first found. */
static int wanted(const bn_config *c, const tg_defect *d, const char **done, size_t *ndone)
{
    for (size_t i = 0; i < *ndone; i++)
        if (strcmp(done[i], d->target) == 0 && !c->minimize_all)
            return 0;
    done[(*ndone)++] = d->target;
    return 1;
}

json_t *bn_minimization(const bn_config *c)
{
    size_t count = 0, ndone = 0;
    const tg_defect *d = tg_defects(&count);
    const char *done[64];
    json_t *rows = json_array();
    for (size_t i = 0; i < count && ndone < 64; i++) {
        char input[4300];
        snprintf(input, sizeof input, "%s/inputs/%s", c->scratch, d[i].id);
        if (bn_needs_tsan(&d[i]))
            json_array_append_new(rows, json_pack("{s:s, s:s}", "defect", d[i].id, "skipped",
                                                  "data race: candidates replay up to 8 times "
                                                  "on real threads under TSan, minutes per input"));
        else if (ou_file_size(input) <= 0)
            json_array_append_new(rows, json_pack("{s:s, s:s}", "defect", d[i].id, "skipped",
                                                  "section 3 found no input to minimize"));
        else if (wanted(c, &d[i], done, &ndone))
            json_array_append_new(rows, defect_row(c, &d[i], input));
    }
    return json_pack("{s:f, s:b, s:s, s:o}", "cap_seconds", c->minimize_cap, "every_defect",
                     c->minimize_all, "settings", "OB_DETECT=growth_every=1 lsan=1 hang_seconds=1",
                     "rows", rows);
}
