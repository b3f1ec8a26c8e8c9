/* cmd_iv.c -- `vo2snn iv`: quasi-static folds and the swept I-V hysteresis loop. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd_iv.h"
#include "commands.h"
#include "common.h"
#include "vo2snn/iv.h"
#include "vo2snn/json.h"
#include "vo2snn/measured.h"
#include "vo2snn/ode.h"

#define TRACE_CYCLES 5   /* cycles written to the trace CSV */

static const char *const trace_cols[] = {"t_s", "v_src_v", "v_dev_v", "i_a", "temp_k", "r_dev_ohm", "m", "cycle"};
static const char *const scurve_cols[] = {"branch", "temp_k", "v_dev_v", "i_a", "r_dev_ohm",
                                          "branch_name"};
static const char *const cycle_cols[] = {"cycle", "v_on_v", "v_off_v"};

static int trace_sample(const vs_iv_sample *s, void *w)
{
    if (s->cycle >= TRACE_CYCLES) return 1;   /* stops only the sampling, not the sweep */
    double row[8] = {s->t_s, s->v_src_v, s->v_dev_v, s->i_a, s->temp_k, s->r_ohm, s->m, (double)s->cycle};
    return vs_csv_row((vs_csv *)w, row) == VS_OK ? 0 : 1;
}

/* Steady-state S-curve on both branches from ambient to well past the transition. */
int iv_write_scurve(const char *prog, const vs_device_params *p, const char *path)
{
    vs_rt_summary rt;
    if (vs_rt_summarize(p, &rt) != VS_OK) return cli_fail(prog);
    vs_csv *w;
    if (vs_csv_open(path, scurve_cols, 6, &w) != VS_OK) return cli_fail(prog);
    double t_amb = vs_device_ambient(p);
    double t_hi = isnan(rt.t_edge_hi_k) ? t_amb + 100.0 : rt.t_edge_hi_k + 20.0;
    int n = 600;
    for (int b = 0; b < 2; b++)
        for (int k = 1; k <= n; k++) {
            double t = t_amb + (t_hi - t_amb) * k / n, v, i, r;
            if (vs_device_steady(p, (vs_branch)b, t, &v, &i, &r) != VS_OK) {
                vs_csv_abort(w);
                return cli_fail(prog);
            }
            double row[5] = {b, t, v, i, r};
            if (vs_csv_row_named(w, row, b == VS_BRANCH_HEAT ? "heating" : "cooling") != VS_OK) {
                vs_csv_abort(w);
                return cli_fail(prog);
            }
        }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

static int write_cycles(const char *prog, const vs_iv_result *r, const char *path)
{
    vs_csv *w;
    if (vs_csv_open(path, cycle_cols, 3, &w) != VS_OK) return cli_fail(prog);
    for (long c = 0; c < r->n_cycles; c++) {
        double row[3] = {(double)c, r->v_on_v[c], r->v_off_v[c]};
        if (vs_csv_row(w, row) != VS_OK) {
            vs_csv_abort(w);
            return cli_fail(prog);
        }
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

/* Run the sweep, writing the trace CSV (first cycles) to trace_path. */
int iv_run(const char *prog, const vs_device_params *p, const vs_iv_opts *o,
           const char *trace_path, vs_iv_result *r)
{
    vs_iv_opts ot = *o;
    ot.trace_cycles = TRACE_CYCLES;
    if (vs_iv_trace_budget(&ot, "--dt-out") != VS_OK) return cli_error(prog, "%s; raise --dt-out", vs_last_error());
    vs_csv *w;
    if (vs_csv_open(trace_path, trace_cols, 8, &w) != VS_OK) return cli_fail(prog);
    if (vs_iv_sweep(p, &ot, trace_sample, w, r) != VS_OK) {
        vs_csv_abort(w);
        return cli_fail(prog);
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

void iv_plot_script(char *buf, size_t n, const char *trace, const char *scurve, const char *title)
{
    if (!scurve) {   /* a model without temperature: the swept loop alone */
        snprintf(buf, n,
                 "set datafile separator ','\n"
                 "set title '%s'\n"
                 "set xlabel 'device voltage (V)'\nset ylabel 'current (mA)'\n"
                 "set grid\nset key top left\n"
                 "plot '%s' every ::1 using 3:($4*1e3) with lines lw 2 lc rgb '#1f77b4' title 'swept loop'\n",
                 title, trace);
        return;
    }
    snprintf(buf, n,
             "set datafile separator ','\n"
             "set title '%s'\n"
             "set xlabel 'device voltage (V)'\nset ylabel 'current (mA)'\n"
             "set grid\nset key top left\n"
             "plot '%s' every ::1 using 3:($4*1e3) with lines lw 2 lc rgb '#1f77b4' title 'swept loop', \\\n"
             "     '%s' every ::1 using ($1==0?$3:1/0):($4*1e3) with lines dt 2 lc rgb '#d62728' title 'steady state, heating branch', \\\n"
             "     '%s' every ::1 using ($1==1?$3:1/0):($4*1e3) with lines dt 3 lc rgb '#2ca02c' title 'steady state, cooling branch'\n",
             title, trace, scurve, scurve);
}

static const char details[] =
    "V_th is the first maximum of the steady-state S-curve on the heating branch,\n"
    "V_hold the last minimum on the cooling branch (docs/models/vo2x.md 1.2). The sweep drives\n"
    "0 -> v-max -> 0 through --r-load; V_on/V_off are where the switched fraction\n"
    "crosses the midpoint of its swing up/down (m = 0.5 for vo2x).\n"
    "Writes <out> (trace), <out>_scurve.csv (steady state; not for models without a\n"
    "temperature, such as switch), <out>_cycles.csv (per-cycle V_on, V_off) and with --plot\n"
    "<out>.png. --measured FILE reads an I-V file (docs/measured-data.md) before anything\n"
    "runs and draws its points (up and down branches) over the loop; they are copied to\n"
    "<out>_measured.csv (v_dev_v, i_a, branch), which the plot reads. A file of v_src_v,i_a\n"
    "without v_dev_v needs its series resistor, --iv-series R (v_dev = v_src - i_a R).";

void iv_defaults(iv_args *a)
{
    *a = (iv_args){.dev = CLI_DEVICE_DEFAULTS, .o = vs_iv_opts_default(), .out = "out/iv.csv",
                   .seed = 1, .iv_series_ohm = NAN};
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, iv_args *a)
{
    iv_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev),
        {.name = "v-max", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "peak of the triangle (default: 1.3 x V_th)", .dest = &a->o.v_max_v, .min = 0, .max = 1e4},
        {.name = "period", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "one up-and-down sweep", .dest = &a->o.period_s, .min = 1e-9, .max = 100},
        {.name = "r-load", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R", .help = "series load resistor (0 = pure voltage drive)", .dest = &a->o.r_load_ohm, .min = 0, .max = 1e12},
        {.name = "cycles", .kind = OPT_LONG, .metavar = "N", .help = "number of sweeps (jitter from sigma_lnr, sigma_tc)", .dest = &a->o.n_cycles, .min = 1, .max = 1e6},
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "jitter seed", .dest = &a->seed, .min = 0, .max = 9.2e18},
        {.name = "dt-out", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "trace sampling (default: period/2000, at most 1e7 samples over the traced cycles)", .dest = &a->dt_out, .min = 1e-15, .max = 100},
        CLI_OUTPUT_OPTS(a->out, "CSV", "trace CSV path (first 5 cycles)", a->json, a->plot, "<out>.png"),
        CLI_MEASURED_OPT(a->measured, "measured I-V file"),
        {.name = "iv-series", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R", .help = "series resistor of a --measured file of v_src_v,i_a (default: none)", .dest = &a->iv_series_ohm, .min = 1e-6, .max = CLI_R_MAX_OHM},
    };
    int rc = cli_parse(prog, "I-V hysteresis of the device alone: quasi-static folds and a triangular sweep.",
                         details,
        opts, CLI_N_OPTS(opts), argc, argv);
    if (rc != CLI_GO_ON) return rc;
    if (!isnan(a->iv_series_ohm) && !a->measured)
        return cli_error(prog, "--iv-series applies to a --measured file; give --measured too");
    a->plot = cli_measured_plot(a->plot, a->measured);
    return CLI_GO_ON;
}

/* The steady-state S-curve needs the model's temperature (vs_device_steady). */
static int has_scurve(const vs_device_params *p)
{
    return p->model->thermal && p->model->branch_resistance;
}

/* Build the device and its folds, finish the sweep options and check their budgets, and name
   the outputs. */
static int resolve(const char *prog, const iv_args *a, iv_result *r)
{
    if (cli_device_resolve(prog, &a->dev, &r->p)) return 1;
    if (vs_device_folds(&r->p, &r->th, &r->ho) != VS_OK) return cli_fail(prog);
    vs_iv_opts *o = &r->o;
    *o = a->o;
    o->seed = (uint64_t)a->seed;
    o->dt_out_s = a->dt_out > 0 ? a->dt_out : o->period_s / 2000.0;
    o->trace_cycles = TRACE_CYCLES;
    if (vs_iv_trace_budget(o, "--dt-out") != VS_OK) return cli_error(prog, "%s; raise --dt-out", vs_last_error());
    if (vs_ode_check_budget("the sweep's largest step", o->h_max_s, o->period_s * (double)o->n_cycles,
                            VS_MAX_STEPS, "steps") != VS_OK)
        return cli_error(prog, "%s; shorten --period or run fewer --cycles", vs_last_error());
    r->v_max_v = o->v_max_v > 0 ? o->v_max_v : 1.3 * r->th.v_v;

    if (has_scurve(&r->p)) cli_with_suffix(a->out, "_scurve.csv", r->scurve, sizeof r->scurve);
    cli_with_suffix(a->out, "_cycles.csv", r->cycles, sizeof r->cycles);
    cli_with_suffix(a->out, ".png", r->png, sizeof r->png);
    cli_device_label(&r->p, r->label, sizeof r->label);
    return 0;
}

/* Sweep, writing the trace, S-curve and per-cycle CSVs; on success r->iv is the caller's to
   free. */
static int run(const char *prog, const iv_args *a, iv_result *r)
{
    if (cli_prepare_output(prog, a->out)) return 1;
    if (iv_run(prog, &r->p, &r->o, a->out, &r->iv)) return 1;
    if ((r->scurve[0] && iv_write_scurve(prog, &r->p, r->scurve)) || write_cycles(prog, &r->iv, r->cycles)) {
        vs_iv_result_free(&r->iv);
        return 1;
    }
    return 0;
}

/* Read --measured (one line naming file:line and column if it is wrong) and name its copy. */
static int read_measured(const char *prog, const iv_args *a, iv_result *r, vs_meas_iv *m)
{
    if (cli_measured_path(prog, a->out, r->measured_csv, sizeof r->measured_csv)) return 1;
    if (vs_meas_read_iv(a->measured, a->iv_series_ohm, m) != VS_OK)
        return cli_error(prog, "--measured: %s", vs_last_error());
    r->measured_points = m->n;
    return 0;
}

/* The measured points over the script's plot: up filled, down open; no empty series. */
static int add_measured(const char *prog, const iv_result *r, const vs_meas_iv *m, char *script, size_t n)
{
    static const char *const cols[] = {"v_dev_v", "i_a", "branch"};
    static const char *const names[] = {"up", "down"};
    static const char *const style[] = {"pt 7 ps 0.9 lc rgb '#9467bd'", "pt 6 ps 0.9 lc rgb '#ff7f0e'"};
    if (cli_write_measured(prog, r->measured_csv, cols, 2, (const double *const[]){m->v_dev_v, m->i_a},
                           m->n, m->branch, names))
        return 1;
    for (int b = 0; b < 2; b++) {
        size_t k = 0;
        while (k < m->n && m->branch[k] != b) k++;
        if (k == m->n) continue;
        char series[8192];
        snprintf(series, sizeof series,
                 "'%s' every ::1 using (strcol(3) eq '%s' ? $1 : 1/0):($2*1e3) with points %s "
                 "title 'measured, %s'", r->measured_csv, names[b], style[b], names[b]);
        cli_plot_append(script, n, series);
    }
    return 0;
}

int iv_exec(const char *prog, const iv_args *a, iv_result *r)
{
    memset(r, 0, sizeof *r);
    if (resolve(prog, a, r)) return 1;
    vs_meas_iv m = {0};
    if (a->measured && read_measured(prog, a, r, &m)) return 1;
    if (run(prog, a, r)) return vs_meas_iv_free(&m), 1;
    r->on = vs_stats_of(r->iv.v_on_v, r->iv.n_cycles);
    r->off = vs_stats_of(r->iv.v_off_v, r->iv.n_cycles);
    int plot = cli_measured_plot(a->plot, a->measured);
    if (!plot) return 0;
    char script[32768];
    iv_plot_script(script, sizeof script, a->out, r->scurve[0] ? r->scurve : NULL, r->label);
    int rc = a->measured ? add_measured(prog, r, &m, script, sizeof script) : 0;
    vs_meas_iv_free(&m);
    if (rc || cli_plot(prog, plot, script, r->png, 800, 600)) {
        iv_result_free(r);
        return 1;
    }
    return 0;
}

void iv_result_free(iv_result *r)
{
    vs_iv_result_free(&r->iv);
}

void iv_json(FILE *f, const iv_args *a, const iv_result *r)
{
    const vs_fold *th = &r->th, *ho = &r->ho;
    const vs_stats *on = &r->on;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "iv");
    vs_json_str(&j, "device", r->label);
    vs_json_num(&j, "v_th_v", th->v_v);
    vs_json_num(&j, "i_th_a", th->i_a);
    vs_json_num(&j, "temp_th_k", th->t_k);
    vs_json_num(&j, "r_th_ohm", th->r_ohm);
    vs_json_num(&j, "v_hold_v", ho->v_v);
    vs_json_num(&j, "i_hold_a", ho->i_a);
    vs_json_num(&j, "temp_hold_k", ho->t_k);
    vs_json_num(&j, "r_hold_ohm", ho->r_ohm);
    vs_json_num(&j, "hysteresis_v", th->v_v - ho->v_v);
    vs_json_num(&j, "v_max_v", r->v_max_v);
    vs_json_num(&j, "period_s", r->o.period_s);
    vs_json_int(&j, "cycles", r->iv.n_cycles);
    vs_json_num(&j, "v_on_v", r->iv.v_on_v[0]);
    vs_json_num(&j, "v_off_v", r->iv.v_off_v[0]);
    vs_json_object(&j, "v_on_stats");
    vs_json_int(&j, "n", on->n);
    vs_json_num(&j, "mean_v", on->mean);
    vs_json_num(&j, "std_v", on->std);
    vs_json_num(&j, "cv", on->std / on->mean);
    vs_json_num(&j, "min_v", on->min);
    vs_json_num(&j, "max_v", on->max);
    vs_json_num(&j, "p05_v", on->p05);
    vs_json_num(&j, "p95_v", on->p95);
    vs_json_close(&j);
    vs_json_num(&j, "v_off_std_v", r->off.std);
    vs_json_str(&j, "trace_csv", a->out);
    vs_json_str(&j, "scurve_csv", r->scurve[0] ? r->scurve : NULL);   /* null: no temperature */
    vs_json_str(&j, "cycles_csv", r->cycles);
    vs_json_str(&j, "plot_png", cli_measured_plot(a->plot, a->measured) ? r->png : NULL);
    cli_json_measured(&j, a->measured, (long)r->measured_points, NULL, r->measured_csv);
    vs_json_end(&j);
}

static void print_text(const iv_args *a, const iv_result *r)
{
    const vs_fold *th = &r->th, *ho = &r->ho;
    const vs_stats *on = &r->on;
    const char *label = r->label;
    printf("%s: quasi-static V_th %.4g V at %.4g A (T %.4g K, R %.4g Ohm)\n", label, th->v_v, th->i_a, th->t_k, th->r_ohm);
    printf("%*s  quasi-static V_hold %.4g V at %.4g A (T %.4g K, R %.4g Ohm); hysteresis %.4g V\n",
           (int)strlen(label) - 2, "", ho->v_v, ho->i_a, ho->t_k, ho->r_ohm, th->v_v - ho->v_v);
    printf("  swept (%g s triangle to %.4g V): V_on %.4g V, V_off %.4g V\n", r->o.period_s,
           r->v_max_v, r->iv.v_on_v[0], r->iv.v_off_v[0]);
    if (r->iv.n_cycles > 1)
        printf("  %ld cycles: V_on mean %.4g V, std %.3g V (CV %.2f %%), min %.4g, max %.4g; V_off std %.3g V\n",
               r->iv.n_cycles, on->mean, on->std, 100 * on->std / on->mean, on->min, on->max, r->off.std);
    if (!r->scurve[0])
        printf("  no steady-state S-curve: model %s has no temperature\n", r->p.model->name);
    if (a->measured)
        printf("measured: %s, %zu points\n", a->measured, r->measured_points);
    printf("wrote %s, %s%s%s%s%s%s%s\n", a->out, r->scurve, r->scurve[0] ? ", " : "", r->cycles,
           a->measured ? ", " : "", a->measured ? r->measured_csv : "", a->plot ? ", " : "",
           a->plot ? r->png : "");
}

int cmd_iv(int argc, char **argv)
{
    const char *prog = "vo2snn iv";
    iv_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static iv_result r;
    if (iv_exec(prog, &a, &r)) return 1;
    if (a.json)
        iv_json(stdout, &a, &r);
    else
        print_text(&a, &r);
    iv_result_free(&r);
    return 0;
}
