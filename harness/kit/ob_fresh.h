/*
** ob_fresh.h: fresh arguments (ob_arg_spec.fresh), whose value is new on every run.
** Internal to the kit: the decoder and the printer size the written part of a fresh byte
** string, the runner fills in each run's value.
*/
#ifndef OB_FRESH_H
#define OB_FRESH_H

#include "ob_kit.h"

#include <stdint.h>

/* The hex digits a fresh byte-string argument appends (0 for other arguments). */
uint32_t ob_fresh_digits(const ob_arg_spec *s);
/* The most bytes its written pieces may expand to: max_len less the digits. */
uint32_t ob_written_max(const ob_arg_spec *s);
/* 1 when some argument of op is fresh. */
int ob_fresh_any(const ob_op *op);
/* Copies op's arguments from in to out, giving each fresh one the next value of the
   process-wide counter. Byte strings go into *buf (malloc'd: the caller frees it after
   the call, also on error). Returns OB_OK or OB_ENOMEM. Safe from any thread. */
ob_status ob_fresh_fill(const ob_op *op, const ob_value *in, ob_value *out, uint8_t **buf);

#endif
