#include "bank.h"

#include <stdatomic.h>
#include <string.h>

struct bank_account {
    pthread_mutex_t mu;
    uint64_t id;
    int64_t balance;
    uint8_t *note;
    size_t note_len;
    bank_account *next;
};

struct bank {
    pthread_mutex_t mu; /* guards accounts and next_id */
    bank_account *accounts;
    uint64_t next_id;
    atomic_llong total; /* what the balances must add up to */
};

static atomic_llong live_accounts;
static atomic_llong live_note_bytes;

static const tg_allocator *alloc;
static const tg_sync *sync_hooks;

void bank_set_hooks(const tg_allocator *a, const tg_sync *s)
{
    alloc = a;
    sync_hooks = s;
}

static const tg_allocator *A(void)
{
    return alloc ? alloc : tg_default_allocator();
}

static const tg_sync *S(void)
{
    return sync_hooks ? sync_hooks : tg_default_sync();
}

int bank_new(bank **out)
{
    bank *b = tg_malloc(A(), sizeof *b);
    if (!b)
        return BANK_ENOMEM;
    memset(b, 0, sizeof *b);
    pthread_mutex_init(&b->mu, NULL);
    *out = b;
    return BANK_OK;
}

void bank_free(bank *b)
{
    bank_account *a = b->accounts;
    while (a) {
        bank_account *next = a->next;
        pthread_mutex_destroy(&a->mu);
        atomic_fetch_sub(&live_accounts, 1);
        atomic_fetch_sub(&live_note_bytes, (long long)a->note_len);
        tg_free(A(), a->note);
        tg_free(A(), a);
        a = next;
    }
    pthread_mutex_destroy(&b->mu);
    tg_free(A(), b);
}

int bank_open(bank *b, int64_t initial, bank_account **out)
{
    if (initial < 0)
        return BANK_EINVAL;
    bank_account *a = tg_malloc(A(), sizeof *a);
    if (!a)
        return BANK_ENOMEM;
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
    a->balance = initial;
    tg_lock(S(), &b->mu);
    a->id = b->next_id++;
    a->next = b->accounts;
    b->accounts = a;
    atomic_fetch_add(&live_accounts, 1);
    atomic_fetch_add(&b->total, initial);
    tg_unlock(S(), &b->mu);
    *out = a;
    return BANK_OK;
}

int bank_deposit(bank *b, bank_account *a, int64_t amount)
{
    if (amount < 0)
        return BANK_EINVAL;
    tg_lock(S(), &a->mu);
    a->balance += amount;
    atomic_fetch_add(&b->total, amount);
    tg_unlock(S(), &a->mu);
    return BANK_OK;
}

int bank_withdraw(bank *b, bank_account *a, int64_t amount)
{
    if (amount < 0)
        return BANK_EINVAL;
    int rc = BANK_EFUNDS;
    tg_lock(S(), &a->mu);
    if (a->balance >= amount) {
        a->balance -= amount;
        atomic_fetch_sub(&b->total, amount);
        rc = BANK_OK;
    }
    tg_unlock(S(), &a->mu);
    return rc;
}

/* Locks two distinct accounts in a global order so opposite transfers cannot deadlock. */
static void lock_pair(bank_account *from, bank_account *to)
{
#ifdef BANK_DEFECT_TRANSFER_ORDER
    bank_account *first = from, *second = to;
#else
    bank_account *first = from->id < to->id ? from : to;
    bank_account *second = first == from ? to : from;
#endif
    tg_lock(S(), &first->mu);
    tg_yield(S(), "bank.transfer.between_locks");
    tg_lock(S(), &second->mu);
}

int bank_transfer(bank *b, bank_account *from, bank_account *to, int64_t amount)
{
    (void)b;
    if (amount < 0)
        return BANK_EINVAL;
    if (from == to)
        return BANK_OK;
    lock_pair(from, to);
    int rc = BANK_EFUNDS;
    if (from->balance >= amount) {
        from->balance -= amount;
        to->balance += amount;
        rc = BANK_OK;
    }
    tg_unlock(S(), &to->mu);
    tg_unlock(S(), &from->mu);
    return rc;
}

int bank_note(bank *b, bank_account *a, const uint8_t *bytes, size_t len)
{
    (void)b;
    uint8_t *copy = tg_malloc(A(), len ? len : 1);
    if (!copy)
        return BANK_ENOMEM;
    memcpy(copy, bytes, len);
    tg_lock(S(), &a->mu);
    uint8_t *old = a->note;
    size_t old_len = a->note_len;
    a->note = copy;
    a->note_len = len;
    tg_unlock(S(), &a->mu);
    tg_free(A(), old);
    atomic_fetch_add(&live_note_bytes, (long long)len - (long long)old_len);
    return BANK_OK;
}

const char *bank_check(bank *b)
{
    int64_t sum = 0;
    for (bank_account *a = b->accounts; a; a = a->next) {
        if (a->balance < 0)
            return "an account balance went negative";
        sum += a->balance;
    }
    return sum == atomic_load(&b->total) ? NULL : "balances do not add up to the bank's total";
}

int64_t bank_live_accounts(void)
{
    return atomic_load(&live_accounts);
}

int64_t bank_live_note_bytes(void)
{
    return atomic_load(&live_note_bytes);
}
