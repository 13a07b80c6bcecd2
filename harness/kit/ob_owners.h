/*
** ob_owners.h: the handles of the input in flight and who owns their objects (ob_own).
** Internal to the kit.
**
** Invariants: a slot is filled once; a gone slot stays gone and is never resolved or
** released; a slot with an owner is never released (its owner's release, or free, takes
** it); with one_owner, live slots that hold the same pointer share owner and fate.
*/
#ifndef OB_OWNERS_H
#define OB_OWNERS_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_owners.h is internal to the harness kit; include ob_kit.h"
#endif

#include "ob_kit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

enum { OB_OWNER_ROOT = -1 };

typedef struct ob_owners {
    _Atomic(void *) obj[OB_MAX_SLOTS];
    atomic_bool gone[OB_MAX_SLOTS];
    atomic_int owner[OB_MAX_SLOTS]; /* OB_OWNER_ROOT, or the slot whose object owns this one */
    int one_owner;                  /* the target's */
    pthread_mutex_t lock;           /* orders the updates of concurrent operations (pool) */
} ob_owners;

void ob_owners_init(ob_owners *o, int one_owner);
void ob_owners_destroy(ob_owners *o);
/* The object of slot s, or NULL when it is not filled yet or gone. Borrowed. */
void *ob_owners_get(ob_owners *o, int s);
/* Fills slot s with the result of an operation that makes (ob_op.makes) from in. */
void ob_owners_fill(ob_owners *o, int s, void *obj, const ob_op *op, const ob_inst *in);
/* 1 when op may be called on in's handles as ownership goes: without one_owner, a handle
   that op moves or frees must hold its own reference. */
int ob_owners_may_give(ob_owners *o, const ob_op *op, const ob_inst *in);
/* Applies op's ownership effects on in's handle arguments, given what op returned. */
void ob_owners_after(ob_owners *o, const ob_op *op, const ob_inst *in, int rc);
/* 1 when the end must release slot s: filled, not gone, owning its own reference (and,
   with one_owner, the first such slot of its pointer). */
int ob_owners_releases(ob_owners *o, int s);

#endif
