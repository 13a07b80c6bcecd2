/*
** cp_report_write.c: the three reports into a directory, each replaced atomically.
**
** Each report is written to "<name>.tmp" in the same directory, flushed and fsync'd, then
** renamed over "<name>": a reader (or a campaign killed mid-write) sees the old report or
** the new one, never half of one. On any failure the temporary file is removed. The
** directory is fsync'd once at the end so the renames survive a crash.
*/
#define _GNU_SOURCE
#include "cp_report_int.h"

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

/* Writes the report into tmp and closes it. 0, or -1 with a message. */
static int write_tmp(const cp_result *r, const struct report_file *rf, const char *tmp)
{
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return fail("cannot create", tmp, errno);
    errno = 0;
    int rc = rf->write(r, f) != 0 ? fail("cannot write", tmp, errno ? errno : EIO) : 0;
    if (rc == 0 && fflush(f) != 0)
        rc = fail("cannot write", tmp, errno);
    if (rc == 0 && fsync(fileno(f)) != 0)
        rc = fail("cannot sync", tmp, errno);
    if (fclose(f) != 0 && rc == 0)
        rc = fail("cannot close", tmp, errno);
    return rc;
}

static int write_one(const cp_result *r, const char *dir, const struct report_file *rf)
{
    char *path = NULL, *tmp = NULL;
    if (asprintf(&path, "%s/%s", dir, rf->name) < 0)
        return fail("cannot name", rf->name, ENOMEM);
    int rc;
    if (asprintf(&tmp, "%s.tmp", path) < 0) {
        tmp = NULL; /* undefined after a failure */
        rc = fail("cannot name", path, ENOMEM);
    } else {
        rc = write_tmp(r, rf, tmp);
    }
    if (rc == 0 && rename(tmp, path) != 0)
        rc = fail("cannot rename into", path, errno);
    if (rc != 0 && tmp != NULL && unlink(tmp) != 0 && errno != ENOENT)
        fail("cannot remove", tmp, errno);
    free(tmp);
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
