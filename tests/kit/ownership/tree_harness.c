/*
** tree_harness.c: the fixture tree's public API as operations, ownership declared in the
** specs and nothing else: no pinning, no liveness records. The kit passes a child only
** while it lives, never releases what a parent owns, and releases each root once.
*/
#include <ouroboros/ob_kit.h>

#include "tests/kit/ownership/tree.h"

static int op_new(ob_call *c)
{
    c->result = tree_new((int)c->args[0].i);
    return c->result ? 0 : 1;
}

static int op_add(ob_call *c)
{
    return tree_add(c->objs[0], c->objs[1]) ? 1 : 0;
}

static int op_child(ob_call *c)
{
    c->result = tree_child(c->objs[0], (int)c->args[1].i);
    return c->result ? 0 : 1;
}

static int op_detach(ob_call *c)
{
    c->result = tree_detach(c->objs[0], (int)c->args[1].i);
    return c->result ? 0 : 1;
}

static int op_delete(ob_call *c)
{
    tree_delete(c->objs[0]);
    return 0;
}

static int op_sum(ob_call *c)
{
    return tree_sum(c->objs[0]) < 0;
}

static void release(void *state, void *obj)
{
    (void)state;
    tree_delete(obj);
}

static const ob_op ops[] = {
    {"tree.new", op_new, 1, {OB_INT(0, 100)}, OB_MAKES},
    {"tree.add", op_add, 2, {OB_HANDLE, OB_HANDLE_MOVED(0)}, 0},
    {"tree.child", op_child, 2, {OB_HANDLE, OB_INT(0, TREE_MAX_CHILDREN - 1)}, OB_MAKES_PART_OF(0)},
    {"tree.detach", op_detach, 2, {OB_HANDLE, OB_INT(0, TREE_MAX_CHILDREN - 1)}, OB_MAKES},
    {"tree.delete", op_delete, 1, {OB_HANDLE_FREED}, 0},
    {"tree.sum", op_sum, 1, {OB_HANDLE}, 0},
};

static const ob_gauge gauges[] = {{"live_nodes", tree_live, OB_GAUGE_BALANCED}};

const ob_target ob_harness_target =
    OB_TARGET("tree", ops, OB_GAUGES(gauges), .release = release, .one_owner = 1);
