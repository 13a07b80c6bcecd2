/*
** memo_harness.c: the memo cache and its registry under concurrent programs.
**
** Handles are cache references (from cache.new or registry.get); the kit releases them
** after the threads finish. The registry is process-wide and outlives inputs, as it would
** in a real program, so its gauges are bounded ones: a registry that gains a cache every
** time the same program runs is growth. cache.put_seq keys each value by a fresh request
** id, the workload a byte budget exists to bound. Time is a fake clock the program moves.
*/
#include <ouroboros/ob_kit.h>
#include "harness/tg_glue.h"
#include "targets/memo/memo.h"

#include <stdatomic.h>
#include <stdio.h>

static atomic_ullong fake_now;
static atomic_ullong next_request;

static uint64_t fake_clock(void *ctx)
{
    (void)ctx;
    return atomic_load(&fake_now);
}

static void install(void)
{
    memo_set_hooks(ob_tg_allocator(), ob_tg_sync());
}

static void release(void *state, void *obj)
{
    (void)state;
    memo_release(obj);
}

static const char *const names[] = {"alpha", "beta", "gamma", "delta"};
static const uint64_t ttls_ns[] = {0, 1000000, 50000000, 1000000000};
static const char *const ttls[] = {"never", "1ms", "50ms", "1s"};

static memo_config config(size_t budget, unsigned ttl)
{
    return (memo_config){budget, ttls_ns[ttl], fake_clock, NULL};
}

static int op_cache_new(ob_call *c)
{
    memo_config cfg = config((size_t)c->args[0].i, (unsigned)c->args[1].i);
    memo_cache *m = NULL;
    int rc = memo_create(&cfg, &m);
    c->result = m;
    return rc;
}

/* Registry caches outlive inputs. Their budget is small, about two entries, so a correct
   cache is full after the growth detector's warm-up runs and only a broken one grows. */
enum { REGISTRY_BUDGET = 160 };

static int op_registry_get(ob_call *c)
{
    memo_config cfg = config(REGISTRY_BUDGET, (unsigned)c->args[1].i);
    memo_cache *m = NULL;
    int rc = memo_registry_get(names[c->args[0].i], &cfg, &m);
    c->result = m;
    return rc;
}

static int op_registry_find(ob_call *c)
{
    memo_cache *m = NULL;
    int rc = memo_registry_get(names[c->args[0].i], NULL, &m);
    c->result = m;
    return rc;
}

static int op_registry_drop(ob_call *c)
{
    return memo_registry_drop(names[c->args[0].i]);
}

static int op_put(ob_call *c)
{
    const ob_value *k = &c->args[1], *v = &c->args[2];
    return memo_put(c->objs[0], k->bytes, k->len, v->bytes, v->len);
}

static int op_put_seq(ob_call *c)
{
    char key[32];
    int n = snprintf(key, sizeof key, "request-%llu",
                     (unsigned long long)atomic_fetch_add(&next_request, 1));
    const ob_value *v = &c->args[1];
    return memo_put(c->objs[0], key, (size_t)n, v->bytes, v->len);
}

static int op_get(ob_call *c)
{
    uint8_t buf[64];
    size_t len = 0;
    const ob_value *k = &c->args[1];
    int rc = memo_get(c->objs[0], k->bytes, k->len, buf, (size_t)c->args[2].i, &len);
    return rc == MEMO_ENOTFOUND || rc == MEMO_ERANGE ? 0 : rc;
}

static int op_delete(ob_call *c)
{
    int rc = memo_delete(c->objs[0], c->args[1].bytes, c->args[1].len);
    return rc == MEMO_ENOTFOUND ? 0 : rc;
}

static int op_evict_expired(ob_call *c)
{
    return memo_evict_expired(c->objs[0], NULL);
}

static int op_clear(ob_call *c)
{
    return memo_clear(c->objs[0]);
}

static int op_stats(ob_call *c)
{
    memo_stats st;
    int rc = memo_stats_get(c->objs[0], &st);
    /* A snapshot must agree with itself whatever else runs. */
    return rc ? rc : st.bytes > 0 && st.entries == 0;
}

static int op_advance(ob_call *c)
{
    atomic_fetch_add(&fake_now, (uint64_t)c->args[0].i * 1000000u);
    return 0;
}

static const char *check(void *state)
{
    (void)state;
    return memo_registry_check();
}

static int64_t gauge_caches(void)
{
    memo_registry_stats st = {0};
    memo_registry_stats_get(&st);
    return (int64_t)st.caches;
}

static int64_t gauge_bytes(void)
{
    memo_registry_stats st = {0};
    memo_registry_stats_get(&st);
    return (int64_t)st.bytes;
}

static const ob_gauge gauges[] = {
    {"registry_caches", gauge_caches, OB_GAUGE_BOUNDED},
    {"registry_bytes", gauge_bytes, OB_GAUGE_BOUNDED},
};

static const ob_op ops[] = {
    {"cache.new", op_cache_new, 2, {OB_INT(1, 4096), OB_ENUM(ttls)}, 1},
    {"registry.get", op_registry_get, 2, {OB_ENUM(names), OB_ENUM(ttls)}, 1},
    {"registry.find", op_registry_find, 1, {OB_ENUM(names)}, 1},
    {"registry.drop", op_registry_drop, 1, {OB_ENUM(names)}, 0},
    {"cache.put", op_put, 3, {OB_HANDLE, OB_BYTES(16), OB_BYTES(64)}, 0},
    {"cache.put_seq", op_put_seq, 2, {OB_HANDLE, OB_BYTES(64)}, 0},
    {"cache.get", op_get, 3, {OB_HANDLE, OB_BYTES(16), OB_INT(0, 64)}, 0},
    {"cache.delete", op_delete, 2, {OB_HANDLE, OB_BYTES(16)}, 0},
    {"cache.evict_expired", op_evict_expired, 1, {OB_HANDLE}, 0},
    {"cache.clear", op_clear, 1, {OB_HANDLE}, 0},
    {"cache.stats", op_stats, 1, {OB_HANDLE}, 0},
    {"clock.advance", op_advance, 1, {OB_INT(0, 2000)}, 0},
};

const ob_target ob_harness_target = OB_TARGET("memo", ops, OB_GAUGES(gauges), .init = install,
                                              .alloc_hooks = 1, .release = release, .check = check);
