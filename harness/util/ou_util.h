/*
** ou_util.h: files, child processes and text for the kit's tool, the campaign and the
** benchmark (//harness/util). One behaviour for all three:
**
**   - every write that a kill must not leave half done goes to path.<pid>.tmp, is synced,
**     then renamed over path; a copy is such a write and keeps the source's permissions;
**   - a tree is removed through folders without write or search permission (Bazel's
**     output trees have them), and a link is removed, never followed;
**   - a child runs with /dev/null as stdin, default SIGINT, SIGTERM and SIGHUP (even when
**     this process ignores them), and optionally in a process group of its own, so that
**     a signal to it reaches everything it started, and killed when this process dies.
**
** Functions return 0 (or a result) on success and -1 with errno set on failure; none
** prints. Paths are at most 4095 bytes. Nothing here is thread-safe beyond what the C
** library it calls is.
*/
#ifndef OU_UTIL_H
#define OU_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- files ---- */

/* The whole file, NUL-terminated (the NUL is not counted in *size; size may be NULL).
   A new allocation the caller frees; NULL when it cannot be read or memory ran out. */
char *ou_read_file(const char *path, size_t *size);

/* Writes n bytes to path atomically (see above); the file gets mode 0666 less the umask.
   0, or -1 (path unchanged, the temporary removed). */
int ou_write_atomic(const char *path, const void *data, size_t n);

/* Copies the regular file `from` to `to` atomically, with from's permission bits.
   0, or -1 (`to` unchanged). */
int ou_copy_file(const char *from, const char *to);

/* mkdir -p, mode 0777 less the umask; existing folders are fine. 0, or -1. */
int ou_mkdirs(const char *path);

/* rm -rf (see above). A missing path is success. Goes on past an entry it cannot
   remove and returns -1 at the end, with the errno of the first failure. */
int ou_remove_tree(const char *path);

/* 1 when something exists at path (a link counts by its target), 0 when not. */
int ou_exists(const char *path);

/* The size of the file at path in bytes, or -1 when there is none. */
long long ou_file_size(const char *path);

/* The names in a folder, without those starting with '.', sorted by strcmp: a new
   NULL-terminated array (*n, when n is not NULL, gets its length), freed with
   ou_free_names. NULL when the folder cannot be read or memory ran out. */
char **ou_list_dir(const char *path, size_t *n);
/* Frees what ou_list_dir returned; NULL is fine. */
void ou_free_names(char **names);

/* ---- child processes ---- */

/* What to start and how. Zero-initialize, then set what applies. */
typedef struct ou_cmd {
    const char *const *argv;  /* argv[0] is a path (no PATH search); NULL-terminated */
    const char *const *env;   /* "NAME=VALUE" entries added to the child's environment,
                                 NULL-terminated; or NULL. Borrowed until it starts */
    const char *const *unset; /* names removed from the child's environment before env is
                                 added, NULL-terminated; or NULL */
    const char *cwd;          /* the child's working folder, or NULL: ours */
    const char *out;          /* the child's stdout goes to this file, or NULL: ours */
    const char *err;          /* stderr likewise; the same path as out opens one file */
    int append;               /* out and err are appended to instead of truncated */
    int own_group;            /* the child leads a new process group (see ou_signal) */
    int die_with_parent;      /* the child gets SIGKILL when this thread dies (Linux) */

    /* ou_run only. Times are seconds of wall clock since the start; 0 is never. */
    double interrupt; /* SIGINT then (libFuzzer prints its final stats and exits) */
    double timeout;   /* SIGKILL then */
    const volatile sig_atomic_t *stop; /* or NULL; once it is nonzero, SIGINT at once (unless
                                          interrupt sent it already) and SIGKILL grace
                                          seconds after that SIGINT (0: no SIGKILL) */
    double grace;
    /* When set, the child's stderr is a pipe whose bytes are handed here as they come
       (err is ignored). */
    void (*on_output)(void *ctx, const char *data, size_t n);
    /* When set, called every few milliseconds while the child runs. */
    void (*on_tick)(void *ctx, double seconds);
    void *ctx;
} ou_cmd;

/* How a child of ou_run ended. */
typedef struct ou_result {
    int status;      /* exit code, or 128 + the signal that ended it (ou_exit_status) */
    int interrupted; /* 1 when it got SIGINT from interrupt or stop */
    int killed;      /* 1 when it got SIGKILL from timeout or a stop's grace */
    double seconds;  /* wall clock from the start to its exit */
} ou_result;

/* Starts cmd->argv and returns at once: the child's pid (reap it with waitpid), or -1
   when no process could be made. A child that cannot start its command (or open its
   files) writes why to its stderr and exits 127. */
pid_t ou_spawn(const ou_cmd *cmd);

/* fork() with cmd's group, parent death, output files and environment applied in the
   child (argv and the ou_run fields are not used): 0 in the child, its pid in this
   process, -1 when no process could be made. A child whose setup fails exits 127. */
pid_t ou_fork(const ou_cmd *cmd);

/* Starts cmd->argv and waits for it, applying interrupt, timeout, grace and stop. When it
   has exited, whatever it left running in its own group (own_group) gets SIGKILL. 0 with
   *r filled, or -1 when no child could be started or waited for. */
int ou_run(const ou_cmd *cmd, ou_result *r);

/* Sends sig to the process group pid leads, or to pid alone when it leads none. */
void ou_signal(pid_t pid, int sig);

/* A waitpid status as one number: the exit code, or 128 + the signal that ended it. */
int ou_exit_status(int wait_status);

/* Seconds on the monotonic clock. */
double ou_monotonic(void);

/* ---- text ---- */

/* Length of the valid UTF-8 sequence of 2 to 4 bytes at s (n bytes readable), or 0 when
   s[0] does not start one. Rejects overlong forms, surrogates and code points above
   U+10FFFF. */
size_t ou_utf8_len(const unsigned char *s, size_t n);

/* Writes the NUL-terminated text to out: every valid UTF-8 sequence as it is, every
   other byte (ASCII included) through byte(out, c), which escapes or replaces it. */
void ou_utf8_write(FILE *out, const char *text, void (*byte)(FILE *out, unsigned char c));

/* Writes text as a JSON string, quotes included, valid whatever the bytes: quotes,
   backslashes and control characters escaped, valid UTF-8 kept, and every other byte
   read as Latin-1 (\u00XX). */
void ou_json_string(FILE *out, const char *text);

/* Writes a byte that is not part of valid UTF-8 as the Latin-1 character it reads as
   (two bytes of UTF-8), and ASCII as it is: for ou_utf8_write. */
void ou_latin1_byte(FILE *out, unsigned char c);

#endif
