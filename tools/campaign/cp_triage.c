/*
** cp_triage.c: one failing input from the queue to findings/<slug>/. The harness's tool
** does the work (signature replays, structure-aware minimization, the symbolized report);
** this file decides what to keep. Everything is staged in a folder of its own and stored
** by one rename, so a stop at any point leaves the input queued for the next campaign.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { REPRO_ATTEMPTS = 3, BYTES_PASS_SECONDS = 120 };

typedef struct triage {
    const cp_harness *h;
    cp_env env;
    char findings[4096], pending[4096], pending_log[4096], staging[4096], log[4096];
} triage;

static void staged(const triage *t, char *buf, size_t len, const char *name)
{
    if (cp_path(buf, len, "%s/%s", t->staging, name))
        buf[0] = 0;
}

/* Runs the tool's `signature FILE`; fills class and slug when it reproduced a finding.
   1 reproduced, 0 ran clean, -1 the tool itself failed (not an answer about the input). */
static int signature_of(const triage *t, const char *file, char klass[64], char slug[17])
{
    char out[4096];
    staged(t, out, sizeof out, "signature.out");
    unlink(out);
    char *argv[] = {(char *)t->h->tool, "signature", (char *)file, NULL};
    int code = cp_run(argv, &t->env, out);
    char *text = ou_read_file(out, NULL);
    unlink(out);
    *klass = *slug = 0;
    if (code != 0 && code != 1) {
        fprintf(stderr, "campaign: %s signature %s exited %d: %s\n", t->h->tool, file, code,
                text ? text : "");
        free(text);
        return -1;
    }
    if (!text)
        return 0;
    /* The answer is the last line: "class slug", or "none -" when it ran clean. */
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char k[64], s[32];
        if (sscanf(line, "%63s %31s", k, s) == 2 && strlen(s) == 16 &&
            strspn(s, "0123456789abcdef") == 16) {
            strcpy(klass, k);
            strcpy(slug, s);
        }
    }
    free(text);
    return *slug != 0;
}

static unsigned count_ops(const char *program)
{
    unsigned n = 0;
    for (const char *line = program; line && *line;) {
        if (line[0] == 't' && line[1] >= '0' && line[1] <= '9')
            n++;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return n;
}

/* The tool's text form of an input, written to program.txt; its operation count. */
static unsigned print_program(const triage *t, const char *file, char **text)
{
    char out[4096];
    staged(t, out, sizeof out, "program.txt");
    unlink(out);
    char *argv[] = {(char *)t->h->tool, "print", (char *)file, NULL};
    cp_run(argv, &t->env, out);
    *text = ou_read_file(out, NULL);
    return *text ? count_ops(*text) : 0;
}

static size_t file_size(const char *path)
{
    size_t n = 0;
    char *data = ou_read_file(path, &n);
    free(data);
    return data ? n : 0;
}

/* libFuzzer's byte-level -minimize_crash after the tool's pass, kept only when it is
   smaller and keeps the signature (as the <harness>_minimize wrapper does). Not for a
   ThreadSanitizer build: a race shows in some runs only, and a run can hang after TSan's
   report, so bytes cut there prove nothing; the pass is bounded in time for the others. */
static void minimize_bytes(const triage *t, const char *minimized, const char *slug)
{
    if (t->h->tsan)
        return;
    char bytes[4096], exact[4200], k[64], s[17];
    staged(t, bytes, sizeof bytes, "bytes");
    snprintf(exact, sizeof exact, "-exact_artifact_path=%s", bytes);
    char *argv[] = {
        (char *)t->h->bin, "-minimize_crash=1", "-runs=2000", exact, (char *)minimized, NULL};
    if (cp_run_limited(argv, &t->env, t->log, BYTES_PASS_SECONDS) == 0 && ou_exists(bytes) &&
        file_size(bytes) < file_size(minimized) && signature_of(t, bytes, k, s) == 1 &&
        strcmp(s, slug) == 0)
        rename(bytes, minimized);
    unlink(bytes);
}

static int minimize(const triage *t, const char *slug, cp_finding *f)
{
    char input[4096], min[4096], min_txt[4096], final[4096];
    staged(t, input, sizeof input, "input");
    staged(t, min, sizeof min, "input.min");
    staged(t, min_txt, sizeof min_txt, "input.min.txt");
    staged(t, final, sizeof final, "minimized");
    char *argv[] = {(char *)t->h->tool, "minimize", input, NULL};
    if (cp_run(argv, &t->env, t->log) != 0 || !ou_exists(min)) {
        if (cp_stopping)
            return -1;
        fprintf(stderr, "campaign: %s: minimizing %s failed; keeping it whole\n", t->h->name,
                t->pending);
        if (ou_copy_file(input, min))
            return -1;
    }
    unlink(min_txt);
    minimize_bytes(t, min, slug);
    if (rename(min, final))
        return -1;
    char *program = NULL;
    f->ops_after = print_program(t, final, &program);
    free(program);
    f->bytes_after = file_size(final);
    return cp_stopping ? -1 : 0;
}

static int write_report(const triage *t, const char *file, cp_finding *f)
{
    char out[4096];
    staged(t, out, sizeof out, "report.txt");
    unlink(out);
    char *argv[] = {(char *)t->h->tool, "repro", (char *)file, NULL};
    cp_run(argv, &t->env, out);
    char *text = ou_read_file(out, NULL);
    int rc = text ? cp_finding_from_report(text, f) : -1;
    /* The report names the staged file: name it where it will be kept. */
    const char *name = strrchr(file, '/');
    char *at = text ? strstr(text, file) : NULL;
    if (at && name && f->slug) {
        char *fixed = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&fixed, &len);
        if (mem) {
            fprintf(mem, "%.*sfindings/%s%s%s", (int)(at - text), text, f->slug, name,
                    at + strlen(file));
            fclose(mem);
            ou_write_atomic(out, fixed, len);
        }
        free(fixed);
    }
    free(text);
    return rc;
}

/* A 16-hex-digit name for a finding with no signature: FNV-1a of its input's name. */
static void fallback_slug(const char *artifact, char slug[17])
{
    unsigned long long h = 0xcbf29ce484222325ULL;
    for (const char *p = artifact; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    snprintf(slug, 17, "%016llx", h);
}

static void done_with_pending(const triage *t)
{
    unlink(t->pending_log);
    unlink(t->pending);
}

static int store(const triage *t, cp_finding *f)
{
    char log[4096];
    staged(t, log, sizeof log, "signature.out");
    unlink(log);
    int rc = cp_store_add(t->findings, t->staging, f);
    if (rc >= 0)
        done_with_pending(t);
    return rc;
}

/* CP_TRIAGE_LISTED for a stored finding the harness's known.md lists, else verdict. */
static int listed_or(const triage *t, const char *slug, int verdict)
{
    return cp_known_listed(t->h->known, slug, NULL, 0) ? CP_TRIAGE_LISTED : verdict;
}

/* Stores an input no replay reproduced, under the fuzzer's slug (or one made from its name,
   written to slug). */
static int flaky(triage *t, const cp_job_log *job, const char *artifact, cp_finding *f,
                 char slug[17])
{
    char path[4096];
    if (*job->slug)
        strcpy(slug, job->slug);
    else
        fallback_slug(artifact, slug);
    if (cp_store_has(t->findings, slug)) {
        cp_store_count(t->findings, slug, t->h->name, cp_now());
        done_with_pending(t);
        return CP_TRIAGE_KNOWN;
    }
    f->slug = slug;
    f->flaky = 1;
    f->klass = strdup(*job->klass ? job->klass : "unknown");
    char input[4096];
    staged(t, input, sizeof input, "input");
    staged(t, path, sizeof path, "minimized");
    if (ou_copy_file(input, path))
        return CP_TRIAGE_FAILED;
    f->ops_after = f->ops_before;
    /* What the fuzzer saw is all there is: its log is the report. */
    staged(t, path, sizeof path, "report.txt");
    char *log = ou_read_file(t->pending_log, NULL);
    if (log) {
        cp_finding_from_report(log, f);
        ou_write_atomic(path, log, strlen(log));
        free(log);
    }
    if (!f->klass || !*f->klass) {
        free(f->klass);
        f->klass = strdup(*job->klass ? job->klass : "unknown");
    }
    int rc = store(t, f);
    f->slug = NULL;
    return rc < 0    ? CP_TRIAGE_FAILED
           : rc == 1 ? listed_or(t, slug, CP_TRIAGE_FLAKY)
                     : CP_TRIAGE_KNOWN;
}

static int fresh(triage *t, const char *slug, cp_finding *f)
{
    char min[4096];
    staged(t, min, sizeof min, "minimized");
    f->slug = (char *)slug;
    int rc = -1;
    if (minimize(t, slug, f) == 0) {
        /* Class, signature, message and stack as the minimized input reports them. */
        write_report(t, min, f);
        if (!cp_stopping)
            rc = store(t, f);
    }
    f->slug = NULL;
    return rc < 0    ? CP_TRIAGE_FAILED
           : rc == 1 ? listed_or(t, slug, CP_TRIAGE_NEW)
                     : CP_TRIAGE_KNOWN;
}

/* Frees what triage allocated in f; slug, harness and package are borrowed. */
static void finding_clear(cp_finding *f)
{
    free(f->klass);
    free(f->signature);
    free(f->message);
    for (size_t i = 0; i < f->nframes; i++) {
        free(f->frames[i].func);
        free(f->frames[i].file);
    }
    free(f->frames);
}

int cp_triage(const cp_harness *h, const char *ws, const char *artifact, cp_triage_result *res)
{
    memset(res, 0, sizeof *res);
    triage t = {.h = h};
    cp_env_for(h, &t.env);
    if (cp_path(t.findings, sizeof t.findings, "%s/findings", ws) ||
        cp_path(t.pending, sizeof t.pending, "%s/.campaign/pending/%s/%s", t.findings, h->name,
                artifact) ||
        cp_path(t.pending_log, sizeof t.pending_log, "%s.log", t.pending) ||
        cp_path(t.staging, sizeof t.staging, "%s/.campaign/staging/%s-%d", t.findings, artifact,
                (int)getpid()) ||
        cp_path(t.log, sizeof t.log, "%s/triage.log", t.staging))
        return CP_TRIAGE_FAILED;
    ou_remove_tree(t.staging);
    char input[4096];
    if (ou_mkdirs(t.staging) || cp_path(input, sizeof input, "%s/input", t.staging) ||
        ou_copy_file(t.pending, input))
        return CP_TRIAGE_FAILED;

    cp_job_log job;
    char *log = ou_read_file(t.pending_log, NULL);
    cp_job_log_parse(log ? log : "", &job);
    free(log);

    cp_finding f;
    memset(&f, 0, sizeof f);
    f.harness = (char *)h->name;
    f.package = (char *)h->package;
    f.first_seen = f.last_seen = cp_now();
    f.count = 1;
    f.bytes_before = f.bytes_after = file_size(input);
    char *program = NULL;
    f.ops_before = print_program(&t, input, &program);
    free(program);

    char klass[64] = "", slug[17] = "";
    unsigned attempt = 0;
    int tool_failed = 0;
    while (attempt < REPRO_ATTEMPTS && !cp_stopping) {
        attempt++;
        int r = signature_of(&t, input, klass, slug);
        tool_failed = r < 0;
        if (r != 0)
            break;
    }
    f.attempts = attempt;
    f.reproduced = *slug ? 1 : 0;
    int verdict;
    if (cp_stopping || tool_failed)
        verdict = CP_TRIAGE_FAILED;
    else if (*slug && cp_store_has(t.findings, slug) && !cp_store_is_flaky(t.findings, slug)) {
        cp_store_count(t.findings, slug, h->name, cp_now());
        done_with_pending(&t);
        verdict = CP_TRIAGE_KNOWN;
    } else if (*slug) {
        f.klass = strdup(klass);
        verdict = fresh(&t, slug, &f);
    } else {
        verdict = flaky(&t, &job, artifact, &f, slug);
    }
    res->attempts = f.attempts;
    res->ops_before = f.ops_before;
    res->ops_after = f.ops_after;
    snprintf(res->klass, sizeof res->klass, "%s", f.klass ? f.klass : klass);
    snprintf(res->slug, sizeof res->slug, "%s", *slug ? slug : job.slug);
    finding_clear(&f);
    if (verdict == CP_TRIAGE_FAILED || verdict == CP_TRIAGE_KNOWN)
        ou_remove_tree(t.staging);
    return verdict;
}
