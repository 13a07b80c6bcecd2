// The tree fixture's ownership as the kit keeps it: a moved child is not released, a
// freed subtree's handles are never passed again, a detached child is a root again and
// released once; every node is freed by the end (live_nodes back to 0, ASan silent).
#include "tests/kit/ownership/ownership_test.h"

extern "C" {
#include "tests/kit/ownership/tree.h"
}

namespace
{

TEST(Tree, HandlesUnderADeletedParentAreNeverPassedAgain)
{
    ob_outcome o = ownership::run("threads 1\n"
                                  "t0 h0 = tree.new 1\n"
                                  "t0 h1 = tree.new 2\n"
                                  "t0 tree.add h0 h1\n"
                                  "t0 h2 = tree.child h0 0\n"
                                  "t0 tree.delete h0\n"
                                  "t0 tree.sum h1\n"
                                  "t0 tree.sum h2\n"
                                  "t0 tree.add h1 h2\n");
    EXPECT_EQ(o.executed, 5u);
    EXPECT_EQ(o.skipped, 3u);
    EXPECT_EQ(tree_live(), 0);
}

TEST(Tree, AMovedChildIsReleasedWithItsParentOnly)
{
    ob_outcome o = ownership::run("threads 1\n"
                                  "t0 h0 = tree.new 1\n"
                                  "t0 h1 = tree.new 2\n"
                                  "t0 h2 = tree.new 3\n"
                                  "t0 tree.add h0 h1\n"
                                  "t0 tree.add h1 h2\n"
                                  "t0 tree.add h0 h2\n");
    EXPECT_EQ(o.executed, 6u);
    EXPECT_EQ(o.failed, 0u);
    EXPECT_EQ(tree_live(), 0);
}

TEST(Tree, ADetachedChildIsARootAgainAndReleasedOnce)
{
    ob_outcome o = ownership::run("threads 1\n"
                                  "t0 h0 = tree.new 1\n"
                                  "t0 h1 = tree.new 2\n"
                                  "t0 tree.add h0 h1\n"
                                  "t0 h2 = tree.detach h0 0\n"
                                  "t0 tree.delete h0\n"
                                  "t0 tree.sum h1\n"
                                  "t0 tree.sum h2\n");
    EXPECT_EQ(o.executed, 7u);
    EXPECT_EQ(o.skipped, 0u);
    EXPECT_EQ(tree_live(), 0);
}

TEST(Tree, FailedAddsMoveNothing)
{
    ob_outcome o = ownership::run("threads 1\n"
                                  "t0 h0 = tree.new 1\n"
                                  "t0 tree.add h0 h0\n"
                                  "t0 h1 = tree.new 2\n"
                                  "t0 tree.add h0 h1\n"
                                  "t0 tree.add h1 h0\n"
                                  "t0 tree.delete h1\n"
                                  "t0 tree.sum h0\n");
    EXPECT_EQ(o.failed, 2u);
    EXPECT_EQ(o.skipped, 0u);
    EXPECT_EQ(tree_live(), 0);
}

} // namespace
