/*
** bl_input.h: reading a fuzz input as a stream of small values, the way a hand-written
** libFuzzer harness does. Shared by the baseline harnesses (bl_objrt.c, bl_memo.c,
** bl_calc.c), which are what a user would write without ouroboros.
**
** Reads past the end yield zeros and empty strings, so every input decodes.
*/
#ifndef BL_INPUT_H
#define BL_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct bl_input {
    const uint8_t *p;
    size_t n;
} bl_input;

/* 1 while unread bytes remain. */
int bl_more(const bl_input *in);
/* The next byte, or 0 at the end. */
uint8_t bl_byte(bl_input *in);
/* An integer in [lo, hi] from the next two bytes. */
int64_t bl_int(bl_input *in, int64_t lo, int64_t hi);
/* A length-prefixed byte string of at most max bytes, borrowed from the input; *len is
   its length (the input may end first). */
const uint8_t *bl_bytes(bl_input *in, size_t max, size_t *len);

#endif
