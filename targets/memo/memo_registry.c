/*
** memo_registry.c: the process-wide registry of named caches.
**
** Invariants, under reg.mu, between calls:
**   - each name is registered at most once, and each registered entry holds one
**     reference to its cache (so a registered cache is never freed);
**   - the bucket array exists only while some name is registered, so an idle registry owns
**     no memory and the hooks may be swapped.
** Lock order: reg.mu, then a cache's lock (stats and check read caches under reg.mu);
** nothing takes reg.mu while holding a cache's lock. A miss builds the new cache with
** reg.mu released and registers it after a second lookup, so only the bucket array is
** ever allocated under the registry lock, and a racing creator's cache wins cleanly.
*/
#define MEMO_INTERNAL
#include "memo_int.h"

#include <string.h>

typedef struct reg_entry {
    memo_hnode h; /* first: an entry is its hash node; h.key points at name */
    memo_cache *cache;
    char name[];
} reg_entry;

static struct {
    pthread_mutex_t mu;
    memo_hash table;
    const tg_allocator *alloc; /* where table's buckets came from */
} reg = {PTHREAD_MUTEX_INITIALIZER, {NULL, 0, 0}, NULL};

/* {====== entries ====== */

/* A new entry owning a new cache built from cfg. MEMO_OK, MEMO_ENOMEM or MEMO_EINVAL. */
static int entry_build(const char *name, size_t len, const memo_config *cfg, reg_entry **out)
{
    memo_cache *c;
    int rc = memo_create(cfg, &c);
    if (rc != MEMO_OK)
        return rc;
    reg_entry *e = tg_malloc(memo_cache_alloc(c), sizeof *e + len + 1);
    if (!e) {
        memo_release(c);
        return MEMO_ENOMEM;
    }
    memcpy(e->name, name, len + 1);
    e->h.next = NULL;
    e->h.hash = memo_hash_bytes(name, len);
    e->h.key = (const unsigned char *)e->name;
    e->h.klen = len;
    e->cache = c;
    *out = e;
    return MEMO_OK;
}

/* Frees e and drops its reference (it must be unlinked). NULL is a no-op. */
static void entry_discard(reg_entry *e)
{
    if (!e)
        return;
    memo_cache *c = e->cache;
    tg_free(memo_cache_alloc(c), e);
    memo_release(c);
}

/* }====== */

/* {====== the table, under reg.mu ====== */

static reg_entry *table_find(const char *name, size_t len)
{
    return (reg_entry *)memo_hash_find(&reg.table, memo_hash_bytes(name, len), name, len);
}

/* The cache registered under name with a new reference, or NULL. */
static memo_cache *table_lookup(const char *name, size_t len)
{
#ifdef MEMO_DEFECT_REGISTRY_PER_LOOKUP
    /* Seeded defect: the lookup never consults the table, so every get-or-create
       registers one more cache under the same name. */
    (void)name;
    (void)len;
    return NULL;
#else
    reg_entry *e = table_find(name, len);
    if (!e)
        return NULL;
    memo_retain(e->cache);
    return e->cache;
#endif
}

static int table_link(reg_entry *e)
{
    if (reg.table.nbuckets == 0) {
        reg.alloc = memo_cache_alloc(e->cache);
        if (memo_hash_init(&reg.table, reg.alloc) != MEMO_OK)
            return MEMO_ENOMEM;
    }
    memo_hash_insert(&reg.table, &e->h, reg.alloc);
    return MEMO_OK;
}

static void table_unlink(reg_entry *e)
{
    memo_hash_remove(&reg.table, &e->h);
    if (reg.table.count == 0)
        memo_hash_fini(&reg.table, reg.alloc);
}

/* }====== */

/* {====== public calls ====== */

/* Registers a fresh cache under name unless a racing caller did first. Returns MEMO_OK
   with *out a new reference, or the error that stopped it (nothing registered). */
static int create_and_register(const char *name, size_t len, const memo_config *cfg,
                               memo_cache **out)
{
    const tg_sync *s = memo_sync_hooks();
    reg_entry *e;
    int rc = entry_build(name, len, cfg, &e);
    if (rc != MEMO_OK)
        return rc;
    tg_lock(s, &reg.mu);
    memo_cache *c = table_lookup(name, len);
    if (!c && (rc = table_link(e)) == MEMO_OK) {
        c = e->cache;
        memo_retain(c);
        e = NULL;
    }
    tg_unlock(s, &reg.mu);
    entry_discard(e);
    *out = c;
    return c ? MEMO_OK : rc;
}

int memo_registry_get(const char *name, const memo_config *cfg, memo_cache **out)
{
    if (!name || !*name || !out || (cfg && cfg->budget == 0))
        return MEMO_EINVAL;
    const tg_sync *s = memo_sync_hooks();
    size_t len = strlen(name);
    tg_lock(s, &reg.mu);
    memo_cache *c = table_lookup(name, len);
    tg_unlock(s, &reg.mu);
    if (c) {
        *out = c;
        return MEMO_OK;
    }
    if (!cfg)
        return MEMO_ENOTFOUND;
    tg_yield(s, "memo_registry_get:miss");
    return create_and_register(name, len, cfg, out);
}

int memo_registry_drop(const char *name)
{
    if (!name || !*name)
        return MEMO_EINVAL;
    const tg_sync *s = memo_sync_hooks();
    tg_lock(s, &reg.mu);
    reg_entry *e = table_find(name, strlen(name));
    if (e)
        table_unlink(e);
    tg_unlock(s, &reg.mu);
    if (!e)
        return MEMO_ENOTFOUND;
    tg_yield(s, "memo_registry_drop:unlinked");
    entry_discard(e);
    return MEMO_OK;
}

static void add_bytes(memo_hnode *n, void *arg)
{
    *(size_t *)arg += memo_cache_bytes(((reg_entry *)n)->cache);
}

int memo_registry_stats_get(memo_registry_stats *out)
{
    if (!out)
        return MEMO_EINVAL;
    const tg_sync *s = memo_sync_hooks();
    size_t bytes = 0;
    tg_lock(s, &reg.mu);
    out->caches = reg.table.count;
    memo_hash_each(&reg.table, add_bytes, &bytes);
    tg_unlock(s, &reg.mu);
    out->bytes = bytes;
    return MEMO_OK;
}

/* }====== */

/* {====== validation ====== */

static void check_entry(memo_hnode *n, void *arg)
{
    const char **msg = arg;
    reg_entry *e = (reg_entry *)n;
    if (*msg)
        return;
    if (!e->cache)
        *msg = "registry: entry without a cache";
    else if (e->h.key != (const unsigned char *)e->name || e->name[e->h.klen] != '\0')
        *msg = "registry: entry key is not its own name";
    else
        *msg = memo_check(e->cache);
}

const char *memo_registry_check(void)
{
    const tg_sync *s = memo_sync_hooks();
    tg_lock(s, &reg.mu);
    const char *msg = memo_hash_check(&reg.table);
    if (!msg && (reg.table.count == 0) != (reg.table.nbuckets == 0))
        msg = "registry: bucket array held while empty, or missing while not";
    if (!msg)
        memo_hash_each(&reg.table, check_entry, &msg);
    tg_unlock(s, &reg.mu);
    return msg;
}

/* }====== */
