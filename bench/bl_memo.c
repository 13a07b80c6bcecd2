/*
** bl_memo.c: the baseline harness for memo, as a user would write it without ouroboros:
** each input is a sequence of cache and registry calls on the fuzzer's own thread, with
** memo's default allocator and locks, and no check beyond the sanitizers and libFuzzer's
** own. Same operations as harness/memo/memo_harness.c; caches live in 8 slots, and the
** registry outlives inputs, as in a real program.
*/
#include "bench/bl_input.h"
#include "targets/memo/memo.h"

#include <stdio.h>

enum { SLOTS = 8, REGISTRY_BUDGET = 160 };

typedef struct session {
    bl_input in;
    memo_cache *slot[SLOTS];
    unsigned next;
} session;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t now_ns;
static unsigned long long next_request;

static const char *const names[] = {"alpha", "beta", "gamma", "delta"};
static const uint64_t ttls_ns[] = {0, 1000000, 50000000, 1000000000};

static uint64_t fake_clock(void *ctx)
{
    (void)ctx;
    return now_ns;
}

static memo_config config(size_t budget, bl_input *in)
{
    return (memo_config){budget, ttls_ns[bl_byte(in) % 4], fake_clock, NULL};
}

static void keep(session *s, int rc, memo_cache *c)
{
    if (rc != MEMO_OK)
        return;
    memo_release(s->slot[s->next]);
    s->slot[s->next] = c;
    s->next = (s->next + 1) % SLOTS;
}

static void make(session *s, unsigned op)
{
    memo_cache *c = NULL;
    const char *name = names[bl_byte(&s->in) % 4];
    if (op == 0) {
        memo_config cfg = config((size_t)bl_int(&s->in, 1, 4096), &s->in);
        keep(s, memo_create(&cfg, &c), c);
    } else if (op == 1) {
        memo_config cfg = config(REGISTRY_BUDGET, &s->in);
        keep(s, memo_registry_get(name, &cfg, &c), c);
    } else if (op == 2) {
        keep(s, memo_registry_get(name, NULL, &c), c);
    } else {
        memo_registry_drop(name);
    }
}

static void use(session *s, unsigned op, memo_cache *c)
{
    size_t klen = 0, vlen = 0;
    const uint8_t *key = bl_bytes(&s->in, 16, &klen);
    const uint8_t *val = bl_bytes(&s->in, 64, &vlen);
    size_t cap = (size_t)bl_int(&s->in, 0, 64);
    uint8_t buf[64];
    char seq[32];
    memo_stats st;
    if (!c)
        return;
    if (op == 0) {
        memo_put(c, key, klen, val, vlen);
    } else if (op == 1) {
        int n = snprintf(seq, sizeof seq, "request-%llu", next_request++);
        memo_put(c, seq, (size_t)n, val, vlen);
    } else if (op == 2) {
        memo_get(c, key, klen, buf, cap, &vlen);
    } else if (op == 3) {
        memo_delete(c, key, klen);
    } else if (op == 4) {
        memo_evict_expired(c, NULL);
    } else if (op == 5) {
        memo_clear(c);
    } else {
        memo_stats_get(c, &st);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    session s = {{data, size}, {NULL}, 0};
    while (bl_more(&s.in)) {
        unsigned op = bl_byte(&s.in) % 12;
        if (op < 4)
            make(&s, op);
        else if (op < 11)
            use(&s, op - 4, s.slot[bl_byte(&s.in) % SLOTS]);
        else
            now_ns += (uint64_t)bl_int(&s.in, 0, 2000) * 1000000u;
    }
    for (unsigned i = 0; i < SLOTS; i++)
        memo_release(s.slot[i]);
    return 0;
}
