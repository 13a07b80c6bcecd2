// The bank fixture as an ob_target for runner tests (the harness file defines the same
// table as ob_harness_target; tests need it under a name of their own).
#ifndef TESTS_KIT_BANK_TARGET_H
#define TESTS_KIT_BANK_TARGET_H

extern "C" {
#include "harness/example/bank.h"
#include "harness/tg_glue.h"
#include <ouroboros/ob_kit.h>
}

namespace banktest
{

inline void install()
{
    bank_set_hooks(ob_tg_allocator(), ob_tg_sync());
}

inline void *setup()
{
    bank *b = nullptr;
    return bank_new(&b) == BANK_OK ? b : nullptr;
}

inline void teardown(void *st)
{
    if (st)
        bank_free((bank *)st);
}

inline void release(void *, void *) {}

inline int op_open(ob_call *c)
{
    bank_account *a = nullptr;
    int rc = bank_open((bank *)c->state, c->args[0].i, &a);
    c->result = a;
    return rc;
}

inline int op_deposit(ob_call *c)
{
    return bank_deposit((bank *)c->state, (bank_account *)c->objs[0], c->args[1].i);
}

inline int op_transfer(ob_call *c)
{
    return bank_transfer((bank *)c->state, (bank_account *)c->objs[0], (bank_account *)c->objs[1],
                         c->args[2].i);
}

inline int op_note(ob_call *c)
{
    return bank_note((bank *)c->state, (bank_account *)c->objs[0], c->args[1].bytes,
                     c->args[1].len);
}

inline const char *check(void *st)
{
    return bank_check((bank *)st);
}

inline const ob_op kOps[] = {
    {"account.open", op_open, 1, {OB_INT(0, 1000)}, 1},
    {"account.deposit", op_deposit, 2, {OB_HANDLE, OB_INT(0, 1000)}, 0},
    {"account.transfer", op_transfer, 3, {OB_HANDLE, OB_HANDLE, OB_INT(0, 1000)}, 0},
    {"account.note", op_note, 2, {OB_HANDLE, OB_BYTES(32)}, 0},
};

inline const ob_gauge kGauges[] = {{"live_accounts", bank_live_accounts, OB_GAUGE_BALANCED}};

inline const ob_target kTarget = {
    "bank",  kOps, 4,       install, setup, teardown, release, nullptr, check,
    kGauges, 1,    nullptr, nullptr, 1,     0,        nullptr, nullptr,
};

} // namespace banktest

#endif
