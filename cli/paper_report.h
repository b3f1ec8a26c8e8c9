/* paper_report.h -- the HTML reports of `vo2snn paper` and `vo2snn report`: a heading and
   introduction given by the caller, a table of rows (the paper's comparison, each row with a
   kind, or one device's numbers), the device and the command that made the report (report),
   and the figure sections. It only formats what the caller measured. */
#ifndef VO2SNN_CLI_PAPER_REPORT_H
#define VO2SNN_CLI_PAPER_REPORT_H

#include <stddef.h>

/* What a row of the comparison is. Only a prediction can match the paper or fail to: a
   calibrated row restates a model input that was fitted or chosen to give the paper's number
   (docs/models/vo2x.md 2.1), and a row beyond the paper has nothing to compare with. A row of
   a device report (ROW_DEVICE) states this device's number and compares it with nothing. */
typedef enum paper_row_kind { ROW_CALIBRATED, ROW_PREDICTED, ROW_BEYOND, ROW_DEVICE, ROW_KINDS } paper_row_kind;

typedef struct paper_row {
    const char *id;      /* HTML id of the row: row-<id> */
    paper_row_kind kind;
    char what[160];      /* the quantity */
    const char *paper;   /* what the paper reports (unused for ROW_DEVICE) */
    const char *basis;   /* why the row has its kind; ROW_DEVICE: where the number comes from */
    char ours[300];      /* formatted from this run's results only */
    int ok;              /* predicted: matches the paper; calibrated: reproduces its input; beyond,
                            device: unused */
} paper_row;

#define PAPER_MAX_ROWS 32

typedef struct paper_rows {
    paper_row row[PAPER_MAX_ROWS];
    int n;
} paper_rows;

/* Append a row (what is copied; ours is a printf format of this run's values). */
__attribute__((format(printf, 8, 9)))
void paper_row_add(paper_rows *t, const char *id, paper_row_kind kind, const char *what,
                   const char *paper, const char *basis, int ok, const char *ours_fmt, ...);

#define PAPER_MAX_IMAGES 6

typedef struct paper_section {
    const char *id, *title;
    char what[800];      /* what the figure shows, with this run's settings */
    char params[1200];    /* the command that makes it alone */
    const char *images[PAPER_MAX_IMAGES];   /* PNG paths relative to the output folder; none: a
                                               section without a figure (what says why) */
} paper_section;

/* Which table the rows make: the paper's comparison (kind, the paper, verdict, why, with the
   counts per kind) or one device's summary (quantity, value, where it comes from). */
typedef enum paper_table_kind { TABLE_PAPER, TABLE_DEVICE } paper_table_kind;

typedef struct paper_report {
    const char *title;       /* <title>, plain text */
    const char *heading;     /* <h1>, HTML */
    char intro[2000];        /* HTML after the heading: what made the report, in how long */
    paper_table_kind table;
    const paper_row *rows;
    int n_rows;
    /* TABLE_DEVICE: the device file (its text, shown as is, and its path relative to the
       report) and the command line that made the report; NULL: none */
    const char *device_text, *device_file, *command;
    const paper_section *secs;
    int n_secs;
} paper_report;

/* s with <, > and & escaped, into buf (cut at n). */
void paper_html_escape(char *buf, size_t n, const char *s);

/* Write the report to path atomically; 1 after one line on stderr. */
int paper_write_report(const char *prog, const char *path, const paper_report *r);

#endif
