// One probe per seeded defect, built against the clean library and against each variant
// (the BUILD passes the variant's switch to this file too). Each probe asserts the clean
// behaviour, or, in the variant that seeds it, that the defect shows, without crashing.
#include "tests/calc/calc_fixture.h"
#include "tests/calc/test_util.h"

#include <string>

using calctest::Exec;
using calctest::Outcome;

namespace
{

class Defect : public calctest::CalcTest
{
};

constexpr size_t kBigStack = 8u << 20;

// Stack bytes fn uses beyond what an empty thread body uses.
size_t StackUse(const std::function<void()> &fn)
{
    size_t idle = calctest::RunOnPaintedStack(kBigStack, [] {});
    size_t used = calctest::RunOnPaintedStack(kBigStack, fn);
    return used > idle ? used - idle : 0;
}

std::string Countdown(int n)
{
    return "loop(n) = if n == 0 then 7 else loop(n - 1); loop(" + std::to_string(n) + ")";
}

// calc_no_tail_calls: tail recursion grows the C stack though the depth limit (which
// counts only non-tail calls) never fires.
TEST_F(Defect, TailLoopStackUse)
{
    Outcome shallow{}, deep{};
    size_t small = StackUse([&] { shallow = Exec(Countdown(10)); });
    size_t large = StackUse([&] { deep = Exec(Countdown(3000)); });
    EXPECT_EQ(shallow.status, CALC_OK);
    EXPECT_EQ(deep.status, CALC_OK) << deep.err.msg;
    EXPECT_EQ(deep.value, 7);
#ifdef CALC_DEFECT_NO_TAIL_CALLS
    EXPECT_GT(large, small + 32 * 1024) << "3000 tail calls should pass half of a 64 KiB stack";
#else
    EXPECT_LT(large, small + 4 * 1024) << "tail calls must run in constant stack";
#endif
}

int StopAfter(void *ctx, uint64_t calls)
{
    return calls >= *static_cast<uint64_t *>(ctx);
}

// calc_loop_uncharged: an endless tail loop runs past its budget; the on_call callback
// bounds the test instead of a hang.
TEST_F(Defect, EndlessTailLoopAgainstBudget)
{
    uint64_t stop = 200000;
    calc_limits lim{};
    lim.max_steps = 10000;
    lim.on_call = StopAfter;
    lim.ctx = &stop;
    Outcome o = Exec("loop(n) = loop(n); loop(1)", &lim);
#ifdef CALC_DEFECT_LOOP_UNCHARGED
    EXPECT_EQ(o.status, CALC_EINTR) << o.err.msg;
    EXPECT_GT(o.info.steps, 10 * lim.max_steps);
#else
    EXPECT_EQ(o.status, CALC_EBUDGET) << o.err.msg;
    EXPECT_LE(o.info.steps, lim.max_steps + 10);
    EXPECT_LT(o.info.calls, stop);
#endif
}

// calc_printer_no_limit: the printer recurses past its depth limit, its stack use
// proportional to the nesting.
TEST_F(Defect, PrinterDepth)
{
    calc_ast *e = nullptr;
    ASSERT_EQ(calc_num(1, &e), CALC_OK);
    for (int i = 0; i < 5000; i++)
        ASSERT_EQ(calc_neg(e, &e), CALC_OK);
    std::string text;
    size_t used = StackUse([&] { text = calctest::Print(e, 100); });
    calc_ast_release(e);
#ifdef CALC_DEFECT_PRINTER_NO_LIMIT
    EXPECT_EQ(text, std::string(5000, '-') + "(1)");
    EXPECT_GT(used, 64u * 1024);
#else
    EXPECT_EQ(text, "<CALC_EDEPTH>");
    EXPECT_LT(used, 64u * 1024);
#endif
}

} // namespace
