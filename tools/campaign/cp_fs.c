/*
** cp_fs.c: the few file operations the campaign needs, with atomic writes where a kill
** must not leave half a file.
*/
#define _XOPEN_SOURCE 700

#include "cp_driver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cp_path(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len) {
        fprintf(stderr, "campaign: path too long: %s\n", buf);
        return -1;
    }
    return 0;
}

int cp_mkdirs(const char *path)
{
    char buf[4096];
    if (cp_path(buf, sizeof buf, "%s", path))
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) && errno != EEXIST)
            goto fail;
        *p = '/';
    }
    if (mkdir(buf, 0777) && errno != EEXIST)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "campaign: cannot create %s: %s\n", buf, strerror(errno));
    return -1;
}

int cp_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int cp_write_atomic(const char *path, const void *data, size_t n)
{
    /* A temporary of this process's own: two writers of one path must not share one. */
    char tmp[4096];
    if (cp_path(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid()))
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 || write_all(fd, data, n) || fsync(fd)) {
        fprintf(stderr, "campaign: cannot write %s: %s\n", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) || rename(tmp, path)) {
        fprintf(stderr, "campaign: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

char *cp_read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    if (n)
        *n = len;
    return buf;
}

int cp_copy_file(const char *from, const char *to)
{
    size_t n;
    char *data = cp_read_file(from, &n);
    if (!data) {
        fprintf(stderr, "campaign: cannot read %s: %s\n", from, strerror(errno));
        return -1;
    }
    int rc = cp_write_atomic(to, data, n);
    free(data);
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) && errno != ENOENT ? -1 : 0;
}

int cp_remove_tree(const char *path)
{
    if (!cp_exists(path))
        return 0;
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS)) {
        fprintf(stderr, "campaign: cannot remove %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cp_list_dir(const char *path, size_t *n)
{
    DIR *d = opendir(path);
    if (!d)
        return NULL;
    size_t cap = 16, len = 0;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (len + 1 >= cap) {
            char **bigger = realloc(names, (cap *= 2) * sizeof *names);
            if (!bigger)
                break;
            names = bigger;
        }
        names[len] = strdup(e->d_name);
        if (names[len])
            len++;
    }
    closedir(d);
    if (!names)
        return NULL;
    names[len] = NULL;
    qsort(names, len, sizeof *names, by_name);
    if (n)
        *n = len;
    return names;
}

void cp_free_names(char **names)
{
    if (!names)
        return;
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
}
