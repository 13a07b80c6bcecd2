/*
** rc_harness.c: the fixture refcounted API as operations, beside the tree's: here each
** handle holds a reference of its own, so a steal moves it, a decref frees it, and a
** borrowed item lives only as long as its list.
*/
#include <ouroboros/ob_kit.h>

#include "tests/kit/ownership/rc.h"

static int op_string(ob_call *c)
{
    c->result = rc_string((int)c->args[0].i);
    return c->result ? 0 : 1;
}

static int op_list(ob_call *c)
{
    c->result = rc_list();
    return c->result ? 0 : 1;
}

static int op_append(ob_call *c)
{
    return rc_append(c->objs[0], c->objs[1]) ? 1 : 0;
}

static int op_append_new(ob_call *c)
{
    return rc_append_new(c->objs[0], c->objs[1]) ? 1 : 0;
}

static int op_get(ob_call *c)
{
    c->result = rc_get(c->objs[0], (int)c->args[1].i);
    return c->result ? 0 : 1;
}

static int op_borrow(ob_call *c)
{
    c->result = rc_borrow(c->objs[0], (int)c->args[1].i);
    return c->result ? 0 : 1;
}

static int op_decref(ob_call *c)
{
    rc_decref(c->objs[0]);
    return 0;
}

static void release(void *state, void *obj)
{
    (void)state;
    rc_decref(obj);
}

static const ob_op ops[] = {
    {"rc.string", op_string, 1, {OB_INT(0, 100)}, OB_MAKES},
    {"rc.list", op_list, 0, {{0}}, OB_MAKES},
    {"rc.append", op_append, 2, {OB_HANDLE, OB_HANDLE}, 0},
    {"rc.append_new", op_append_new, 2, {OB_HANDLE, OB_HANDLE_STOLEN(0)}, 0},
    {"rc.get", op_get, 2, {OB_HANDLE, OB_INT(0, RC_MAX_ITEMS - 1)}, OB_MAKES},
    {"rc.borrow", op_borrow, 2, {OB_HANDLE, OB_INT(0, RC_MAX_ITEMS - 1)}, OB_MAKES_PART_OF(0)},
    {"rc.decref", op_decref, 1, {OB_HANDLE_FREED}, 0},
};

static const ob_gauge gauges[] = {{"live_values", rc_live, OB_GAUGE_BALANCED}};

const ob_target ob_harness_target = OB_TARGET("rc", ops, OB_GAUGES(gauges), .release = release);
