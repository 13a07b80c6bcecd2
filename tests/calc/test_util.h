// test_util.h: helpers shared by the calc suites, independent of which calc variant a
// test links: an allocator that fails on request, and a thread runner on a painted stack.
#ifndef CALC_TEST_UTIL_H
#define CALC_TEST_UTIL_H

#include <cstddef>
#include <cstdint>
#include <functional>

extern "C" {
#include "targets/hooks/tg_hooks.h"
}

namespace calctest
{

// Counts allocation calls (malloc and realloc) and fails the fail_at-th one (1-based;
// 0 = never). Not thread-safe: the failure-injection suites are single-threaded.
struct FaultAllocator {
    tg_allocator table;
    uint64_t calls = 0;
    uint64_t fail_at = 0;
    bool fired = false;

    FaultAllocator();
    void Arm(uint64_t n);
    // Stops failing; fired keeps whether the armed failure happened.
    void Disarm()
    {
        fail_at = 0;
    }
};

// Runs fn on a new thread whose stack is an mmap'd region of stack_bytes with a
// PROT_NONE guard page below it, painted beforehand. Returns the deepest stack use in
// bytes (from the top of the region), or 0 when the thread could not be started.
size_t RunOnPaintedStack(size_t stack_bytes, const std::function<void()> &fn);

} // namespace calctest

#endif
