/*
** cp_known.c: a harness's known-findings list (known.md beside its corpus). Each entry's
** heading is "## <slug> <class>: <signature>"; the paragraph under it is for people. A
** listed finding is triaged and stored like any other, but counted as known, not new.
*/
#define _POSIX_C_SOURCE 200809L

#include "cp_driver.h"

#include <stdlib.h>
#include <string.h>

/* The text after "## <slug> " on the heading line at p. */
static void heading_text(const char *p, char *why, size_t len)
{
    p += strspn(p, " \t");
    size_t n = strcspn(p, "\r\n");
    if (n >= len)
        n = len - 1;
    memcpy(why, p, n);
    why[n] = 0;
}

/* The rest of the line after "## <slug>" when line is slug's heading, else NULL. */
static const char *heading_of(const char *line, const char *slug)
{
    if (strncmp(line, "## ", 3) != 0)
        return NULL;
    line += 3 + strspn(line + 3, " \t");
    if (strncmp(line, slug, 16) != 0 || (line[16] && !strchr(" \t\r\n", line[16])))
        return NULL;
    return line + 16;
}

int cp_known_listed(const char *known, const char *slug, char *why, size_t len)
{
    if (!*known || strlen(slug) != 16)
        return 0;
    char *text = ou_read_file(known, NULL);
    if (!text)
        return 0;
    const char *rest = NULL;
    for (const char *line = text; line && !rest; line = strchr(line, '\n')) {
        line += *line == '\n';
        rest = heading_of(line, slug);
    }
    if (rest && why && len)
        heading_text(rest, why, len);
    free(text);
    return rest != NULL;
}
