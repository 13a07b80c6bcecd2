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

/* Frees p->expansions. */
void ob_pieces_free(ob_program *p);

#endif
