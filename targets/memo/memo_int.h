/*
** memo_int.h: the pieces the memo library's files share. Internal: the public contract is
** memo.h alone.
**
** Modules and their prefixes:
**   memo_hooks.c    memo_alloc_hooks/memo_sync_hooks/memo_live_*: the installed hooks and
**                   the count of live caches that pins them
**   memo_hash.c     memo_hash_*: an intrusive chained hash table of memo_hnode
**   memo_lru.c      memo_lru_*: an intrusive recency list with a sentinel
**   memo_cache.c    the public cache calls (entries live in both a table and a list)
**   memo_registry.c the public registry calls
*/
#ifndef MEMO_INT_H
#define MEMO_INT_H

#if !defined(MEMO_INTERNAL)
#error "memo_int.h is internal to the memo library; include memo.h"
#endif

#include <stdint.h>

#include "memo.h"

/* ---- hooks (memo_hooks.c) ---- */

/* The hooks installed by memo_set_hooks (never NULL). Borrowed, process lifetime. */
const tg_allocator *memo_alloc_hooks(void);
const tg_sync *memo_sync_hooks(void);
/* Every cache counts itself live from creation to destruction, so the hooks it captured
   cannot be swapped under it. */
void memo_live_add(void);
void memo_live_sub(void);

/* ---- hash table (memo_hash.c) ----
** Invariant: every node sits in bucket hash % nbuckets, hash == memo_hash_bytes(key, klen),
** and count is the number of nodes. Nodes are owned by the caller; the table owns only its
** bucket array. Duplicate keys are allowed (find returns the most recently inserted one). */

typedef struct memo_hnode {
    struct memo_hnode *next;
    uint64_t hash;
    const unsigned char *key; /* borrowed from the node's owner */
    size_t klen;
} memo_hnode;

typedef struct memo_hash {
    memo_hnode **buckets;
    size_t nbuckets; /* a power of two, or 0 before init */
    size_t count;
} memo_hash;

uint64_t memo_hash_bytes(const void *key, size_t klen);
/* Allocates the initial bucket array. MEMO_OK or MEMO_ENOMEM (t is then left empty). */
int memo_hash_init(memo_hash *t, const tg_allocator *a);
/* Frees the bucket array (not the nodes) and leaves t as before init. */
void memo_hash_fini(memo_hash *t, const tg_allocator *a);
/* The node with this key, or NULL. Borrowed. */
memo_hnode *memo_hash_find(const memo_hash *t, uint64_t hash, const void *key, size_t klen);
/* Links n (its hash, key and klen already set). Grows the table when it is loaded; a
   failed growth is benign (longer chains), so insertion itself cannot fail. */
void memo_hash_insert(memo_hash *t, memo_hnode *n, const tg_allocator *a);
/* Unlinks n, which must be in t. */
void memo_hash_remove(memo_hash *t, memo_hnode *n);
/* Calls fn on every node; fn must not change t. */
void memo_hash_each(const memo_hash *t, void (*fn)(memo_hnode *n, void *arg), void *arg);
/* NULL, or a static message naming the broken invariant. */
const char *memo_hash_check(const memo_hash *t);

/* ---- recency list (memo_lru.c) ----
** Invariant: a circular doubly linked list through a sentinel, newest after the sentinel,
** with count nodes. */

typedef struct memo_lru_node {
    struct memo_lru_node *prev, *next;
} memo_lru_node;

typedef struct memo_lru {
    memo_lru_node head; /* sentinel */
    size_t count;
} memo_lru;

void memo_lru_init(memo_lru *l);
/* Links n as the newest. */
void memo_lru_push(memo_lru *l, memo_lru_node *n);
/* Makes n (already in l) the newest. */
void memo_lru_touch(memo_lru *l, memo_lru_node *n);
void memo_lru_unlink(memo_lru *l, memo_lru_node *n);
/* The least recently used node, or NULL when empty. Borrowed. */
memo_lru_node *memo_lru_oldest(const memo_lru *l);
/* The next newer node than n, or NULL at the newest. */
memo_lru_node *memo_lru_newer(const memo_lru *l, const memo_lru_node *n);
const char *memo_lru_check(const memo_lru *l);

/* ---- caches, for the registry (memo_cache.c) ---- */

/* The allocator c was created with. Borrowed. */
const tg_allocator *memo_cache_alloc(const memo_cache *c);
/* c's byte gauge, taken under its lock. */
size_t memo_cache_bytes(memo_cache *c);

#endif
