/*
** ou_report_line.c: the kit's report line read back with Jansson (see ou_report_line.h).
*/
#include "harness/util/ou_report_line.h"

#include <string.h>

static const char MARK[] = "==ouroboros-json== ";

json_t *ou_report_line(const char *text)
{
    const char *p = strstr(text, MARK);
    if (!p)
        return NULL;
    p += sizeof MARK - 1;
    json_t *root = json_loadb(p, strcspn(p, "\r\n"), 0, NULL);
    if (json_is_object(root))
        return root;
    json_decref(root);
    return NULL;
}

const char *ou_report_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}
