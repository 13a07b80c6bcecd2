/*
** ob_report.c: the report block of a finding, for people and for tools.
**
** The human block and the JSON line carry the same facts. The JSON line is valid JSON
** whatever the bytes: every string goes through ou_json_string, which escapes quotes,
** backslashes and control characters and turns a byte that is not part of valid UTF-8
** into \u00XX (read as Latin-1), so a mangled function name or message never breaks a
** campaign's parser.
*/
#define _GNU_SOURCE
#include "ob_report.h"
#include "harness/util/ou_util.h"

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

static void json_field(FILE *out, const char *name, const char *value, int comma)
{
    fprintf(out, "%s\"%s\":", comma ? "," : "", name);
    ou_json_string(out, value);
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
