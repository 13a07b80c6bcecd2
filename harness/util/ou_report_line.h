/*
** ou_report_line.h: the kit's finding report as tools read it back (//harness/util:
** report_line, for the campaign and the benchmark, which link Jansson; the kit does not).
**
** Every finding the kit reports ends with one line `==ouroboros-json== {...}`: class,
** signature, slug, message, frames [{func, file, line, project}], gauges and program
** (harness/kit/ob_report.h). When one input causes several reports (a hang after a
** sanitizer's report), the first is the cause.
*/
#ifndef OU_REPORT_LINE_H
#define OU_REPORT_LINE_H

#include <jansson.h>

/* The first report line's object in text (a process's output), parsed: a new reference
   the caller drops with json_decref. NULL when text has no such line or it is not a JSON
   object. */
json_t *ou_report_line(const char *text);

/* The string member `key` of a JSON object (a report's, or any other), or "" when obj is
   NULL or the member is absent or not a string; borrowed from obj. */
const char *ou_report_str(const json_t *obj, const char *key);

#endif
