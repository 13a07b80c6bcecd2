/*
** ob_saved.h: the fingerprint trailer of saved inputs (ob_program_save). Internal to the
** program library: the decoder drops the trailer and notes a stale one.
*/
#ifndef OB_SAVED_H
#define OB_SAVED_H

#include "ob_kit.h"

#include <stddef.h>
#include <stdint.h>

/* The size of data without a trailer at its end (size itself when it has none). A
   trailer of another table sets p->stale and p->saved_fingerprint. */
size_t ob_saved_strip(const ob_target *t, const uint8_t *data, size_t size, ob_program *p);

#endif
