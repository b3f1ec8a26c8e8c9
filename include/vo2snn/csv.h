/*
 * csv.h -- write CSV files atomically; read numeric CSV tables.
 *
 * Writer: a header row, then rows of numbers ("%.10g", NaN as "nan") or of
 * preformatted text cells. Cells containing a comma, quote or line break are
 * quoted (RFC 4180). The file appears at path only when vs_csv_close()
 * succeeds (see atomic.h). Column names should carry units ("t_s", "v_out_v").
 *
 * Reader: vs_table_load() reads a table of finite numbers with an optional
 * header row into one row-major array.
 *
 * Ownership: vs_csv_open() returns a writer freed by exactly one of
 * vs_csv_close() or vs_csv_abort(). vs_table_load() fills a table released by
 * vs_table_free(). Column names passed to vs_csv_open() are copied.
 */
#ifndef VO2SNN_CSV_H
#define VO2SNN_CSV_H

#include <stddef.h>

#include "vo2snn/status.h"

typedef struct vs_csv vs_csv; /* opaque */

/* Start path and write the header row (n_cols >= 1 names). On failure *out is
 * NULL and nothing is left behind. */
vs_status vs_csv_open(const char *path, const char *const *cols, int n_cols, vs_csv **out);

/* Append a row of n_cols numbers. VS_EIO if writing has already failed. */
vs_status vs_csv_row(vs_csv *w, const double *vals);

/* Append a row of n_cols - 1 numbers and, last, a text cell: a code spelled out (e.g. the
   regime of a point as "oscillating" beside its numeric code). */
vs_status vs_csv_row_named(vs_csv *w, const double *vals, const char *name);

/* Append a row of n_cols preformatted cells (NULL cells are written empty). */
vs_status vs_csv_row_text(vs_csv *w, const char *const *cells);

/* Commit the file atomically and free w. NULL returns VS_OK. On failure the
 * file is not created (an older one is untouched) and w is still freed. */
vs_status vs_csv_close(vs_csv *w);

/* Discard the file and free w. NULL is a no-op. */
void vs_csv_abort(vs_csv *w);

typedef struct vs_table {
    int n_cols;
    size_t n_rows;
    char **names; /* n_cols names, or NULL if the file has no header row */
    double *data; /* row-major (n_rows, n_cols) */
} vs_table;

/*
 * Load a numeric CSV file. The first row that is not a comment is a header
 * if every cell is non-empty text that is not a number, data if every cell
 * is a number; a first row that mixes the two (a typo such as "0,O") is an
 * error. A UTF-8 byte-order mark at the start of the file is skipped. Lines
 * starting with '#' (after optional whitespace) and blank lines are skipped;
 * CRLF line ends are fine; cells are trimmed and may be double-quoted. Every
 * row must have the same number of columns and every value must be finite.
 *
 * Errors (VS_EFORMAT unless noted): "file.csv:12: expected 2 columns, found
 * 3", "file.csv:5: 'abc' is not a number", "file.csv:5: 'inf' is not a finite
 * number", "file.csv:1: 'O' in column 2 is not a number, but '0' in column 1
 * is (a header row must be text in every column)", "file.csv: no data rows",
 * lines over 65536 bytes, NUL bytes;
 * VS_EIO "cannot read 'file.csv': No such file or directory". On failure *out
 * is zeroed (safe to pass to vs_table_free).
 */
vs_status vs_table_load(const char *path, vs_table *out);

/* Free the table's arrays and zero it. NULL is a no-op. */
void vs_table_free(vs_table *t);

#endif
