#include "tests/calc/test_util.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace calctest
{

namespace
{

bool ShouldFail(FaultAllocator *f)
{
    f->calls++;
    if (f->fail_at != 0 && f->calls == f->fail_at) {
        f->fired = true;
        return true;
    }
    return false;
}

void *FaultMalloc(void *ctx, size_t size)
{
    return ShouldFail(static_cast<FaultAllocator *>(ctx)) ? nullptr : malloc(size);
}

void *FaultRealloc(void *ctx, void *p, size_t size)
{
    return ShouldFail(static_cast<FaultAllocator *>(ctx)) ? nullptr : realloc(p, size);
}

void FaultFree(void *, void *p)
{
    free(p);
}

constexpr unsigned char kPaint = 0xA5;

void *Trampoline(void *arg)
{
    (*static_cast<const std::function<void()> *>(arg))();
    return nullptr;
}

// The stack region is painted while no thread uses it and read after the thread is
// joined; ASan may still hold frame redzones there, which this scan must not trip on.
__attribute__((no_sanitize("address"))) size_t DeepestUse(const unsigned char *lo, size_t n)
{
    size_t i = 0;
    while (i < n && lo[i] == kPaint)
        i++;
    return n - i;
}

} // namespace

FaultAllocator::FaultAllocator()
{
    table.malloc_fn = FaultMalloc;
    table.realloc_fn = FaultRealloc;
    table.free_fn = FaultFree;
    table.ctx = this;
}

void FaultAllocator::Arm(uint64_t n)
{
    calls = 0;
    fail_at = n;
    fired = false;
}

size_t RunOnPaintedStack(size_t stack_bytes, const std::function<void()> &fn)
{
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t total = stack_bytes + page;
    void *map = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return 0;
    unsigned char *base = static_cast<unsigned char *>(map);
    mprotect(base, page, PROT_NONE);
    unsigned char *lo = base + page;
    memset(lo, kPaint, stack_bytes);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, lo, stack_bytes);
    pthread_t t;
    size_t used = 0;
    if (pthread_create(&t, &attr, Trampoline, const_cast<std::function<void()> *>(&fn)) == 0) {
        pthread_join(t, nullptr);
        used = DeepestUse(lo, stack_bytes);
    }
    pthread_attr_destroy(&attr);
    munmap(map, total);
    return used;
}

} // namespace calctest
