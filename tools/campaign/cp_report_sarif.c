/*
** cp_report_sarif.c: findings/report.sarif, SARIF 2.1.0 for GitHub code scanning.
**
** One run; tool.driver has one rule per finding class present (in order of first
** appearance) and one result per finding, its ruleIndex pointing at the rule of its class.
** Every object carries the properties the 2.1.0 schema requires, and nothing that would be
** invalid is emitted: a frame whose file cannot be made repo-relative has no
** physicalLocation, a line below 1 has no region, a result without such a frame has no
** locations, a result without frames has no stacks.
**
** Frame files arrive as the symbolizer printed them: "targets/x.c", "./targets/x.c", or
** absolute under Bazel's execroot (".../execroot/<workspace>/targets/x.c") or the sandbox's
** "/proc/self/cwd/targets/x.c". They become repo-relative URIs (percent-encoded where a
** URI needs it) against %SRCROOT%. Any other absolute path (libc, the sanitizer runtimes)
** is outside the repository.
*/
#define _GNU_SOURCE
#include "cp_report_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
/* The tool's home page. The repository records no public address: set one at build time
   (-DCP_INFORMATION_URI=...); the default is a placeholder that never resolves. */
#ifndef CP_INFORMATION_URI
#define CP_INFORMATION_URI "https://ouroboros.invalid/"
#endif
#define SRCROOT "%SRCROOT%"

/* What each class means, for the rules' descriptions. */
static const struct class_doc {
    const char *klass, *brief, *full;
} class_docs[] = {
    {"leak", "Memory or objects never freed",
     "Objects or memory stayed allocated after the program released every reference: a "
     "gauge did not return to its value, a reference cycle was never collected, or "
     "LeakSanitizer found unreachable blocks."},
    {"growth", "State that grows without bound",
     "Running the same program again grew a measure (a cache, an intern table, a registry) "
     "every time: global state that is never trimmed."},
    {"stack-budget", "Recursion beyond the stack budget",
     "A call chain used more stack than the harness allows: recursion whose depth the input "
     "controls, without a limit."},
    {"stack-overflow", "Stack overflow",
     "The program overflowed its stack: unbounded recursion, usually a missing cycle guard "
     "or depth limit."},
    {"hang", "Operation that never finishes",
     "An input ran past its deadline: a loop that "
     "never ends or a step budget that is not charged."},
    {"deadlock", "Deadlock", "Threads waited on each other's locks forever."},
    {"invariant", "Broken invariant",
     "The target's own consistency check failed after the program ran."},
    {"data-race", "Data race",
     "ThreadSanitizer saw two threads access the same memory without synchronization, at "
     "least one of them writing."},
};

/* ---- paths ---- */

/* Where the repository starts inside an absolute path, or NULL. */
static const char *repo_start(const char *file)
{
    const char *p = strstr(file, "/proc/self/cwd/");
    if (p != NULL)
        return p + strlen("/proc/self/cwd/");
    const char *last = NULL;
    for (p = strstr(file, "/execroot/"); p != NULL; p = strstr(p + 1, "/execroot/"))
        last = p;
    if (last == NULL)
        return NULL;
    const char *slash = strchr(last + strlen("/execroot/"), '/'); /* skip the workspace */
    return slash != NULL ? slash + 1 : NULL;
}

/* Appends one path segment to out (length *n), or applies "." and "..". -1 when ".."
   leaves the repository. */
static int push_segment(char *out, size_t *n, const char *seg, size_t len)
{
    if (len == 1 && seg[0] == '.')
        return 0;
    if (len == 2 && seg[0] == '.' && seg[1] == '.') {
        if (*n == 0)
            return -1;
        char *slash = memrchr(out, '/', *n);
        *n = slash != NULL ? (size_t)(slash - out) : 0;
        return 0;
    }
    if (*n > 0)
        out[(*n)++] = '/';
    memcpy(out + *n, seg, len);
    *n += len;
    return 0;
}

/* The repo-relative form of a frame's file ("a/b.c"), malloc'd, or NULL when it has none
   (or memory ran out: the frame then goes without a physical location). */
static char *repo_path(const char *file)
{
    if (file == NULL || file[0] == '\0')
        return NULL;
    const char *p = file[0] == '/' ? repo_start(file) : file;
    if (p == NULL)
        return NULL;
    char *out = malloc(strlen(p) + 1);
    size_t n = 0;
    while (out != NULL && *p != '\0') {
        size_t len = strcspn(p, "/");
        if (len > 0 && push_segment(out, &n, p, len) != 0)
            break;
        p += len + (p[len] == '/');
    }
    if (out == NULL || *p != '\0' || n == 0) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

/* A relative URI for a repo-relative path: unreserved characters and '/' stay, every other
   byte is percent-encoded (so a ':' never reads as a scheme). */
static json_t *uri_json(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path), k = 0;
    char *buf = malloc(3 * n + 1);
    if (buf == NULL)
        return NULL;
    for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("-._~/", *s) != NULL) {
            buf[k++] = (char)*s;
        } else {
            buf[k++] = '%';
            buf[k++] = hex[*s >> 4];
            buf[k++] = hex[*s & 15];
        }
    }
    json_t *v = json_stringn(buf, k);
    free(buf);
    return v;
}

/* ---- locations ---- */

/* A message object {text}, or NULL when text is NULL (a failed format) or memory ran out. */
static json_t *text_msg(const char *text)
{
    if (text == NULL)
        return NULL;
    json_t *o = json_object();
    return cp_json_done(o, cp_json_set(o, "text", cp_json_text(text)));
}

/* A formatted string, malloc'd, or NULL when memory ran out. */
__attribute__((format(printf, 1, 2))) static char *fmt(const char *format, ...)
{
    char *s;
    va_list ap;
    va_start(ap, format);
    int n = vasprintf(&s, format, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

/* {artifactLocation, region} for a frame whose file is in the repository (repo_path gave
   path), or NULL when memory ran out. Frees path. */
static json_t *physical_json(const cp_frame *f, char *path)
{
    json_t *o = json_object(), *art = json_object();
    int rc = cp_json_set(art, "uri", uri_json(path));
    rc |= cp_json_set(art, "uriBaseId", json_string(SRCROOT));
    rc |= cp_json_set(o, "artifactLocation", art);
    free(path);
    if (f->line >= 1) {
        json_t *region = json_object();
        rc |= cp_json_set(region, "startLine", json_integer(f->line));
        rc |= cp_json_set(o, "region", region);
    }
    return cp_json_done(o, rc);
}

static int has_func(const cp_frame *f)
{
    return f->func != NULL && f->func[0] != '\0' && strcmp(f->func, "?") != 0;
}

/* A location for a frame: physical when its file is in the repository, logical (the
   function) when it has a name, and a message saying where it was either way. */
static json_t *frame_location(const cp_frame *f)
{
    json_t *o = json_object();
    char *path = repo_path(f->file);
    int rc = 0;
    if (path != NULL)
        rc |= cp_json_set(o, "physicalLocation", physical_json(f, path));
    if (has_func(f)) {
        json_t *logical = json_object(), *list = json_array();
        rc |= cp_json_set(logical, "name", cp_json_text(f->func));
        rc |= cp_json_set(logical, "kind", json_string("function"));
        rc |= cp_json_push(list, logical);
        rc |= cp_json_set(o, "logicalLocations", list);
    }
    char *where =
        fmt("%s at %s:%d%s", has_func(f) ? f->func : "?",
            f->file != NULL && f->file[0] ? f->file : "?", f->line, f->project ? " (project)" : "");
    rc |= cp_json_set(o, "message", text_msg(where));
    free(where);
    return cp_json_done(o, rc);
}

/* The frame that locates a finding: the innermost project frame with a repository file,
   else the innermost frame with one; NULL when no frame has. *path gets its repo_path. */
static const cp_frame *primary_frame(const cp_finding *f, char **path)
{
    for (int want_project = 1; want_project >= 0; want_project--) {
        for (size_t i = 0; i < f->nframes; i++) {
            const cp_frame *fr = &f->frames[i];
            if (want_project && !fr->project)
                continue;
            if ((*path = repo_path(fr->file)) != NULL)
                return fr;
        }
    }
    return NULL;
}

/* Findings without a stack (a leak seen in gauges, a hang's deadline) are located at the
   BUILD file that defines the harness: code scanning rejects a result with no location. */
static json_t *harness_location(const cp_finding *f)
{
    cp_frame build = {.func = NULL, .file = NULL, .line = 1, .project = 1};
    char *path = fmt("%s/BUILD", f->package);
    json_t *loc = json_object(), *locs = json_array();
    int rc = path ? 0 : -1;
    if (path != NULL)
        rc |= cp_json_set(loc, "physicalLocation", physical_json(&build, path));
    char *why =
        fmt("No stack: found by the harness %s, defined here.", f->harness ? f->harness : "?");
    rc |= cp_json_set(loc, "message", text_msg(why));
    free(why);
    rc |= cp_json_push(locs, loc);
    return cp_json_done(locs, rc);
}

static json_t *stacks_json(const cp_finding *f)
{
    json_t *stack = json_object(), *frames = json_array(), *list = json_array();
    int rc = 0;
    for (size_t i = 0; i < f->nframes; i++) {
        json_t *frame = json_object();
        rc |= cp_json_set(frame, "location", frame_location(&f->frames[i]));
        rc |= cp_json_push(frames, frame);
    }
    rc |= cp_json_set(stack, "message", text_msg("Stack at the finding, innermost frame first."));
    rc |= cp_json_set(stack, "frames", frames);
    rc |= cp_json_push(list, stack);
    return cp_json_done(list, rc);
}

/* ---- rules ---- */

static const char *class_of(const cp_finding *f)
{
    return f->klass != NULL && f->klass[0] != '\0' ? f->klass : "unknown";
}

static const struct class_doc *class_doc(const char *klass)
{
    for (size_t i = 0; i < sizeof class_docs / sizeof class_docs[0]; i++)
        if (strcmp(class_docs[i].klass, klass) == 0)
            return &class_docs[i];
    return NULL;
}

/* The distinct classes of the findings, in order of first appearance: the rules. */
typedef struct rule_set {
    const char **klass;
    size_t n;
} rule_set;

/* The rule index of klass, or set->n when it has none. */
static size_t rule_index(const rule_set *set, const char *klass)
{
    size_t i = 0;
    while (i < set->n && strcmp(set->klass[i], klass) != 0)
        i++;
    return i;
}

static int rule_set_init(rule_set *set, const cp_result *r)
{
    set->n = 0;
    set->klass = malloc((r->nfindings > 0 ? r->nfindings : 1) * sizeof *set->klass);
    if (set->klass == NULL)
        return -1;
    for (size_t i = 0; i < r->nfindings; i++) {
        const char *k = class_of(&r->findings[i]);
        if (rule_index(set, k) == set->n)
            set->klass[set->n++] = k;
    }
    return 0;
}

/* shortDescription, fullDescription and help of a rule. */
static int rule_texts(json_t *o, const char *klass)
{
    const struct class_doc *doc = class_doc(klass);
    char *brief = doc != NULL ? NULL : fmt("%s reported by a sanitizer", klass);
    char *full = doc != NULL ? NULL
                             : fmt("A sanitizer (AddressSanitizer, UndefinedBehaviorSanitizer, "
                                   "LeakSanitizer or ThreadSanitizer) reported %s.",
                                   klass);
    const char *full_text = doc != NULL ? doc->full : full;
    char *help = fmt("%s\n\nouroboros found this by fuzzing a harness. Each result names its "
                     "harness and its finding directory, findings/<slug>/, which holds the "
                     "minimized input (minimized), its text program (program.txt) and the "
                     "symbolized report (report.txt).",
                     full_text != NULL ? full_text : "");
    int rc = cp_json_set(o, "shortDescription", text_msg(doc != NULL ? doc->brief : brief));
    rc |= cp_json_set(o, "fullDescription", text_msg(full_text));
    rc |= cp_json_set(o, "help", text_msg(help));
    free(brief);
    free(full);
    free(help);
    return rc;
}

/* A rule's readable name: the class in Pascal case ("heap-use-after-free" becomes
   "HeapUseAfterFree"), as SARIF suggests for reportingDescriptor.name. */
static json_t *rule_name(const char *klass)
{
    char *name = strdup(klass);
    if (name == NULL)
        return NULL;
    size_t k = 0;
    for (int up = 1; *klass; klass++) {
        if (*klass == '-' || *klass == '_' || *klass == ' ') {
            up = 1;
            continue;
        }
        name[k++] = up && *klass >= 'a' && *klass <= 'z' ? (char)(*klass - 'a' + 'A') : *klass;
        up = 0;
    }
    name[k] = '\0';
    json_t *v = cp_json_text(k > 0 ? name : "Unknown");
    free(name);
    return v;
}

static json_t *rule_json(const char *klass)
{
    json_t *o = json_object(), *config = json_object(), *props = json_object();
    json_t *tags = json_array();
    int rc = cp_json_set(o, "id", cp_json_text(klass));
    rc |= cp_json_set(o, "name", rule_name(klass));
    rc |= rule_texts(o, klass);
    rc |= cp_json_set(config, "level", json_string("error"));
    rc |= cp_json_set(o, "defaultConfiguration", config);
    rc |= cp_json_push(tags, json_string("fuzzing"));
    rc |= cp_json_set(props, "tags", tags);
    rc |= cp_json_set(o, "properties", props);
    return cp_json_done(o, rc);
}

static json_t *rules_json(const rule_set *set)
{
    json_t *rules = json_array();
    int rc = 0;
    for (size_t i = 0; i < set->n; i++)
        rc |= cp_json_push(rules, rule_json(set->klass[i]));
    return cp_json_done(rules, rc);
}

/* ---- results ---- */

static char *result_text(const cp_finding *f)
{
    const char *h = f->harness != NULL ? f->harness : "?", *slug = f->slug ? f->slug : "?";
    char flaky[96] = "";
    if (f->flaky)
        snprintf(flaky, sizeof flaky, "\nFlaky: %u of %u replays reproduced it.", f->reproduced,
                 f->attempts);
    return fmt("%s in harness %s: %s\nSignature: %s (%s)%s\nTo reproduce: ./bazelw run "
               "//%s:%s_repro -- $PWD/findings/%s/minimized (program: "
               "findings/%s/program.txt)",
               class_of(f), h, f->message ? f->message : "(no message)",
               f->signature ? f->signature : "?", slug, flaky,
               f->package ? f->package : "harness/<package>", h, slug, slug);
}

static json_t *result_props(const cp_finding *f)
{
    char first[32], last[32];
    json_t *o = json_object();
    int rc = cp_json_set(o, "harness", cp_json_text(f->harness));
    rc |= cp_json_set(o, "slug", cp_json_text(f->slug));
    rc |= cp_json_set(o, "signature", cp_json_text(f->signature));
    rc |= cp_json_set(o, "count", json_integer(f->count));
    rc |= cp_json_set(o, "flaky", json_boolean(f->flaky));
    rc |= cp_json_set(o, "listed", f->listed ? json_string(f->listed) : json_null());
    rc |= cp_json_set(o, "reproduced", json_integer(f->reproduced));
    rc |= cp_json_set(o, "attempts", json_integer(f->attempts));
    rc |= cp_json_set(o, "firstSeen", json_integer(f->first_seen));
    rc |= cp_json_set(o, "lastSeen", json_integer(f->last_seen));
    if (cp_iso8601(f->first_seen, first, sizeof first) == 0)
        rc |= cp_json_set(o, "firstSeenUtc", json_string(first));
    if (cp_iso8601(f->last_seen, last, sizeof last) == 0)
        rc |= cp_json_set(o, "lastSeenUtc", json_string(last));
    rc |= cp_json_set(o, "opsBefore", json_integer(f->ops_before));
    rc |= cp_json_set(o, "opsAfter", json_integer(f->ops_after));
    rc |= cp_json_set(o, "bytesBefore", json_integer((json_int_t)f->bytes_before));
    rc |= cp_json_set(o, "bytesAfter", json_integer((json_int_t)f->bytes_after));
    return cp_json_done(o, rc);
}

static json_t *result_json(const cp_finding *f, const rule_set *rules)
{
    char *text = result_text(f);
    json_t *o = json_object(), *fp = json_object();
    int rc = cp_json_set(o, "ruleId", cp_json_text(class_of(f)));
    rc |= cp_json_set(o, "ruleIndex", json_integer((json_int_t)rule_index(rules, class_of(f))));
    /* A known finding is set aside while its fix is pending: a note, not an error. */
    rc |= cp_json_set(o, "level", json_string(f->listed ? "note" : f->flaky ? "warning" : "error"));
    rc |= cp_json_set(o, "message", text_msg(text));
    free(text);
    char *path = NULL;
    const cp_frame *primary = primary_frame(f, &path);
    if (primary != NULL) {
        json_t *loc = json_object(), *locs = json_array();
        rc |= cp_json_set(loc, "physicalLocation", physical_json(primary, path));
        rc |= cp_json_push(locs, loc);
        rc |= cp_json_set(o, "locations", locs);
    } else if (f->package != NULL && f->package[0] != '\0') {
        rc |= cp_json_set(o, "locations", harness_location(f));
    }
    rc |= cp_json_set(fp, "ouroborosSignature/v1", cp_json_text(f->slug ? f->slug : "unknown"));
    rc |= cp_json_set(o, "partialFingerprints", fp);
    if (f->nframes > 0)
        rc |= cp_json_set(o, "stacks", stacks_json(f));
    rc |= cp_json_set(o, "properties", result_props(f));
    return cp_json_done(o, rc);
}

/* ---- the log ---- */

/* The campaign itself: when it ran, and whether it was cut short. */
static json_t *invocations_json(const cp_result *r)
{
    char start[32], end[32];
    json_t *inv = json_object(), *props = json_object(), *list = json_array();
    int rc = cp_json_set(inv, "executionSuccessful", json_true());
    if (cp_iso8601(r->started, start, sizeof start) == 0)
        rc |= cp_json_set(inv, "startTimeUtc", json_string(start));
    if (cp_iso8601(r->ended, end, sizeof end) == 0)
        rc |= cp_json_set(inv, "endTimeUtc", json_string(end));
    rc |= cp_json_set(props, "budgetSeconds", cp_json_num(r->budget));
    rc |= cp_json_set(props, "interrupted", json_boolean(r->interrupted));
    rc |= cp_json_set(inv, "properties", props);
    rc |= cp_json_push(list, inv);
    return cp_json_done(list, rc);
}

static json_t *run_json(const cp_result *r, const rule_set *rules)
{
    json_t *run = json_object(), *tool = json_object(), *driver = json_object();
    json_t *results = json_array();
    int rc = cp_json_set(driver, "name", json_string("ouroboros"));
    rc |= cp_json_set(driver, "informationUri", json_string(CP_INFORMATION_URI));
    rc |= cp_json_set(driver, "rules", rules_json(rules));
    rc |= cp_json_set(tool, "driver", driver);
    rc |= cp_json_set(run, "tool", tool);
    rc |= cp_json_set(run, "invocations", invocations_json(r));
    for (size_t i = 0; i < r->nfindings; i++)
        rc |= cp_json_push(results, result_json(&r->findings[i], rules));
    rc |= cp_json_set(run, "results", results);
    return cp_json_done(run, rc);
}

int cp_report_sarif(const cp_result *r, FILE *out)
{
    rule_set rules;
    if (rule_set_init(&rules, r) != 0)
        return -1;
    json_t *log = json_object(), *runs = json_array();
    int rc = cp_json_set(log, "$schema", json_string(SARIF_SCHEMA));
    rc |= cp_json_set(log, "version", json_string("2.1.0"));
    rc |= cp_json_push(runs, run_json(r, &rules));
    rc |= cp_json_set(log, "runs", runs);
    free(rules.klass);
    return cp_json_dump(cp_json_done(log, rc), out);
}
