/*
** ob_graph.c: collects the live-object graph and finds its shortest cycle (a BFS from
** each node back to itself; leak reports are rare, graphs small).
*/
#include "ob_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct node {
    uint64_t id;
    const char *type;
} node;

typedef struct edge {
    size_t from, to; /* node indices, resolved after enumeration */
    uint64_t from_id, to_id;
} edge;

struct ob_graph {
    node *nodes;
    size_t nnodes, cap_nodes;
    edge *edges; /* after resolve: sorted by from, with first[u] .. first[u + 1] */
    size_t nedges, cap_edges;
    size_t *first;
    int oom;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 1;
    size_t c = *cap ? *cap * 2 : 64;
    void *q = realloc(*p, c * size);
    if (!q)
        return 0;
    *p = q;
    *cap = c;
    return 1;
}

void ob_graph_node(ob_graph *g, uint64_t id, const char *type)
{
    if (g->oom || !grow((void **)&g->nodes, &g->cap_nodes, g->nnodes, sizeof(node))) {
        g->oom = 1;
        return;
    }
    g->nodes[g->nnodes++] = (node){id, type};
}

void ob_graph_edge(ob_graph *g, uint64_t from, uint64_t to)
{
    if (g->oom || !grow((void **)&g->edges, &g->cap_edges, g->nedges, sizeof(edge))) {
        g->oom = 1;
        return;
    }
    g->edges[g->nedges++] = (edge){0, 0, from, to};
}

/* Complemented bits: never a heap address, so LeakSanitizer's scan, which takes any word
   that points into a block for a reference, does not see one. */
uintptr_t ob_hidden(const void *p)
{
    return ~(uintptr_t)p;
}

void *ob_unhidden(uintptr_t h)
{
    return (void *)~h;
}

static int cmp_node(const void *a, const void *b)
{
    uint64_t x = ((const node *)a)->id, y = ((const node *)b)->id;
    return x < y ? -1 : x > y;
}

static long find(const ob_graph *g, uint64_t id)
{
    size_t lo = 0, hi = g->nnodes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->nodes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->nnodes && g->nodes[lo].id == id ? (long)lo : -1;
}

static int cmp_edge(const void *a, const void *b)
{
    size_t x = ((const edge *)a)->from, y = ((const edge *)b)->from;
    return x < y ? -1 : x > y;
}

/* Drops edges to objects the target did not list, resolves the rest to indices and
   indexes them by source. Returns 0 when out of memory. */
static int resolve(ob_graph *g)
{
    if (g->nnodes) /* qsort's array must not be NULL, even when empty */
        qsort(g->nodes, g->nnodes, sizeof(node), cmp_node);
    size_t kept = 0;
    for (size_t i = 0; i < g->nedges; i++) {
        long a = find(g, g->edges[i].from_id), b = find(g, g->edges[i].to_id);
        if (a >= 0 && b >= 0)
            g->edges[kept++] = (edge){(size_t)a, (size_t)b, 0, 0};
    }
    g->nedges = kept;
    if (g->nedges)
        qsort(g->edges, g->nedges, sizeof(edge), cmp_edge);
    g->first = malloc((g->nnodes + 1) * sizeof(size_t));
    if (!g->first)
        return 0;
    for (size_t u = 0, e = 0; u <= g->nnodes; u++) {
        while (e < g->nedges && g->edges[e].from < u)
            e++;
        g->first[u] = e;
    }
    return 1;
}

/* Shortest cycle through start, by BFS; writes its nodes into path. Returns its length. */
static size_t cycle_from(const ob_graph *g, size_t start, size_t *parent, size_t *queue,
                         size_t *path)
{
    for (size_t i = 0; i < g->nnodes; i++)
        parent[i] = SIZE_MAX;
    size_t head = 0, tail = 0;
    queue[tail++] = start;
    while (head < tail) {
        size_t u = queue[head++];
        for (size_t e = g->first[u]; e < g->first[u + 1]; e++) {
            size_t v = g->edges[e].to;
            if (v == start) {
                size_t n = 0;
                for (size_t w = u; w != start; w = parent[w])
                    path[n++] = w;
                path[n++] = start;
                return n; /* reversed: start is last */
            }
            if (parent[v] == SIZE_MAX && v != start) {
                parent[v] = u;
                queue[tail++] = v;
            }
        }
    }
    return 0;
}

static size_t shortest_cycle(const ob_graph *g, size_t *best, size_t *scratch)
{
    size_t *parent = scratch, *queue = scratch + g->nnodes, *path = scratch + 2 * g->nnodes;
    size_t nbest = 0;
    for (size_t s = 0; s < g->nnodes; s++) {
        size_t n = cycle_from(g, s, parent, queue, path);
        if (n && (!nbest || n < nbest)) {
            nbest = n;
            for (size_t i = 0; i < n; i++)
                best[i] = path[n - 1 - i];
        }
    }
    return nbest;
}

static void print_cycle(const ob_graph *g, const size_t *c, size_t n, char *buf, size_t len)
{
    size_t used = 0;
    for (size_t i = 0; i <= n && used < len; i++) {
        const node *x = &g->nodes[c[i % n]];
        used += (size_t)snprintf(buf + used, len - used, "%s%s#%llu", i ? " -> " : "", x->type,
                                 (unsigned long long)x->id);
    }
}

static void print_types(const ob_graph *g, const size_t *c, size_t n, char *buf, size_t len)
{
    size_t first = 0;
    for (size_t i = 1; i < n; i++)
        if (strcmp(g->nodes[c[i]].type, g->nodes[c[first]].type) < 0)
            first = i;
    size_t used = 0;
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " -> " : "",
                                 g->nodes[c[(first + i) % n]].type);
}

long ob_graph_describe(const ob_target *t, char *buf, size_t len, char *types, size_t tlen)
{
    buf[0] = types[0] = 0;
    if (!t->enumerate)
        return -1;
    ob_graph g = {0};
    t->enumerate(&g);
    long result = -1;
    size_t *scratch = NULL, *best = NULL;
    if (!g.oom && resolve(&g)) {
        scratch = malloc((3 * g.nnodes + 1) * sizeof(size_t));
        best = malloc((g.nnodes + 1) * sizeof(size_t));
    }
    if (scratch && best) {
        size_t n = shortest_cycle(&g, best, scratch);
        if (n) {
            print_cycle(&g, best, n, buf, len);
            print_types(&g, best, n, types, tlen);
        }
        result = (long)g.nnodes;
    }
    free(scratch);
    free(best);
    free(g.nodes);
    free(g.edges);
    free(g.first);
    return result;
}
