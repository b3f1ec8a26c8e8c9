/* kvfile.c -- "key = value" files with '#' comments. */
#include "vo2snn/kvfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define KV_MAX_LINE 4096          /* bytes per line, not counting the line end */

static vs_status read_line(FILE *f, const char *path, int line_no, char *buf, int *got);
static vs_status parse_line(const char *path, char *line, int line_no, vs_kv_visit visit,
                            void *ctx);

vs_status vs_kv_scan(const char *path, vs_kv_visit visit, void *ctx)
{
    if (!path || !visit) return vs_fail(VS_EINVAL, "vs_kv_scan: path or visit is NULL");
    FILE *f = fopen(path, "rb");
    if (!f) return vs_fail(VS_EIO, "cannot read '%s': %s", path, strerror(errno));
    char *buf = malloc(KV_MAX_LINE + 2);
    vs_status s = buf ? VS_OK : vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
    for (int line_no = 1; s == VS_OK; line_no++) {
        int got;
        s = read_line(f, path, line_no, buf, &got);
        if (s != VS_OK || !got) break;
        s = parse_line(path, buf, line_no, visit, ctx);
    }
    fclose(f);
    free(buf);
    return s;
}

/* ---- vs_kv_load: every entry, keys unique (checked through a hash of entry indices) ----- */

typedef struct kv_loader {
    vs_kv *kv;
    int *slot;      /* open addressing: entry index + 1, 0 = empty */
    size_t n_slot;  /* a power of two, at least twice the entries */
} kv_loader;

/* The slot holding key, or the empty slot where it would go. */
static size_t find_slot(const kv_loader *l, const char *key)
{
    size_t mask = l->n_slot - 1, i = (size_t)vs_fnv1a(key) & mask;
    while (l->slot[i] && strcmp(l->kv->entries[l->slot[i] - 1].key, key) != 0) i = (i + 1) & mask;
    return i;
}

static vs_status grow_index(kv_loader *l)
{
    size_t n = l->n_slot ? 2 * l->n_slot : 64;
    int *slot = calloc(n, sizeof *slot);
    if (!slot) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", l->kv->path);
    free(l->slot);
    l->slot = slot, l->n_slot = n;
    for (int i = 0; i < l->kv->n; i++) l->slot[find_slot(l, l->kv->entries[i].key)] = i + 1;
    return VS_OK;
}

static vs_status append_entry(vs_kv *kv, const char *key, const char *value, int line)
{
    if ((kv->n & (kv->n - 1)) == 0) { /* grow at 0, 1, 2, 4, 8, ... */
        size_t cap = kv->n ? 2 * (size_t)kv->n : 1;
        vs_kv_entry *grown = realloc(kv->entries, cap * sizeof *grown);
        if (!grown) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", kv->path);
        kv->entries = grown;
    }
    vs_kv_entry *e = &kv->entries[kv->n];
    e->key = strdup(key);
    e->value = strdup(value);
    e->line = line;
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", kv->path);
    }
    kv->n++;
    return VS_OK;
}

static vs_status load_entry(void *ctx, const char *key, const char *value, int line)
{
    kv_loader *l = ctx;
    if (2 * ((size_t)l->kv->n + 1) > l->n_slot) {
        vs_status s = grow_index(l);
        if (s != VS_OK) return s;
    }
    size_t i = find_slot(l, key);
    if (l->slot[i])
        return vs_fail(VS_EFORMAT, "%s:%d: duplicate key '%s'", l->kv->path, line, key);
    vs_status s = append_entry(l->kv, key, value, line);
    if (s == VS_OK) l->slot[i] = l->kv->n;
    return s;
}

vs_status vs_kv_load(const char *path, vs_kv *out)
{
    if (!out) return vs_fail(VS_EINVAL, "vs_kv_load: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path) return vs_fail(VS_EINVAL, "vs_kv_load: path is NULL");
    if (!(out->path = strdup(path))) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
    kv_loader l = {.kv = out};
    vs_status s = vs_kv_scan(path, load_entry, &l);
    free(l.slot);
    if (s != VS_OK) vs_kv_free(out);
    return s;
}

const vs_kv_entry *vs_kv_find(const vs_kv *kv, const char *key)
{
    if (!kv || !key) return NULL;
    for (int i = 0; i < kv->n; i++)
        if (strcmp(kv->entries[i].key, key) == 0) return &kv->entries[i];
    return NULL;
}

void vs_kv_free(vs_kv *kv)
{
    if (!kv) return;
    for (int i = 0; i < kv->n; i++) {
        free(kv->entries[i].key);
        free(kv->entries[i].value);
    }
    free(kv->entries);
    free(kv->path);
    memset(kv, 0, sizeof *kv);
}

/* ---- helpers ---------------------------------------------------------- */

/* Read one line into buf (KV_MAX_LINE + 2 bytes) without its line end, and without a
   byte-order mark that starts the file (it is invisible, not part of a key). */
static vs_status read_line(FILE *f, const char *path, int line_no, char *buf, int *got)
{
    size_t n = 0;
    int c, bom_skipped = 0;
    *got = 0;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
        if (c == '\0')
            return vs_fail(VS_EFORMAT, "%s:%d: NUL byte (is this a text file?)", path, line_no);
        if (n > KV_MAX_LINE) /* one spare byte for a '\r' */
            return vs_fail(VS_EFORMAT, "%s:%d: line is longer than %d bytes", path, line_no,
                           KV_MAX_LINE);
        buf[n++] = (char)c;
        if (n == 3 && line_no == 1 && !bom_skipped && vs_starts_with_bom(buf))
            n = 0, bom_skipped = 1;
    }
    if (c == EOF && ferror(f)) return vs_fail(VS_EIO, "cannot read '%s': %s", path, strerror(errno));
    if (c == EOF && n == 0) return VS_OK;
    if (n > 0 && buf[n - 1] == '\r') n--;
    if (n > KV_MAX_LINE)
        return vs_fail(VS_EFORMAT, "%s:%d: line is longer than %d bytes", path, line_no,
                       KV_MAX_LINE);
    buf[n] = '\0';
    *got = 1;
    return VS_OK;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Trim [*s, *e) in place; returns the trimmed, NUL-terminated start. */
static char *trim(char *s, char *e)
{
    while (s < e && is_blank(*s)) s++;
    while (e > s && is_blank(e[-1])) e--;
    *e = '\0';
    return s;
}

static int valid_key(const char *k)
{
    int first = 1;
    for (; *k; k++, first = 0) {
        char c = *k;
        int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        int other = (c >= '0' && c <= '9') || c == '.' || c == '-';
        if (!alpha && (first || !other)) return 0;
    }
    return !first;
}

static vs_status invalid_key(const char *path, int line_no, const char *key)
{
    if (vs_starts_with_bom(key))
        return vs_fail(VS_EFORMAT,
                       "%s:%d: key '%s' starts with an invisible byte-order mark (U+FEFF); "
                       "remove it",
                       path, line_no, key + 3);
    return vs_fail(VS_EFORMAT,
                   "%s:%d: '%s' is not a valid key (use letters, digits, '_', '.', '-', "
                   "starting with a letter or '_')",
                   path, line_no, key);
}

static vs_status parse_line(const char *path, char *line, int line_no, vs_kv_visit visit,
                            void *ctx)
{
    char *hash = strchr(line, '#');
    char *end = hash ? hash : line + strlen(line);
    char *eq = memchr(line, '=', (size_t)(end - line));
    if (!eq) {
        if (*trim(line, end) == '\0') return VS_OK; /* blank or comment-only */
        return vs_fail(VS_EFORMAT, "%s:%d: expected 'key = value'", path, line_no);
    }
    char *key = trim(line, eq);
    char *value = trim(eq + 1, end);
    if (!*key) return vs_fail(VS_EFORMAT, "%s:%d: expected 'key = value'", path, line_no);
    if (!valid_key(key)) return invalid_key(path, line_no, key);
    if (!*value) return vs_fail(VS_EFORMAT, "%s:%d: no value for '%s'", path, line_no, key);
    return visit(ctx, key, value, line_no);
}
