/* csv.c -- atomic CSV writer and a strict reader for numeric tables. */
#include "vo2snn/csv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "vo2snn/atomic.h"

#define CSV_MAX_LINE 65536 /* bytes per line, not counting the line end */

struct vs_csv {
    vs_afile *af;
    FILE *f; /* borrowed from af */
    int n_cols;
};

static void put_cell(FILE *f, const char *s);

/* ---- writer ----------------------------------------------------------- */

vs_status vs_csv_open(const char *path, const char *const *cols, int n_cols, vs_csv **out)
{
    if (!out) return vs_fail(VS_EINVAL, "vs_csv_open: out is NULL");
    *out = NULL;
    if (!path) return vs_fail(VS_EINVAL, "vs_csv_open: path is NULL");
    if (!cols || n_cols < 1)
        return vs_fail(VS_EINVAL, "cannot write '%s': a CSV file needs at least one column", path);
    for (int i = 0; i < n_cols; i++)
        if (!cols[i]) return vs_fail(VS_EINVAL, "cannot write '%s': column %d has no name", path, i + 1);

    vs_csv *w = calloc(1, sizeof *w);
    if (!w) return vs_fail(VS_ENOMEM, "cannot write '%s': out of memory", path);
    vs_status s = vs_afile_open(path, &w->af);
    if (s != VS_OK) {
        free(w);
        return s;
    }
    w->f = vs_afile_stream(w->af);
    w->n_cols = n_cols;
    vs_csv_row_text(w, cols);
    s = vs_afile_check(w->af);
    if (s != VS_OK) {
        vs_csv_abort(w);
        return s;
    }
    *out = w;
    return VS_OK;
}

static void put_numbers(FILE *f, const double *vals, int n)
{
    for (int i = 0; i < n; i++) {
        if (i > 0) putc(',', f);
        if (isnan(vals[i]))
            fputs("nan", f); /* printf may write "-nan" */
        else
            fprintf(f, "%.10g", vals[i]);
    }
}

vs_status vs_csv_row(vs_csv *w, const double *vals)
{
    if (!w || !vals) return vs_fail(VS_EINVAL, "vs_csv_row: no writer or no values");
    put_numbers(w->f, vals, w->n_cols);
    putc('\n', w->f);
    return vs_afile_check(w->af);
}

vs_status vs_csv_row_named(vs_csv *w, const double *vals, const char *name)
{
    if (!w || !vals || !name) return vs_fail(VS_EINVAL, "vs_csv_row_named: no writer, values or name");
    put_numbers(w->f, vals, w->n_cols - 1);
    if (w->n_cols > 1) putc(',', w->f);
    put_cell(w->f, name);
    putc('\n', w->f);
    return vs_afile_check(w->af);
}

vs_status vs_csv_row_text(vs_csv *w, const char *const *cells)
{
    if (!w || !cells) return vs_fail(VS_EINVAL, "vs_csv_row_text: no writer or no cells");
    for (int i = 0; i < w->n_cols; i++) {
        if (i > 0) putc(',', w->f);
        put_cell(w->f, cells[i] ? cells[i] : "");
    }
    putc('\n', w->f);
    return vs_afile_check(w->af);
}

vs_status vs_csv_close(vs_csv *w)
{
    if (!w) return VS_OK;
    vs_status s = vs_afile_commit(w->af);
    free(w);
    return s;
}

void vs_csv_abort(vs_csv *w)
{
    if (!w) return;
    vs_afile_abort(w->af);
    free(w);
}

/* Write s, quoted if it holds a comma, quote or line break, has space at an
 * edge, or starts with '#' (which a reader would take for a comment). */
static void put_cell(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int quote = strpbrk(s, ",\"\r\n") != NULL ||
                (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '#' || s[n - 1] == ' ' ||
                           s[n - 1] == '\t'));
    if (!quote) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"') putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

/* ---- reader ----------------------------------------------------------- */

typedef struct line_reader {
    FILE *f;
    const char *path;
    long line_no; /* of the line in buf, 1-based */
    char *buf;    /* CSV_MAX_LINE + 2 bytes */
} line_reader;

typedef struct cell_list {
    char **cell;
    int n, cap;
} cell_list;

static vs_status read_line(line_reader *r, int *got);
static vs_status split_cells(const line_reader *r, cell_list *cl);
static vs_status classify_first_row(const line_reader *r, const cell_list *cl, int *is_header);
static vs_status copy_names(const cell_list *cl, vs_table *t, const char *path);
static vs_status append_row(const line_reader *r, const cell_list *cl, vs_table *t,
                            size_t *cap_rows);

vs_status vs_table_load(const char *path, vs_table *out)
{
    if (!out) return vs_fail(VS_EINVAL, "vs_table_load: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path) return vs_fail(VS_EINVAL, "vs_table_load: path is NULL");

    line_reader r = {.path = path};
    r.f = fopen(path, "rb");
    if (!r.f) return vs_fail(VS_EIO, "cannot read '%s': %s", path, strerror(errno));
    cell_list cl = {0};
    size_t cap_rows = 0;
    vs_status s = VS_OK;
    r.buf = malloc(CSV_MAX_LINE + 2);
    if (!r.buf) {
        s = vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
        goto done;
    }

    for (;;) {
        int got;
        if ((s = read_line(&r, &got)) != VS_OK || !got) break;
        const char *p = r.buf;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0' || *p == '#') continue;

        if ((s = split_cells(&r, &cl)) != VS_OK) break;
        if (out->n_cols == 0) {
            int is_header;
            out->n_cols = cl.n;
            if ((s = classify_first_row(&r, &cl, &is_header)) != VS_OK) break;
            if (is_header) {
                if ((s = copy_names(&cl, out, path)) != VS_OK) break;
                continue;
            }
        }
        if ((s = append_row(&r, &cl, out, &cap_rows)) != VS_OK) break;
    }
    if (s == VS_OK && out->n_rows == 0) s = vs_fail(VS_EFORMAT, "%s: no data rows", path);

done:
    fclose(r.f);
    free(r.buf);
    free(cl.cell);
    if (s != VS_OK) vs_table_free(out);
    return s;
}

void vs_table_free(vs_table *t)
{
    if (!t) return;
    if (t->names)
        for (int i = 0; i < t->n_cols; i++) free(t->names[i]);
    free(t->names);
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* Read the next line into r->buf without its line end (and without a byte-order mark that
   starts the file: it is invisible, not part of a cell). *got = 0 at EOF. */
static vs_status read_line(line_reader *r, int *got)
{
    size_t n = 0;
    int c, bom_skipped = 0;
    *got = 0;
    while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
        if (c == '\0')
            return vs_fail(VS_EFORMAT, "%s:%ld: NUL byte (is this a text file?)", r->path,
                           r->line_no + 1);
        if (n > CSV_MAX_LINE) /* one spare byte for a '\r' */
            return vs_fail(VS_EFORMAT, "%s:%ld: line is longer than %d bytes", r->path,
                           r->line_no + 1, CSV_MAX_LINE);
        r->buf[n++] = (char)c;
        if (n == 3 && r->line_no == 0 && !bom_skipped && vs_starts_with_bom(r->buf))
            n = 0, bom_skipped = 1;
    }
    if (c == EOF && ferror(r->f))
        return vs_fail(VS_EIO, "cannot read '%s': %s", r->path, strerror(errno));
    if (c == EOF && n == 0) return VS_OK;
    if (n > 0 && r->buf[n - 1] == '\r') n--;
    if (n > CSV_MAX_LINE)
        return vs_fail(VS_EFORMAT, "%s:%ld: line is longer than %d bytes", r->path,
                       r->line_no + 1, CSV_MAX_LINE);
    r->buf[n] = '\0';
    r->line_no++;
    *got = 1;
    return VS_OK;
}

static vs_status push_cell(cell_list *cl, char *cell, const line_reader *r)
{
    if (cl->n == cl->cap) {
        int cap = cl->cap ? 2 * cl->cap : 16;
        char **grown = realloc(cl->cell, (size_t)cap * sizeof *grown);
        if (!grown) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", r->path);
        cl->cell = grown, cl->cap = cap;
    }
    cl->cell[cl->n++] = cell;
    return VS_OK;
}

/* Split r->buf in place into trimmed, unquoted cells. */
static vs_status split_cells(const line_reader *r, cell_list *cl)
{
    cl->n = 0;
    char *p = r->buf;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        char *cell = p, *w = p;
        if (*p == '"') { /* quoted: "" is a literal quote */
            for (p++;; p++) {
                if (*p == '\0')
                    return vs_fail(VS_EFORMAT, "%s:%ld: unterminated quote", r->path, r->line_no);
                if (*p == '"' && p[1] != '"') break;
                if (*p == '"') p++;
                *w++ = *p;
            }
            p++;
            while (*p == ' ' || *p == '\t') p++;
            if (*p != ',' && *p != '\0')
                return vs_fail(VS_EFORMAT, "%s:%ld: unexpected text after a quoted cell",
                               r->path, r->line_no);
        } else {
            while (*p != ',' && *p != '\0') p++;
            w = p;
            while (w > cell && (w[-1] == ' ' || w[-1] == '\t')) w--;
        }
        int last = *p == '\0';
        *w = '\0';
        vs_status s = push_cell(cl, cell, r);
        if (s != VS_OK) return s;
        if (last) return VS_OK;
        p++;
    }
}

static int parse_number(const char *s, double *v)
{
    if (!*s) return 0;
    char *end;
    *v = strtod(s, &end);
    return *end == '\0';
}

/*
 * The first row is a header if every cell is text (non-empty, not a number), data if
 * every cell is a number; a row that mixes them ("0,O", a typo in a data row) is an
 * error, not a header that would silently drop the row.
 */
static vs_status classify_first_row(const line_reader *r, const cell_list *cl, int *is_header)
{
    int number = -1, text = -1, empty = -1; /* first column of each kind */
    double v;
    for (int i = 0; i < cl->n; i++) {
        int *kind = !*cl->cell[i] ? &empty : parse_number(cl->cell[i], &v) ? &number : &text;
        if (*kind < 0) *kind = i;
    }
    *is_header = number < 0;
    if (text >= 0 && vs_starts_with_bom(cl->cell[text]))
        return vs_fail(VS_EFORMAT, "%s:%ld: column %d starts with an invisible byte-order mark "
                                   "(U+FEFF); remove it", r->path, r->line_no, text + 1);
    if (number >= 0 && text >= 0)
        return vs_fail(VS_EFORMAT,
                       "%s:%ld: '%.80s' in column %d is not a number, but '%.80s' in column %d "
                       "is (a header row must be text in every column)",
                       r->path, r->line_no, cl->cell[text], text + 1, cl->cell[number], number + 1);
    if (number < 0 && empty >= 0)
        return vs_fail(VS_EFORMAT, "%s:%ld: header cell %d is empty (a header row must be text "
                                   "in every column)", r->path, r->line_no, empty + 1);
    return VS_OK;
}

static vs_status copy_names(const cell_list *cl, vs_table *t, const char *path)
{
    size_t n = cl->n > 0 ? (size_t)cl->n : 1; /* split_cells gives at least one cell */
    t->names = calloc(n, sizeof *t->names);
    if (!t->names) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
    for (int i = 0; i < cl->n; i++)
        if (!(t->names[i] = strdup(cl->cell[i])))
            return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
    return VS_OK;
}

static vs_status append_row(const line_reader *r, const cell_list *cl, vs_table *t,
                            size_t *cap_rows)
{
    if (cl->n != t->n_cols)
        return vs_fail(VS_EFORMAT, "%s:%ld: expected %d column%s, found %d", r->path, r->line_no,
                       t->n_cols, t->n_cols == 1 ? "" : "s", cl->n);
    if (t->n_rows == *cap_rows) {
        size_t cap = *cap_rows ? 2 * *cap_rows : 256;
        if (cap > SIZE_MAX / sizeof(double) / (size_t)t->n_cols)
            return vs_fail(VS_ENOMEM, "cannot read '%s': too many rows", r->path);
        double *grown = realloc(t->data, cap * (size_t)t->n_cols * sizeof *grown);
        if (!grown) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", r->path);
        t->data = grown, *cap_rows = cap;
    }
    double *row = t->data + t->n_rows * (size_t)t->n_cols;
    for (int i = 0; i < cl->n; i++) {
        const char *c = cl->cell[i];
        if (!*c)
            return vs_fail(VS_EFORMAT, "%s:%ld: empty value in column %d", r->path, r->line_no,
                           i + 1);
        if (vs_starts_with_bom(c))
            return vs_fail(VS_EFORMAT, "%s:%ld: column %d starts with an invisible byte-order "
                                       "mark (U+FEFF); remove it", r->path, r->line_no, i + 1);
        if (!parse_number(c, &row[i]))
            return vs_fail(VS_EFORMAT, "%s:%ld: '%s' is not a number", r->path, r->line_no, c);
        if (!isfinite(row[i]))
            return vs_fail(VS_EFORMAT, "%s:%ld: '%s' is not a finite number", r->path,
                           r->line_no, c);
    }
    t->n_rows++;
    return VS_OK;
}
