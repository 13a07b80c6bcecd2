// The refcounted fixture's ownership as the kit keeps it: each handle holds a reference;
// a steal moves it (and drops it when the steal fails), a decref frees it, a borrowed
// item lives with its list and is never given away. Every value is freed by the end.
#include "tests/kit/ownership/ownership_test.h"

extern "C" {
#include "tests/kit/ownership/rc.h"
}

namespace
{

const ownership::Case kCases[] = {
    {"a failed steal drops the handle",
     "threads 1\n"
     "t0 h0 = rc.string 1\n"
     "t0 h1 = rc.string 2\n"
     "t0 rc.append_new h0 h1\n"
     "t0 h2 = rc.list\n"
     "t0 rc.append h2 h1\n",
     4, 1, 1},
    {"a borrowed or stolen reference is never given away",
     "threads 1\n"
     "t0 h0 = rc.list\n"
     "t0 h1 = rc.string 1\n"
     "t0 rc.append_new h0 h1\n"
     "t0 h2 = rc.borrow h0 0\n"
     "t0 rc.decref h2\n"
     "t0 rc.decref h1\n"
     "t0 h3 = rc.list\n"
     "t0 rc.append_new h3 h2\n"
     "t0 rc.append h3 h2\n",
     6, 3, 0},
    {"a new reference outlives its list",
     "threads 1\n"
     "t0 h0 = rc.list\n"
     "t0 h1 = rc.string 1\n"
     "t0 rc.append h0 h1\n"
     "t0 h2 = rc.get h0 0\n"
     "t0 h3 = rc.borrow h0 0\n"
     "t0 rc.decref h0\n"
     "t0 rc.decref h3\n"
     "t0 h4 = rc.list\n"
     "t0 rc.append h4 h2\n",
     8, 1, 0},
};

TEST(Rc, OwnershipMovesAsDeclared)
{
    ownership::check(kCases, rc_live);
}

} // namespace
