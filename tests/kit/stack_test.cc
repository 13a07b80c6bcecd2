// Frame-pointer walks: real recursion (self and mutual) read back as cycles whose
// signature does not depend on depth, hand-built frame chains the walk must refuse, and a
// walk from a signal handler's context.
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <string>

extern "C" {
#include "harness/kit/ob_report.h"
}

namespace
{

void thread_bounds(uintptr_t *lo, uintptr_t *hi)
{
    pthread_attr_t attr;
    void *addr = nullptr;
    size_t size = 0;
    ASSERT_EQ(pthread_getattr_np(pthread_self(), &attr), 0);
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    *lo = (uintptr_t)addr;
    *hi = (uintptr_t)addr + size;
}

__attribute__((noinline)) void capture(ob_stack *out, unsigned skip)
{
    uintptr_t pcs[OB_MAX_FRAMES];
    unsigned n = ob_stack_pcs(pcs, OB_MAX_FRAMES, skip);
    ob_stack_symbolize(pcs, n, out);
}

// The volatile read after each call keeps the recursion a real call chain at -O1 (no
// tail-call or accumulator elimination).
__attribute__((noinline)) int self_recurse(int depth, ob_stack *out)
{
    volatile int keep = depth;
    if (depth == 0) {
        capture(out, 0);
        return keep;
    }
    int r = self_recurse(depth - 1, out);
    return r + keep;
}

__attribute__((noinline)) int ping(int depth, ob_stack *out);

__attribute__((noinline)) int pong(int depth, ob_stack *out)
{
    volatile int keep = depth;
    if (depth == 0) {
        capture(out, 0);
        return keep;
    }
    int r = ping(depth - 1, out);
    return r + keep;
}

__attribute__((noinline)) int ping(int depth, ob_stack *out)
{
    volatile int keep = depth;
    if (depth == 0) {
        capture(out, 0);
        return keep;
    }
    int r = pong(depth - 1, out);
    return r + keep;
}

bool func_has(const ob_frame &f, const char *name)
{
    return strstr(f.func, name) != nullptr;
}

std::string signature_of(const char *klass, const ob_stack &s)
{
    char sig[512], slug[17];
    ob_signature(klass, &s, sig, sizeof sig, slug);
    return std::string(sig) + " " + slug;
}

TEST(Stack, InnermostFrameIsTheCaller)
{
    ob_stack s;
    capture(&s, 0);
    ASSERT_GE(s.n, 2u);
    EXPECT_TRUE(func_has(s.frames[0], "capture")) << s.frames[0].func;
    capture(&s, 1);
    ASSERT_GE(s.n, 1u);
    EXPECT_FALSE(func_has(s.frames[0], "capture")) << s.frames[0].func;
}

TEST(Stack, SymbolizesProjectFramesWithFileAndLine)
{
    ob_stack s;
    capture(&s, 0);
    ASSERT_GE(s.n, 1u);
    EXPECT_NE(strstr(s.frames[0].file, "tests/kit/stack_test.cc"), nullptr) << s.frames[0].file;
    EXPECT_GT(s.frames[0].line, 0);
    EXPECT_TRUE(ob_frame_is_project(&s.frames[0]));
}

TEST(Stack, SelfRecursionIsACycleOfPeriodOne)
{
    ob_stack s50, s500;
    self_recurse(50, &s50);
    self_recurse(500, &s500);
    ASSERT_EQ(s500.n, (unsigned)OB_MAX_FRAMES);
    unsigned start = 99;
    EXPECT_EQ(ob_stack_cycle(&s50, 3, &start), 1u);
    EXPECT_EQ(start, 1u); // frame 0 is capture()
    EXPECT_TRUE(func_has(s50.frames[start], "self_recurse")) << s50.frames[start].func;
    EXPECT_EQ(ob_stack_cycle(&s500, 3, &start), 1u);
    std::string sig = signature_of("stack-overflow", s50);
    EXPECT_EQ(sig.rfind("stack-overflow: ", 0), 0u) << sig;
    EXPECT_NE(sig.find("self_recurse"), std::string::npos) << sig;
    EXPECT_EQ(sig.find("capture"), std::string::npos) << sig;
    EXPECT_EQ(sig, signature_of("stack-overflow", s500));
    EXPECT_EQ(signature_of("stack-budget", s50), signature_of("stack-budget", s500));
}

TEST(Stack, MutualRecursionIsACycleOfPeriodTwoWhateverTheParity)
{
    ob_stack s50, s51, s500;
    ping(50, &s50);
    ping(51, &s51);
    ping(500, &s500);
    unsigned start = 0;
    EXPECT_EQ(ob_stack_cycle(&s50, 3, &start), 2u);
    EXPECT_EQ(ob_stack_cycle(&s51, 3, &start), 2u);
    EXPECT_EQ(ob_stack_cycle(&s500, 3, &start), 2u);
    std::string sig = signature_of("stack-overflow", s50);
    EXPECT_NE(sig.find("ping"), std::string::npos) << sig;
    EXPECT_NE(sig.find("pong"), std::string::npos) << sig;
    EXPECT_LT(sig.find("ping"), sig.find("pong")) << "rotated to the smallest name: " << sig;
    EXPECT_EQ(sig, signature_of("stack-overflow", s51));
    EXPECT_EQ(sig, signature_of("stack-overflow", s500));
}

void *recurse_on_thread(void *arg)
{
    self_recurse(100, (ob_stack *)arg);
    return nullptr;
}

TEST(Stack, WalksOtherThreadsWithinTheirOwnStack)
{
    ob_stack on_thread = {}, on_main;
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, nullptr, recurse_on_thread, &on_thread), 0);
    pthread_join(t, nullptr);
    self_recurse(100, &on_main);
    unsigned start = 0;
    EXPECT_EQ(on_thread.n, (unsigned)OB_MAX_FRAMES);
    EXPECT_EQ(ob_stack_cycle(&on_thread, 3, &start), 1u);
    EXPECT_EQ(signature_of("stack-budget", on_thread), signature_of("stack-budget", on_main));
}

TEST(Stack, DistinctRecursionsSignDifferently)
{
    ob_stack self, mutual;
    self_recurse(60, &self);
    ping(60, &mutual);
    EXPECT_NE(signature_of("stack-overflow", self), signature_of("stack-overflow", mutual));
}

// A hand-built chain: frames are [saved fp, return address] pairs inside words[].
TEST(StackFrom, FollowsOnlyIncreasingAlignedFramesInsideTheBounds)
{
    uintptr_t words[16] = {};
    uintptr_t lo = (uintptr_t)&words[0], hi = (uintptr_t)&words[16];
    words[0] = (uintptr_t)&words[4];
    words[1] = 0x1111;
    words[4] = (uintptr_t)&words[2]; // points back down: the walk must stop after it
    words[5] = 0x2222;
    words[2] = (uintptr_t)&words[6];
    words[3] = 0x3333;
    uintptr_t pcs[8];
    ASSERT_EQ(ob_stack_pcs_from(0x9999, lo, lo, hi, pcs, 8), 3u);
    EXPECT_EQ(pcs[0], 0x9999u);
    EXPECT_EQ(pcs[1], 0x1111u);
    EXPECT_EQ(pcs[2], 0x2222u);
    EXPECT_EQ(ob_stack_pcs_from(0x9999, lo + 1, lo, hi, pcs, 8), 1u) << "misaligned";
    EXPECT_EQ(ob_stack_pcs_from(0x9999, lo, lo + 8, hi, pcs, 8), 1u) << "below the bounds";
    EXPECT_EQ(ob_stack_pcs_from(0x9999, (uintptr_t)&words[15], lo, hi, pcs, 8), 1u)
        << "frame crosses the top";
    EXPECT_EQ(ob_stack_pcs_from(0x9999, lo, lo, hi, pcs, 2), 2u) << "max";
    EXPECT_EQ(ob_stack_pcs_from(0, lo, lo, hi, pcs, 8), 0u) << "no pc";
}

TEST(StackFrom, StopsAtASelfLoop)
{
    uintptr_t words[4] = {};
    words[0] = (uintptr_t)&words[0];
    words[1] = 0x1111;
    uintptr_t pcs[8];
    EXPECT_EQ(ob_stack_pcs_from(0x9999, (uintptr_t)&words[0], (uintptr_t)&words[0],
                                (uintptr_t)&words[4], pcs, 8),
              2u);
}

uintptr_t g_lo, g_hi;
uintptr_t g_pcs[OB_MAX_FRAMES];
volatile unsigned g_npcs;

void on_signal(int, siginfo_t *, void *ctx)
{
    ucontext_t *uc = (ucontext_t *)ctx;
    g_npcs = ob_stack_pcs_from((uintptr_t)uc->uc_mcontext.gregs[REG_RIP],
                               (uintptr_t)uc->uc_mcontext.gregs[REG_RBP], g_lo, g_hi, g_pcs,
                               OB_MAX_FRAMES);
    uc->uc_mcontext.gregs[REG_RIP] += 2; // past the ud2
}

__attribute__((noinline)) void signal_victim()
{
    volatile int keep = 1;
    // A fault inside project code, as a crash handler would see it: the signal context
    // holds this frame's own pc and frame pointer.
    asm volatile("ud2");
    keep = keep + 1;
}

TEST(StackFrom, WalksFromASignalContext)
{
    struct sigaction sa = {}, old = {};
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    thread_bounds(&g_lo, &g_hi);
    ASSERT_EQ(sigaction(SIGILL, &sa, &old), 0);
    signal_victim();
    sigaction(SIGILL, &old, nullptr);
    ob_stack s;
    ob_stack_symbolize(g_pcs, g_npcs, &s);
    ASSERT_GE(s.n, 2u);
    EXPECT_TRUE(func_has(s.frames[0], "signal_victim")) << s.frames[0].func;
    EXPECT_TRUE(func_has(s.frames[1], "WalksFromASignalContext")) << s.frames[1].func;
}

} // namespace
