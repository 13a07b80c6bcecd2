/*
** cp_path.c: the campaign's paths, formatted into buffers of the caller; one too long for
** its buffer is an error, never a truncated path that names another file.
*/
#include "cp_driver.h"

#include <stdarg.h>
#include <stdio.h>

int cp_path(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len) {
        fprintf(stderr, "campaign: path too long: %s\n", buf);
        return -1;
    }
    return 0;
}
