// The bank built with its transfer-order defect: opposite transfers deadlock under some
// interleavings, and the deterministic executor must say where each thread waits.
#include <gtest/gtest.h>

#include <string>

#include "tests/kit/bank_target.h"

TEST(Deadlock, IsReportedWithEachThreadsPosition)
{
    banktest::install();
    ob_options opt = {};
    ob_runner *r = nullptr;
    ASSERT_EQ(ob_runner_new(&opt, &r), OB_OK);
    int deadlocks = 0, clean = 0;
    // Both priority orders, and the first PCT change point on each of the first steps:
    // the deadlock needs t0 preempted between its two locks (ob_pct.h has the layout).
    for (int s = 0; s < 40; s++) {
        char src[512];
        int t0_first = s < 20;
        snprintf(src, sizeof src,
                 "threads 2\n"
                 "schedule %02x %02x %02x\n"
                 "t0 h0 = account.open 100\n"
                 "t0 h1 = account.open 100\n"
                 "t0 account.transfer h0 h1 10\n"
                 "t1 account.transfer h1 h0 10\n",
                 t0_first ? 0x80 : 0x10, t0_first ? 0x10 : 0x80, s % 20);
        ob_program p;
        char err[256] = "";
        ASSERT_EQ(ob_program_assemble(&banktest::kTarget, src, &p, err, sizeof err), OB_OK) << err;
        ob_outcome o;
        ob_status st = ob_run(r, &p, &o);
        ob_program_clear(&p);
        if (st == OB_OK) {
            clean++;
            continue;
        }
        ASSERT_EQ(st, OB_EDEADLOCK);
        deadlocks++;
        for (int t = 0; t < 2; t++) {
            EXPECT_TRUE(o.blocked[t]) << "thread " << t;
            ASSERT_NE(o.positions[t], nullptr);
            EXPECT_EQ(std::string(o.positions[t]), "bank.transfer.between_locks");
        }
    }
    EXPECT_GT(deadlocks, 0) << "no schedule interleaved the two transfers";
    EXPECT_GT(clean, 0) << "every schedule deadlocked";
    // Abandoned fibers must leave the executor usable.
    ob_program p;
    ASSERT_EQ(ob_program_assemble(&banktest::kTarget, "threads 1\nt0 h0 = account.open 1\n", &p,
                                  nullptr, 0),
              OB_OK);
    ob_outcome o;
    EXPECT_EQ(ob_run(r, &p, &o), OB_OK);
    ob_program_clear(&p);
    ob_runner_free(r);
}
