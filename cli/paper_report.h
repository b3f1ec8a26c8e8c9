/* paper_report.h -- the HTML report of `vo2snn paper`: the comparison table (rows with a
   kind) and the figure sections. It only formats what the caller measured. */
#ifndef VO2SNN_CLI_PAPER_REPORT_H
#define VO2SNN_CLI_PAPER_REPORT_H

/* What a row of the comparison is. Only a prediction can match the paper or fail to: a
   calibrated row restates a model input that was fitted or chosen to give the paper's number
   (docs/models/vo2x.md 2.1), and a row beyond the paper has nothing to compare with. */
typedef enum paper_row_kind { ROW_CALIBRATED, ROW_PREDICTED, ROW_BEYOND, ROW_KINDS } paper_row_kind;

typedef struct paper_row {
    const char *id;      /* HTML id of the row: row-<id> */
    paper_row_kind kind;
    char what[160];      /* the quantity */
    const char *paper;   /* what the paper reports */
    const char *basis;   /* why the row has its kind */
    char ours[300];      /* formatted from this run's results only */
    int ok;              /* predicted: matches the paper; calibrated: reproduces its input; beyond: unused */
} paper_row;

#define PAPER_MAX_ROWS 24

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
    char params[200];    /* the command that makes it alone */
    const char *images[PAPER_MAX_IMAGES];   /* PNG paths relative to the output folder */
} paper_section;

typedef struct paper_report {
    int quick;
    double seconds;      /* run time */
    char quick_note[300];   /* quick mode: the settings that were smaller */
    const paper_row *rows;
    int n_rows;
    const paper_section *secs;
    int n_secs;
} paper_report;

/* Write the report to path atomically; 1 after one line on stderr. */
int paper_write_report(const char *prog, const char *path, const paper_report *r);

#endif
