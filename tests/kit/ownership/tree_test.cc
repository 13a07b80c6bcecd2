// The tree fixture's ownership as the kit keeps it: a moved child is not released, a
// freed subtree's handles are never passed again, a detached child is a root again and
// released once; every node is freed by the end (live_nodes back to 0, ASan silent).
#include "tests/kit/ownership/ownership_test.h"

extern "C" {
#include "tests/kit/ownership/tree.h"
}

namespace
{

const ownership::Case kCases[] = {
    {"handles under a deleted parent are never passed again",
     "threads 1\n"
     "t0 h0 = tree.new 1\n"
     "t0 h1 = tree.new 2\n"
     "t0 tree.add h0 h1\n"
     "t0 h2 = tree.child h0 0\n"
     "t0 tree.delete h0\n"
     "t0 tree.sum h1\n"
     "t0 tree.sum h2\n"
     "t0 tree.add h1 h2\n",
     5, 3, 0},
    {"a moved child is released with its parent only",
     "threads 1\n"
     "t0 h0 = tree.new 1\n"
     "t0 h1 = tree.new 2\n"
     "t0 h2 = tree.new 3\n"
     "t0 tree.add h0 h1\n"
     "t0 tree.add h1 h2\n"
     "t0 tree.add h0 h2\n",
     6, 0, 0},
    {"a detached child is a root again and released once",
     "threads 1\n"
     "t0 h0 = tree.new 1\n"
     "t0 h1 = tree.new 2\n"
     "t0 tree.add h0 h1\n"
     "t0 h2 = tree.detach h0 0\n"
     "t0 tree.delete h0\n"
     "t0 tree.sum h1\n"
     "t0 tree.sum h2\n",
     7, 0, 0},
    {"failed adds move nothing",
     "threads 1\n"
     "t0 h0 = tree.new 1\n"
     "t0 tree.add h0 h0\n"
     "t0 h1 = tree.new 2\n"
     "t0 tree.add h0 h1\n"
     "t0 tree.add h1 h0\n"
     "t0 tree.delete h1\n"
     "t0 tree.sum h0\n",
     7, 0, 2},
};

TEST(Tree, OwnershipMovesAsDeclared)
{
    ownership::check(kCases, tree_live);
}

} // namespace
