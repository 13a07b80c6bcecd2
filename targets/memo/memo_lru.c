/*
** memo_lru.c: an intrusive recency list. The sentinel's next is the newest node and its
** prev the oldest, so eviction takes from prev and a touch re-links after the sentinel.
*/
#define MEMO_INTERNAL
#include "memo_int.h"

void memo_lru_init(memo_lru *l)
{
    l->head.prev = &l->head;
    l->head.next = &l->head;
    l->count = 0;
}

void memo_lru_push(memo_lru *l, memo_lru_node *n)
{
    n->prev = &l->head;
    n->next = l->head.next;
    l->head.next->prev = n;
    l->head.next = n;
    l->count++;
}

void memo_lru_unlink(memo_lru *l, memo_lru_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = NULL;
    l->count--;
}

void memo_lru_touch(memo_lru *l, memo_lru_node *n)
{
    memo_lru_unlink(l, n);
    memo_lru_push(l, n);
}

memo_lru_node *memo_lru_oldest(const memo_lru *l)
{
    return l->count ? l->head.prev : NULL;
}

memo_lru_node *memo_lru_newer(const memo_lru *l, const memo_lru_node *n)
{
    return n->prev == &l->head ? NULL : n->prev;
}

const char *memo_lru_check(const memo_lru *l)
{
    size_t seen = 0;
    for (const memo_lru_node *n = l->head.next; n != &l->head; n = n->next) {
        if (!n->next || n->next->prev != n)
            return "lru: next->prev does not point back";
        if (++seen > l->count)
            return "lru: more nodes than count";
    }
    if (seen != l->count)
        return "lru: fewer nodes than count";
    return l->head.prev->next == &l->head ? NULL : "lru: sentinel prev is not the tail";
}
