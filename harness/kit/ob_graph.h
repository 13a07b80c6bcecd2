/*
** ob_graph.h: the live-object graph a target enumerates, and the cycle that keeps a
** leak alive. Internal to the kit.
*/
#ifndef OB_GRAPH_H
#define OB_GRAPH_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_graph.h is internal to the harness kit; include ob_kit.h"
#endif

#include "ob_kit.h"

#include <stddef.h>

/* Enumerates t's live objects and writes the shortest cycle found among them, as
   `list#3 -> dict#5 -> list#3`, into buf; into types, the same cycle by type only, rotated
   to start at the smallest type name (`dict -> list`), for the signature. Returns the
   number of live objects enumerated, or -1 when t cannot enumerate or memory ran out;
   buf and types are "" when there is no cycle. */
long ob_graph_describe(const ob_target *t, char *buf, size_t len, char *types, size_t tlen);

#endif
