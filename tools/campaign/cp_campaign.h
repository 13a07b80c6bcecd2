/*
** cp_campaign.h: the campaign's contract. A campaign fuzzes harnesses within a time budget,
** triages what they find into findings/<slug>/, and writes reports from what is on disk.
**
** On disk, under the workspace (every write that must survive a kill is a rename):
**   corpus/<harness>/inputs/          the working corpus libFuzzer grows (not checked in)
**   corpus/<harness>/merged/          the set-cover merge of seeds, merged and inputs
**                                     (clean harnesses only; checked in)
**   findings/<slug>/finding.json      one finding: see cp_finding
**   findings/<slug>/input             the first input that produced it
**   findings/<slug>/minimized         the smallest input with the same signature
**   findings/<slug>/program.txt       the minimized input as a text program
**   findings/<slug>/report.txt        the symbolized report of the minimized input
**   findings/.campaign/               state: pending inputs, series, merge control files
**   findings/report.json, report.sarif, report.html
*/
#ifndef CP_CAMPAIGN_H
#define CP_CAMPAIGN_H

#include <stddef.h>
#include <stdio.h>

/* One stack frame of a finding, innermost first; project frames are our own code. */
typedef struct cp_frame {
    char *func;
    char *file;
    int line;
    int project;
} cp_frame;

/* One deduplicated finding, keyed by its signature slug. */
typedef struct cp_finding {
    char *slug;      /* 16 hex digits: the directory name under findings/ */
    char *klass;     /* leak, growth, stack-budget, data-race, heap-use-after-free... */
    char *signature; /* the readable signature the slug hashes */
    char *message;   /* one line on what was seen */
    char *harness;   /* the harness that found it first */
    char *package;   /* its Bazel package (harness/objrt); may be NULL */
    int flaky;       /* no replay reproduced it; its class and slug come from the fuzzer */
    unsigned reproduced, attempts;   /* replays that showed it, of those tried (at most 3) */
    long long first_seen, last_seen; /* Unix seconds */
    unsigned count;                  /* times a campaign found it, the first included */
    unsigned ops_before, ops_after;  /* operations before and after minimizing */
    size_t bytes_before, bytes_after;
    cp_frame *frames;
    size_t nframes;
    char *listed;  /* the heading of its entry in its harness's known.md, or NULL */
    char *program; /* minimized program text; may be NULL */
    char *report;  /* symbolized report text; may be NULL */
} cp_finding;

/* One point of a harness's progress, read off libFuzzer's status lines. */
typedef struct cp_sample {
    double seconds; /* fuzzing seconds of this harness so far, across campaigns */
    double execs_per_sec;
    long cov, ft, corpus;
    long findings; /* inputs that failed so far, new and known */
} cp_sample;

typedef struct cp_harness_stats {
    char *name;
    int defect;      /* a seeded-defect harness (--defects) */
    char *expected;  /* the class a defect harness must find; NULL when clean */
    double seconds;  /* fuzzing seconds, across campaigns */
    long long execs; /* inputs run, across campaigns */
    long cov, corpus;
    unsigned findings_new, findings_known, findings_flaky; /* this campaign */
    cp_sample *samples;
    size_t nsamples;
} cp_harness_stats;

typedef struct cp_result {
    long long started, ended; /* Unix seconds of this campaign */
    double budget;            /* seconds asked for */
    int interrupted;          /* stopped by a signal before the budget ran out */
    cp_harness_stats *harnesses;
    size_t nharnesses;
    cp_finding *findings; /* every finding on disk, sorted by first_seen */
    size_t nfindings;
} cp_result;

/* Report writers. Each writes the whole document to `out`; 0, or -1 on a write error. */
int cp_report_json(const cp_result *r, FILE *out);
int cp_report_sarif(const cp_result *r, FILE *out);
int cp_report_html(const cp_result *r, FILE *out);

/* Writes report.json, report.sarif and report.html into `dir`, each atomically (a temporary
   file renamed into place). 0, or -1 with a message on stderr. */
int cp_report_write_all(const cp_result *r, const char *dir);

#endif
