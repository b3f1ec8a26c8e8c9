/* json.c -- streaming JSON writer: indented, escaped, always valid. */
#include "vo2snn/json.h"

#include <math.h>

static int start_value(vs_json *j, const char *key);
static void open_container(vs_json *j, const char *key, int is_array);
static void put_number(FILE *f, double v);
static void put_string(FILE *f, const char *s);

void vs_json_begin(vs_json *j, FILE *f)
{
    j->f = f;
    j->depth = 1;
    j->count[0] = 0;
    j->is_array[0] = 0;
    putc('{', f);
}

void vs_json_num(vs_json *j, const char *key, double v)
{
    if (start_value(j, key)) put_number(j->f, v);
}

void vs_json_int(vs_json *j, const char *key, long long v)
{
    if (start_value(j, key)) fprintf(j->f, "%lld", v);
}

void vs_json_str(vs_json *j, const char *key, const char *s)
{
    if (!start_value(j, key)) return;
    if (s)
        put_string(j->f, s);
    else
        fputs("null", j->f);
}

void vs_json_bool(vs_json *j, const char *key, int v)
{
    if (start_value(j, key)) fputs(v ? "true" : "false", j->f);
}

void vs_json_null(vs_json *j, const char *key)
{
    if (start_value(j, key)) fputs("null", j->f);
}

void vs_json_nums(vs_json *j, const char *key, const double *v, size_t n)
{
    if (!start_value(j, key)) return;
    putc('[', j->f);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) fputs(", ", j->f);
        put_number(j->f, v[i]);
    }
    putc(']', j->f);
}

void vs_json_strs(vs_json *j, const char *key, const char *const *s, size_t n)
{
    if (!start_value(j, key)) return;
    putc('[', j->f);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) fputs(", ", j->f);
        if (s[i])
            put_string(j->f, s[i]);
        else
            fputs("null", j->f);
    }
    putc(']', j->f);
}

void vs_json_object(vs_json *j, const char *key) { open_container(j, key, 0); }

void vs_json_array(vs_json *j, const char *key) { open_container(j, key, 1); }

void vs_json_close(vs_json *j)
{
    if (j->depth > VS_JSON_MAX_DEPTH) { /* closing a dropped container */
        j->depth--;
        return;
    }
    if (j->depth <= 0) return;
    int d = j->depth - 1;
    if (j->count[d] > 0) {
        putc('\n', j->f);
        for (int i = 0; i < d; i++) fputs("  ", j->f);
    }
    putc(j->is_array[d] ? ']' : '}', j->f);
    j->depth--;
}

void vs_json_end(vs_json *j)
{
    if (j->depth <= 0) return;
    while (j->depth > 0) vs_json_close(j);
    putc('\n', j->f);
}

/* ---- helpers ---------------------------------------------------------- */

/* Write the separator, indentation and (in objects) the key of the next
 * value. Returns 0 if the value must be dropped (not begun, or too deep). */
static int start_value(vs_json *j, const char *key)
{
    if (j->depth <= 0 || j->depth > VS_JSON_MAX_DEPTH) return 0;
    int d = j->depth - 1;
    if (j->count[d]++ > 0) putc(',', j->f);
    putc('\n', j->f);
    for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
    if (!j->is_array[d]) {
        put_string(j->f, key ? key : "");
        fputs(": ", j->f);
    }
    return 1;
}

static void open_container(vs_json *j, const char *key, int is_array)
{
    if (j->depth > VS_JSON_MAX_DEPTH) { /* inside a dropped container */
        j->depth++;
        return;
    }
    if (!start_value(j, key)) return;
    if (j->depth == VS_JSON_MAX_DEPTH) { /* too deep: write null, drop the contents */
        fputs("null", j->f);
        j->depth++;
        return;
    }
    putc(is_array ? '[' : '{', j->f);
    j->count[j->depth] = 0;
    j->is_array[j->depth] = (unsigned char)is_array;
    j->depth++;
}

static void put_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

/* Length of the valid UTF-8 sequence starting at p (lead byte >= 0x80), or 0. */
static int utf8_length(const unsigned char *p)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    int n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90; /* overlong */
        if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (p[1] < lo || p[1] > hi) return 0;
    for (int i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return n;
}

static void put_string(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            putc('\\', f);
            putc((int)c, f);
            p++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            case '\b': fputs("\\b", f); break;
            case '\f': fputs("\\f", f); break;
            default: fprintf(f, "\\u%04x", c); break;
            }
            p++;
        } else if (c < 0x80) {
            putc((int)c, f);
            p++;
        } else {
            int n = utf8_length(p);
            if (n > 0) {
                fwrite(p, 1, (size_t)n, f);
                p += n;
            } else {
                fputs("\\ufffd", f);
                p++;
            }
        }
    }
    putc('"', f);
}
