/*
** ob_tool_history.h: the tool's side of persistent-state history (ob_history.h): a
** history file's runs replayed before the input, and which of them a finding needs.
** Internal to the kit's tool.
*/
#ifndef OB_TOOL_HISTORY_H
#define OB_TOOL_HISTORY_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_tool_history.h is internal to the harness kit; include ob_kit.h"
#endif

#include <stddef.h>
#include <stdint.h>

/* Takes a leading `--history FILE` off the arguments: its children and in-process replays
   then run FILE's programs first (OB_HISTORY). Returns 0, or -1 with a message. */
int ob_tool_take_history(int *argc, char ***argv);
/* In this process, runs the programs of OB_HISTORY's file (when set), each once and
   unjudged, as they ran. Returns 0, or 2 on a bad file (with a message). */
int ob_tool_replay_history(void);
/* With OB_HISTORY set and data reproducing `slug` after it: whether data alone does, in a
   fresh process, and if not, the fewest of the history's runs it needs (dropped one at a
   time while the slug holds), printed and written to <input>.history.txt. Returns 0, or
   -1 when children could not be run. */
int ob_tool_explain_history(const char *exe, const uint8_t *data, size_t n, const char *slug,
                            const char *input);

#endif
