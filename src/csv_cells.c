/* csv_cells.c -- a CSV file as lines of trimmed text cells (see csv_cells.h). */
#include "csv_cells.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static vs_status read_line(vs_csv_cells *r, int *got);
static vs_status split_cells(vs_csv_cells *r);

vs_status vs_csv_cells_open(const char *path, vs_csv_cells *r)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->f = fopen(path, "rb");
    if (!r->f) return vs_fail(VS_EIO, "cannot read '%s': %s", path, strerror(errno));
    r->buf = malloc(VS_CSV_MAX_LINE + 2);
    if (!r->buf) {
        vs_csv_cells_close(r);
        return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
    }
    return VS_OK;
}

vs_status vs_csv_cells_next(vs_csv_cells *r, int *got)
{
    for (;;) {
        vs_status s = read_line(r, got);
        if (s != VS_OK || !*got) return s;
        const char *p = r->buf;
        while (*p == ' ' || *p == '\t') p++;
        if (*p != '\0' && *p != '#') return split_cells(r);
    }
}

void vs_csv_cells_close(vs_csv_cells *r)
{
    if (r->f) fclose(r->f);
    free(r->buf);
    free(r->cell);
    r->f = NULL, r->buf = NULL, r->cell = NULL;
    r->n = r->cap = 0;
}

/* Read the next line into r->buf without its line end (and without a byte-order mark that
   starts the file: it is invisible, not part of a cell). *got = 0 at EOF. */
static vs_status read_line(vs_csv_cells *r, int *got)
{
    size_t n = 0;
    int c, bom_skipped = 0;
    *got = 0;
    while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
        if (c == '\0')
            return vs_fail(VS_EFORMAT, "%s:%ld: NUL byte (is this a text file?)", r->path,
                           r->line_no + 1);
        if (n > VS_CSV_MAX_LINE) /* one spare byte for a '\r' */
            return vs_fail(VS_EFORMAT, "%s:%ld: line is longer than %d bytes", r->path,
                           r->line_no + 1, VS_CSV_MAX_LINE);
        r->buf[n++] = (char)c;
        if (n == 3 && r->line_no == 0 && !bom_skipped && vs_starts_with_bom(r->buf))
            n = 0, bom_skipped = 1;
    }
    if (c == EOF && ferror(r->f))
        return vs_fail(VS_EIO, "cannot read '%s': %s", r->path, strerror(errno));
    if (c == EOF && n == 0) return VS_OK;
    if (n > 0 && r->buf[n - 1] == '\r') n--;
    if (n > VS_CSV_MAX_LINE)
        return vs_fail(VS_EFORMAT, "%s:%ld: line is longer than %d bytes", r->path,
                       r->line_no + 1, VS_CSV_MAX_LINE);
    r->buf[n] = '\0';
    r->line_no++;
    *got = 1;
    return VS_OK;
}

static vs_status push_cell(vs_csv_cells *r, char *cell)
{
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 16;
        char **grown = realloc(r->cell, (size_t)cap * sizeof *grown);
        if (!grown) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", r->path);
        r->cell = grown, r->cap = cap;
    }
    r->cell[r->n++] = cell;
    return VS_OK;
}

/* Split r->buf in place into trimmed, unquoted cells. */
static vs_status split_cells(vs_csv_cells *r)
{
    r->n = 0;
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
        vs_status s = push_cell(r, cell);
        if (s != VS_OK) return s;
        if (last) return VS_OK;
        p++;
    }
}
