/*
** bn_files.c: files and directories (see bn_files.h).
*/
#define _XOPEN_SOURCE 700

#include "bench/bn_files.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *bn_slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
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
    buf[n] = 0;
    if (size)
        *size = n;
    return buf;
}

long bn_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int bn_mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            break;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench: cannot make %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Directories first get write permission (pre-order), then lose their entries. */
static int make_writable(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type == FTW_D)
        chmod(path, (st->st_mode & 07777) | S_IRWXU);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

void bn_remove_tree(const char *path)
{
    nftw(path, make_writable, 32, FTW_PHYS);
    nftw(path, remove_entry, 32, FTW_PHYS | FTW_DEPTH);
}

int bn_copy_file(const char *from, const char *to)
{
    struct stat st;
    FILE *in = fopen(from, "rb");
    FILE *out = in && stat(from, &st) == 0 ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    int rc = out ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in && ferror(in))
        rc = -1;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    if (rc == 0)
        chmod(to, st.st_mode & 07777);
    return rc;
}

int bn_find_artifact(const char *dir, char *out, size_t len)
{
    static const char *const prefixes[] = {"crash-", "leak-", "timeout-", "oom-"};
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = -1;
    while (d && rc != 0 && (e = readdir(d)) != NULL) {
        for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && rc != 0; i++) {
            if (strncmp(e->d_name, prefixes[i], strlen(prefixes[i])) == 0) {
                snprintf(out, len, "%s/%s", dir, e->d_name);
                rc = 0;
            }
        }
    }
    if (d)
        closedir(d);
    return rc;
}

int bn_write_atomic(const char *path, const char *text)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}
