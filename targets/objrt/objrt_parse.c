/*
** objrt_parse.c: the literal parser, recursive descent with one C frame pair per bracket
** level, so the nesting limit (objrt_depth_limit) is what bounds its stack use. Objects are
** built through the public API; on any error everything built so far is released.
*/
#include "targets/objrt/objrt_impl.h"

typedef struct parser {
    const char *start, *p, *end;
} parser;

static int parse_value(parser *ps, unsigned depth, objrt_obj **out);

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static bool at(parser *ps, char c)
{
    skip_ws(ps);
    return ps->p < ps->end && *ps->p == c;
}

static int parse_enter(unsigned depth, const char *where)
{
#ifdef OBJRT_DEFECT_PARSE_NO_LIMIT
    (void)where;
    ort_note_depth(depth);
    return OBJRT_OK;
#else
    return ort_enter(depth, where);
#endif
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int parse_int(parser *ps, objrt_obj **out)
{
    bool neg = *ps->p == '-';
    uint64_t mag = 0, max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    ps->p += neg;
    if (ps->p == ps->end || !is_digit(*ps->p))
        return OBJRT_ESYNTAX;
    for (; ps->p < ps->end && is_digit(*ps->p); ps->p++) {
        unsigned d = (unsigned)(*ps->p - '0');
        if (mag > (max - d) / 10)
            return OBJRT_ESYNTAX;
        mag = mag * 10 + d;
    }
    int64_t v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    return objrt_int_new(v, out);
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes one escape after the backslash at *p; returns the byte or -1. */
static int unescape(const char **p, const char *end)
{
    char c = *(*p)++;
    switch (c) {
    case '"':
    case '\\':
        return c;
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case 'x':
        if (end - *p < 2 || hex_value((*p)[0]) < 0 || hex_value((*p)[1]) < 0)
            return -1;
        *p += 2;
        return hex_value((*p)[-2]) * 16 + hex_value((*p)[-1]);
    default:
        return -1;
    }
}

/* Decodes the literal into buf (at least as long as the source); returns the byte count,
   leaving ps->p after the closing quote, or SIZE_MAX on a syntax error. */
static size_t decode_str(parser *ps, char *buf)
{
    size_t n = 0;
    const char *p = ps->p + 1;
    while (p < ps->end && *p != '"') {
        int c = (unsigned char)*p++;
        if (c == '\\')
            c = p < ps->end ? unescape(&p, ps->end) : -1;
        if (c < 0) {
            ps->p = p;
            return SIZE_MAX;
        }
        buf[n++] = (char)c;
    }
    if (p == ps->end)
        return SIZE_MAX;
    ps->p = p + 1;
    return n;
}

/* Bytes from the opening quote to the closing one (or the end): a bound on the decoded size. */
static size_t raw_str_len(const parser *ps)
{
    const char *p = ps->p + 1;
    while (p < ps->end && *p != '"')
        p += *p == '\\' && p + 1 < ps->end ? 2 : 1;
    return (size_t)(p - ps->p);
}

static int parse_str(parser *ps, bool intern, objrt_obj **out)
{
    char *buf = ort_mem_alloc(raw_str_len(ps) + 1);
    if (!buf)
        return OBJRT_ENOMEM;
    size_t n = decode_str(ps, buf);
    int rc = n == SIZE_MAX ? OBJRT_ESYNTAX
                           : (intern ? objrt_str_intern(buf, n, out) : objrt_str_new(buf, n, out));
    ort_mem_free(buf);
    return rc;
}

/* Returns what stopped the container, after releasing it (the seeded defect keeps it). */
static int parse_fail(objrt_obj *container, int rc)
{
#ifdef OBJRT_DEFECT_PARSE_OOM_LEAK
    if (rc == OBJRT_ENOMEM)
        return rc;
#endif
    objrt_decref(container);
    return rc;
}

/* After an item: a ',' (then maybe the closer) or the closer. *done = closer seen. */
static int parse_separator(parser *ps, char closer, bool *done)
{
    if (at(ps, ',')) {
        ps->p++;
        *done = at(ps, closer);
    } else if (at(ps, closer)) {
        *done = true;
    } else {
        return OBJRT_ESYNTAX;
    }
    ps->p += *done;
    return OBJRT_OK;
}

static int parse_list(parser *ps, unsigned depth, objrt_obj **out)
{
    objrt_obj *l;
    int rc = parse_enter(depth, "objrt.parse.list");
    if (rc || (rc = objrt_list_new(&l)) != OBJRT_OK)
        return rc;
    ps->p++;
    bool done = at(ps, ']');
    ps->p += done;
    while (!done) {
        objrt_obj *item;
        if ((rc = parse_value(ps, depth + 1, &item)) != OBJRT_OK)
            return parse_fail(l, rc);
        rc = objrt_list_append(l, item);
        objrt_decref(item);
        if (rc || (rc = parse_separator(ps, ']', &done)) != OBJRT_OK)
            return parse_fail(l, rc);
    }
    *out = l;
    return OBJRT_OK;
}

static int parse_key(parser *ps, unsigned depth, objrt_obj **out)
{
    if (at(ps, '"'))
        return parse_str(ps, true, out);
    const char *start = ps->p;
    int rc = parse_value(ps, depth, out);
    if (rc == OBJRT_OK && !ort_dict_key_ok(*out)) {
        objrt_decref(*out);
        *out = NULL;
        ps->p = start;
        rc = OBJRT_ETYPE;
    }
    return rc;
}

static int parse_entry(parser *ps, objrt_obj *d, unsigned depth)
{
    objrt_obj *key, *value;
    int rc = parse_key(ps, depth, &key);
    if (rc)
        return rc;
    if (!at(ps, ':')) {
        objrt_decref(key);
        return OBJRT_ESYNTAX;
    }
    ps->p++;
    rc = parse_value(ps, depth, &value);
    if (rc == OBJRT_OK) {
        rc = objrt_dict_set(d, key, value);
        objrt_decref(value);
    }
    objrt_decref(key);
    return rc;
}

static int parse_dict(parser *ps, unsigned depth, objrt_obj **out)
{
    objrt_obj *d;
    int rc = parse_enter(depth, "objrt.parse.dict");
    if (rc || (rc = objrt_dict_new(&d)) != OBJRT_OK)
        return rc;
    ps->p++;
    bool done = at(ps, '}');
    ps->p += done;
    while (!done) {
        if ((rc = parse_entry(ps, d, depth + 1)) != OBJRT_OK)
            return parse_fail(d, rc);
        if ((rc = parse_separator(ps, '}', &done)) != OBJRT_OK)
            return parse_fail(d, rc);
    }
    *out = d;
    return OBJRT_OK;
}

static int parse_value(parser *ps, unsigned depth, objrt_obj **out)
{
    *out = NULL;
    skip_ws(ps);
    if (ps->p == ps->end)
        return OBJRT_ESYNTAX;
    char c = *ps->p;
    if (c == '[')
        return parse_list(ps, depth, out);
    if (c == '{')
        return parse_dict(ps, depth, out);
    if (c == '"')
        return parse_str(ps, false, out);
    if (c == '-' || is_digit(c))
        return parse_int(ps, out);
    return OBJRT_ESYNTAX;
}

int objrt_parse(const char *text, size_t len, objrt_obj **out, size_t *err_offset)
{
    if (!out)
        return OBJRT_EINVAL;
    *out = NULL;
    if (!text && len)
        return OBJRT_EINVAL;
    if (!text)
        text = "";
    parser ps = {text, text, text + len};
    int rc = parse_value(&ps, 1, out);
    if (rc == OBJRT_OK && (skip_ws(&ps), ps.p != ps.end)) {
        objrt_decref(*out);
        *out = NULL;
        rc = OBJRT_ESYNTAX;
    }
    if (rc && err_offset)
        *err_offset = (size_t)(ps.p - ps.start);
    return rc;
}
