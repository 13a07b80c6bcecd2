/*
** ob_fiber_ctx.c: context switch. The x86-64 version keeps this frame layout on a
** switched-out stack, lowest address first:
**     r15 r14 r13 r12 rbx rbp return-address
** A fresh context holds entry in r13 and arg in r12 and returns into fiber_boot, which
** calls entry(arg) with the ABI's 16-byte stack alignment.
*/
#include "ob_fiber_ctx.h"

#include <stdint.h>

void ob_fiber_boot_raw(void);

__asm__(".text\n"
        ".p2align 4\n"
        ".globl ob_fiber_ctx_switch_raw\n"
        ".hidden ob_fiber_ctx_switch_raw\n"
        ".type ob_fiber_ctx_switch_raw,@function\n"
        "ob_fiber_ctx_switch_raw:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size ob_fiber_ctx_switch_raw, .-ob_fiber_ctx_switch_raw\n"
        ".p2align 4\n"
        ".globl ob_fiber_boot_raw\n"
        ".hidden ob_fiber_boot_raw\n"
        ".type ob_fiber_boot_raw,@function\n"
        "ob_fiber_boot_raw:\n"
        "    movq %r12, %rdi\n"
        "    callq *%r13\n"
        "    ud2\n"
        ".size ob_fiber_boot_raw, .-ob_fiber_boot_raw\n");

enum { SAVED_WORDS = 7 };

void ob_fiber_ctx_make(ob_fiber_ctx *c, void *lo, size_t size, void (*entry)(void *), void *arg)
{
    uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
    /* After the 7 pops-and-ret the stack pointer must be 16-aligned for the call. */
    uintptr_t *sp = (uintptr_t *)(top - 16 - SAVED_WORDS * sizeof(uintptr_t));
    sp[0] = 0;                            /* r15 */
    sp[1] = 0;                            /* r14 */
    sp[2] = (uintptr_t)entry;             /* r13 */
    sp[3] = (uintptr_t)arg;               /* r12 */
    sp[4] = 0;                            /* rbx */
    sp[5] = 0;                            /* rbp: ends frame-pointer unwinding */
    sp[6] = (uintptr_t)ob_fiber_boot_raw; /* return address */
    c->sp = sp;
}

void *ob_fiber_ctx_sp(const ob_fiber_ctx *c)
{
    return c->sp;
}
