/*
** memo.h: a thread-safe memoization cache keyed by bytes, and a process-wide registry of
** named caches. This header is the whole public contract.
**
** Cache. Keys and values are byte strings, copied in on put and copied out on get (no
** pointer into the cache ever escapes, so a concurrent put or eviction cannot invalidate
** what a caller holds). Each entry costs memo_entry_cost(klen, vlen) bytes: key, value
** and a fixed per-entry overhead. After every put the cache holds at most `budget` bytes,
** evicting least recently used entries first (a get or put makes an entry most recent).
** With a nonzero ttl_ns an entry expires ttl_ns after its put, measured on the cache's
** clock; an expired entry is never returned and is removed by the get that finds it or by
** memo_evict_expired.
**
** Ownership. Caches are reference counted. memo_create and memo_registry_get return a new
** reference; memo_retain adds one; memo_release drops one and destroys the cache with the
** last. The registry holds its own reference to each registered cache, so a cache dropped
** from the registry stays valid for every thread still holding it until they release it.
**
** Threads. Every call may be made from any thread on any cache, except memo_set_hooks,
** which must come before any cache exists. Each cache has its own lock; the registry has
** one lock and takes cache locks only while holding it (never the other way round).
**
** Errors. Every call that can fail returns a memo_status; results come back through
** pointers. Bad arguments give MEMO_EINVAL, never a crash. An allocation failure gives
** MEMO_ENOMEM and leaves the cache or registry exactly as before the call (a failed put
** keeps the old value).
*/
#ifndef MEMO_H
#define MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "targets/hooks/tg_hooks.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum memo_status {
#define MEMO_STATUS(name, text) name,
#include "memo_status.def"
#undef MEMO_STATUS
    MEMO_STATUS_COUNT
} memo_status;

/* A static, human-readable line for a status ("unknown status" for anything else). */
const char *memo_strerror(int status);

/* Installs the allocator and sync hooks every cache and the registry use from now on
   (NULL: the libc / pthread defaults). Returns MEMO_OK, or MEMO_EBUSY while any cache
   exists (caches keep the hooks they were created with and free through them). Not
   thread-safe against other memo_ calls: call it at init. */
int memo_set_hooks(const tg_allocator *alloc, const tg_sync *sync);

/* ---- caches ---- */

typedef struct memo_cache memo_cache;

/* A monotonic, non-decreasing clock in nanoseconds. It is called without the cache's lock
   held and may be called from any thread. */
typedef uint64_t (*memo_clock_fn)(void *ctx);

typedef struct memo_config {
    size_t budget;       /* most bytes the cache holds; must be > 0 */
    uint64_t ttl_ns;     /* lifetime of each entry after its put; 0: entries never expire */
    memo_clock_fn clock; /* NULL: CLOCK_MONOTONIC */
    void *clock_ctx;     /* passed to clock; borrowed, must outlive the cache */
} memo_config;

typedef struct memo_stats {
    size_t entries; /* gauges */
    size_t bytes;   /* sum of memo_entry_cost over the entries */
    size_t budget;
    uint64_t hits; /* counters since creation; memo_clear does not reset them */
    uint64_t misses;
    uint64_t evictions;   /* entries removed to stay within the budget */
    uint64_t expirations; /* entries removed because their ttl ran out */
} memo_stats;

/* Bytes one entry with a klen-byte key and a vlen-byte value charges against the budget,
   or SIZE_MAX when the sum overflows. */
size_t memo_entry_cost(size_t klen, size_t vlen);

/* New empty cache configured by *cfg (copied). Returns MEMO_OK and *out (a new reference),
   MEMO_EINVAL (NULL argument or budget 0) or MEMO_ENOMEM. */
int memo_create(const memo_config *cfg, memo_cache **out);
/* Adds a reference to c (which must be a live reference the caller holds). NULL is a no-op. */
void memo_retain(memo_cache *c);
/* Drops one reference; the last one frees the cache and its entries. NULL is a no-op. */
void memo_release(memo_cache *c);

/* Copies the value stored under key[0..klen) into buf[0..cap) and its length into *vlen.
   Returns MEMO_OK; MEMO_ERANGE when cap < *vlen (nothing copied, *vlen set: call again with
   a larger buffer); MEMO_ENOTFOUND when absent or expired; MEMO_EINVAL when c, key or vlen
   is NULL, or buf is NULL with cap > 0. OK and ERANGE count as hits, NOTFOUND as a miss. */
int memo_get(memo_cache *c, const void *key, size_t klen, void *buf, size_t cap, size_t *vlen);
/* Stores a copy of val[0..vlen) under a copy of key[0..klen), replacing any previous value,
   then evicts least recently used entries until the cache is within its budget. Returns
   MEMO_OK; MEMO_ETOOBIG when memo_entry_cost(klen, vlen) exceeds the budget (the cache is
   unchanged); MEMO_ENOMEM; MEMO_EINVAL (c or key NULL, or val NULL with vlen > 0). */
int memo_put(memo_cache *c, const void *key, size_t klen, const void *val, size_t vlen);
/* Removes the entry under key. Returns MEMO_OK, MEMO_ENOTFOUND or MEMO_EINVAL. */
int memo_delete(memo_cache *c, const void *key, size_t klen);
/* Removes every expired entry; *removed (may be NULL) receives how many. MEMO_OK or
   MEMO_EINVAL. */
int memo_evict_expired(memo_cache *c, size_t *removed);
/* Removes every entry (counted neither as evictions nor as expirations). MEMO_OK or
   MEMO_EINVAL. */
int memo_clear(memo_cache *c);
/* A consistent snapshot of c's gauges and counters. MEMO_OK or MEMO_EINVAL. */
int memo_stats_get(memo_cache *c, memo_stats *out);
/* Walks c's internal structures under its lock: NULL when every invariant holds (the LRU
   list and the hash table hold the same entries, byte count matches, bytes <= budget),
   else a static message naming the first broken one. */
const char *memo_check(memo_cache *c);

/* ---- the registry of named caches ---- */

typedef struct memo_registry_stats {
    size_t caches; /* caches registered now */
    size_t bytes;  /* sum of their memo_stats.bytes */
} memo_registry_stats;

/* Finds the cache registered under the NUL-terminated name, or, when there is none and cfg
   is not NULL, creates one from *cfg and registers it (cfg is ignored when the name is
   found). Returns MEMO_OK and *out (a new reference, the caller releases it);
   MEMO_ENOTFOUND (absent and cfg NULL); MEMO_EINVAL (NULL or empty name, NULL out, bad
   cfg); MEMO_ENOMEM (nothing registered). */
int memo_registry_get(const char *name, const memo_config *cfg, memo_cache **out);
/* Unregisters the cache under name and drops the registry's reference: holders keep a valid
   cache until they release it, and the next get under name creates a fresh one. Returns
   MEMO_OK, MEMO_ENOTFOUND or MEMO_EINVAL. */
int memo_registry_drop(const char *name);
/* A consistent snapshot of the registry's gauges. MEMO_OK or MEMO_EINVAL. */
int memo_registry_stats_get(memo_registry_stats *out);
/* NULL when the registry's table is consistent and every registered cache passes
   memo_check, else a static message. */
const char *memo_registry_check(void);

#ifdef __cplusplus
}
#endif

#endif
