#include <gtest/gtest.h>

#include <vector>

extern "C" {
#include "harness/kit/ob_pct.h"
}

namespace
{

const unsigned ALL4 = 0xf;

TEST(Pct, NoBytesRunsThreadZeroFirstAndNeverChanges)
{
    ob_pct s;
    ob_pct_init(&s, 4, nullptr, 0);
    for (uint64_t step = 0; step < 1000; step++)
        EXPECT_EQ(ob_pct_pick(&s, step, ALL4), 0);
    EXPECT_EQ(ob_pct_pick(&s, 1000, ALL4 & ~1u), 1);
}

TEST(Pct, PriorityBytesOrderThreads)
{
    const uint8_t bytes[] = {1, 9, 5, 3};
    ob_pct s;
    ob_pct_init(&s, 4, bytes, sizeof bytes);
    EXPECT_EQ(ob_pct_pick(&s, 0, ALL4), 1);
    EXPECT_EQ(ob_pct_pick(&s, 1, ALL4 & ~(1u << 1)), 2);
    EXPECT_EQ(ob_pct_pick(&s, 2, (1u << 0) | (1u << 3)), 3);
}

TEST(Pct, EqualBytesBreakTiesByIndex)
{
    const uint8_t bytes[] = {7, 7, 7};
    ob_pct s;
    ob_pct_init(&s, 3, bytes, sizeof bytes);
    EXPECT_EQ(ob_pct_pick(&s, 0, 0x7), 0);
    EXPECT_EQ(ob_pct_pick(&s, 1, 0x6), 1);
}

TEST(Pct, ChangePointLowersTheThreadAboutToRun)
{
    /* Thread 0 first; change points at steps 3 and 3 + 2 = 5. */
    const uint8_t bytes[] = {9, 5, 1, 3, 2};
    ob_pct s;
    ob_pct_init(&s, 3, bytes, sizeof bytes);
    std::vector<int> picks;
    for (uint64_t step = 0; step < 8; step++)
        picks.push_back(ob_pct_pick(&s, step, 0x7));
    EXPECT_EQ(picks, (std::vector<int>{0, 0, 0, 1, 1, 2, 2, 2}));
}

TEST(Pct, ZeroDeltaStacksChangePointsOnOneStep)
{
    const uint8_t bytes[] = {9, 5, 1, 0, 0};
    ob_pct s;
    ob_pct_init(&s, 3, bytes, sizeof bytes);
    EXPECT_EQ(ob_pct_pick(&s, 0, 0x7), 2);
    /* Each lowering goes below the last: 1, lowered after 0, is now the lowest. */
    EXPECT_EQ(ob_pct_pick(&s, 1, 0x3), 0);
    EXPECT_EQ(ob_pct_pick(&s, 2, 0x2), 1);
}

TEST(Pct, EmptyMaskPicksNothing)
{
    ob_pct s;
    ob_pct_init(&s, 2, nullptr, 0);
    EXPECT_EQ(ob_pct_pick(&s, 0, 0), -1);
}

TEST(Pct, SameBytesSamePicks)
{
    const uint8_t bytes[] = {200, 3, 77, 0, 1, 4, 1, 9, 2};
    ob_pct a, b;
    ob_pct_init(&a, 4, bytes, sizeof bytes);
    ob_pct_init(&b, 4, bytes, sizeof bytes);
    unsigned mask = ALL4;
    for (uint64_t step = 0; step < 64; step++) {
        int pa = ob_pct_pick(&a, step, mask);
        ASSERT_EQ(pa, ob_pct_pick(&b, step, mask));
        if (step % 9 == 8 && (mask & (mask - 1)) != 0)
            mask &= ~(1u << pa);
    }
}

} // namespace
