/*
** ob_history.h: the runs a process made before the input in flight, for targets with
** persistent state (ob_target.persistent_setup), so a finding that needs them can be
** replayed with them. Internal to the kit.
*/
#ifndef OB_HISTORY_H
#define OB_HISTORY_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_history.h is internal to the harness kit; include ob_kit.h"
#endif

#include "ob_kit.h"

/* Where history files go: a path prefix, as libFuzzer's -artifact_prefix (default: the
   working directory). Borrowed; call before the first input. */
void ob_history_set_prefix(const char *prefix);
/* A new input starts: the runs noted so far are its history. */
void ob_history_begin_input(void);
/* p runs (the input, or a detector's rerun of it). Keeps its text. */
void ob_history_note(const ob_program *p);
/* Runs kept from before the input in flight (at most OB_HISTORY_RUNS). */
unsigned ob_history_count(void);
/* Writes those runs, oldest first, as text programs separated by `---` lines, to
   <prefix>history-<slug>.txt; path gets the file's name. Returns 0, or -1 (errno). */
int ob_history_write(const char *slug, char *path, size_t len);
/* After a finding's block: for a target with persistent state and runs before this input,
   writes them (ob_history_write) and says where on stderr. */
void ob_history_finding(const char *slug);

#endif
