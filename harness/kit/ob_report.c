/*
** ob_report.c: the report block of a finding, for people and for tools.
**
** The human block and the JSON line carry the same facts. The JSON line is valid JSON
** whatever the bytes: strings escape quotes, backslashes and control characters, and a
** byte that is not part of valid UTF-8 becomes \u00XX (read as Latin-1), so a mangled
** function name or message never breaks a campaign's parser.
*/
#define _GNU_SOURCE
#include "ob_report.h"

#include <stdlib.h>
#include <string.h>

/* A report without a class is caller misuse; it still prints, as "unknown". */
static const char *klass_of(const ob_report *r)
{
    return r->klass != NULL ? r->klass : "unknown";
}

void ob_report_sign(ob_report *r)
{
    ob_signature(klass_of(r), &r->stack, r->signature, sizeof r->signature, r->slug);
}

/* The program's text form, malloc'd (caller frees), or NULL without a program or memory. */
static char *program_text(const ob_program *p)
{
    char *buf = NULL;
    size_t len = 0;
    if (p == NULL)
        return NULL;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    int rc = ob_program_print(p, f);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- the human block ---- */

static void write_frames(FILE *out, const ob_stack *s)
{
    fputs("stack:\n", out);
    for (unsigned i = 0; i < s->n; i++) {
        const ob_frame *f = &s->frames[i];
        fprintf(out, "  #%u %c %s %s:%d\n", i, ob_frame_is_project(f) ? '*' : ' ', f->func,
                f->file[0] ? f->file : "?", f->line);
    }
}

static void write_block(FILE *out, const ob_report *r, const char *program)
{
    size_t mlen = strlen(r->message);
    fprintf(out, "==ouroboros== FINDING %s\n", klass_of(r));
    fprintf(out, "signature: %s (%s)\n", r->signature, r->slug);
    fputs(r->message, out);
    if (mlen == 0 || r->message[mlen - 1] != '\n')
        fputc('\n', out);
    write_frames(out, &r->stack);
    if (r->ngauges > 0)
        fputs("gauges:\n", out);
    for (unsigned i = 0; i < r->ngauges; i++)
        fprintf(out, "  %s %lld -> %lld\n", r->gauges[i].name, (long long)r->gauges[i].before,
                (long long)r->gauges[i].after);
    if (program != NULL)
        fprintf(out, "program:\n%s", program);
    fputs("==ouroboros== END\n", out);
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. Rejects overlong
   forms, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (s[0] < 0xc2 || s[0] > 0xf4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return len;
}

static void json_char(FILE *out, unsigned char c)
{
    static const char short_forms[] = "\"\"\\\\\bb\ff\nn\rr\tt";
    for (const char *p = short_forms; *p; p += 2) {
        if ((unsigned char)p[0] == c) {
            fputc('\\', out);
            fputc(p[1], out);
            return;
        }
    }
    if (c < 0x20 || c >= 0x7f)
        fprintf(out, "\\u%04x", c);
    else
        fputc(c, out);
}

static void json_string(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        size_t len = s[i] >= 0x80 ? utf8_len(s + i, n - i) : 0;
        if (len > 0) {
            fwrite(s + i, 1, len, out);
            i += len;
        } else {
            json_char(out, s[i++]);
        }
    }
    fputc('"', out);
}

static void json_field(FILE *out, const char *name, const char *value, int comma)
{
    fprintf(out, "%s\"%s\":", comma ? "," : "", name);
    json_string(out, value);
}

static void json_frames(FILE *out, const ob_stack *s)
{
    fputs(",\"frames\":[", out);
    for (unsigned i = 0; i < s->n; i++) {
        const ob_frame *f = &s->frames[i];
        fputs(i ? ",{" : "{", out);
        json_field(out, "func", f->func, 0);
        json_field(out, "file", f->file, 1);
        fprintf(out, ",\"line\":%d,\"project\":%s}", f->line,
                ob_frame_is_project(f) ? "true" : "false");
    }
    fputc(']', out);
}

static void json_gauges(FILE *out, const ob_report *r)
{
    fputs(",\"gauges\":[", out);
    for (unsigned i = 0; i < r->ngauges; i++) {
        fputs(i ? ",{" : "{", out);
        json_field(out, "name", r->gauges[i].name, 0);
        fprintf(out, ",\"before\":%lld,\"after\":%lld}", (long long)r->gauges[i].before,
                (long long)r->gauges[i].after);
    }
    fputc(']', out);
}

static void write_json(FILE *out, const ob_report *r, const char *program)
{
    fputs("==ouroboros-json== {", out);
    json_field(out, "class", klass_of(r), 0);
    json_field(out, "signature", r->signature, 1);
    json_field(out, "slug", r->slug, 1);
    json_field(out, "message", r->message, 1);
    json_frames(out, &r->stack);
    json_gauges(out, r);
    if (program != NULL)
        json_field(out, "program", program, 1);
    else
        fputs(",\"program\":null", out);
    fputs("}\n", out);
}

int ob_report_write(FILE *out, const ob_report *r)
{
    char *program = program_text(r->program);
    write_block(out, r, program);
    write_json(out, r, program);
    free(program);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
