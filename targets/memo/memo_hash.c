/*
** memo_hash.c: an intrusive chained hash table over byte keys (FNV-1a). The table owns
** only its bucket array; growth doubles it when the load passes two nodes per bucket, and
** a failed growth keeps the old array, so linking a node never fails.
*/
#define MEMO_INTERNAL
#include "memo_int.h"

#include <string.h>

enum { HASH_INITIAL_BUCKETS = 16, HASH_MAX_LOAD = 2 };

uint64_t memo_hash_bytes(const void *key, size_t klen)
{
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < klen; i++) {
        h ^= p[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static memo_hnode **buckets_new(const tg_allocator *a, size_t n)
{
    if (n > SIZE_MAX / sizeof(memo_hnode *))
        return NULL;
    memo_hnode **b = tg_malloc(a, n * sizeof *b);
    if (b)
        memset(b, 0, n * sizeof *b);
    return b;
}

int memo_hash_init(memo_hash *t, const tg_allocator *a)
{
    t->count = 0;
    t->buckets = buckets_new(a, HASH_INITIAL_BUCKETS);
    t->nbuckets = t->buckets ? HASH_INITIAL_BUCKETS : 0;
    return t->buckets ? MEMO_OK : MEMO_ENOMEM;
}

void memo_hash_fini(memo_hash *t, const tg_allocator *a)
{
    tg_free(a, t->buckets);
    t->buckets = NULL;
    t->nbuckets = 0;
    t->count = 0;
}

static void link_node(memo_hnode **buckets, size_t nbuckets, memo_hnode *n)
{
    memo_hnode **slot = &buckets[n->hash & (nbuckets - 1)];
    n->next = *slot;
    *slot = n;
}

static void grow(memo_hash *t, const tg_allocator *a)
{
    if (t->nbuckets > SIZE_MAX / 2)
        return;
    size_t n = t->nbuckets * 2;
    memo_hnode **b = buckets_new(a, n);
    if (!b)
        return; /* benign: chains get longer, lookups stay correct */
    for (size_t i = 0; i < t->nbuckets; i++) {
        memo_hnode *node = t->buckets[i];
        while (node) {
            memo_hnode *next = node->next;
            link_node(b, n, node);
            node = next;
        }
    }
    tg_free(a, t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

memo_hnode *memo_hash_find(const memo_hash *t, uint64_t hash, const void *key, size_t klen)
{
    if (!t->nbuckets)
        return NULL;
    for (memo_hnode *n = t->buckets[hash & (t->nbuckets - 1)]; n; n = n->next) {
        if (n->hash == hash && n->klen == klen && (klen == 0 || !memcmp(n->key, key, klen)))
            return n;
    }
    return NULL;
}

void memo_hash_insert(memo_hash *t, memo_hnode *n, const tg_allocator *a)
{
    if (t->count >= t->nbuckets * HASH_MAX_LOAD)
        grow(t, a);
    link_node(t->buckets, t->nbuckets, n);
    t->count++;
}

void memo_hash_remove(memo_hash *t, memo_hnode *n)
{
    memo_hnode **p = &t->buckets[n->hash & (t->nbuckets - 1)];
    while (*p != n)
        p = &(*p)->next;
    *p = n->next;
    n->next = NULL;
    t->count--;
}

void memo_hash_each(const memo_hash *t, void (*fn)(memo_hnode *n, void *arg), void *arg)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (memo_hnode *n = t->buckets[i]; n; n = n->next)
            fn(n, arg);
    }
}

const char *memo_hash_check(const memo_hash *t)
{
    size_t seen = 0;
    if (t->nbuckets & (t->nbuckets - 1))
        return "hash: bucket count is not a power of two";
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (const memo_hnode *n = t->buckets[i]; n; n = n->next) {
            if ((n->hash & (t->nbuckets - 1)) != i)
                return "hash: node in the wrong bucket";
            if (n->hash != memo_hash_bytes(n->key, n->klen))
                return "hash: stored hash does not match the key";
            if (++seen > t->count)
                return "hash: more nodes than count";
        }
    }
    return seen == t->count ? NULL : "hash: fewer nodes than count";
}
