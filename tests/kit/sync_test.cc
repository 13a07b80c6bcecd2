#include <gtest/gtest.h>

#include <pthread.h>

extern "C" {
#include "harness/kit/ob_exec.h"
}

namespace
{

TEST(Sync, OutsideExecutorsHooksArePlainPthreads)
{
    EXPECT_EQ(ob_current_thread(), -1);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    ob_lock(&m);
    EXPECT_EQ(pthread_mutex_trylock(&m), EBUSY);
    ob_point("outside");
    ob_set_position("outside");
    ob_unlock(&m);
    EXPECT_EQ(pthread_mutex_trylock(&m), 0);
    pthread_mutex_unlock(&m);
    pthread_mutex_destroy(&m);
}

struct Nested {
    ob_fibers *fibers;
    int inner_thread[OB_MAX_THREADS];
    int outer_after[OB_MAX_THREADS];
    int rc[OB_MAX_THREADS];
};

void inner(void *arg, unsigned t)
{
    auto *n = static_cast<Nested *>(arg);
    n->inner_thread[t] = ob_current_thread();
    ob_point("inner");
}

void outer(void *arg, unsigned t)
{
    auto *n = static_cast<Nested *>(arg);
    n->rc[t] = ob_fibers_run(n->fibers, 2, inner, n, nullptr, 0, nullptr, nullptr);
    n->outer_after[t] = ob_current_thread();
}

TEST(Sync, FiberRunInsideAPoolThreadRestoresThePoolBinding)
{
    Nested n = {};
    ASSERT_EQ(ob_fibers_new(0, &n.fibers), OB_EXEC_OK);
    ob_pool *pool;
    ASSERT_EQ(ob_pool_new(0, &pool), OB_EXEC_OK);
    ASSERT_EQ(ob_pool_run(pool, 1, outer, &n), OB_EXEC_OK);
    EXPECT_EQ(n.rc[0], OB_EXEC_OK);
    EXPECT_EQ(n.inner_thread[0], 0);
    EXPECT_EQ(n.inner_thread[1], 1);
    EXPECT_EQ(n.outer_after[0], 0);
    EXPECT_EQ(ob_current_thread(), -1);
    ob_pool_free(pool);
    ob_fibers_free(n.fibers);
}

} // namespace
