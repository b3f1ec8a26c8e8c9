/*
 * csv_cells.h -- read a CSV file line by line, split into text cells (internal).
 *
 * The library's one CSV tokenizer, so every reader follows the rules vs_table_load()
 * (csv.h) documents: a UTF-8 byte-order mark at the start of the file is skipped, lines
 * starting with '#' (after optional blanks) and blank lines are skipped, CRLF line ends
 * are fine, cells are trimmed and may be double-quoted ("" is a literal quote), lines are
 * at most VS_CSV_MAX_LINE bytes, NUL bytes are refused. The cells stay text, so a caller
 * can parse numbers itself (vs_table_load), read columns by name, hold words (branch
 * names) and report each value's line.
 *
 * Used by csv.c (vs_table_load) and measured.c.
 *
 * Ownership: vs_csv_cells_open() fills a reader released by vs_csv_cells_close(); the
 * cells returned by vs_csv_cells_next() point into the reader's line buffer and are valid
 * until the next call.
 */
#ifndef VO2SNN_CSV_CELLS_H
#define VO2SNN_CSV_CELLS_H

#include <stdio.h>

#include "vo2snn/status.h"

#define VS_CSV_MAX_LINE 65536 /* bytes per line, not counting the line end */

typedef struct vs_csv_cells {
    FILE *f;
    const char *path; /* borrowed: names the file in messages */
    long line_no;     /* of the line the cells come from, 1-based */
    char *buf;        /* VS_CSV_MAX_LINE + 2 bytes */
    char **cell;      /* n cells of the current line */
    int n, cap;
} vs_csv_cells;

/* Open path for reading. VS_EIO "cannot read 'path': <reason>"; on failure r needs no
   close (closing it is harmless). */
vs_status vs_csv_cells_open(const char *path, vs_csv_cells *r);

/* The next line that is neither blank nor a comment, split into r->n >= 1 cells;
   *got = 0 at the end of the file. VS_EFORMAT (with "path:line: ...") for a NUL byte, a
   line longer than VS_CSV_MAX_LINE bytes or a broken quote; VS_EIO for a read error. */
vs_status vs_csv_cells_next(vs_csv_cells *r, int *got);

/* Close the file and free the buffers. Safe on a zeroed or failed reader. */
void vs_csv_cells_close(vs_csv_cells *r);

#endif
