/*
** kv_harness.c: a small key-value table with a seeded bug (deleting a missing key still
** counts one entry less, which its check catches), harnessed twice: as it was, and with
** KV_NEWER_TABLE, as after its author added an operation at the front of the table. A
** finding saved with the first must still reproduce with the second (saved_test.sh).
*/
#include <ouroboros/ob_kit.h>

#include <stdlib.h>
#include <string.h>

enum { KV_SLOTS = 8, KV_KEY = 8 };

typedef struct kv {
    char keys[KV_SLOTS][KV_KEY + 1];
    int used[KV_SLOTS];
    int count; /* entries in use, kept beside the flags */
} kv;

static void *setup(void)
{
    return calloc(1, sizeof(kv));
}

static void teardown(void *state)
{
    free(state);
}

static int find(const kv *t, const ob_value *key)
{
    for (int i = 0; i < KV_SLOTS; i++)
        if (t->used[i] && strlen(t->keys[i]) == key->len &&
            memcmp(t->keys[i], key->bytes, key->len) == 0)
            return i;
    return -1;
}

static int op_put(ob_call *c)
{
    kv *t = c->state;
    if (find(t, &c->args[0]) >= 0)
        return 0;
    for (int i = 0; i < KV_SLOTS; i++) {
        if (t->used[i])
            continue;
        memcpy(t->keys[i], c->args[0].bytes, c->args[0].len);
        t->keys[i][c->args[0].len] = 0;
        t->used[i] = 1;
        t->count++;
        return 0;
    }
    return 1;
}

static int op_del(ob_call *c)
{
    kv *t = c->state;
    int i = find(t, &c->args[0]);
    if (i >= 0)
        t->used[i] = 0;
    t->count--; /* the seeded bug: also when the key was missing */
    return i < 0;
}

#ifdef KV_NEWER_TABLE
static int op_clear(ob_call *c)
{
    kv *t = c->state;
    memset(t, 0, sizeof *t);
    return 0;
}
#endif

static const char *check(void *state)
{
    const kv *t = state;
    int used = 0;
    for (int i = 0; i < KV_SLOTS; i++)
        used += t->used[i];
    return used == t->count ? NULL : "the entry count disagrees with the entries";
}

static const ob_op ops[] = {
#ifdef KV_NEWER_TABLE
    {"kv.clear", op_clear, 0, {{0}}, 0},
#endif
    {"kv.put", op_put, 1, {OB_BYTES(KV_KEY)}, 0},
    {"kv.del", op_del, 1, {OB_BYTES(KV_KEY)}, 0},
};

const ob_target ob_harness_target =
    OB_TARGET("kv", ops, .setup = setup, .teardown = teardown, .check = check);
