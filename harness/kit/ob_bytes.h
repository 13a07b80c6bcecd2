/*
** ob_bytes.h: reading fuzz input and writing encoded programs, byte by byte.
**
** The reader is total: once the input is exhausted it yields zeros, so every byte
** string decodes to something and nothing reads out of bounds. Every value of a
** range up to 256 wide is one byte, so a one-byte mutation changes one field: this is
** what keeps decoding local. The writer is the exact inverse of the reader.
*/
#ifndef OB_BYTES_H
#define OB_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef struct ob_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
} ob_reader;

/* Borrows data; it must outlive the reader. */
void ob_reader_init(ob_reader *r, const uint8_t *data, size_t size);
/* Bytes not yet consumed. */
size_t ob_reader_left(const ob_reader *r);
/* Next byte, or 0 once exhausted. */
uint8_t ob_reader_u8(ob_reader *r);
/* A value in [lo, hi] (lo <= hi): one byte for spans up to 256, four bytes otherwise. */
uint32_t ob_reader_range(ob_reader *r, uint32_t lo, uint32_t hi);
/* Up to max bytes, the count read first; *out borrows the input. Returns the count. */
size_t ob_reader_bytes(ob_reader *r, size_t max, const uint8_t **out);
/* A repeat count, 0..OB_MAX_REPEAT: one byte below 0xc0 (the count itself), otherwise that
   byte's low six bits and two more bytes, so that small counts stay one mutation apart
   and large ones are three bytes. */
uint32_t ob_reader_count(ob_reader *r);

typedef struct ob_writer {
    uint8_t *data; /* owned; free with ob_writer_free */
    size_t size;
    size_t cap;
    int oom; /* set once an allocation failed; later writes are dropped */
} ob_writer;

void ob_writer_init(ob_writer *w);
void ob_writer_free(ob_writer *w);
void ob_writer_u8(ob_writer *w, uint8_t v);
/* Inverse of ob_reader_range; v must lie in [lo, hi]. */
void ob_writer_range(ob_writer *w, uint32_t lo, uint32_t hi, uint32_t v);
/* Inverse of ob_reader_bytes with the same max; n must be <= max. */
void ob_writer_bytes(ob_writer *w, size_t max, const uint8_t *p, size_t n);
/* The inverse of ob_reader_count (counts above OB_MAX_REPEAT are written as it). */
void ob_writer_count(ob_writer *w, uint32_t count);

#endif
