/* The example harness: the bank fixture driven by the kit, any number of threads. */
#include "bank.h"
#include <ouroboros/ob_kit.h>
#include "harness/tg_glue.h"

static void install(void)
{
    bank_set_hooks(ob_tg_allocator(), ob_tg_sync());
}

static void *setup(void)
{
    bank *b = NULL;
    return bank_new(&b) == BANK_OK ? b : NULL;
}

static void teardown(void *state)
{
    if (state)
        bank_free(state);
}

/* Accounts belong to the bank: a handle holds no reference of its own. */
static void release(void *state, void *obj)
{
    (void)state;
    (void)obj;
}

static int op_open(ob_call *c)
{
    bank_account *a = NULL;
    int rc = c->state ? bank_open(c->state, c->args[0].i, &a) : BANK_ENOMEM;
    c->result = a;
    return rc;
}

static int op_deposit(ob_call *c)
{
    return bank_deposit(c->state, c->objs[0], c->args[1].i);
}

static int op_withdraw(ob_call *c)
{
    return bank_withdraw(c->state, c->objs[0], c->args[1].i);
}

static int op_transfer(ob_call *c)
{
    return bank_transfer(c->state, c->objs[0], c->objs[1], c->args[2].i);
}

static int op_note(ob_call *c)
{
    return bank_note(c->state, c->objs[0], c->args[1].bytes, c->args[1].len);
}

static const char *check(void *state)
{
    return state ? bank_check(state) : NULL;
}

static const ob_gauge gauges[] = {
    {"live_accounts", bank_live_accounts, OB_GAUGE_BALANCED},
    {"note_bytes", bank_live_note_bytes, OB_GAUGE_BALANCED},
};

static const ob_op ops[] = {
    {"account.open", op_open, 1, {OB_INT(0, 1000)}, 1},
    {"account.deposit", op_deposit, 2, {OB_HANDLE, OB_INT(0, 1000)}, 0},
    {"account.withdraw", op_withdraw, 2, {OB_HANDLE, OB_INT(0, 1000)}, 0},
    {"account.transfer", op_transfer, 3, {OB_HANDLE, OB_HANDLE, OB_INT(0, 1000)}, 0},
    {"account.note", op_note, 2, {OB_HANDLE, OB_BYTES(32)}, 0},
};

const ob_target ob_harness_target =
    OB_TARGET("bank", ops, OB_GAUGES(gauges), .init = install, .alloc_hooks = 1, .setup = setup,
              .teardown = teardown, .release = release, .check = check);
