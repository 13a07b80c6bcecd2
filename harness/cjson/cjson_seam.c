/*
** cjson_seam.c: cJSON's context-free malloc/free, passed to the kit's hooks (which fail
** allocations where a program line says !fail) and counted.
*/
#include "harness/cjson/cjson_seam.h"

#include <ouroboros/ob_kit.h>

#include "cJSON.h"

#include <stdatomic.h>
#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define SEAM_POISON_EMPTY 1
#endif
#endif

static atomic_llong live_blocks;

/* ASan gives malloc(0) one readable byte, so a read of a zero-size block goes unseen.
   The seam poisons that byte: reading or writing any byte of such a block is a report.
   (ASan's free does not mind the poison.) */
static void *zero_size_block(void)
{
    void *p = ob_hook_malloc(NULL, 1);
#ifdef SEAM_POISON_EMPTY
    if (p)
        ASAN_POISON_MEMORY_REGION(p, 1);
#endif
    return p;
}

static void *CJSON_CDECL seam_malloc(size_t size)
{
    void *p = size ? ob_hook_malloc(NULL, size) : zero_size_block();
    if (p)
        atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
    return p;
}

static void CJSON_CDECL seam_free(void *p)
{
    if (p)
        atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
    ob_hook_free(NULL, p);
}

void cj_seam_install(void)
{
    static cJSON_Hooks hooks = {seam_malloc, seam_free};
    cJSON_InitHooks(&hooks);
}

int64_t cj_seam_blocks(void)
{
    return (int64_t)atomic_load_explicit(&live_blocks, memory_order_relaxed);
}
