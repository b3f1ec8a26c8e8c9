/* cmd_fit.c -- `vo2snn fit`: calibrate a device model to measured R-T, I-V and f-V data and
   waveforms (docs/fit.md): the fitted device file, the data with the model and the residual per
   point as CSV, and plots of both. The fitting itself is the library's (fit.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_fit.h"
#include "commands.h"
#include "common.h"
#include "progress.h"
#include "vo2snn/atomic.h"
#include "vo2snn/json.h"
#include "vo2snn/outputs.h"

static const char *const set_key[VS_FIT_SETS] = {"rt", "iv", "fv", "trace"};
static const char *const set_title[VS_FIT_SETS] = {"R-T", "I-V", "f-V", "waveform"};
static const char *const set_residual[VS_FIT_SETS] = {"ln R_model - ln R_meas", "ln |V_model| - ln |V_meas|",
                                                     "f_model / f_meas - 1", "(y_model - y_meas) / max|y_meas|"};
#define FV_RESIDUAL "f_model / f_meas - 1"

static const char details[] =
    "Calibrates the model of the start device (--model, --device, --vacancy, --device-file,\n"
    "--param; default the model's preset 1) to measured data: an R-T loop (--rt), steady-\n"
    "state I-V points (--iv), the oscillation frequency against dc input (--fv) and a\n"
    "waveform (--trace: t_s, the input v_in_v or i_in_a, and a response v_osc_v, v_dev_v,\n"
    "i_dev_a or v_spike_v), the last two measured in the circuit --r-series/--cap/--r-sense.\n"
    "File layouts: docs/measured-data.md; the outputs of vo2snn rt, vo2snn iv (trace or\n"
    "_scurve.csv), vo2snn vf --devices N and vo2snn osc are read as they are. At least one of\n"
    "--rt, --iv, --fv, --trace is needed. --t-amb sets the start device's ambient temperature\n"
    "to that of the measurements (held).\n"
    "Fitted: every parameter but jitter (sigma_*), settings (t_amb, t_0, ...) and optional\n"
    "parts (r_contact), which are held at the start value; --fix holds more, --bounds frees\n"
    "a parameter within a range. Stages: each data set in the order R-T, I-V, f-V, waveform\n"
    "fits the parameters no earlier set determined, then one joint fit of all of them\n"
    "(MINPACK Levenberg-Marquardt). Residuals: R-T ln R_model - ln R_meas; I-V ln V_model -\n"
    "ln V_meas at the measured current; f-V f_model / f_meas - 1 (0 Hz where the model does\n"
    "not oscillate); waveform (y_model - y_meas) / max|y_meas| per sample, the circuit run\n"
    "from rest with the measured input as a PWL source. A waveform sees the thermal time\n"
    "constant (tau_th, c_th) and, through the spike shape and timing, the resistances and\n"
    "thresholds; spike timing makes it very sensitive, so start close to the answer (e.g.\n"
    "from an --rt/--iv/--fv fit) and --fix what other data determine.\n"
    "stderr from the Jacobian at the solution; ci95 = value +- 1.96 stderr, or the\n"
    "bootstrap's 2.5/97.5 % quantiles with --bootstrap N. Parameters the data do not\n"
    "determine stay at their start values, named in a warning (docs/fit.md).\n"
    "Writes the fitted device (--out; any command reads it with --device-file) and beside it\n"
    "<out-stem>_rt.csv, _iv.csv, _fv.csv, _trace.csv (data, model and residual per point),\n"
    "_fv_check.csv (--fv-check) and the plots _rt.png, _iv.png, _fv.png, _trace.png (data\n"
    "and model above, residuals below).\n";

void fit_defaults(fit_args *a)
{
    *a = (fit_args){.dev = CLI_DEVICE_DEFAULTS, .iv_series_ohm = NAN, .circ = vs_circuit_default(), .t_amb_k = NAN,
                    .bootstrap = 0, .seed = 1, .threads = 0, .out = "out/fit/device.txt",
                    .plot = CLI_PLOT_PNG};
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, fit_args *a)
{
    fit_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev),
        {.name = "rt", .kind = OPT_STRING, .metavar = "FILE", .help = "measured R-T loop (temp_k,r_ohm,branch or vo2snn rt's CSV)", .dest = &a->rt},
        {.name = "iv", .kind = OPT_STRING, .metavar = "FILE", .help = "measured steady-state I-V (v_dev_v,i_a[,branch], or vo2snn iv's CSVs)", .dest = &a->iv},
        {.name = "iv-series", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R", .help = "series resistor of an --iv file of v_src_v,i_a (default: none)", .dest = &a->iv_series_ohm, .min = 1e-6, .max = CLI_R_MAX_OHM},
        {.name = "fv", .kind = OPT_STRING, .metavar = "FILE", .help = "measured frequency vs dc input (v_in_v,freq_hz, or vo2snn vf --devices N's CSV)", .dest = &a->fv},
        {.name = "fv-check", .kind = OPT_STRING, .metavar = "FILE", .help = "f-V points not fitted, predicted after the fit (validation)", .dest = &a->fv_check},
        {.name = "trace", .kind = OPT_STRING, .metavar = "FILE", .help = "measured waveform (t_s, v_in_v or i_in_a, and v_osc_v, v_dev_v, i_dev_a or v_spike_v; or vo2snn osc's CSV)", .dest = &a->trace},
        {.name = "t-amb", .kind = OPT_QUANTITY, .unit = "K", .metavar = "T", .help = "ambient temperature of the measurements: sets the start device's t_amb, held (default: the start device's)", .dest = &a->t_amb_k, .min = 1, .max = 2000},
        CLI_R_SERIES_OPT(a->circ, "series resistor R_s of the f-V and waveform measurements"),
        CLI_CAP_SENSE_OPTS(a->circ),
        {.name = "fix", .kind = OPT_STRING, .metavar = "K=V,..", .help = "hold parameters at these values, e.g. t_c=340,g_th=0.2mW/K (keys: vo2snn params --keys)", .dest = &a->fix},
        {.name = "bounds", .kind = OPT_STRING, .metavar = "K=LO:HI,..", .help = "fit parameters within these ranges (frees held ones), e.g. r_contact=0:200", .dest = &a->bounds},
        {.name = "bootstrap", .kind = OPT_LONG, .metavar = "N", .help = "resamples behind the ci95 (0: from the Jacobian)", .dest = &a->bootstrap, .min = 0, .max = 100000},
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "seed of the bootstrap resampling", .dest = &a->seed, .min = 0, .max = 9.2e18},
        CLI_THREADS_OPT(a->threads, " for the Jacobian's columns and the f-V points"),
        {.name = "name", .kind = OPT_STRING, .metavar = "NAME", .help = "name of the fitted device (default: \"fit of\" the start device's label)", .dest = &a->name},
        CLI_OUT_OPT(a->out, "FILE", "fitted device file; the CSVs and PNGs are named after it"),
        CLI_JSON_OPT(a->json),
        CLI_PLOT_ON_OPTS(a->plot, "<out-stem>_rt.png, _iv.png, _fv.png, _trace.png"),
    };
    return cli_parse(prog, "Fit a device model to measured R-T, I-V, f-V data and waveforms; write the fitted device file.",
                     details, opts, CLI_N_OPTS(opts), argc, argv);
}

/* ---- small helpers ----------------------------------------------------------------------- */

/* A growing text buffer for gnuplot scripts with inline data. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int failed;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) { b->failed = 1; return; }
        if (b->p && b->n + (size_t)k < b->cap) { b->n += (size_t)k; return; }
        size_t cap = 2 * (b->cap + (size_t)k) + 4096;
        char *q = realloc(b->p, cap);
        if (!q) { b->failed = 1; return; }
        b->p = q, b->cap = cap;
    }
}

/* A number for a CSV cell or gnuplot data: "%.10g", NaN as nan / NaN. */
static const char *num(char *buf, size_t n, double v, const char *nan_text)
{
    if (isnan(v)) snprintf(buf, n, "%s", nan_text);
    else snprintf(buf, n, "%.10g", v);
    return buf;
}

/* A CSV row of numbers with one text cell at index text_at. */
static vs_status row_mixed(vs_csv *w, int n, const double *vals, int text_at, const char *text)
{
    char buf[8][32];
    const char *cells[8];
    for (int i = 0, v = 0; i < n && i < 8; i++) cells[i] = i == text_at ? text : num(buf[i], sizeof buf[i], vals[v++], "nan");
    return vs_csv_row_text(w, cells);
}

static double rms_of(const double *r, size_t n, double *max_abs)
{
    double s = 0, mx = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(r[i])) s += r[i] * r[i], mx = fmax(mx, fabs(r[i])), k++;
    *max_abs = k ? mx : (double)NAN;
    return k ? sqrt(s / (double)k) : (double)NAN;
}

/* ---- inputs, start device, options ------------------------------------------------------ */

static int read_data(const char *prog, const fit_args *a, fit_result *r)
{
    if (!a->rt && !a->iv && !a->fv && !a->trace)
        return cli_error(prog, "no data to fit: give at least one of --rt, --iv, --fv, --trace (docs/measured-data.md)");
    if (!isnan(a->iv_series_ohm) && !a->iv)
        return cli_error(prog, "--iv-series applies to an --iv file; give --iv too");
    const char *files[] = {a->rt, a->iv, a->fv, a->fv_check, a->trace};
    const char *flags[] = {"--rt", "--iv", "--fv", "--fv-check", "--trace"};
    for (int k = 0; k < 5; k++)
        if (files[k] && vs_outputs_protect(files[k]) != VS_OK) return cli_error(prog, "%s: %s", flags[k], vs_last_error());
    if (a->rt && vs_meas_read_rt(a->rt, &r->rt) != VS_OK) return cli_error(prog, "--rt: %s", vs_last_error());
    if (a->iv && vs_meas_read_iv(a->iv, a->iv_series_ohm, &r->iv) != VS_OK)
        return cli_error(prog, "--iv: %s", vs_last_error());
    if (a->fv && vs_meas_read_fv(a->fv, &r->fv) != VS_OK) return cli_error(prog, "--fv: %s", vs_last_error());
    if (a->fv_check && vs_meas_read_fv(a->fv_check, &r->fv_check) != VS_OK)
        return cli_error(prog, "--fv-check: %s", vs_last_error());
    if (a->trace && vs_meas_read_trace(a->trace, &r->trace) != VS_OK) return cli_error(prog, "--trace: %s", vs_last_error());
    return 0;
}

/* --t-amb: the start device's t_amb (every model has one), before --fix and --bounds. */
static int set_t_amb(const char *prog, const fit_args *a, fit_result *r)
{
    char text[64];
    snprintf(text, sizeof text, "%.17g K", a->t_amb_k);
    if (vs_model_param_index(r->start.model, "t_amb") < 0)
        return cli_error(prog, "--t-amb: model %s has no ambient temperature", r->start.model->name);
    if (vs_device_set(&r->start, "t_amb", text) != VS_OK) return cli_error(prog, "--t-amb: %s", vs_last_error());
    return 0;
}

/* --t-amb holds t_amb: a --fix t_amb=... with another value or a --bounds t_amb=... that
   frees it contradicts it. */
static int hold_t_amb(const char *prog, const fit_args *a, fit_result *r)
{
    int j = vs_model_param_index(r->start.model, "t_amb");
    if (r->start.v[j] != a->t_amb_k)
        return cli_error(prog, "--fix t_amb=%g K contradicts --t-amb %g K: give one", r->start.v[j], a->t_amb_k);
    if (r->opts.role[j] != VS_FIT_FIXED)
        return cli_error(prog, "--bounds t_amb frees the ambient temperature that --t-amb %g K holds: give one",
                         a->t_amb_k);
    r->opts.role[j] = VS_FIT_FIXED;
    return 0;
}

/* The start device, its label, the fit options (--fix, --bounds, --t-amb, --bootstrap,
   --seed) and a check of --name; also that the model can take the data given. */
static int build_start(const char *prog, const fit_args *a, fit_result *r)
{
    if (cli_device_resolve(prog, &a->dev, &r->start)) return 1;
    cli_device_label(&r->start, r->start_label, sizeof r->start_label);
    const vs_model *m = r->start.model;
    if ((a->rt || a->iv) && !m->branch_resistance)
        return cli_error(prog, "%s: model %s has no temperature: it can be fitted to --fv and --trace data only",
                         a->rt ? "--rt" : "--iv", m->name);
    if (!isnan(a->t_amb_k) && set_t_amb(prog, a, r)) return 1;
    r->opts = vs_fit_opts_default(&r->start);
    if (a->fix && vs_fit_opts_fix(&r->opts, &r->start, a->fix) != VS_OK) return cli_fail(prog);
    if (a->bounds && vs_fit_opts_bounds(&r->opts, &r->start, a->bounds) != VS_OK) return cli_fail(prog);
    if (!isnan(a->t_amb_k) && hold_t_amb(prog, a, r)) return 1;
    if (vs_device_validate(&r->start) != VS_OK) return cli_error(prog, "--fix: %s", vs_last_error());
    r->opts.bootstrap = (int)a->bootstrap;
    r->opts.seed = (uint64_t)a->seed;
    vs_device_params probe = r->start;
    if (a->name && vs_device_set(&probe, "name", a->name) != VS_OK)
        return cli_error(prog, "--name: %s", vs_last_error());
    if ((a->fv || a->fv_check || a->trace) && vs_circuit_validate(&a->circ) != VS_OK) return cli_fail(prog);
    return 0;
}

/* Name every output after --out and claim it for this run. */
static int name_outputs(const char *prog, const fit_args *a, fit_result *r)
{
    static const char *const csv_suffix[VS_FIT_SETS] = {"_rt.csv", "_iv.csv", "_fv.csv", "_trace.csv"};
    static const char *const png_suffix[VS_FIT_SETS] = {"_rt.png", "_iv.png", "_fv.png", "_trace.png"};
    const char *files[VS_FIT_SETS] = {a->rt, a->iv, a->fv, a->trace};
    if (a->plot != CLI_PLOT_NONE && vs_output_is_stream(a->out))
        return cli_error(prog, "the plots read the data back from the CSVs beside --out; give --out a file "
                               "name, not '%s', or --no-plot", a->out);
    snprintf(r->device_file, sizeof r->device_file, "%s", a->out);
    if (cli_prepare_output(prog, r->device_file)) return 1;
    for (int s = 0; s < VS_FIT_SETS; s++) {
        fit_set_out *o = &r->out[s];
        o->file = files[s];
        o->csv[0] = o->png[0] = '\0';
        if (files[s]) cli_with_suffix(a->out, csv_suffix[s], o->csv, sizeof o->csv);
        if (a->plot != CLI_PLOT_NONE && (files[s] || (s == VS_FIT_FV && a->fv_check)))
            cli_with_suffix(a->out, png_suffix[s], o->png, sizeof o->png);
        if ((o->csv[0] && cli_prepare_output(prog, o->csv)) || (o->png[0] && cli_prepare_output(prog, o->png)))
            return 1;
    }
    r->check_csv[0] = '\0';
    if (a->fv_check) {
        cli_with_suffix(a->out, "_fv_check.csv", r->check_csv, sizeof r->check_csv);
        if (cli_prepare_output(prog, r->check_csv)) return 1;
    }
    return 0;
}

/* ---- per-point CSVs ------------------------------------------------------------------------ */

static int write_rt(const char *prog, const vs_device_params *p, const vs_meas_rt *m, const char *path)
{
    static const char *const cols[] = {"temp_k", "branch_name", "r_meas_ohm", "r_model_ohm", "residual_ln"};
    double *model = malloc((m->n ? m->n : 1) * sizeof *model);
    if (!model) return cli_error(prog, "out of memory for %zu R-T points", m->n);
    vs_csv *w = NULL;
    vs_status st = vs_fit_predict_rt(p, m, model);
    if (st == VS_OK) st = vs_csv_open(path, cols, 5, &w);
    for (size_t k = 0; st == VS_OK && k < m->n; k++) {
        double v[4] = {m->temp_k[k], m->r_ohm[k], model[k], log(model[k]) - log(m->r_ohm[k])};
        st = row_mixed(w, 5, v, 1, m->branch[k] == VS_BRANCH_COOL ? "cooling" : "heating");
    }
    free(model);
    if (st != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

static int write_iv(const char *prog, const vs_device_params *p, const vs_meas_iv *m, const char *path)
{
    static const char *const cols[] = {"i_a", "branch_name", "v_meas_v", "v_model_v", "residual_ln"};
    double *model = malloc((m->n ? m->n : 1) * sizeof *model);
    if (!model) return cli_error(prog, "out of memory for %zu I-V points", m->n);
    vs_csv *w = NULL;
    vs_status st = vs_fit_predict_iv(p, m, model);
    if (st == VS_OK) st = vs_csv_open(path, cols, 5, &w);
    for (size_t k = 0; st == VS_OK && k < m->n; k++) {
        int usable = m->i_a[k] != 0 && m->v_dev_v[k] != 0;
        double res = usable ? log(fabs(model[k]) / fabs(m->v_dev_v[k])) : (double)NAN;
        double v[4] = {m->i_a[k], m->v_dev_v[k], model[k], res};
        st = row_mixed(w, 5, v, 1, m->branch[k] == VS_MEAS_DOWN ? "down" : "up");
    }
    free(model);
    if (st != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

/* f-V points with the model's frequency f (given) and the relative residual. */
static int write_fv(const char *prog, const vs_meas_fv *m, const double *f, const char *path)
{
    static const char *const cols[] = {"v_in_v", "f_meas_hz", "f_model_hz", "residual_rel"};
    vs_csv *w;
    if (vs_csv_open(path, cols, 4, &w) != VS_OK) return cli_fail(prog);
    for (size_t k = 0; k < m->n; k++) {
        double row[4] = {m->v_in_v[k], m->freq_hz[k], f[k], f[k] / m->freq_hz[k] - 1};
        if (vs_csv_row(w, row) != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

/* The columns of the _trace.csv: the response column's name with _meas / _model before its
   unit ("v_osc_v" -> "v_osc_meas_v", "v_osc_model_v"). */
typedef struct trace_cols {
    char meas[48], model[48];
    const char *names[5];
} trace_cols;

static void trace_columns(const vs_meas_trace *m, trace_cols *c)
{
    const char *col = m->response_col, *us = strrchr(col, '_');
    int base = us ? (int)(us - col) : (int)strlen(col);
    snprintf(c->meas, sizeof c->meas, "%.*s_meas%s", base, col, us ? us : "");
    snprintf(c->model, sizeof c->model, "%.*s_model%s", base, col, us ? us : "");
    c->names[0] = "t_s", c->names[1] = m->input_is_current ? "i_in_a" : "v_in_v";
    c->names[2] = c->meas, c->names[3] = c->model, c->names[4] = "residual_rel";
}

/* t_s, the input, measured and model response, (model - meas) / max |meas| per sample. */
static int write_trace(const char *prog, const vs_meas_trace *m, const double *y, const char *path)
{
    trace_cols c;
    trace_columns(m, &c);
    double peak = 0;
    for (size_t k = 0; k < m->n; k++) peak = fmax(peak, fabs(m->response[k]));
    if (!(peak > 0)) peak = 1;   /* as the fit: a response that is 0 throughout is scaled by 1 */
    vs_csv *w;
    if (vs_csv_open(path, c.names, 5, &w) != VS_OK) return cli_fail(prog);
    for (size_t k = 0; k < m->n; k++) {
        double row[5] = {m->t_s[k], m->input[k], m->response[k], y[k], (y[k] - m->response[k]) / peak};
        if (vs_csv_row(w, row) != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

static int write_device(const char *prog, const vs_device_params *p, const char *path)
{
    vs_afile *f;
    if (vs_afile_open(path, &f) != VS_OK) return cli_fail(prog);
    if (vs_device_write(vs_afile_stream(f), p) != VS_OK) return vs_afile_abort(f), cli_fail(prog);
    return vs_afile_commit(f) == VS_OK ? 0 : cli_fail(prog);
}

/* ---- plots: data and model above, residuals below ----------------------------------------- */

#define GRID 201

/* The common frame of the two panels; the top one is titled. */
static void plot_begin(sbuf *b, const char *title, double x0, double x1)
{
    char q[2 * VS_NAME_MAX + 64];
    cli_plot_quote(title, q, sizeof q);
    if (!(x1 > x0)) x0 -= 0.5 * fabs(x0) + 1e-12, x1 += 0.5 * fabs(x1) + 1e-12;
    sb_printf(b, "set datafile separator ','\nset multiplot\nset grid\n"
                 "set lmargin at screen 0.12\nset rmargin at screen 0.97\nset xrange [%.10g:%.10g]\n"
                 "set tmargin at screen 0.93\nset bmargin at screen 0.37\nset title '%s' noenhanced\n"
                 "set format x ''\nset key top right\n", x0, x1, q);
}

static void plot_lower(sbuf *b, const char *ylabel, const char *xlabel)
{
    sb_printf(b, "unset title\nset tmargin at screen 0.33\nset bmargin at screen 0.08\nset format x '%% g'\n"
                 "unset logscale y\nset ylabel '%s'\nset xlabel '%s'\nunset key\n", ylabel, xlabel);
}

static int plot_end(const char *prog, int plot, sbuf *b, const char *png)
{
    sb_printf(b, "unset multiplot\n");
    if (b->failed) return free(b->p), cli_error(prog, "out of memory for the plot script of %s", png);
    int rc = cli_plot(prog, plot, b->p, png, 900, 720);
    free(b->p);
    return rc;
}

static int plot_rt(const char *prog, int plot, const vs_device_params *p, const vs_meas_rt *m, const char *csv,
                   const char *png, const char *label)
{
    double t0 = INFINITY, t1 = -INFINITY, t[2 * GRID], r[2 * GRID];
    int br[2 * GRID];
    for (size_t k = 0; k < m->n; k++) t0 = fmin(t0, m->temp_k[k]), t1 = fmax(t1, m->temp_k[k]);
    for (int k = 0; k < GRID; k++)
        t[k] = t[GRID + k] = t0 + (t1 - t0) * k / (GRID - 1), br[k] = VS_BRANCH_HEAT, br[GRID + k] = VS_BRANCH_COOL;
    vs_meas_rt grid = {.n = 2 * GRID, .temp_k = t, .r_ohm = r, .branch = br};
    if (vs_fit_predict_rt(p, &grid, r) != VS_OK) return cli_fail(prog);
    char title[256], qc[4200], a[32], c[32];
    snprintf(title, sizeof title, "R-T: %s", label);
    cli_plot_quote(csv, qc, sizeof qc);
    sbuf b = {0};
    sb_printf(&b, "$model << EOD\n");
    for (int k = 0; k < GRID; k++)
        sb_printf(&b, "%.10g,%s,%s\n", t[k], num(a, sizeof a, r[k], "NaN"), num(c, sizeof c, r[GRID + k], "NaN"));
    sb_printf(&b, "EOD\n");
    plot_begin(&b, title, t0, t1);
    sb_printf(&b, "set logscale y\nset ylabel 'resistance (Ohm)'\n"
                  "plot $model using 1:2 with lines lw 2 lc rgb '#d62728' title 'model, heating', \\\n"
                  "     $model using 1:3 with lines lw 2 lc rgb '#1f77b4' title 'model, cooling', \\\n"
                  "     '%s' every ::1 using 1:(strcol(2) eq 'heating' ? $3 : NaN) with points pt 7 ps 0.6 lc rgb '#d62728' title 'measured, heating', \\\n"
                  "     '%s' every ::1 using 1:(strcol(2) eq 'cooling' ? $3 : NaN) with points pt 6 ps 0.6 lc rgb '#1f77b4' title 'measured, cooling'\n",
              qc, qc);
    plot_lower(&b, "ln R_{model} - ln R_{meas}", "temperature (K)");
    sb_printf(&b, "plot 0 with lines dt 2 lc rgb '#7f7f7f', \\\n"
                  "     '%s' every ::1 using 1:(strcol(2) eq 'heating' ? $5 : NaN) with points pt 7 ps 0.6 lc rgb '#d62728', \\\n"
                  "     '%s' every ::1 using 1:(strcol(2) eq 'cooling' ? $5 : NaN) with points pt 6 ps 0.6 lc rgb '#1f77b4'\n",
              qc, qc);
    return plot_end(prog, plot, &b, png);
}

static int plot_iv(const char *prog, int plot, const vs_device_params *p, const vs_meas_iv *m, const char *csv,
                   const char *png, const char *label)
{
    double i0 = INFINITY, i1 = 0, vmax = 0, cur[2 * GRID], v[2 * GRID];
    int br[2 * GRID];
    for (size_t k = 0; k < m->n; k++) {
        double i = fabs(m->i_a[k]);
        if (i > 0) i0 = fmin(i0, i), i1 = fmax(i1, i);
        vmax = fmax(vmax, fabs(m->v_dev_v[k]));
    }
    if (!(i1 > 0)) i0 = 1e-6, i1 = 1e-3;
    if (!(i1 > i0)) i0 *= 0.5, i1 *= 2;
    for (int k = 0; k < GRID; k++) {
        cur[k] = cur[GRID + k] = i0 * pow(i1 / i0, (double)k / (GRID - 1));
        br[k] = VS_MEAS_UP, br[GRID + k] = VS_MEAS_DOWN;
    }
    vs_meas_iv grid = {.n = 2 * GRID, .v_dev_v = v, .i_a = cur, .branch = br};
    if (vs_fit_predict_iv(p, &grid, v) != VS_OK) return cli_fail(prog);
    for (int k = 0; k < 2 * GRID; k++)
        if (isfinite(v[k])) vmax = fmax(vmax, fabs(v[k]));
    char title[256], qc[4200], a[32], c[32];
    snprintf(title, sizeof title, "I-V: %s", label);
    cli_plot_quote(csv, qc, sizeof qc);
    sbuf b = {0};
    sb_printf(&b, "$model << EOD\n");
    for (int k = 0; k < GRID; k++)
        sb_printf(&b, "%.10g,%s,%s\n", cur[k], num(a, sizeof a, v[k], "NaN"), num(c, sizeof c, v[GRID + k], "NaN"));
    sb_printf(&b, "EOD\n");
    plot_begin(&b, title, 0, 1.05 * vmax);
    sb_printf(&b, "set logscale y\nset ylabel 'current |I| (A)'\nset key bottom right\n"
                  "plot $model using (abs($2)):1 with lines lw 2 lc rgb '#d62728' title 'model, up (heating)', \\\n"
                  "     $model using (abs($3)):1 with lines lw 2 lc rgb '#1f77b4' title 'model, down (cooling)', \\\n"
                  "     '%s' every ::1 using (abs($3)):(strcol(2) eq 'up' && $1 != 0 ? abs($1) : NaN) with points pt 7 ps 0.6 lc rgb '#d62728' title 'measured, up', \\\n"
                  "     '%s' every ::1 using (abs($3)):(strcol(2) eq 'down' && $1 != 0 ? abs($1) : NaN) with points pt 6 ps 0.6 lc rgb '#1f77b4' title 'measured, down'\n",
              qc, qc);
    plot_lower(&b, "ln V_{model} - ln V_{meas}", "device voltage |V| (V)");
    sb_printf(&b, "plot 0 with lines dt 2 lc rgb '#7f7f7f', \\\n"
                  "     '%s' every ::1 using (abs($3)):(strcol(2) eq 'up' ? $5 : NaN) with points pt 7 ps 0.6 lc rgb '#d62728', \\\n"
                  "     '%s' every ::1 using (abs($3)):(strcol(2) eq 'down' ? $5 : NaN) with points pt 6 ps 0.6 lc rgb '#1f77b4'\n",
              qc, qc);
    return plot_end(prog, plot, &b, png);
}

/* Measured frequency interpolated at v over the points of a and b (sorted copies in xs/fs). */
static double interp_freq(const double *xs, const double *fs, size_t n, double v)
{
    if (v <= xs[0]) return fs[0];
    for (size_t k = 1; k < n; k++)
        if (v <= xs[k]) return fs[k - 1] + (fs[k] - fs[k - 1]) * (v - xs[k - 1]) / (xs[k] - xs[k - 1]);
    return fs[n - 1];
}

typedef struct vf_pt {
    double v, f;
} vf_pt;

static int cmp_vf(const void *x, const void *y)
{
    double a = ((const vf_pt *)x)->v, b = ((const vf_pt *)y)->v;
    return (a > b) - (a < b);
}

#define FV_GRID 41

static int plot_fv(const char *prog, int plot, const vs_device_params *p, const vs_circuit *circ,
                   const vs_meas_fv *fit, const vs_meas_fv *check, const char *csv, const char *check_csv,
                   const char *png, const char *label)
{
    size_t n = fit->n + check->n;
    vf_pt *pts = malloc(n * sizeof *pts);
    double *xs = malloc(2 * n * sizeof *xs);
    if (!pts || !xs) return free(pts), free(xs), cli_error(prog, "out of memory for the f-V plot");
    for (size_t k = 0; k < fit->n; k++) pts[k] = (vf_pt){fit->v_in_v[k], fit->freq_hz[k]};
    for (size_t k = 0; k < check->n; k++) pts[fit->n + k] = (vf_pt){check->v_in_v[k], check->freq_hz[k]};
    qsort(pts, n, sizeof *pts, cmp_vf);
    double *fs = xs + n;
    for (size_t k = 0; k < n; k++) xs[k] = pts[k].v, fs[k] = pts[k].f;
    free(pts);
    double v0 = xs[0], v1 = xs[n - 1], pad = 0.03 * (v1 - v0), gv[FV_GRID], gf[FV_GRID], model[FV_GRID];
    for (int k = 0; k < FV_GRID; k++) {
        gv[k] = v0 + (v1 - v0) * k / (FV_GRID - 1);
        gf[k] = interp_freq(xs, fs, n, gv[k]);
    }
    free(xs);
    vs_meas_fv grid = {.n = FV_GRID, .v_in_v = gv, .freq_hz = gf};
    if (vs_fit_predict_fv(p, circ, &grid, model) != VS_OK) return cli_fail(prog);
    char title[256], qc[4200], qk[4200];
    snprintf(title, sizeof title, "f-V: %s", label);
    sbuf b = {0};
    sb_printf(&b, "$model << EOD\n");
    for (int k = 0; k < FV_GRID; k++) sb_printf(&b, "%.10g,%.10g\n", gv[k], model[k]);
    sb_printf(&b, "EOD\n");
    plot_begin(&b, title, v0 - pad, v1 + pad);
    sb_printf(&b, "set ylabel 'frequency (kHz)'\nset key bottom right\n"
                  "plot $model using 1:($2 > 0 ? $2/1e3 : NaN) with lines lw 2 lc rgb '#2ca02c' title 'model'");
    if (csv[0]) {
        cli_plot_quote(csv, qc, sizeof qc);
        sb_printf(&b, ", \\\n     '%s' every ::1 using 1:($2/1e3) with points pt 7 ps 0.9 lc rgb '#1f77b4' title 'measured, fitted'", qc);
    }
    if (check_csv[0]) {
        cli_plot_quote(check_csv, qk, sizeof qk);
        sb_printf(&b, ", \\\n     '%s' every ::1 using 1:($2/1e3) with points pt 5 ps 0.9 lc rgb '#d62728' title 'measured, check (not fitted)'", qk);
    }
    sb_printf(&b, "\n");
    plot_lower(&b, "f_{model} / f_{meas} - 1 (%)", "input voltage V_{in} (V)");
    sb_printf(&b, "plot 0 with lines dt 2 lc rgb '#7f7f7f'");
    if (csv[0]) sb_printf(&b, ", \\\n     '%s' every ::1 using 1:($4*100) with points pt 7 ps 0.9 lc rgb '#1f77b4'", qc);
    if (check_csv[0]) sb_printf(&b, ", \\\n     '%s' every ::1 using 1:($4*100) with points pt 5 ps 0.9 lc rgb '#d62728'", qk);
    sb_printf(&b, "\n");
    return plot_end(prog, plot, &b, png);
}

/* Measured and model waveforms against time, residuals below; read from the _trace.csv. */
static int plot_trace(const char *prog, int plot, const vs_meas_trace *m, const char *csv, const char *png,
                      const char *label)
{
    double t0 = m->t_s[0], t1 = m->t_s[m->n - 1], span = t1 - t0, ts = 1;
    const char *tu = "s";
    if (span < 2e-6) ts = 1e9, tu = "ns";
    else if (span < 2e-3) ts = 1e6, tu = "us";
    else if (span < 2) ts = 1e3, tu = "ms";
    const char *col = m->response_col, *what = "V_{osc}", *unit = "V";
    double ys = 1;
    if (strcmp(col, "v_dev_v") == 0) what = "V_{dev}";
    else if (strcmp(col, "v_spike_v") == 0) what = "V_{spike}";
    else if (strcmp(col, "i_dev_a") == 0) what = "I_{dev}", unit = "mA", ys = 1e3;
    char title[256], qc[4200];
    snprintf(title, sizeof title, "waveform (%s): %s", col, label);
    cli_plot_quote(csv, qc, sizeof qc);
    sbuf b = {0};
    plot_begin(&b, title, t0 * ts, t1 * ts);
    sb_printf(&b, "set ylabel '%s (%s)'\n"
                  "plot '%s' every ::1 using ($1*%.10g):($3*%.10g) with lines lw 3 lc rgb '#1f77b4' title 'measured', \\\n"
                  "     '%s' every ::1 using ($1*%.10g):($4*%.10g) with lines lw 1.5 lc rgb '#d62728' title 'model'\n",
              what, unit, qc, ts, ys, qc, ts, ys);
    char xlabel[32];
    snprintf(xlabel, sizeof xlabel, "time (%s)", tu);
    plot_lower(&b, "(y_{model} - y_{meas}) / max|y_{meas}| (%)", xlabel);
    sb_printf(&b, "plot 0 with lines dt 2 lc rgb '#7f7f7f', \\\n"
                  "     '%s' every ::1 using ($1*%.10g):($5*100) with lines lw 1.5 lc rgb '#d62728'\n",
              qc, ts);
    return plot_end(prog, plot, &b, png);
}

/* ---- the run ------------------------------------------------------------------------------- */

/* The fitted device's name: --name, else "fit of <start label>" (characters a name may not
   hold replaced by spaces). */
static void name_device(const fit_args *a, fit_result *r)
{
    vs_device_params *d = &r->fit.device;
    if (a->name) {
        vs_device_set(d, "name", a->name);   /* checked by build_start */
        return;
    }
    snprintf(d->name, sizeof d->name, "fit of %.*s", (int)sizeof d->name - 8, r->start_label);
    for (char *c = d->name; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == ',' || *c == '"') *c = ' ';
}

/* The check points where the fitted model does not oscillate, as a warning after the
   library's (dropped when the list is full). */
static void warn_silent_points(fit_result *r, const char *what, const vs_meas_fv *m, const double *f)
{
    vs_fit_result *fr = &r->fit;
    size_t n0 = 0;
    char at[120] = "";
    for (size_t k = 0, len = 0; k < m->n; k++)
        if (!(f[k] > 0)) {
            if (len < sizeof at) len += (size_t)snprintf(at + len, sizeof at - len, "%s%.4g V", n0 ? ", " : "", m->v_in_v[k]);
            n0++;
        }
    if (!n0 || fr->n_warnings >= VS_FIT_MAX_WARNINGS) return;
    snprintf(fr->warnings[fr->n_warnings++], VS_FIT_WARNING_LEN,
             "%s: the fitted model does not oscillate at %zu of %zu points (%s); each counts as residual -1",
             what, n0, m->n, at);
}

/* Predictions at the points of each set, written with the data; the check points. */
static int write_outputs(const char *prog, const fit_args *a, fit_result *r)
{
    vs_device_params nom = vs_device_nominal(&r->fit.device);   /* what vs_fit compared with the data */
    if (write_device(prog, &r->fit.device, r->device_file)) return 1;
    if (a->rt && write_rt(prog, &nom, &r->rt, r->out[VS_FIT_RT].csv)) return 1;
    if (a->iv && write_iv(prog, &nom, &r->iv, r->out[VS_FIT_IV].csv)) return 1;
    if (a->fv) {
        double *f = malloc(r->fv.n * sizeof *f);
        if (!f) return cli_error(prog, "out of memory for %zu f-V points", r->fv.n);
        int rc = vs_fit_predict_fv(&nom, &a->circ, &r->fv, f) != VS_OK ? cli_fail(prog)
                                                                        : write_fv(prog, &r->fv, f, r->out[VS_FIT_FV].csv);
        free(f);
        if (rc) return 1;
    }
    if (a->trace) {
        double *y = malloc(r->trace.n * sizeof *y);
        if (!y) return cli_error(prog, "out of memory for %zu waveform samples", r->trace.n);
        int rc = vs_fit_predict_trace(&nom, &a->circ, &r->trace, y) != VS_OK
                     ? cli_fail(prog)
                     : write_trace(prog, &r->trace, y, r->out[VS_FIT_TRACE].csv);
        free(y);
        if (rc) return 1;
    }
    if (a->fv_check) {
        size_t n = r->fv_check.n;
        double *res = malloc(n * sizeof *res);
        r->check_freq_hz = malloc(n * sizeof *r->check_freq_hz);
        if (!res || !r->check_freq_hz) return free(res), cli_error(prog, "out of memory for %zu f-V points", n);
        if (vs_fit_predict_fv(&nom, &a->circ, &r->fv_check, r->check_freq_hz) != VS_OK) return free(res), cli_fail(prog);
        for (size_t k = 0; k < n; k++) res[k] = r->check_freq_hz[k] / r->fv_check.freq_hz[k] - 1;
        r->check_rms = rms_of(res, n, &r->check_max_abs);
        free(res);
        if (write_fv(prog, &r->fv_check, r->check_freq_hz, r->check_csv)) return 1;
        warn_silent_points(r, "f-V check", &r->fv_check, r->check_freq_hz);
    }
    if (a->plot == CLI_PLOT_NONE) return 0;
    const char *label = r->fit.device.name;
    if (a->rt && plot_rt(prog, a->plot, &nom, &r->rt, r->out[VS_FIT_RT].csv, r->out[VS_FIT_RT].png, label)) return 1;
    if (a->iv && plot_iv(prog, a->plot, &nom, &r->iv, r->out[VS_FIT_IV].csv, r->out[VS_FIT_IV].png, label)) return 1;
    if ((a->fv || a->fv_check) &&
        plot_fv(prog, a->plot, &nom, &a->circ, &r->fv, &r->fv_check, r->out[VS_FIT_FV].csv, r->check_csv,
                r->out[VS_FIT_FV].png, label))
        return 1;
    if (a->trace &&
        plot_trace(prog, a->plot, &r->trace, r->out[VS_FIT_TRACE].csv, r->out[VS_FIT_TRACE].png, label))
        return 1;
    return 0;
}

static int run(const char *prog, const fit_args *a, fit_result *r)
{
    if (read_data(prog, a, r) || build_start(prog, a, r) || name_outputs(prog, a, r)) return 1;
    cli_apply_threads(prog, a->threads);
    vs_fit_data d = {.rt = a->rt ? &r->rt : NULL, .iv = a->iv ? &r->iv : NULL, .fv = a->fv ? &r->fv : NULL,
                     .trace = a->trace ? &r->trace : NULL, .circuit = a->circ};
    cli_progress bar;
    vs_fit_opts o = r->opts;
    o.progress = progress_update;
    o.user = &bar;
    progress_begin(&bar, "fit");
    double t0 = progress_now();
    vs_status st = vs_fit(&r->start, &d, &o, &r->fit);
    r->seconds = progress_now() - t0;
    progress_end(&bar);
    if (st != VS_OK) return cli_fail(prog);
    name_device(a, r);
    return write_outputs(prog, a, r);
}

void fit_result_free(fit_result *r)
{
    vs_meas_rt_free(&r->rt);
    vs_meas_iv_free(&r->iv);
    vs_meas_fv_free(&r->fv);
    vs_meas_fv_free(&r->fv_check);
    vs_meas_trace_free(&r->trace);
    free(r->check_freq_hz);
    r->check_freq_hz = NULL;
}

int fit_exec(const char *prog, const fit_args *a, fit_result *r)
{
    memset(r, 0, sizeof *r);
    r->check_rms = r->check_max_abs = NAN;
    if (!run(prog, a, r)) return 0;
    fit_result_free(r);
    return 1;
}

/* ---- summaries ----------------------------------------------------------------------------- */

/* Keys of the parameters with flag[j] set (n of them into keys). */
static int keys_where(const vs_model *m, const int *flag, const char **keys)
{
    int n = 0;
    for (int j = 0; j < m->n_params; j++)
        if (flag[j]) keys[n++] = m->params[j].key;
    return n;
}

/* "params", "stderr", "ci95", "units" and "correlation" of the fitted parameters. */
static void json_params(vs_json *j, const vs_fit_result *fr, const char **keys)
{
    const vs_model *m = fr->device.model;
    for (int k = 0; k < fr->n_free; k++) keys[k] = m->params[fr->free_idx[k]].key;
    vs_json_object(j, "params");
    for (int k = 0; k < fr->n_free; k++) vs_json_num(j, keys[k], fr->device.v[fr->free_idx[k]]);
    vs_json_close(j);
    vs_json_object(j, "stderr");
    for (int k = 0; k < fr->n_free; k++) vs_json_num(j, keys[k], fr->stderr_[fr->free_idx[k]]);
    vs_json_close(j);
    vs_json_object(j, "ci95");
    for (int k = 0; k < fr->n_free; k++) {
        int i = fr->free_idx[k];
        vs_json_nums(j, keys[k], (const double[]){fr->ci_lo[i], fr->ci_hi[i]}, 2);
    }
    vs_json_close(j);
    vs_json_object(j, "units");
    for (int k = 0; k < fr->n_free; k++) vs_json_str(j, keys[k], m->params[fr->free_idx[k]].unit);
    vs_json_close(j);
    vs_json_object(j, "correlation");
    vs_json_strs(j, "keys", keys, (size_t)fr->n_free);
    vs_json_array(j, "matrix");
    for (int k = 0; k < fr->n_free; k++) vs_json_nums(j, NULL, fr->corr + k * fr->n_free, (size_t)fr->n_free);
    vs_json_close(j);
    vs_json_close(j);
}

/* "sets": each data set given, with its files and residuals. */
static void json_sets(vs_json *j, const fit_result *r)
{
    vs_json_object(j, "sets");
    for (int s = 0; s < VS_FIT_SETS; s++) {
        const vs_fit_set *fs = &r->fit.set[s];
        if (!fs->used) continue;
        vs_json_object(j, set_key[s]);
        vs_json_str(j, "file", r->out[s].file);
        vs_json_str(j, "csv", r->out[s].csv);
        vs_json_str(j, "png", r->out[s].png[0] ? r->out[s].png : NULL);
        vs_json_int(j, "points", fs->n);
        vs_json_num(j, "rms", fs->rms);
        vs_json_num(j, "rms_alone", fs->rms_alone);
        vs_json_num(j, "max_abs", fs->max_abs);
        vs_json_str(j, "residual", set_residual[s]);
        if (s == VS_FIT_TRACE) {
            vs_json_str(j, "input", r->trace.input_is_current ? "i_in_a" : "v_in_v");
            vs_json_str(j, "response", r->trace.response_col);
        }
        vs_json_close(j);
    }
    vs_json_close(j);
}

/* "validation": the --fv-check points, predicted after the fit. */
static void json_validation(vs_json *j, const fit_args *a, const fit_result *r)
{
    const vs_meas_fv *c = &r->fv_check;
    vs_json_object(j, "validation");
    vs_json_str(j, "file", a->fv_check);
    vs_json_str(j, "csv", r->check_csv);
    vs_json_int(j, "points", (long long)c->n);
    vs_json_num(j, "rms", r->check_rms);
    vs_json_num(j, "max_abs", r->check_max_abs);
    vs_json_str(j, "residual", FV_RESIDUAL);
    vs_json_array(j, "per_point");
    for (size_t k = 0; k < c->n; k++) {
        vs_json_object(j, NULL);
        vs_json_num(j, "v_in_v", c->v_in_v[k]);
        vs_json_num(j, "f_meas_hz", c->freq_hz[k]);
        vs_json_num(j, "f_model_hz", r->check_freq_hz[k]);
        vs_json_num(j, "residual", r->check_freq_hz[k] / c->freq_hz[k] - 1);
        vs_json_close(j);
    }
    vs_json_close(j);
    vs_json_close(j);
}

void fit_json(FILE *f, const fit_args *a, const fit_result *r)
{
    const vs_fit_result *fr = &r->fit;
    const vs_model *m = fr->device.model;
    const char *keys[VS_MAX_PARAMS];
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "fit");
    vs_json_str(&j, "model", m->name);
    vs_json_str(&j, "device_file", r->device_file);
    vs_json_str(&j, "start_label", r->start_label);
    vs_device_json(&j, "start", &r->start);
    vs_device_json(&j, "device", &fr->device);
    json_params(&j, fr, keys);
    json_sets(&j, r);
    if (a->fv_check) json_validation(&j, a, r);
    const char *warnings[VS_FIT_MAX_WARNINGS];
    for (int w = 0; w < fr->n_warnings; w++) warnings[w] = fr->warnings[w];
    vs_json_strs(&j, "warnings", warnings, (size_t)fr->n_warnings);
    vs_json_strs(&j, "undetermined", keys, (size_t)keys_where(m, fr->undetermined, keys));
    vs_json_strs(&j, "at_bound", keys, (size_t)keys_where(m, fr->at_bound, keys));
    int held[VS_MAX_PARAMS] = {0};
    for (int i = 0; i < m->n_params; i++) held[i] = r->opts.role[i] == VS_FIT_FIXED;
    vs_json_strs(&j, "held", keys, (size_t)keys_where(m, held, keys));
    vs_json_int(&j, "bootstrap", fr->bootstrap);
    vs_json_int(&j, "evaluations", fr->evaluations);
    vs_json_num(&j, "seconds", r->seconds);
    vs_json_end(&j);
}

/* key | value | stderr | ci95 | unit, every parameter of the model; those not fitted "held". */
static void print_table(const fit_result *r)
{
    const vs_fit_result *fr = &r->fit;
    const vs_model *m = fr->device.model;
    int kw = 10;
    for (int i = 0; i < m->n_params; i++) kw = (int)fmax(kw, (double)strlen(m->params[i].key));
    printf("  %-*s %13s %11s  %-27s %s\n", kw, "key", "value", "stderr", "ci95", "unit");
    for (int i = 0; i < m->n_params; i++) {
        const char *unit = m->params[i].unit;
        int fitted = 0;
        for (int k = 0; k < fr->n_free; k++) fitted |= fr->free_idx[k] == i;
        if (fitted) {
            char ci[64];
            snprintf(ci, sizeof ci, "[%.6g, %.6g]", fr->ci_lo[i], fr->ci_hi[i]);
            printf("  %-*s %13.7g %11.3g  %-27s %s\n", kw, m->params[i].key, fr->device.v[i], fr->stderr_[i], ci, unit);
        } else {
            printf("  %-*s %13.7g %11s  %-27s %s\n", kw, m->params[i].key, fr->device.v[i],
                   "held", fr->undetermined[i] ? "(not determined)" : "", unit);
        }
    }
}

static void print_text(const fit_args *a, const fit_result *r)
{
    const vs_fit_result *fr = &r->fit;
    printf("%s: model %s from %s, fitted to", fr->device.name, fr->device.model->name, r->start_label);
    for (int s = 0, first = 1; s < VS_FIT_SETS; s++)
        if (fr->set[s].used) {
            printf("%s %s %s (", first ? "" : ",", set_title[s], r->out[s].file);
            if (s == VS_FIT_TRACE) printf("%s, ", r->trace.response_col);
            printf("%ld points)", fr->set[s].n), first = 0;
        }
    printf("; %.2f s, %ld evaluations\n", r->seconds, fr->evaluations);
    print_table(r);
    for (int s = 0; s < VS_FIT_SETS; s++) {
        const vs_fit_set *fs = &fr->set[s];
        if (fs->used)
            printf("rms %s  %.4g (%s; %.4g fitted alone; largest |residual| %.4g)\n", set_title[s], fs->rms,
                   set_residual[s], fs->rms_alone, fs->max_abs);
    }
    if (a->fv_check)
        printf("validation  %s: %zu f-V points not fitted, rms %s %.4g (%.3g %%), largest %.4g\n", a->fv_check,
               r->fv_check.n, FV_RESIDUAL, r->check_rms, 100 * r->check_rms, r->check_max_abs);
    if (fr->bootstrap) printf("ci95 from %d bootstrap resamples\n", fr->bootstrap);
    for (int w = 0; w < fr->n_warnings; w++) printf("warning: %s\n", fr->warnings[w]);
    printf("wrote %s", r->device_file);
    for (int s = 0; s < VS_FIT_SETS; s++)
        if (r->out[s].csv[0]) printf(", %s", r->out[s].csv);
    if (r->check_csv[0]) printf(", %s", r->check_csv);
    for (int s = 0; s < VS_FIT_SETS; s++)
        if (r->out[s].png[0]) printf(", %s", r->out[s].png);
    printf("\n");
}

int cmd_fit(int argc, char **argv)
{
    const char *prog = "vo2snn fit";
    fit_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static fit_result r;
    if (fit_exec(prog, &a, &r)) return 1;
    if (a.json)
        fit_json(stdout, &a, &r);
    else
        print_text(&a, &r);
    fit_result_free(&r);
    return 0;
}
