#include "tg_defects.h"

static const tg_defect catalog[] = {
#define OB_DEFECT(id, target, macro, klass, summary) {#id, #target, #macro, klass, summary},
#include "targets/defects.def"
#undef OB_DEFECT
};

enum {
#define OB_DEFECT(id, target, macro, klass, summary) TG_DEFECT_##id,
#include "targets/defects.def"
#undef OB_DEFECT
    TG_DEFECT_COUNT
};

/* The targets issue asks for at least thirteen seeded defects. */
_Static_assert(TG_DEFECT_COUNT >= 13, "the catalog lost a defect");

const tg_defect *tg_defects(size_t *count)
{
    *count = TG_DEFECT_COUNT;
    return catalog;
}

int tg_defects_write_markdown(FILE *out)
{
    fputs("# Seeded defects\n\n"
          "Generated from `targets/defects.def` by `bazel run //targets:defects_md`; "
          "`//tests/targets:defects_md_test` fails when the two differ.\n"
          "Each switch is off in clean builds; every target's BUILD has one library variant "
          "per defect (`//targets/<target>:<id>`) with the switch defined.\n\n"
          "| id | target | switch | class | bug |\n"
          "| --- | --- | --- | --- | --- |\n",
          out);
    for (size_t i = 0; i < TG_DEFECT_COUNT; i++) {
        const tg_defect *d = &catalog[i];
        fprintf(out, "| `%s` | %s | `-D%s` | %s | %s |\n", d->id, d->target, d->macro, d->klass,
                d->summary);
    }
    return ferror(out) ? -1 : 0;
}
