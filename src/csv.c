/* csv.c -- atomic CSV writer and a strict reader for numeric tables (cells from csv_cells.c). */
#include "vo2snn/csv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_cells.h"
#include "text.h"
#include "vo2snn/atomic.h"

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

static vs_status classify_first_row(const vs_csv_cells *r, int *is_header);
static vs_status copy_names(const vs_csv_cells *r, vs_table *t);
static vs_status append_row(const vs_csv_cells *r, vs_table *t, size_t *cap_rows);

vs_status vs_table_load(const char *path, vs_table *out)
{
    if (!out) return vs_fail(VS_EINVAL, "vs_table_load: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path) return vs_fail(VS_EINVAL, "vs_table_load: path is NULL");

    vs_csv_cells r;
    size_t cap_rows = 0;
    int got = 0;
    vs_status s = vs_csv_cells_open(path, &r); /* closing it below is harmless if this failed */
    while (s == VS_OK && (s = vs_csv_cells_next(&r, &got)) == VS_OK && got) {
        if (out->n_cols == 0) {
            int is_header;
            out->n_cols = r.n;
            if ((s = classify_first_row(&r, &is_header)) != VS_OK) break;
            if (is_header) {
                s = copy_names(&r, out);
                continue;
            }
        }
        s = append_row(&r, out, &cap_rows);
    }
    if (s == VS_OK && out->n_rows == 0) s = vs_fail(VS_EFORMAT, "%s: no data rows", path);

    vs_csv_cells_close(&r);
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
static vs_status classify_first_row(const vs_csv_cells *r, int *is_header)
{
    int number = -1, text = -1, empty = -1; /* first column of each kind */
    double v;
    for (int i = 0; i < r->n; i++) {
        int *kind = !*r->cell[i] ? &empty : parse_number(r->cell[i], &v) ? &number : &text;
        if (*kind < 0) *kind = i;
    }
    *is_header = number < 0;
    if (text >= 0 && vs_starts_with_bom(r->cell[text]))
        return vs_fail(VS_EFORMAT, "%s:%ld: column %d starts with an invisible byte-order mark "
                                   "(U+FEFF); remove it", r->path, r->line_no, text + 1);
    if (number >= 0 && text >= 0)
        return vs_fail(VS_EFORMAT,
                       "%s:%ld: '%.80s' in column %d is not a number, but '%.80s' in column %d "
                       "is (a header row must be text in every column)",
                       r->path, r->line_no, r->cell[text], text + 1, r->cell[number], number + 1);
    if (number < 0 && empty >= 0)
        return vs_fail(VS_EFORMAT, "%s:%ld: header cell %d is empty (a header row must be text "
                                   "in every column)", r->path, r->line_no, empty + 1);
    return VS_OK;
}

static vs_status copy_names(const vs_csv_cells *r, vs_table *t)
{
    size_t n = r->n > 0 ? (size_t)r->n : 1; /* vs_csv_cells_next gives at least one cell */
    t->names = calloc(n, sizeof *t->names);
    if (!t->names) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", r->path);
    for (int i = 0; i < r->n; i++)
        if (!(t->names[i] = strdup(r->cell[i])))
            return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", r->path);
    return VS_OK;
}

static vs_status append_row(const vs_csv_cells *r, vs_table *t, size_t *cap_rows)
{
    if (r->n != t->n_cols)
        return vs_fail(VS_EFORMAT, "%s:%ld: expected %d column%s, found %d", r->path, r->line_no,
                       t->n_cols, t->n_cols == 1 ? "" : "s", r->n);
    if (t->n_rows == *cap_rows) {
        size_t cap = *cap_rows ? 2 * *cap_rows : 256;
        if (cap > SIZE_MAX / sizeof(double) / (size_t)t->n_cols)
            return vs_fail(VS_ENOMEM, "cannot read '%s': too many rows", r->path);
        double *grown = realloc(t->data, cap * (size_t)t->n_cols * sizeof *grown);
        if (!grown) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", r->path);
        t->data = grown, *cap_rows = cap;
    }
    double *row = t->data + t->n_rows * (size_t)t->n_cols;
    for (int i = 0; i < r->n; i++) {
        const char *c = r->cell[i];
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
