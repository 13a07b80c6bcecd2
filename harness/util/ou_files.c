/*
** ou_files.c: whole-file reads, atomic writes and copies, folders made and removed,
** listings (see ou_util.h).
*/
#define _POSIX_C_SOURCE 200809L

#include "harness/util/ou_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PATH_CAP = 4096 };

char *ou_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
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
        errno = bad ? EIO : ENOMEM;
        return NULL;
    }
    buf[n] = 0;
    if (size)
        *size = n;
    return buf;
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

/* A temporary of this process's own beside path: two writers of one path never share
   one, and the name ends in .tmp, which readers of a folder can skip. */
static int temp_path(const char *path, char *tmp)
{
    int n = snprintf(tmp, PATH_CAP, "%s.%d.tmp", path, (int)getpid());
    if (n < 0 || n >= PATH_CAP) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Syncs and closes fd, then renames tmp over path; the temporary goes on any failure. */
static int commit(int fd, const char *tmp, const char *path)
{
    int rc = fsync(fd);
    rc = close(fd) || rc ? -1 : 0;
    if (rc == 0 && rename(tmp, path) == 0)
        return 0;
    int saved = errno;
    unlink(tmp);
    errno = saved;
    return -1;
}

static int abandon(int fd, const char *tmp)
{
    int saved = errno;
    close(fd);
    unlink(tmp);
    errno = saved;
    return -1;
}

int ou_write_atomic(const char *path, const void *data, size_t n)
{
    char tmp[PATH_CAP];
    if (temp_path(path, tmp))
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    if (write_all(fd, data, n))
        return abandon(fd, tmp);
    return commit(fd, tmp, path);
}

static int copy_fd(int in, int out)
{
    char buf[1 << 16];
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -1 : 0;
        if (write_all(out, buf, (size_t)r))
            return -1;
    }
}

int ou_copy_file(const char *from, const char *to)
{
    char tmp[PATH_CAP];
    struct stat st;
    if (temp_path(to, tmp))
        return -1;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = fstat(in, &st) == 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (out < 0) {
        int saved = errno;
        close(in);
        errno = saved;
        return -1;
    }
    /* fchmod, not open's mode: the umask must not take bits the source has. */
    int rc = copy_fd(in, out) || fchmod(out, st.st_mode & 07777) ? -1 : 0;
    int saved = errno;
    close(in);
    errno = saved;
    return rc ? abandon(out, tmp) : commit(out, tmp, to);
}

int ou_mkdirs(const char *path)
{
    char buf[PATH_CAP];
    int n = snprintf(buf, sizeof buf, "%s", path);
    if (n < 0 || n >= PATH_CAP) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

static int is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Keeps the first failure's errno in *first; returns -1. */
static int failed(int *first)
{
    if (!*first)
        *first = errno;
    return -1;
}

static int remove_at(int dir, const char *name, int *first);

/* Empties the folder `name` in dir, after giving it the owner's read, write and search
   permission (without them its entries could not be listed or unlinked). */
static int empty_folder(int dir, const char *name, mode_t mode, int *first)
{
    if ((mode & S_IRWXU) != S_IRWXU && fchmodat(dir, name, (mode & 07777) | S_IRWXU, 0))
        failed(first);
    int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return failed(first);
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (!is_dot(e->d_name) && remove_at(dirfd(d), e->d_name, first))
            rc = -1;
    closedir(d);
    return rc;
}

static int remove_at(int dir, const char *name, int *first)
{
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW))
        return errno == ENOENT ? 0 : failed(first);
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dir, name, 0) && errno != ENOENT ? failed(first) : 0;
    int rc = empty_folder(dir, name, st.st_mode, first);
    if (unlinkat(dir, name, AT_REMOVEDIR) && errno != ENOENT)
        rc = failed(first);
    return rc;
}

int ou_remove_tree(const char *path)
{
    int first = 0;
    if (remove_at(AT_FDCWD, path, &first) == 0)
        return 0;
    errno = first;
    return -1;
}

int ou_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

long long ou_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ou_list_dir(const char *path, size_t *n)
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
            char **bigger = realloc(names, cap * 2 * sizeof *names);
            if (!bigger)
                break;
            names = bigger;
            cap *= 2;
        }
        names[len] = strdup(e->d_name);
        if (names[len])
            len++;
    }
    closedir(d);
    if (!names) {
        errno = ENOMEM;
        return NULL;
    }
    names[len] = NULL;
    qsort(names, len, sizeof *names, by_name);
    if (n)
        *n = len;
    return names;
}

void ou_free_names(char **names)
{
    if (!names)
        return;
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
}
