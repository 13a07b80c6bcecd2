/*
** cp_report_int.h: what the report writers share. Internal to //tools/campaign:report.
**
** Finding text comes from symbolizers and sanitizer reports, so it may hold any bytes.
** Every writer reads it the same way: valid UTF-8 sequences stay as they are, and a byte
** that is not part of one is read as Latin-1 (ou_utf8_write, as the kit's JSON lines do), so one
*mangled
** name never makes a document invalid. A NULL string is "absent", never a crash.
*/
#ifndef CP_REPORT_INT_H
#define CP_REPORT_INT_H

#if !defined(CP_REPORT_INTERNAL)
#error "cp_report_int.h is internal to the report writers; include cp_campaign.h"
#endif

#include "cp_campaign.h"
#include "harness/util/ou_util.h"

#include <jansson.h>

/* "YYYY-MM-DDTHH:MM:SSZ" for Unix seconds t, into buf (32 bytes are enough). 0, or -1
   with buf "" when t is outside the years 0 to 9999. */
int cp_iso8601(long long t, char *buf, size_t cap);

/* New JSON values (new references; NULL when out of memory). cp_json_text: a string from
   any bytes (see above), JSON null for NULL. cp_json_num: a real, or null when not finite
   (JSON has no NaN). */
json_t *cp_json_text(const char *s);
json_t *cp_json_num(double v);

/* Adds v to an object or array, stealing the reference whatever happens. 0, or -1 when v
   or the container is NULL or the insertion failed; results OR together, so a builder
   checks once at the end. */
int cp_json_set(json_t *obj, const char *key, json_t *v);
int cp_json_push(json_t *arr, json_t *v);

/* o when rc == 0; otherwise drops o and returns NULL. Ends a builder. */
json_t *cp_json_done(json_t *o, int rc);

/* Writes root (indented, then a newline) to out and flushes it; drops root, which may be
   NULL (out of memory: nothing is written). 0, or -1 on any failure. */
int cp_json_dump(json_t *root, FILE *out);

#endif
