/* measured.c -- read measured R-T, I-V, f-V and waveform CSV files (see measured.h). */
#include "vo2snn/measured.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_cells.h"

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* A file being read: its cells, and the header's column names. */
typedef struct reader {
    vs_csv_cells c;
    const char *path;
    char **names; /* n_cols names, copied from the header row */
    int n_cols;
    long header_line;
    long rows; /* data rows read so far */
} reader;

/* Points read so far, in file order: x, y and z per point (z unused by some readers), a
   branch and the line each came from. */
typedef struct points {
    size_t n, cap;
    double *x, *y, *z;
    int *branch;
    long *line;
} points;

/* What a duplicated point is called in messages. */
typedef struct dup_rule {
    const char *col;  /* the column holding x */
    const char *unit; /* of x */
    const char *what; /* "temperature", ... */
    const char *const *branch_name; /* by branch value; NULL if the kind has no branches */
} dup_rule;

/* A branch name in a file, and the branch it means. */
typedef struct branch_word {
    const char *word;
    int branch;
} branch_word;

static vs_status reader_open(const char *path, reader *r);
static void reader_close(reader *r);
static vs_status next_row(reader *r, int *got);
static vs_status find_cols(const reader *r, const char *const *names, int *idx, int n);
static vs_status no_column(const reader *r, const char *col, const char *kind, const char *want);
static vs_status cell_fail(const reader *r, int col, const char *fmt, ...) PRINTF_LIKE(3, 4);
static vs_status cell_number(const reader *r, int col, double *v);
static vs_status cell_positive(const reader *r, int col, const char *what, double *v);
static vs_status cell_branch(const reader *r, int col, const branch_word *words, const char *expect,
                             int *branch);
static vs_status points_push(points *p, const reader *r, double x, double y, double z, int branch);
static void points_free(points *p);
static vs_status check_count(const reader *r, const points *p);
static vs_status check_duplicates(const reader *r, const points *p, const dup_rule *rule);

static vs_status read_rt(reader *r, points *p, vs_meas_rt *out);
static vs_status read_iv(reader *r, double r_series_ohm, points *p, vs_meas_iv *out);
static vs_status read_fv(reader *r, points *p, int *one_device_check);
/* One value of a column that tells sweeps or devices apart (p->z): "index" in f-V files. */
typedef struct one_rule {
    const char *col;   /* the column */
    const char *noun;  /* what one value of it is: "device" */
    const char *rule;  /* "an f-V file holds one device" */
    const char *found; /* "indices" */
    int end_row;       /* 1: the last row alone may carry the next value (the end point of a
                          sweep over one period, at t = 1 period, is in cycle 1) */
} one_rule;

static const one_rule rule_one_device = {"index", "device", "an f-V file holds one device",
                                         "indices", 0};
static const one_rule rule_one_cycle = {"cycle", "cycle", "an I-V file holds one sweep cycle",
                                        "cycles", 1};

static vs_status check_one_value(const reader *r, const points *p, const one_rule *rule);
static vs_status read_trace(reader *r, points *p, vs_meas_trace *out);

static const char *const heat_cool[] = {"heating", "cooling"};
static const char *const up_down[] = {"up", "down"};

/* ---- the four readers ----------------------------------------------------------------- */

/* Open path and read its header into r; on failure *out (n_bytes) is zeroed. */
static vs_status begin(const char *fn, const char *path, void *out, size_t n_bytes, reader *r)
{
    memset(r, 0, sizeof *r);
    if (!out) return vs_fail(VS_EINVAL, "%s: out is NULL", fn);
    memset(out, 0, n_bytes);
    if (!path) return vs_fail(VS_EINVAL, "%s: path is NULL", fn);
    return reader_open(path, r);
}

/* Close r; on failure free p (and leave the zeroed output alone). */
static vs_status finish(vs_status s, reader *r, points *p)
{
    reader_close(r);
    if (s != VS_OK) points_free(p);
    return s;
}

vs_status vs_meas_read_rt(const char *path, vs_meas_rt *out)
{
    static const dup_rule rule = {"temp_k", "K", "temperature", heat_cool};
    reader r;
    points p = {0};
    vs_status s = begin("vs_meas_read_rt", path, out, sizeof *out, &r);
    if (s == VS_OK) s = read_rt(&r, &p, out);
    if (s == VS_OK) s = check_count(&r, &p);
    if (s == VS_OK) s = check_duplicates(&r, &p, &rule);
    if ((s = finish(s, &r, &p)) != VS_OK) {
        if (out) memset(out, 0, sizeof *out);
        return s;
    }
    out->n = p.n, out->temp_k = p.x, out->r_ohm = p.y, out->branch = p.branch;
    free(p.z), free(p.line);
    snprintf(out->path, sizeof out->path, "%s", path);
    return VS_OK;
}

vs_status vs_meas_read_iv(const char *path, double r_series_ohm, vs_meas_iv *out)
{
    static const dup_rule measured = {"v_dev_v", "V", "device voltage", up_down};
    static const dup_rule series = {"v_src_v", "V", "device voltage (v_src_v - i_a * R)", up_down};
    reader r;
    points p = {0};
    vs_status s = begin("vs_meas_read_iv", path, out, sizeof *out, &r);
    if (s == VS_OK && !isnan(r_series_ohm) && !(isfinite(r_series_ohm) && r_series_ohm > 0))
        s = vs_fail(VS_EINVAL, "%s: the series resistance (%g Ohm) must be positive and finite",
                    path, r_series_ohm);
    if (s == VS_OK) s = read_iv(&r, r_series_ohm, &p, out);
    if (s == VS_OK) s = check_one_value(&r, &p, &rule_one_cycle);
    if (s == VS_OK) s = check_count(&r, &p);
    if (s == VS_OK)
        s = check_duplicates(&r, &p, strcmp(out->layout, "v_dev_v,i_a") == 0 ? &measured : &series);
    if ((s = finish(s, &r, &p)) != VS_OK) {
        if (out) memset(out, 0, sizeof *out);
        return s;
    }
    out->n = p.n, out->v_dev_v = p.x, out->i_a = p.y, out->branch = p.branch;
    free(p.z), free(p.line);
    snprintf(out->path, sizeof out->path, "%s", path);
    return VS_OK;
}

vs_status vs_meas_read_fv(const char *path, vs_meas_fv *out)
{
    static const dup_rule rule = {"v_in_v", "V", "input voltage", NULL};
    reader r;
    points p = {0};
    int single_device = 0;
    vs_status s = begin("vs_meas_read_fv", path, out, sizeof *out, &r);
    if (s == VS_OK) s = read_fv(&r, &p, &single_device);
    if (s == VS_OK && single_device) s = check_one_value(&r, &p, &rule_one_device);
    if (s == VS_OK) s = check_count(&r, &p);
    if (s == VS_OK) s = check_duplicates(&r, &p, &rule);
    if ((s = finish(s, &r, &p)) != VS_OK) {
        if (out) memset(out, 0, sizeof *out);
        return s;
    }
    out->n = p.n, out->v_in_v = p.x, out->freq_hz = p.y;
    free(p.z), free(p.branch), free(p.line);
    snprintf(out->path, sizeof out->path, "%s", path);
    return VS_OK;
}

vs_status vs_meas_read_trace(const char *path, vs_meas_trace *out)
{
    reader r;
    points p = {0};
    vs_status s = begin("vs_meas_read_trace", path, out, sizeof *out, &r);
    if (s == VS_OK) s = read_trace(&r, &p, out);
    if (s == VS_OK) s = check_count(&r, &p);
    if ((s = finish(s, &r, &p)) != VS_OK) {
        if (out) memset(out, 0, sizeof *out);
        return s;
    }
    out->n = p.n, out->t_s = p.x, out->input = p.y, out->response = p.z;
    free(p.branch), free(p.line);
    snprintf(out->path, sizeof out->path, "%s", path);
    return VS_OK;
}

void vs_meas_rt_free(vs_meas_rt *m)
{
    if (!m) return;
    free(m->temp_k), free(m->r_ohm), free(m->branch);
    memset(m, 0, sizeof *m);
}

void vs_meas_iv_free(vs_meas_iv *m)
{
    if (!m) return;
    free(m->v_dev_v), free(m->i_a), free(m->branch);
    memset(m, 0, sizeof *m);
}

void vs_meas_fv_free(vs_meas_fv *m)
{
    if (!m) return;
    free(m->v_in_v), free(m->freq_hz);
    memset(m, 0, sizeof *m);
}

void vs_meas_trace_free(vs_meas_trace *m)
{
    if (!m) return;
    free(m->t_s), free(m->input), free(m->response);
    memset(m, 0, sizeof *m);
}

/* ---- R-T ------------------------------------------------------------------------------ */

enum { RT_T, RT_R, RT_BRANCH, RT_HEAT, RT_COOL, RT_NCOLS };

static vs_status read_rt(reader *r, points *p, vs_meas_rt *out)
{
    static const char *const names[RT_NCOLS] = {"temp_k", "r_ohm", "branch", "r_heat_ohm",
                                                "r_cool_ohm"};
    static const char *const want = "temp_k,r_ohm,branch or temp_k,r_heat_ohm,r_cool_ohm";
    static const branch_word words[] = {{"heating", 0}, {"cooling", 1}, {NULL, 0}};
    int c[RT_NCOLS];
    vs_status s = find_cols(r, names, c, RT_NCOLS);
    if (s != VS_OK) return s;
    int single = c[RT_R] >= 0 && c[RT_BRANCH] >= 0, paired = c[RT_HEAT] >= 0 && c[RT_COOL] >= 0;
    if (c[RT_T] < 0) return no_column(r, "temp_k", "an R-T file", want);
    if (!single && !paired) {
        const char *col = c[RT_R] >= 0 ? "branch" : c[RT_HEAT] >= 0 ? "r_cool_ohm"
                          : c[RT_COOL] >= 0 ? "r_heat_ohm" : "r_ohm";
        return no_column(r, col, "an R-T file", want);
    }
    out->layout = single ? "temp_k,r_ohm,branch" : "temp_k,r_heat_ohm,r_cool_ohm";

    int got;
    while ((s = next_row(r, &got)) == VS_OK && got) {
        double t, r_heat, r_cool;
        int branch;
        if ((s = cell_positive(r, c[RT_T], "temperature", &t)) != VS_OK) return s;
        if (single) {
            if ((s = cell_positive(r, c[RT_R], "resistance", &r_heat)) != VS_OK) return s;
            if ((s = cell_branch(r, c[RT_BRANCH], words, "heating or cooling", &branch)) != VS_OK)
                return s;
            if ((s = points_push(p, r, t, r_heat, NAN, branch)) != VS_OK) return s;
            continue;
        }
        if ((s = cell_positive(r, c[RT_HEAT], "resistance", &r_heat)) != VS_OK) return s;
        if ((s = cell_positive(r, c[RT_COOL], "resistance", &r_cool)) != VS_OK) return s;
        if ((s = points_push(p, r, t, r_heat, NAN, 0)) != VS_OK) return s;
        if ((s = points_push(p, r, t, r_cool, NAN, 1)) != VS_OK) return s;
    }
    return s;
}

/* ---- I-V ------------------------------------------------------------------------------ */

enum { IV_V, IV_I, IV_SRC, IV_BRANCH, IV_BRANCH_NAME, IV_CYCLE, IV_NCOLS };

/* Sweep direction of v_src_v: -1 until the first change, then the last change's. */
typedef struct sweep {
    int dir;
    double prev;
} sweep;

static vs_status iv_columns(const reader *r, double r_series_ohm, int *c, vs_meas_iv *out);
static vs_status iv_point(const reader *r, const int *c, double r_series_ohm, double *v,
                          double *i, double *v_src);
static int iv_branch(const reader *r, const int *c, double v_src, sweep *sw, points *p,
                     vs_status *s);

static vs_status read_iv(reader *r, double r_series_ohm, points *p, vs_meas_iv *out)
{
    int c[IV_NCOLS];
    vs_status s = iv_columns(r, r_series_ohm, c, out);
    if (s != VS_OK) return s;
    sweep sw = {-1, NAN};
    int got;
    while ((s = next_row(r, &got)) == VS_OK && got) {
        double v, i, v_src;
        double cycle = NAN; /* for check_one_value() */
        if ((s = iv_point(r, c, r_series_ohm, &v, &i, &v_src)) != VS_OK) return s;
        if (c[IV_CYCLE] >= 0 && (s = cell_number(r, c[IV_CYCLE], &cycle)) != VS_OK) return s;
        int branch = iv_branch(r, c, v_src, &sw, p, &s);
        if (s != VS_OK) return s;
        if ((s = points_push(p, r, v, i, cycle, branch)) != VS_OK) return s;
    }
    for (size_t k = 0; k < p->n; k++) /* a sweep that never moved: every point is up */
        if (p->branch[k] < 0) p->branch[k] = VS_MEAS_UP;
    return s;
}

/* Find the columns and say where the voltage and the branches come from. */
static vs_status iv_columns(const reader *r, double r_series_ohm, int *c, vs_meas_iv *out)
{
    static const char *const names[IV_NCOLS] = {"v_dev_v", "i_a", "v_src_v", "branch",
                                                "branch_name", "cycle"};
    static const char *const want = "v_dev_v,i_a[,branch] or v_src_v,i_a with a series resistor";
    vs_status s = find_cols(r, names, c, IV_NCOLS);
    if (s != VS_OK) return s;
    if (c[IV_I] < 0) return no_column(r, "i_a", "an I-V file", want);
    if (c[IV_V] < 0 && c[IV_SRC] < 0) return no_column(r, "v_dev_v", "an I-V file", want);
    if (c[IV_V] < 0 && isnan(r_series_ohm))
        return vs_fail(VS_EFORMAT,
                       "%s:%ld: no column v_dev_v: v_src_v and i_a are a sweep through a series "
                       "resistor; give its resistance (--iv-series) for v_dev = v_src - i_a * R",
                       r->path, r->header_line);
    out->layout = c[IV_V] >= 0 ? "v_dev_v,i_a" : "v_src_v - i_a * r_series, i_a";
    out->branch_from = c[IV_BRANCH_NAME] >= 0 ? "branch_name column"
                       : c[IV_BRANCH] >= 0    ? "branch column"
                       : c[IV_SRC] >= 0       ? "v_src_v sweep direction"
                                              : "none (every point up)";
    return VS_OK;
}

/* The row's device voltage and current (and v_src_v, NAN without the column). */
static vs_status iv_point(const reader *r, const int *c, double r_series_ohm, double *v,
                          double *i, double *v_src)
{
    vs_status s = cell_number(r, c[IV_I], i);
    *v_src = NAN;
    if (s == VS_OK && c[IV_SRC] >= 0) s = cell_number(r, c[IV_SRC], v_src);
    if (s != VS_OK) return s;
    if (c[IV_V] >= 0) return cell_number(r, c[IV_V], v);
    *v = *v_src - *i * r_series_ohm;
    if (!isfinite(*v))
        return cell_fail(r, c[IV_SRC], "the device voltage v_src_v - i_a * R = %g is not finite",
                         *v);
    return VS_OK;
}

/* The row's branch: from a branch_name or branch column, else from the sweep direction (the
   points before its first change get it when it comes), else up. */
static int iv_branch(const reader *r, const int *c, double v_src, sweep *sw, points *p,
                     vs_status *s)
{
    static const branch_word words[] = {{"up", 0}, {"down", 1}, {"heating", 0}, {"cooling", 1},
                                        {NULL, 0}};
    int branch = VS_MEAS_UP;
    *s = VS_OK;
    if (c[IV_BRANCH_NAME] >= 0)
        *s = cell_branch(r, c[IV_BRANCH_NAME], words, "heating or cooling, up or down", &branch);
    else if (c[IV_BRANCH] >= 0)
        *s = cell_branch(r, c[IV_BRANCH], words, "up or down, heating or cooling", &branch);
    else if (c[IV_SRC] >= 0) {
        int before = sw->dir;
        if (!isnan(sw->prev) && v_src != sw->prev) sw->dir = v_src > sw->prev ? VS_MEAS_UP : VS_MEAS_DOWN;
        sw->prev = v_src;
        if (before < 0 && sw->dir >= 0)
            for (size_t k = 0; k < p->n; k++) p->branch[k] = sw->dir;
        branch = sw->dir;
    }
    return branch;
}

/* ---- f-V ------------------------------------------------------------------------------ */

enum { FV_V, FV_F, FV_INDEX, FV_VACANCY, FV_NCOLS };

/* Reads v_in_v and freq_hz; *one_device is set for `vo2snn vf` output (index and
   vacancy_x columns), whose index goes to p->z for check_one_value(). */
static vs_status read_fv(reader *r, points *p, int *one_device)
{
    static const char *const names[FV_NCOLS] = {"v_in_v", "freq_hz", "index", "vacancy_x"};
    static const char *const want = "v_in_v,freq_hz";
    int c[FV_NCOLS];
    vs_status s = find_cols(r, names, c, FV_NCOLS);
    if (s != VS_OK) return s;
    if (c[FV_V] < 0) return no_column(r, "v_in_v", "an f-V file", want);
    if (c[FV_F] < 0) return no_column(r, "freq_hz", "an f-V file", want);
    *one_device = c[FV_INDEX] >= 0 && c[FV_VACANCY] >= 0;

    int got;
    while ((s = next_row(r, &got)) == VS_OK && got) {
        double v, f, index = NAN;
        if ((s = cell_number(r, c[FV_V], &v)) != VS_OK) return s;
        if ((s = cell_number(r, c[FV_F], &f)) != VS_OK) return s;
        if (!(f > 0))
            return cell_fail(r, c[FV_F], "%.40s is not a positive frequency (a point that does "
                             "not oscillate has no frequency: leave it out)", r->c.cell[c[FV_F]]);
        if (*one_device && (s = cell_number(r, c[FV_INDEX], &index)) != VS_OK) return s;
        if ((s = points_push(p, r, v, f, index, 0)) != VS_OK) return s;
    }
    return s;
}

/* Values of p->z (NAN: the file has no such column) other than the first: refused, naming
   the values found ("device 2 after device 1 ... (indices found: 1, 2)"). */
static vs_status check_one_value(const reader *r, const points *p, const one_rule *rule)
{
    enum { SHOWN = 8 };
    double seen[SHOWN];
    int n_seen = 0, more = 0;
    size_t first_other = 0;
    for (size_t k = 0; k < p->n && !isnan(p->z[k]); k++) {
        int known = 0;
        for (int j = 0; j < n_seen; j++) known |= seen[j] == p->z[k];
        if (known) continue;
        if (n_seen > 0 && first_other == 0) first_other = k;
        if (n_seen < SHOWN) seen[n_seen++] = p->z[k];
        else more = 1;
    }
    if (n_seen < 2 || (n_seen == 2 && rule->end_row && first_other == p->n - 1)) return VS_OK;
    char list[200];
    size_t len = 0;
    for (int j = 0; j < n_seen; j++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%g", j ? ", " : "", seen[j]);
    if (more) snprintf(list + len, sizeof list - len, ", ...");
    return vs_fail(VS_EFORMAT, "%s:%ld: column %s: %s %g after %s %g; %s (%s found: %s)", r->path,
                   p->line[first_other], rule->col, rule->noun, p->z[first_other], rule->noun,
                   p->z[0], rule->rule, rule->found, list);
}

/* ---- waveforms ------------------------------------------------------------------------ */

enum { TR_T, TR_V_IN, TR_I_IN, TR_V_OSC, TR_V_DEV, TR_I_DEV, TR_V_SPIKE, TR_NCOLS };

static vs_status trace_columns(const reader *r, int *c, int *in, int *resp, vs_meas_trace *out);

static vs_status read_trace(reader *r, points *p, vs_meas_trace *out)
{
    int c[TR_NCOLS], in = -1, resp = -1;
    vs_status s = trace_columns(r, c, &in, &resp, out);
    if (s != VS_OK) return s;
    int got;
    while ((s = next_row(r, &got)) == VS_OK && got) {
        double t, u, y;
        if ((s = cell_number(r, c[TR_T], &t)) != VS_OK) return s;
        if ((s = cell_number(r, in, &u)) != VS_OK) return s;
        if ((s = cell_number(r, resp, &y)) != VS_OK) return s;
        if (p->n > 0 && !(t > p->x[p->n - 1]))
            return cell_fail(r, c[TR_T], "%.40s s is not after %g s on line %ld (times must "
                             "increase strictly)", r->c.cell[c[TR_T]], p->x[p->n - 1],
                             p->line[p->n - 1]);
        if ((s = points_push(p, r, t, u, y, 0)) != VS_OK) return s;
    }
    return s;
}

/* t_s, the one input column and the first response column there is. */
static vs_status trace_columns(const reader *r, int *c, int *in, int *resp, vs_meas_trace *out)
{
    static const char *const names[TR_NCOLS] = {"t_s",     "v_in_v",  "i_in_a",   "v_osc_v",
                                                "v_dev_v", "i_dev_a", "v_spike_v"};
    static const char *const want = "t_s, v_in_v or i_in_a, and v_osc_v, v_dev_v, i_dev_a or "
                                    "v_spike_v";
    vs_status s = find_cols(r, names, c, TR_NCOLS);
    if (s != VS_OK) return s;
    if (c[TR_T] < 0) return no_column(r, "t_s", "a waveform", want);
    if (c[TR_V_IN] >= 0 && c[TR_I_IN] >= 0)
        return vs_fail(VS_EFORMAT, "%s:%ld: columns v_in_v and i_in_a: a waveform has one input, "
                                   "a voltage or a current", r->path, r->header_line);
    if (c[TR_V_IN] < 0 && c[TR_I_IN] < 0) return no_column(r, "v_in_v", "a waveform", want);
    *in = c[TR_V_IN] >= 0 ? c[TR_V_IN] : c[TR_I_IN];
    out->input_is_current = c[TR_V_IN] < 0;
    for (int k = TR_V_OSC; k < TR_NCOLS; k++)
        if (c[k] >= 0) {
            *resp = c[k];
            out->response_col = names[k];
            return VS_OK;
        }
    return no_column(r, "v_osc_v", "a waveform", want);
}

/* ---- header and rows ------------------------------------------------------------------ */

static vs_status read_header(reader *r);

static vs_status reader_open(const char *path, reader *r)
{
    r->path = path;
    vs_status s = vs_csv_cells_open(path, &r->c);
    if (s != VS_OK) return s;
    int got;
    if ((s = vs_csv_cells_next(&r->c, &got)) != VS_OK) return s;
    if (!got) return vs_fail(VS_EFORMAT, "%s: empty file (no header row naming the columns)", path);
    r->header_line = r->c.line_no;
    return read_header(r);
}

static void reader_close(reader *r)
{
    vs_csv_cells_close(&r->c);
    free(r->names);
    r->names = NULL;
}

static int is_number(const char *s)
{
    char *end;
    (void)strtod(s, &end);
    return end != s && *end == '\0';
}

/* Copy the header's names (every cell non-empty text) into one block. */
static vs_status read_header(reader *r)
{
    size_t bytes = 0;
    for (int i = 0; i < r->c.n; i++) {
        const char *cell = r->c.cell[i];
        if (!*cell)
            return vs_fail(VS_EFORMAT, "%s:%ld: header cell %d is empty (the first row names "
                                       "the columns)", r->path, r->c.line_no, i + 1);
        if (is_number(cell))
            return vs_fail(VS_EFORMAT, "%s:%ld: no header row: column %d is the number %.40s "
                                       "(the first row names the columns)",
                           r->path, r->c.line_no, i + 1, cell);
        bytes += strlen(cell) + 1;
    }
    r->names = malloc((size_t)r->c.n * sizeof *r->names + bytes);
    if (!r->names) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", r->path);
    char *w = (char *)(r->names + r->c.n);
    for (int i = 0; i < r->c.n; i++) {
        size_t len = strlen(r->c.cell[i]) + 1;
        memcpy(w, r->c.cell[i], len);
        r->names[i] = w;
        w += len;
    }
    r->n_cols = r->c.n;
    return VS_OK;
}

/* idx[k] = the column called names[k] (any case), or -1; a name used twice is refused. */
static vs_status find_cols(const reader *r, const char *const *names, int *idx, int n)
{
    for (int k = 0; k < n; k++) {
        idx[k] = -1;
        for (int i = 0; i < r->n_cols; i++) {
            if (strcasecmp(r->names[i], names[k]) != 0) continue;
            if (idx[k] >= 0)
                return vs_fail(VS_EFORMAT, "%s:%ld: column %s: named twice (columns %d and %d)",
                               r->path, r->header_line, names[k], idx[k] + 1, i + 1);
            idx[k] = i;
        }
    }
    return VS_OK;
}

/* "no column X: <kind> has columns <want> (found a,b,c)". */
static vs_status no_column(const reader *r, const char *col, const char *kind, const char *want)
{
    char found[160];
    size_t len = 0;
    found[0] = '\0';
    for (int i = 0; i < r->n_cols && len < sizeof found; i++)
        len += (size_t)snprintf(found + len, sizeof found - len, "%s%.60s", i ? "," : "",
                                r->names[i]);
    if (len >= sizeof found) memcpy(found + sizeof found - 4, "...", 4);
    return vs_fail(VS_EFORMAT, "%s:%ld: no column %s: %s has columns %s (found %s)", r->path,
                   r->header_line, col, kind, want, found);
}

/* The next data row, with one cell per header column. */
static vs_status next_row(reader *r, int *got)
{
    vs_status s = vs_csv_cells_next(&r->c, got);
    if (s != VS_OK || !*got) return s;
    if (++r->rows > VS_MEAS_MAX_ROWS)
        return vs_fail(VS_EFORMAT, "%s:%ld: more than %ld data rows (the most a file may hold)",
                       r->path, r->c.line_no, VS_MEAS_MAX_ROWS);
    if (r->c.n < r->n_cols)
        return vs_fail(VS_EFORMAT, "%s:%ld: column %.80s: missing (the row has %d cell%s, the "
                                   "header %d)", r->path, r->c.line_no, r->names[r->c.n], r->c.n,
                       r->c.n == 1 ? "" : "s", r->n_cols);
    if (r->c.n > r->n_cols)
        return vs_fail(VS_EFORMAT, "%s:%ld: %d cells, but the header (line %ld) names %d column%s",
                       r->path, r->c.line_no, r->c.n, r->header_line, r->n_cols,
                       r->n_cols == 1 ? "" : "s");
    return VS_OK;
}

/* ---- cells ---------------------------------------------------------------------------- */

/* "path:line: column NAME: <message>" for the current row. */
static vs_status cell_fail(const reader *r, int col, const char *fmt, ...)
{
    char tail[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tail, sizeof tail, fmt, ap);
    va_end(ap);
    return vs_fail(VS_EFORMAT, "%s:%ld: column %.80s: %s", r->path, r->c.line_no, r->names[col],
                   tail);
}

static vs_status cell_number(const reader *r, int col, double *v)
{
    const char *cell = r->c.cell[col];
    if (!*cell) return cell_fail(r, col, "empty cell");
    if (!is_number(cell)) return cell_fail(r, col, "'%.40s' is not a number", cell);
    *v = strtod(cell, NULL);
    if (!isfinite(*v)) return cell_fail(r, col, "'%.40s' is not a finite number", cell);
    return VS_OK;
}

/* A finite number > 0: "-3 is not a positive resistance". */
static vs_status cell_positive(const reader *r, int col, const char *what, double *v)
{
    vs_status s = cell_number(r, col, v);
    if (s == VS_OK && !(*v > 0))
        return cell_fail(r, col, "%.40s is not a positive %s", r->c.cell[col], what);
    return s;
}

/* A branch name of words (any case); expect lists them for the message. */
static vs_status cell_branch(const reader *r, int col, const branch_word *words, const char *expect,
                             int *branch)
{
    const char *cell = r->c.cell[col];
    for (const branch_word *w = words; w->word; w++)
        if (strcasecmp(cell, w->word) == 0) {
            *branch = w->branch;
            return VS_OK;
        }
    return cell_fail(r, col, "'%.40s' is not a branch (%s)", cell, expect);
}

/* ---- points --------------------------------------------------------------------------- */

static vs_status points_grow(points *p, const char *path)
{
    size_t cap = p->cap ? 2 * p->cap : 256;
    double *x = realloc(p->x, cap * sizeof *x);
    if (x) p->x = x;
    double *y = x ? realloc(p->y, cap * sizeof *y) : NULL;
    if (y) p->y = y;
    double *z = y ? realloc(p->z, cap * sizeof *z) : NULL;
    if (z) p->z = z;
    int *b = z ? realloc(p->branch, cap * sizeof *b) : NULL;
    if (b) p->branch = b;
    long *l = b ? realloc(p->line, cap * sizeof *l) : NULL;
    if (!l) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
    p->line = l;
    p->cap = cap;
    return VS_OK;
}

static vs_status points_push(points *p, const reader *r, double x, double y, double z, int branch)
{
    vs_status s = p->n == p->cap ? points_grow(p, r->path) : VS_OK;
    if (s != VS_OK) return s;
    p->x[p->n] = x, p->y[p->n] = y, p->z[p->n] = z;
    p->branch[p->n] = branch;
    p->line[p->n] = r->c.line_no;
    p->n++;
    return VS_OK;
}

static void points_free(points *p)
{
    free(p->x), free(p->y), free(p->z), free(p->branch), free(p->line);
    memset(p, 0, sizeof *p);
}

/* At least two points. */
static vs_status check_count(const reader *r, const points *p)
{
    if (p->n == 0) return vs_fail(VS_EFORMAT, "%s: no data rows after the header", r->path);
    if (p->n == 1)
        return vs_fail(VS_EFORMAT, "%s:%ld: a single point; at least 2 are needed", r->path,
                       p->line[0]);
    return VS_OK;
}

/* A point's place in the sort: branch, x, then file order. */
typedef struct key {
    double x;
    int branch;
    size_t i;
} key;

static int key_cmp(const void *a, const void *b)
{
    const key *p = a, *q = b;
    if (p->branch != q->branch) return p->branch < q->branch ? -1 : 1;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

/* No two points with the same x on the same branch; the first repeat in file order is named. */
static vs_status check_duplicates(const reader *r, const points *p, const dup_rule *rule)
{
    key *k = malloc(p->n * sizeof *k);
    if (!k) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", r->path);
    for (size_t i = 0; i < p->n; i++)
        k[i] = (key){p->x[i], rule->branch_name ? p->branch[i] : 0, i};
    qsort(k, p->n, sizeof *k, key_cmp);
    size_t first = 0, repeat = p->n, orig = 0;
    for (size_t j = 1; j < p->n; j++) {
        if (k[j].branch != k[j - 1].branch || k[j].x != k[j - 1].x) first = j;
        else if (k[j].i < repeat) repeat = k[j].i, orig = k[first].i;
    }
    free(k);
    if (repeat == p->n) return VS_OK;
    char where[64] = "";
    if (rule->branch_name)
        snprintf(where, sizeof where, " on the %s branch", rule->branch_name[p->branch[repeat]]);
    return vs_fail(VS_EFORMAT, "%s:%ld: column %s: %s %g %s repeats line %ld%s (one point per %s%s)",
                   r->path, p->line[repeat], rule->col, rule->what, p->x[repeat], rule->unit,
                   p->line[orig], where, rule->what, rule->branch_name ? " and branch" : "");
}
