/*
** ob_pieces.h: byte-string arguments written as repeated pieces, expanded for the
** operation (ob_kit.h, ob_piece). Internal to the program library: the decoder, the
** assembler and the minimizer share one rule for how far a value expands.
*/
#ifndef OB_PIECES_H
#define OB_PIECES_H

#include "ob_kit.h"

#include <stddef.h>

/* The expanded length of v's pieces, saturating at SIZE_MAX. */
size_t ob_pieces_length(const ob_value *v);

/* Lowers v's repeat counts, piece by piece in order, until its expansion fits in
   min(max_len, *budget) bytes, then sets v->bytes and v->len to the expansion and takes
   its length off *budget. A value that is one piece repeated once borrows that piece;
   others are expanded into p->expansions. Returns OB_OK, or OB_ENOMEM. */
ob_status ob_pieces_expand(ob_program *p, size_t max_len, size_t *budget, ob_value *v);

/* v as pieces: its own, or one piece of its first OB_MAX_BYTES_ARG bytes when it has none
   (a value built by hand). Returns how many; out has OB_MAX_PIECES entries. */
uint32_t ob_pieces_of(const ob_value *v, ob_piece *out);

/* 1 when some piece of a byte-string argument of p repeats at least twice. */
int ob_program_repeats(const ob_program *p);

/* p encoded with every repeat count of two or more times num / den (at least 1): the same
   program with its repeated structure scaled. *out is malloc'd. Returns OB_OK or
   OB_ENOMEM. Decoding the result lowers counts to the limits again (ob_pieces_expand). */
ob_status ob_program_rescaled(const ob_program *p, uint32_t num, uint32_t den, uint8_t **out,
                              size_t *size);

/* 1 when a limit cut scaled, p rescaled by num / den and decoded: its expansion grew by
   less than three quarters of that factor, so it does not measure the scale. */
int ob_program_rescale_cut(const ob_program *p, const ob_program *scaled, uint32_t num,
                           uint32_t den);

/* The expanded bytes of all of p's byte-string arguments. */
size_t ob_program_expanded(const ob_program *p);

/* Frees p->expansions. */
void ob_pieces_free(ob_program *p);

#endif
