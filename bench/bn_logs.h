/*
** bn_logs.h: what the benchmark reads back from its children's output and the files
** they leave (internal to //bench:bench).
*/
#ifndef BN_LOGS_H
#define BN_LOGS_H

#if !defined(BN_INTERNAL)
#error "bn_logs.h is internal to the benchmark driver (//bench:bench)"
#endif

#include <stddef.h>

/* Inputs libFuzzer ran, from its log: stat::number_of_executed_units (-print_final_stats)
   or, when the process was killed before printing it, the last "#N" status line. -1 when
   neither is there. */
long bn_fuzzer_runs(const char *log);
/* The class of the first ouroboros finding in a log (its JSON line), into out; "" when
   there is none. */
void bn_ouroboros_class(const char *log, char *out, size_t len);
/* The signature slug of the first ouroboros finding in a log, into out; "" when none. */
void bn_ouroboros_slug(const char *log, char *out, size_t len);
/* 1 when a plain run's class (bn_sanitizer_class) reports the kind of bug of the kit's
   class: the same name, a stack overflow for a stack-budget finding, a deadly signal for a
   failed assertion, a timeout for a hang. */
int bn_same_kind(const char *kit_class, const char *plain_class);
/* What a plain libFuzzer run reported, into out: the sanitizer's error kind
   ("heap-use-after-free", "stack-overflow", "leak", "data-race", "undefined-behavior")
   or libFuzzer's ("timeout", "out-of-memory", "deadly-signal"); "" when nothing. */
void bn_sanitizer_class(const char *log, char *out, size_t len);
/* The path of the first file (by name) in dir whose name starts with one of libFuzzer's
   artifact prefixes (crash-, leak-, timeout-, oom-), into out; 0 when found, -1 when not. */
int bn_find_artifact(const char *dir, char *out, size_t len);
/* The operations of a program printed by a harness tool's `print` (its header line says
   "N operations"), or -1. */
long bn_program_ops(const char *printed);

#endif
