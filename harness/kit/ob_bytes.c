#include "ob_bytes.h"
#include "ob_kit.h"

#include <stdlib.h>
#include <string.h>

void ob_reader_init(ob_reader *r, const uint8_t *data, size_t size)
{
    r->data = data;
    r->size = data ? size : 0;
    r->pos = 0;
}

size_t ob_reader_left(const ob_reader *r)
{
    return r->size - r->pos;
}

uint8_t ob_reader_u8(ob_reader *r)
{
    return r->pos < r->size ? r->data[r->pos++] : 0;
}

static uint32_t read_u32(ob_reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)ob_reader_u8(r) << (8 * i);
    return v;
}

static uint64_t span_of(uint32_t lo, uint32_t hi)
{
    return (uint64_t)hi - lo + 1;
}

uint32_t ob_reader_range(ob_reader *r, uint32_t lo, uint32_t hi)
{
    uint64_t span = span_of(lo, hi);
    uint32_t raw = span <= 256 ? ob_reader_u8(r) : read_u32(r);
    return lo + (uint32_t)(raw % span);
}

size_t ob_reader_bytes(ob_reader *r, size_t max, const uint8_t **out)
{
    size_t n = ob_reader_range(r, 0, max > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)max);
    size_t left = ob_reader_left(r);
    if (n > left)
        n = left;
    *out = r->data ? r->data + r->pos : (const uint8_t *)"";
    r->pos += n;
    return n;
}

void ob_writer_init(ob_writer *w)
{
    memset(w, 0, sizeof *w);
}

void ob_writer_free(ob_writer *w)
{
    free(w->data);
    ob_writer_init(w);
}

static int reserve(ob_writer *w, size_t more)
{
    if (w->oom)
        return 0;
    if (w->size + more <= w->cap)
        return 1;
    size_t cap = w->cap ? w->cap : 64;
    while (cap < w->size + more)
        cap *= 2;
    uint8_t *p = realloc(w->data, cap);
    if (!p) {
        w->oom = 1;
        return 0;
    }
    w->data = p;
    w->cap = cap;
    return 1;
}

void ob_writer_u8(ob_writer *w, uint8_t v)
{
    if (reserve(w, 1))
        w->data[w->size++] = v;
}

void ob_writer_range(ob_writer *w, uint32_t lo, uint32_t hi, uint32_t v)
{
    uint32_t raw = v - lo;
    if (span_of(lo, hi) <= 256) {
        ob_writer_u8(w, (uint8_t)raw);
        return;
    }
    for (int i = 0; i < 4; i++)
        ob_writer_u8(w, (uint8_t)(raw >> (8 * i)));
}

void ob_writer_bytes(ob_writer *w, size_t max, const uint8_t *p, size_t n)
{
    ob_writer_range(w, 0, max > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)max, (uint32_t)n);
    if (n && reserve(w, n)) {
        memcpy(w->data + w->size, p, n);
        w->size += n;
    }
}

enum { COUNT_LONG = 0xc0, COUNT_MAX = OB_MAX_REPEAT };
_Static_assert(COUNT_MAX == ((0xff - COUNT_LONG) << 16 | 0xffff), "three count bytes at most");

uint32_t ob_reader_count(ob_reader *r)
{
    uint32_t b = ob_reader_u8(r);
    if (b < COUNT_LONG)
        return b;
    uint32_t hi = ob_reader_u8(r);
    return (b - COUNT_LONG) << 16 | hi << 8 | ob_reader_u8(r);
}

void ob_writer_count(ob_writer *w, uint32_t count)
{
    if (count > COUNT_MAX)
        count = COUNT_MAX;
    if (count < COUNT_LONG) {
        ob_writer_u8(w, (uint8_t)count);
        return;
    }
    ob_writer_u8(w, (uint8_t)(COUNT_LONG + (count >> 16)));
    ob_writer_u8(w, (uint8_t)(count >> 8));
    ob_writer_u8(w, (uint8_t)count);
}
