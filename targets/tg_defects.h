/*
** tg_defects.h: the seeded-defect catalog (defects.def) as data, for tools and tests.
*/
#ifndef TG_DEFECTS_H
#define TG_DEFECTS_H

#include <stddef.h>
#include <stdio.h>

typedef struct tg_defect {
    const char *id;     /* e.g. "objrt_weakref_strong" */
    const char *target; /* "objrt", "memo", "calc" */
    const char *macro;  /* the compile-time switch */
    const char *klass;  /* the finding class the suite must report */
    const char *summary;
} tg_defect;

/* The catalog, in defects.def order; borrowed, static storage. */
const tg_defect *tg_defects(size_t *count);
/* Writes targets/DEFECTS.md's exact text to out. Returns 0, or -1 on a write error. */
int tg_defects_write_markdown(FILE *out);

#endif
