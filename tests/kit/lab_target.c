/*
** lab_target.c: a fixture target with one operation per seeded defect and its fixed
** twin, for the detector tests. Each defect is the smallest honest instance of its kind.
*/
#include <ouroboros/ob_kit.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- refcounted nodes: strong links make cycles, weak links do not ---- */
typedef struct node {
    atomic_int refs;
    struct node *strong[4];
    int nstrong;
    uint64_t id;
} node;

static atomic_llong live_nodes;
static atomic_ullong next_id;
/* Every node, for enumeration (a real runtime keeps such a list for its collector), as
   hidden pointers: plain ones would keep every leaked node reachable for LeakSanitizer. */
static uintptr_t all_nodes[4096];
static atomic_int nall;

static void node_decref(node *n)
{
    if (atomic_fetch_sub(&n->refs, 1) != 1)
        return;
    for (int i = 0; i < n->nstrong; i++)
        node_decref(n->strong[i]);
    for (int i = 0; i < atomic_load(&nall); i++)
        if (all_nodes[i] == ob_hidden(n))
            all_nodes[i] = 0;
    atomic_fetch_sub(&live_nodes, 1);
    free(n);
}

static int op_node_new(ob_call *c)
{
    node *n = calloc(1, sizeof *n);
    if (!n)
        return 1;
    atomic_init(&n->refs, 1);
    n->id = atomic_fetch_add(&next_id, 1);
    int slot = atomic_fetch_add(&nall, 1);
    if (slot < 4096)
        all_nodes[slot] = ob_hidden(n);
    atomic_fetch_add(&live_nodes, 1);
    c->result = n;
    return 0;
}

static int op_node_link(ob_call *c)
{
    node *a = c->objs[0], *b = c->objs[1];
    if (a->nstrong == 4)
        return 1;
    atomic_fetch_add(&b->refs, 1);
    a->strong[a->nstrong++] = b;
    return 0;
}

/* The fixed twin: a back-reference that does not own. */
static int op_node_link_weak(ob_call *c)
{
    (void)c;
    return 0;
}

/* ---- a malloc that is forgotten (LeakSanitizer's kind) and its fixed twin ---- */
static void *volatile forgotten;

static int op_lost_alloc(ob_call *c)
{
    forgotten = malloc(64 + (size_t)c->args[0].i);
    forgotten = NULL;
    return 0;
}

static int op_kept_alloc(ob_call *c)
{
    free(malloc(64 + (size_t)c->args[0].i));
    return 0;
}

/* ---- an intern table that never forgets, and a bounded LRU ---- */
typedef struct entry {
    struct entry *next;
    size_t len;
    uint8_t bytes[];
} entry;

static entry *interned;
static atomic_llong ninterned;
static entry *lru[8];
static atomic_llong nlru;

static entry *entry_new(const ob_value *v)
{
    entry *e = malloc(sizeof *e + v->len);
    if (e) {
        e->len = v->len;
        memcpy(e->bytes, v->bytes, v->len);
    }
    return e;
}

/* Pushes a copy of v on *list and counts it: 0, or 1 when out of memory. */
static int push(entry **list, atomic_llong *count, const ob_value *v)
{
    entry *e = entry_new(v);
    if (!e)
        return 1;
    e->next = *list;
    *list = e;
    atomic_fetch_add(count, 1);
    return 0;
}

static int op_intern(ob_call *c)
{
    return push(&interned, &ninterned, &c->args[0]);
}

static int op_intern_lru(ob_call *c)
{
    entry *e = entry_new(&c->args[0]);
    if (!e)
        return 1;
    free(lru[7]);
    memmove(lru + 1, lru, 7 * sizeof lru[0]);
    lru[0] = e;
    if (atomic_load(&nlru) < 8)
        atomic_fetch_add(&nlru, 1);
    return 0;
}

/* ---- a table keyed by name that never forgets one: bounded by the names a program uses,
   so only new names on every run (a fresh argument) show it grows ---- */
static entry *names;
static atomic_llong nnames;

static int op_names_add(ob_call *c)
{
    const ob_value *v = &c->args[0];
    for (entry *e = names; e; e = e->next)
        if (e->len == v->len && memcmp(e->bytes, v->bytes, v->len) == 0)
            return 0;
    return push(&names, &nnames, v);
}

/* ---- recursion once per unit of depth, bounded or not ---- */
/* The result goes back into the frame, so the compiler cannot turn this into a loop. */
static int nest(int depth)
{
    volatile char frame[128];
    frame[0] = (char)depth;
    if (depth <= 0)
        return frame[0];
    frame[1] = (char)nest(depth - 1);
    return frame[0] + frame[1];
}

/* One level per byte of the input: a recursive-descent reader of nested brackets. The
   frame's buffer is indexed by the input, so it stays on the stack at full size. */
static int per_byte(const uint8_t *p, size_t n)
{
    volatile char frame[160];
    if (n == 0)
        return 0;
    frame[p[0] % sizeof frame] = (char)p[0];
    int deeper = per_byte(p + 1, n - 1);
    return deeper + frame[p[0] % sizeof frame];
}

static int op_nest_bytes(ob_call *c)
{
    return per_byte(c->args[0].bytes, c->args[0].len) == -1;
}

static int op_nest(ob_call *c)
{
    return nest((int)c->args[0].i) == -1;
}

/* ---- a loop that never ends, and one that does ---- */
static int op_spin(ob_call *c)
{
    volatile uint64_t n = 0;
    while (c->args[0].i >= 0)
        n++;
    return (int)n;
}

/* ---- sanitizer findings: a use after free, a signed overflow ---- */
static int op_use_after_free(ob_call *c)
{
    int *p = malloc(sizeof *p * 4);
    if (!p)
        return 1;
    free(p);
    return p[c->args[0].i];
}

static int op_overflow(ob_call *c)
{
    volatile int big = 2147483647;
    return big + (int)c->args[0].i > 0;
}

/* ---- an invariant the target checks ---- */
static atomic_int corrupted;

static int op_corrupt(ob_call *c)
{
    atomic_store(&corrupted, (int)c->args[0].i);
    return 0;
}

static const char *lab_check(void *state)
{
    (void)state;
    return atomic_exchange(&corrupted, 0) ? "the lab's ledger is corrupt" : NULL;
}

static void lab_release(void *state, void *obj)
{
    (void)state;
    node_decref(obj);
}

static void lab_enumerate(ob_graph *g)
{
    for (int i = 0; i < atomic_load(&nall) && i < 4096; i++) {
        if (!all_nodes[i])
            continue;
        node *n = ob_unhidden(all_nodes[i]);
        ob_graph_node(g, n->id, "node");
        for (int k = 0; k < n->nstrong; k++)
            ob_graph_edge(g, n->id, n->strong[k]->id);
    }
}

static int64_t gauge_nodes(void)
{
    return atomic_load(&live_nodes);
}

static int64_t gauge_interned(void)
{
    return atomic_load(&ninterned);
}

static int64_t gauge_lru(void)
{
    return atomic_load(&nlru);
}

static int64_t gauge_names(void)
{
    return atomic_load(&nnames);
}

static const ob_gauge gauges[] = {
    {"live_nodes", gauge_nodes, OB_GAUGE_BALANCED},
    {"interned", gauge_interned, OB_GAUGE_BOUNDED},
    {"lru_entries", gauge_lru, OB_GAUGE_BOUNDED},
    {"names", gauge_names, OB_GAUGE_BOUNDED},
};

static const ob_op ops[] = {
    {"node.new", op_node_new, 0, {{0}}, 1},
    {"node.link", op_node_link, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"node.link_weak", op_node_link_weak, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"lost.alloc", op_lost_alloc, 1, {OB_INT(0, 64)}, 0},
    {"kept.alloc", op_kept_alloc, 1, {OB_INT(0, 64)}, 0},
    {"intern", op_intern, 1, {OB_BYTES(16)}, 0},
    {"intern.lru", op_intern_lru, 1, {OB_BYTES(16)}, 0},
    {"nest", op_nest, 1, {OB_INT(0, 100000)}, 0},
    {"nest.bytes", op_nest_bytes, 1, {OB_BYTES(255)}, 0},
    {"spin", op_spin, 1, {OB_INT(-1, 0)}, 0},
    {"corrupt", op_corrupt, 1, {OB_INT(0, 1)}, 0},
    {"use_after_free", op_use_after_free, 1, {OB_INT(0, 3)}, 0},
    {"overflow", op_overflow, 1, {OB_INT(0, 1)}, 0},
    {"names.add", op_names_add, 1, {OB_BYTES_FRESH(24)}, 0},
    {"names.add_same", op_names_add, 1, {OB_BYTES(24)}, 0},
};

const ob_target ob_harness_target =
    OB_TARGET("lab", ops, OB_GAUGES(gauges), .release = lab_release, .check = lab_check,
              .enumerate = lab_enumerate, .detect = "hang_seconds=1");
