/*
** cp_report_write.c: the three reports into a directory, each replaced atomically.
**
** Each report is rendered in memory and written by ou_write_atomic (a temporary in the same
** directory, fsync'd, renamed over "<name>"): a reader (or a campaign killed mid-write)
** sees the old report or the new one, never half of one, and no temporary stays behind.
** The directory is fsync'd once at the end so the renames survive a crash.
*/
#define _GNU_SOURCE
#include "cp_report_int.h"
#include "harness/util/ou_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*report_writer)(const cp_result *r, FILE *out);

static const struct report_file {
    const char *name;
    report_writer write;
} report_files[] = {
    {"report.json", cp_report_json},
    {"report.sarif", cp_report_sarif},
    {"report.html", cp_report_html},
};

static int fail(const char *what, const char *path, int err)
{
    fprintf(stderr, "cp_report: %s %s: %s\n", what, path, strerror(err));
    return -1;
}

/* Renders the report in memory, then writes it with ou_write_atomic. */
static int write_one(const cp_result *r, const char *dir, const struct report_file *rf)
{
    char *path = NULL, *text = NULL;
    size_t len = 0;
    if (asprintf(&path, "%s/%s", dir, rf->name) < 0)
        return fail("cannot name", rf->name, ENOMEM);
    FILE *mem = open_memstream(&text, &len);
    int rc = mem == NULL ? fail("cannot render", path, errno) : 0;
    if (mem != NULL) {
        errno = 0;
        if (rf->write(r, mem) != 0)
            rc = fail("cannot render", path, errno ? errno : ENOMEM);
        if (fclose(mem) != 0 && rc == 0)
            rc = fail("cannot render", path, errno);
    }
    if (rc == 0 && ou_write_atomic(path, text, len) != 0)
        rc = fail("cannot write", path, errno);
    free(text);
    free(path);
    return rc;
}

/* Makes the renames in dir durable. Filesystems that cannot sync a directory are fine. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return fail("cannot open", dir, errno);
    int rc = fsync(fd) != 0 && errno != EINVAL ? fail("cannot sync", dir, errno) : 0;
    close(fd);
    return rc;
}

int cp_report_write_all(const cp_result *r, const char *dir)
{
    int rc = 0;
    for (size_t i = 0; i < sizeof report_files / sizeof report_files[0]; i++)
        rc |= write_one(r, dir, &report_files[i]);
    if (rc == 0)
        rc = sync_dir(dir);
    return rc;
}
