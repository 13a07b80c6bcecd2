/*
** ob_minimize.h: shrinking a failing program to the smallest one with the same signature.
** Internal to the kit (the tool's `minimize` and `signature` commands).
**
** Each candidate is judged in a child process (this executable's `replay`), because many
** findings end the process; the child's finding block carries the signature slug.
*/
#ifndef OB_MINIMIZE_H
#define OB_MINIMIZE_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_minimize.h is internal to the harness kit; include ob_kit.h"
#endif

#include "ob_kit.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Replays bytes in a child of `exe` and writes the finding's class and slug (empty strings
   when it found nothing); on the thread pool (OB_EXECUTOR=pool) up to 8 replays, or
   OB_REPRO_TRIES, until one finds something. Returns 0, or -1 when no child could run. */
int ob_minimize_signature(const char *exe, const uint8_t *data, size_t size, char klass[64],
                          char slug[17]);
/* The same, echoing the child's report to `echo` (may be NULL) and keeping the signature
   text (at most 512 bytes with its NUL). */
int ob_replay_child(const char *exe, const uint8_t *data, size_t size, FILE *echo, char klass[64],
                    char slug[17], char signature[512]);

typedef struct ob_minimize_stats {
    unsigned tries; /* candidates judged */
    unsigned ops_before, ops_after;
    size_t bytes_before, bytes_after;
} ob_minimize_stats;

/* Shrinks p in place (p keeps borrowing byte arguments from the original program) while
   the child's slug stays `slug`. Returns 0, or -1 when children could not be run. */
int ob_minimize_program(const char *exe, ob_program *p, const char *slug, ob_minimize_stats *st);

#endif
