/* Prints targets/DEFECTS.md; with a path argument, writes it there atomically. */
#include "tg_defects.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return tg_defects_write_markdown(stdout) ? 1 : 0;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        perror(tmp);
        return 1;
    }
    int rc = tg_defects_write_markdown(f);
    if (fclose(f) || rc || rename(tmp, argv[1])) {
        perror(argv[1]);
        remove(tmp);
        return 1;
    }
    return 0;
}
