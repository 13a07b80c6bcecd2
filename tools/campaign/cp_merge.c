/*
** cp_merge.c: libFuzzer's set-cover merge of a clean harness's seeds, checked-in corpus
** (<corpus>/merged) and working corpus (<corpus>/inputs) into a fresh folder,
** which then replaces merged/ by two renames. The merge control file lets an interrupted
** merge resume where it stopped; the renames are undone or finished by cp_merge_recover.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct merge_paths {
    char merged[4096], inputs[4096], work[4096], next[4096], old[4096], control[4096], log[4096];
} merge_paths;

static int paths_of(const char *ws, const cp_harness *h, merge_paths *p)
{
    return cp_path(p->merged, sizeof p->merged, "%s/%s/merged", ws, h->corpus) ||
           cp_path(p->inputs, sizeof p->inputs, "%s/%s/inputs", ws, h->corpus) ||
           cp_path(p->work, sizeof p->work, "%s/findings/.campaign/merge/%s", ws, h->name) ||
           cp_path(p->next, sizeof p->next, "%s/next", p->work) ||
           cp_path(p->old, sizeof p->old, "%s/old", p->work) ||
           cp_path(p->control, sizeof p->control, "%s/control", p->work) ||
           cp_path(p->log, sizeof p->log, "%s/log", p->work);
}

void cp_merge_recover(const char *ws, const cp_harness *h)
{
    merge_paths p;
    if (paths_of(ws, h, &p))
        return;
    if (ou_exists(p.old) && !ou_exists(p.merged)) {
        /* Killed between the two renames: merged/ moved aside, next/ not yet in place. */
        if (rename(p.old, p.merged))
            fprintf(stderr, "campaign: cannot restore %s: %s\n", p.merged, strerror(errno));
    } else if (ou_exists(p.old)) {
        ou_remove_tree(p.old);
    }
}

int cp_merge_pending(const char *ws, const cp_harness *h)
{
    merge_paths p;
    return paths_of(ws, h, &p) == 0 && ou_exists(p.control);
}

static size_t count_files(const char *dir)
{
    size_t n = 0;
    char **names = ou_list_dir(dir, &n);
    ou_free_names(names);
    return names ? n : 0;
}

int cp_merge(const char *ws, const cp_harness *h, size_t *before, size_t *after)
{
    merge_paths p;
    if (paths_of(ws, h, &p))
        return -1;
    cp_merge_recover(ws, h);
    if (ou_mkdirs(p.merged) || ou_mkdirs(p.inputs) || ou_mkdirs(p.work))
        return -1;
    if (!ou_exists(p.control) && ou_remove_tree(p.next))
        return -1;
    if (ou_mkdirs(p.next))
        return -1;
    *before = count_files(p.merged);
    char max_len[32], timeout[32], control[4200];
    snprintf(max_len, sizeof max_len, "-max_len=%d", h->max_len);
    snprintf(timeout, sizeof timeout, "-timeout=%d", h->timeout);
    snprintf(control, sizeof control, "-merge_control_file=%s", p.control);
    char *argv[] = {(char *)h->bin,
                    "-set_cover_merge=1",
                    control,
                    max_len,
                    timeout,
                    "-rss_limit_mb=4096",
                    p.next,
                    p.merged,
                    p.inputs,
                    *h->seeds ? (char *)h->seeds : NULL,
                    NULL};
    cp_env env;
    cp_env_for(h, &env);
    unlink(p.log);
    int rc = cp_run(argv, &env, p.log);
    if (rc == 0 && !cp_stopping && count_files(p.next) == 0 && *before > 0) {
        /* A control file that says "done" with nothing in next/ (a kill after libFuzzer's
           passes, before it copied): merge again from scratch rather than empty merged/. */
        unlink(p.control);
        if (ou_remove_tree(p.next) || ou_mkdirs(p.next))
            return -1;
        rc = cp_run(argv, &env, p.log);
    }
    if (rc != 0 || cp_stopping) {
        if (!cp_stopping)
            fprintf(stderr, "campaign: merging %s failed (exit %d); see %s\n", h->name, rc, p.log);
        return -1;
    }
    if (count_files(p.next) == 0 && *before > 0) {
        fprintf(stderr, "campaign: merging %s kept nothing of %zu files; merged/ left as it was\n",
                h->name, *before);
        unlink(p.control);
        return -1;
    }
    /* The control file goes before the renames: left behind, it would make the next merge
       "resume" a finished merge into an empty folder. */
    unlink(p.control);
    /* Bazel's runfiles need the folder to exist even when the merge kept nothing. */
    char keep[4200];
    snprintf(keep, sizeof keep, "%s/.keep", p.next);
    if (ou_write_atomic(keep, "", 0))
        return -1;
    if (rename(p.merged, p.old) || rename(p.next, p.merged)) {
        fprintf(stderr, "campaign: cannot replace %s: %s\n", p.merged, strerror(errno));
        cp_merge_recover(ws, h);
        return -1;
    }
    ou_remove_tree(p.old);
    *after = count_files(p.merged);
    return 0;
}
