/*
** ob_fiber_ctx.h: the raw context switch under the fiber executor.
**
** On x86-64 a switch saves the callee-saved registers on the old stack and swaps stack
** pointers: a few nanoseconds, no syscall (swapcontext costs a sigprocmask per switch).
** The MXCSR and x87 control words are not switched: the fibers of one executor share
** one floating-point environment. Sanitizer announcements are the caller's job; this
** file only moves registers.
*/
#ifndef OB_FIBER_CTX_H
#define OB_FIBER_CTX_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_fiber_ctx.h is internal to the harness kit"
#endif

#include <stddef.h>

#if !defined(__x86_64__)
#error "the fiber executor switches contexts in x86-64 assembly; port ob_fiber_ctx.c first"
#endif

typedef struct ob_fiber_ctx {
    void *sp; /* saved stack pointer while switched out */
} ob_fiber_ctx;

/* Prepares c to start entry(arg) on the stack [lo, lo + size) at the next switch into it.
   entry must never return (ob_fiber_boot_raw traps if it does). */
void ob_fiber_ctx_make(ob_fiber_ctx *c, void *lo, size_t size, void (*entry)(void *), void *arg);
/* The assembly routine behind ob_fiber_ctx_switch. */
void ob_fiber_ctx_switch_raw(void **save_sp, void *new_sp);

/* Saves the running context into from and resumes to. */
static inline void ob_fiber_ctx_switch(ob_fiber_ctx *from, ob_fiber_ctx *to)
{
    ob_fiber_ctx_switch_raw(&from->sp, to->sp);
}
/* Lowest stack address c still uses while switched out (everything below is dead). */
void *ob_fiber_ctx_sp(const ob_fiber_ctx *c);

#endif
