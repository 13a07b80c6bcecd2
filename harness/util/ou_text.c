/*
** ou_text.c: bytes of unknown encoding written as valid UTF-8 text: in JSON strings, or
** through a caller's escaping of the bytes that are not UTF-8 (see ou_util.h).
*/
#include "harness/util/ou_util.h"

#include <string.h>

size_t ou_utf8_len(const unsigned char *s, size_t n)
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

void ou_utf8_write(FILE *out, const char *text, void (*byte)(FILE *out, unsigned char c))
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t len = s[i] >= 0x80 ? ou_utf8_len(s + i, n - i) : 0;
        if (len > 0) {
            fwrite(s + i, 1, len, out);
            i += len;
        } else {
            byte(out, s[i++]);
        }
    }
}

static void json_byte(FILE *out, unsigned char c)
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

void ou_json_string(FILE *out, const char *text)
{
    fputc('"', out);
    ou_utf8_write(out, text, json_byte);
    fputc('"', out);
}

void ou_latin1_byte(FILE *out, unsigned char c)
{
    if (c < 0x80) {
        fputc(c, out);
        return;
    }
    fputc(0xc0 | (c >> 6), out);
    fputc(0x80 | (c & 0x3f), out);
}
