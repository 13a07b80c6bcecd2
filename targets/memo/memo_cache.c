/*
** memo_cache.c: the cache. Each entry is one allocation holding its key and value bytes,
** linked into both the hash table (by key) and the recency list (by use).
**
** Invariants, under the cache's lock, between calls:
**   - the table and the list hold exactly the same entries, each key at most once;
**   - bytes is the sum of entry_cost over the entries, and bytes <= budget;
**   - hits, misses, evictions and expirations only grow.
** Entries are built before the lock is taken, so a put that runs out of memory has not
** touched the cache. The clock is read before the lock too: a slow or blocking clock hook
** must not stall other threads.
*/
#define _POSIX_C_SOURCE 200809L
#define MEMO_INTERNAL
#include "memo_int.h"

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

typedef struct entry {
    memo_hnode h; /* first: an entry is its hash node; h.key points at data */
    memo_lru_node lru;
    uint64_t expires; /* clock value from which the entry is expired; UINT64_MAX: never */
    size_t vlen;
    unsigned char data[]; /* key bytes, then value bytes */
} entry;

struct memo_cache {
    pthread_mutex_t mu;
    atomic_size_t refs;
    memo_config cfg;
    const tg_allocator *alloc; /* captured at creation: hooks are pinned while we live */
    const tg_sync *sync;
    memo_hash table;
    memo_lru lru;
    size_t bytes;
    uint64_t hits, misses, evictions, expirations;
};

/* {====== entries ====== */

static entry *entry_of_lru(memo_lru_node *n)
{
    return (entry *)((char *)n - offsetof(entry, lru));
}

static size_t entry_cost(const entry *e)
{
    return sizeof(entry) + e->h.klen + e->vlen;
}

size_t memo_entry_cost(size_t klen, size_t vlen)
{
    if (klen > SIZE_MAX - sizeof(entry) || vlen > SIZE_MAX - sizeof(entry) - klen)
        return SIZE_MAX;
    return sizeof(entry) + klen + vlen;
}

static void copy_bytes(void *dst, const void *src, size_t n)
{
    if (n)
        memcpy(dst, src, n);
}

static entry *entry_new(memo_cache *c, const void *key, size_t klen, const void *val, size_t vlen,
                        uint64_t expires)
{
    entry *e = tg_malloc(c->alloc, memo_entry_cost(klen, vlen));
    if (!e)
        return NULL;
    copy_bytes(e->data, key, klen);
    copy_bytes(e->data + klen, val, vlen);
    e->h.next = NULL;
    e->h.hash = memo_hash_bytes(key, klen);
    e->h.key = e->data;
    e->h.klen = klen;
    e->expires = expires;
    e->vlen = vlen;
    return e;
}

static entry *entry_find(memo_cache *c, const void *key, size_t klen)
{
    return (entry *)memo_hash_find(&c->table, memo_hash_bytes(key, klen), key, klen);
}

static void entry_link(memo_cache *c, entry *e)
{
    memo_hash_insert(&c->table, &e->h, c->alloc);
    memo_lru_push(&c->lru, &e->lru);
    c->bytes += entry_cost(e);
}

static void entry_drop(memo_cache *c, entry *e)
{
    memo_hash_remove(&c->table, &e->h);
    memo_lru_unlink(&c->lru, &e->lru);
    c->bytes -= entry_cost(e);
    tg_free(c->alloc, e);
}

/* }====== */

/* {====== time ====== */

static uint64_t monotonic_ns(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cache_now(const memo_cache *c)
{
    return c->cfg.clock(c->cfg.clock_ctx);
}

static uint64_t expiry_from(const memo_cache *c, uint64_t now)
{
    if (c->cfg.ttl_ns == 0 || now > UINT64_MAX - c->cfg.ttl_ns)
        return UINT64_MAX;
    return now + c->cfg.ttl_ns;
}

/* Drops e when it has expired at `now`; returns 1 if it did. */
static int expire_if_due(memo_cache *c, entry *e, uint64_t now)
{
    if (e->expires == UINT64_MAX || now < e->expires)
        return 0;
    entry_drop(c, e);
    c->expirations++;
    return 1;
}

/* }====== */

/* Removes least recently used entries until the budget holds again. */
static void evict_to_budget(memo_cache *c)
{
    while (c->bytes > c->cfg.budget) {
#ifdef MEMO_DEFECT_NO_EVICT
        /* Seeded defect: the overrun is noticed, but nothing is removed. */
        break;
#endif
        entry *oldest = entry_of_lru(memo_lru_oldest(&c->lru));
        entry_drop(c, oldest);
        c->evictions++;
    }
}

static void drop_all(memo_cache *c)
{
    memo_lru_node *n;
    while ((n = memo_lru_oldest(&c->lru)) != NULL)
        entry_drop(c, entry_of_lru(n));
}

/* {====== lifetime ====== */

static int config_valid(const memo_config *cfg)
{
    return cfg && cfg->budget > 0;
}

int memo_create(const memo_config *cfg, memo_cache **out)
{
    if (!config_valid(cfg) || !out)
        return MEMO_EINVAL;
    const tg_allocator *a = memo_alloc_hooks();
    memo_cache *c = tg_malloc(a, sizeof *c);
    if (!c)
        return MEMO_ENOMEM;
    memset(c, 0, sizeof *c);
    c->alloc = a;
    c->sync = memo_sync_hooks();
    c->cfg = *cfg;
    if (!c->cfg.clock)
        c->cfg.clock = monotonic_ns;
    if (memo_hash_init(&c->table, a) != MEMO_OK || pthread_mutex_init(&c->mu, NULL) != 0) {
        memo_hash_fini(&c->table, a);
        tg_free(a, c);
        return MEMO_ENOMEM;
    }
    memo_lru_init(&c->lru);
    atomic_init(&c->refs, 1);
    memo_live_add();
    *out = c;
    return MEMO_OK;
}

void memo_retain(memo_cache *c)
{
    if (c)
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
}

static void cache_free(memo_cache *c)
{
    const tg_allocator *a = c->alloc;
    drop_all(c);
    memo_hash_fini(&c->table, a);
    pthread_mutex_destroy(&c->mu);
    tg_free(a, c);
    memo_live_sub();
}

void memo_release(memo_cache *c)
{
    if (!c)
        return;
    tg_yield(c->sync, "memo_release");
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
        cache_free(c);
}

/* }====== */

/* {====== operations ====== */

int memo_get(memo_cache *c, const void *key, size_t klen, void *buf, size_t cap, size_t *vlen)
{
    if (!c || !key || !vlen || (!buf && cap > 0))
        return MEMO_EINVAL;
    uint64_t now = cache_now(c);
    tg_lock(c->sync, &c->mu);
    entry *e = entry_find(c, key, klen);
    if (e && expire_if_due(c, e, now))
        e = NULL;
    if (!e) {
        c->misses++;
        tg_unlock(c->sync, &c->mu);
        return MEMO_ENOTFOUND;
    }
    c->hits++;
    memo_lru_touch(&c->lru, &e->lru);
    tg_yield(c->sync, "memo_get:hit");
    *vlen = e->vlen;
    int rc = cap < e->vlen ? MEMO_ERANGE : MEMO_OK;
    if (rc == MEMO_OK)
        copy_bytes(buf, e->data + klen, e->vlen);
    tg_unlock(c->sync, &c->mu);
    return rc;
}

int memo_put(memo_cache *c, const void *key, size_t klen, const void *val, size_t vlen)
{
    if (!c || !key || (!val && vlen > 0))
        return MEMO_EINVAL;
    if (memo_entry_cost(klen, vlen) > c->cfg.budget)
        return MEMO_ETOOBIG;
    entry *e = entry_new(c, key, klen, val, vlen, expiry_from(c, cache_now(c)));
    if (!e)
        return MEMO_ENOMEM;
    tg_yield(c->sync, "memo_put:built");
    tg_lock(c->sync, &c->mu);
    entry *old = entry_find(c, key, klen);
    tg_yield(c->sync, "memo_put:looked-up");
    if (old)
        entry_drop(c, old);
    entry_link(c, e);
    evict_to_budget(c);
    tg_unlock(c->sync, &c->mu);
    return MEMO_OK;
}

int memo_delete(memo_cache *c, const void *key, size_t klen)
{
    if (!c || !key)
        return MEMO_EINVAL;
    uint64_t now = cache_now(c);
    tg_lock(c->sync, &c->mu);
    entry *e = entry_find(c, key, klen);
    int rc = MEMO_ENOTFOUND;
    if (e && !expire_if_due(c, e, now)) {
        entry_drop(c, e);
        rc = MEMO_OK;
    }
    tg_unlock(c->sync, &c->mu);
    return rc;
}

int memo_evict_expired(memo_cache *c, size_t *removed)
{
    if (!c)
        return MEMO_EINVAL;
    uint64_t now = cache_now(c);
    size_t n = 0;
    tg_lock(c->sync, &c->mu);
    memo_lru_node *node = memo_lru_oldest(&c->lru);
    while (node) {
        memo_lru_node *newer = memo_lru_newer(&c->lru, node);
        n += (size_t)expire_if_due(c, entry_of_lru(node), now);
        node = newer;
    }
    tg_unlock(c->sync, &c->mu);
    if (removed)
        *removed = n;
    return MEMO_OK;
}

int memo_clear(memo_cache *c)
{
    if (!c)
        return MEMO_EINVAL;
    tg_lock(c->sync, &c->mu);
    drop_all(c);
    tg_unlock(c->sync, &c->mu);
    return MEMO_OK;
}

int memo_stats_get(memo_cache *c, memo_stats *out)
{
    if (!c || !out)
        return MEMO_EINVAL;
    tg_lock(c->sync, &c->mu);
    out->entries = c->lru.count;
    out->bytes = c->bytes;
    out->budget = c->cfg.budget;
    out->hits = c->hits;
    out->misses = c->misses;
    out->evictions = c->evictions;
    out->expirations = c->expirations;
    tg_unlock(c->sync, &c->mu);
    return MEMO_OK;
}

/* }====== */

/* {====== validation and registry support ====== */

/* Every listed entry is the one the table finds under its key; sums their costs. */
static const char *check_entries(memo_cache *c, size_t *bytes)
{
    *bytes = 0;
    for (memo_lru_node *n = memo_lru_oldest(&c->lru); n; n = memo_lru_newer(&c->lru, n)) {
        entry *e = entry_of_lru(n);
        if (e->h.key != e->data)
            return "cache: entry key does not point at its own bytes";
        if (entry_find(c, e->data, e->h.klen) != e)
            return "cache: listed entry missing from the table (or its key twice)";
        *bytes += entry_cost(e);
    }
    return NULL;
}

static const char *check_locked(memo_cache *c)
{
    const char *msg = memo_lru_check(&c->lru);
    if (!msg)
        msg = memo_hash_check(&c->table);
    if (msg)
        return msg;
    if (c->lru.count != c->table.count)
        return "cache: list and table hold different numbers of entries";
    size_t bytes;
    if ((msg = check_entries(c, &bytes)) != NULL)
        return msg;
    if (bytes != c->bytes)
        return "cache: byte gauge does not match the entries";
#ifndef MEMO_DEFECT_NO_EVICT
    /* Compiled out with the no-evict defect: its finding class is growth of the byte
       gauge across runs, which the harness must observe for itself. */
    if (c->bytes > c->cfg.budget)
        return "cache: bytes exceed the budget";
#endif
    return NULL;
}

const char *memo_check(memo_cache *c)
{
    if (!c)
        return "cache: NULL";
    tg_lock(c->sync, &c->mu);
    const char *msg = check_locked(c);
    tg_unlock(c->sync, &c->mu);
    return msg;
}

const tg_allocator *memo_cache_alloc(const memo_cache *c)
{
    return c->alloc;
}

size_t memo_cache_bytes(memo_cache *c)
{
    tg_lock(c->sync, &c->mu);
    size_t b = c->bytes;
    tg_unlock(c->sync, &c->mu);
    return b;
}

/* }====== */
