/*
** bank.h: a small thread-safe fixture target for the kit's own tests and examples.
**
** Accounts hold balances; transfers lock both accounts in id order, so no interleaving
** deadlocks; the bank's total changes only by deposits, withdrawals and new accounts, so
** bank_check() can prove no transfer lost or made money. Allocates and locks through
** the tg_hooks seams. With -DBANK_DEFECT_TRANSFER_ORDER transfers lock source first,
** which deadlocks two opposite transfers: the kit's deadlock fixture.
*/
#ifndef BANK_H
#define BANK_H

#include "targets/hooks/tg_hooks.h"

#include <stddef.h>
#include <stdint.h>

typedef struct bank bank;
typedef struct bank_account bank_account;

enum { BANK_OK = 0, BANK_ENOMEM = 1, BANK_EFUNDS = 2, BANK_EINVAL = 3 };

/* Process-wide; NULL restores the default. Call before any bank exists. */
void bank_set_hooks(const tg_allocator *a, const tg_sync *s);

int bank_new(bank **out);
/* Frees the bank and every account it opened. */
void bank_free(bank *b);
/* Opens an account with an initial balance; the bank owns it (*out is borrowed). */
int bank_open(bank *b, int64_t initial, bank_account **out);
int bank_deposit(bank *b, bank_account *a, int64_t amount);
int bank_withdraw(bank *b, bank_account *a, int64_t amount);
int bank_transfer(bank *b, bank_account *from, bank_account *to, int64_t amount);
/* Replaces the account's note with a copy of bytes. */
int bank_note(bank *b, bank_account *a, const uint8_t *bytes, size_t len);
/* NULL, or which invariant broke. Call with no operation in flight. */
const char *bank_check(bank *b);
/* Process-wide gauges: accounts alive in any bank, bytes of notes held. */
int64_t bank_live_accounts(void);
int64_t bank_live_note_bytes(void);

#endif
