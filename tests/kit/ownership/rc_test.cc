// The refcounted fixture's ownership as the kit keeps it: each handle holds a reference;
// a steal moves it (and drops it when the steal fails), a decref frees it, a borrowed
// item lives with its list and is never given away. Every value is freed by the end.
#include "tests/kit/ownership/ownership_test.h"

extern "C" {
#include "tests/kit/ownership/rc.h"
}

namespace
{

TEST(Rc, AFailedStealDropsTheHandle)
{
    ob_outcome o = ownership::run("threads 1\n"
                                  "t0 h0 = rc.string 1\n"
                                  "t0 h1 = rc.string 2\n"
                                  "t0 rc.append_new h0 h1\n"
                                  "t0 h2 = rc.list\n"
                                  "t0 rc.append h2 h1\n");
    EXPECT_EQ(o.failed, 1u);
    EXPECT_EQ(o.skipped, 1u);
    EXPECT_EQ(rc_live(), 0);
}

TEST(Rc, ABorrowedOrStolenReferenceIsNeverGivenAway)
{
    ob_outcome o = ownership::run("threads 1\n"
                                  "t0 h0 = rc.list\n"
                                  "t0 h1 = rc.string 1\n"
                                  "t0 rc.append_new h0 h1\n"
                                  "t0 h2 = rc.borrow h0 0\n"
                                  "t0 rc.decref h2\n"
                                  "t0 rc.decref h1\n"
                                  "t0 h3 = rc.list\n"
                                  "t0 rc.append_new h3 h2\n"
                                  "t0 rc.append h3 h2\n");
    EXPECT_EQ(o.skipped, 3u);
    EXPECT_EQ(o.executed, 6u);
    EXPECT_EQ(rc_live(), 0);
}

TEST(Rc, ANewReferenceOutlivesItsList)
{
    ob_outcome o = ownership::run("threads 1\n"
                                  "t0 h0 = rc.list\n"
                                  "t0 h1 = rc.string 1\n"
                                  "t0 rc.append h0 h1\n"
                                  "t0 h2 = rc.get h0 0\n"
                                  "t0 h3 = rc.borrow h0 0\n"
                                  "t0 rc.decref h0\n"
                                  "t0 rc.decref h3\n"
                                  "t0 h4 = rc.list\n"
                                  "t0 rc.append h4 h2\n");
    EXPECT_EQ(o.skipped, 1u);
    EXPECT_EQ(o.executed, 8u);
    EXPECT_EQ(rc_live(), 0);
}

} // namespace
