/*
** bn_files.h: files and directories the benchmark makes, reads and removes (internal to
** //bench:bench).
*/
#ifndef BN_FILES_H
#define BN_FILES_H

#if !defined(BN_INTERNAL)
#error "bn_files.h is internal to the benchmark driver (//bench:bench)"
#endif

#include <stddef.h>

/* The whole file, NUL-terminated (the caller frees it); NULL when it cannot be read. */
char *bn_slurp(const char *path, size_t *size);
/* The file's size in bytes, or -1 when it does not exist. */
long bn_file_size(const char *path);
/* mkdir -p. Returns 0, or -1 with a message. */
int bn_mkdirs(const char *path);
/* rm -rf, also through read-only directories (Bazel's output bases have them). */
void bn_remove_tree(const char *path);
/* Copies a regular file, keeping its mode. Returns 0 or -1. */
int bn_copy_file(const char *from, const char *to);
/* The path of the first file in dir whose name starts with one of libFuzzer's artifact
   prefixes (crash-, leak-, timeout-, oom-), into out; 0 when found, -1 when not. */
int bn_find_artifact(const char *dir, char *out, size_t len);
/* Writes text to path through a temporary file and a rename. Returns 0 or -1. */
int bn_write_atomic(const char *path, const char *text);

#endif
