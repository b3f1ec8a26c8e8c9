/* cmd_vf.c -- `vo2snn vf`: frequency vs input voltage and power vs frequency (Fig 3K/3L). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_vf.h"
#include "commands.h"
#include "common.h"
#include "progress.h"
#include "vo2snn/json.h"
#include "vo2snn/measured.h"
#include "vo2snn/sweep.h"

static const char *const cols[] = {"index", "vacancy_x", "v_in_v", "freq_hz", "p_in_w",
                                   "e_in_per_spike_j", "v_osc_pp_v"};

/* Power at frequency f_ref on the rising branch (first crossing), linear interpolation. */
static double power_at(const vs_point *pts, const double *v, long n, double f_ref)
{
    (void)v;
    for (long k = 1; k < n; k++) {
        double f0 = pts[k - 1].freq_hz, f1 = pts[k].freq_hz;
        if (pts[k - 1].regime != VS_OSCILLATING || pts[k].regime != VS_OSCILLATING) continue;
        if (f0 <= f_ref && f1 >= f_ref && f1 > f0)
            return pts[k - 1].p_in_w + (pts[k].p_in_w - pts[k - 1].p_in_w) * (f_ref - f0) / (f1 - f0);
    }
    return NAN;
}

/* One fixed end (--v-min or --v-max) beyond the other edge of a device's window: an empty
   sweep, refused rather than reported as "no oscillation". Returns 1 after the message. */
static int fixed_end_outside(const char *prog, const char *label, double v_min, double v_max,
                             double lo_edge, double hi_edge)
{
    if (isnan(v_max) && !isnan(v_min) && !(v_min < hi_edge))
        return cli_error(prog, "--v-min (%g V) must be below the upper window edge of %s (%.3f V)",
                         v_min, label, hi_edge);
    if (isnan(v_min) && !isnan(v_max) && !(lo_edge < v_max))
        return cli_error(prog, "--v-max (%g V) must be above the lower window edge of %s (%.3f V)",
                         v_max, label, lo_edge);
    return 0;
}

void vf_defaults(vf_args *a)
{
    *a = (vf_args){.circ = vs_circuit_default(), .co = vs_classify_opts_default(), .v_step = 0.1,
                   .v_min = NAN, .v_max = NAN, .f_ref = 145e3, .out = "out/vf.csv"};
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, vf_args *a)
{
    vf_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICES_OPTS(a->da),
        CLI_CIRCUIT_OPTS(a->circ),
        {.name = "v-step", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "voltage step across each device's window", .dest = &a->v_step, .min = 1e-4, .max = 100},
        {.name = "v-min", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "fixed lower end instead of the window edge", .dest = &a->v_min, .min = -1e4, .max = 1e4},
        {.name = "v-max", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "fixed upper end instead of the window edge", .dest = &a->v_max, .min = -1e4, .max = 1e4},
        {.name = "t-end", .alias = "t-run", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "simulated time per point (second half measured)", .dest = &a->co.t_run_s, .min = 1e-9, .max = 1},
        {.name = "f-ref", .kind = OPT_QUANTITY, .unit = "Hz", .metavar = "F", .help = "frequency at which powers are compared", .dest = &a->f_ref, .min = 1, .max = 1e12},
        CLI_OUTPUT_OPTS(a->out, "CSV", "output CSV path", a->json, a->plot, "<out>.png (f vs V) and <out>_pf.png (P vs f)"),
        CLI_MEASURED_OPT(a->measured, "measured f-V file"),
    };
    int rc = cli_parse(prog, "Spike frequency vs dc input voltage and source power vs frequency, per device.",
        "Each device is swept across its own oscillation window at --r-series (edges by\n"
        "bisection to 5 mV, docs/models/vo2x.md A5) in --v-step steps; only oscillating points are\n"
        "written. The curves are dome-shaped: f rises from the un-firing edge, peaks\n"
        "and falls toward the firing edge (docs/models/vo2x.md 3.3). Energy per spike = P_in / f.\n"
        "A device with no oscillating point has no curve; the plots name it \"no oscillation\".\n"
        "--measured FILE reads an f-V file (docs/measured-data.md) before any sweep and draws\n"
        "its points over the f-V plot; they are copied to <out>_measured.csv (v_in_v, freq_hz),\n"
        "which the plot reads.\n\n"
        CLI_DEVICES_HELP,
        opts, CLI_N_OPTS(opts), argc, argv);
    a->plot = cli_measured_plot(a->plot, a->measured);
    return rc;
}

/* Frequency and power ranges over the oscillating points (NAN without any), and the power
   at f_ref. */
static void summarize(vf_summary *s, const vs_vf_curve *cv, double f_ref)
{
    s->window_low_v = cv->v_lo_v, s->window_high_v = cv->v_hi_v;
    s->f_min_hz = s->p_min_w = INFINITY;
    s->f_max_hz = s->p_max_w = -INFINITY;
    s->v_at_f_max_v = NAN;
    s->points = 0;
    for (long k = 0; k < cv->n; k++) {
        const vs_point *p = &cv->pts[k];
        if (p->regime != VS_OSCILLATING) continue;
        s->points++;
        if (p->freq_hz > s->f_max_hz) s->f_max_hz = p->freq_hz, s->v_at_f_max_v = cv->v_in_v[k];
        s->f_min_hz = fmin(s->f_min_hz, p->freq_hz);
        s->p_min_w = fmin(s->p_min_w, p->p_in_w);
        s->p_max_w = fmax(s->p_max_w, p->p_in_w);
    }
    if (!s->points) s->f_min_hz = s->f_max_hz = s->p_min_w = s->p_max_w = NAN;
    s->p_at_f_ref_w = cv->n ? power_at(cv->pts, cv->v_in_v, cv->n, f_ref) : (double)NAN;
}

static int write_csv(const char *prog, const char *out, const cli_device_list *list, const vs_vf_curve *cv)
{
    vs_csv *w;
    if (vs_csv_open(out, cols, 7, &w) != VS_OK) return cli_fail(prog);
    for (int i = 0; i < list->n; i++)
        for (long k = 0; k < cv[i].n; k++) {
            const vs_point *p = &cv[i].pts[k];
            if (p->regime != VS_OSCILLATING) continue;
            double row[7] = {i + 1, list->p[i].vacancy_x, cv[i].v_in_v[k], p->freq_hz, p->p_in_w,
                             p->e_in_per_spike_j, p->v_pp_v};
            if (vs_csv_row(w, row) != VS_OK) return cli_fail(prog), vs_csv_abort(w), 1;
        }
    return vs_csv_close(w) != VS_OK ? cli_fail(prog) : 0;
}

/* Append text to the script at *n (truncated at cap like snprintf). */
static void put(char *script, size_t cap, size_t *n, const char *text)
{
    if (*n < cap) *n += (size_t)snprintf(script + *n, cap - *n, "%s", text);
}

/* which = 0: f vs V_in into png (with the measured points of r->measured_csv, if any);
   1: P vs f into png_pf. A device without oscillating points has no curve: its legend entry
   says so, and a plot with no curve at all says "no oscillation in the window". */
static int plot_one(const char *prog, const vf_args *a, const vf_result *r, int which, const char *png)
{
    const cli_device_list *list = &r->list;
    char script[32768], series[8192];
    size_t n = (size_t)snprintf(script, sizeof script,
        "set datafile separator ','\nset grid\nset key top left\nset title '%s (R_s = %g kOhm, C = %g nF)'\n"
        "set xlabel '%s'\nset ylabel '%s'\n",
        which ? "Total power vs frequency" : "Frequency vs input voltage", a->circ.r_series_ohm / 1e3, a->circ.c_f * 1e9,
        which ? "frequency (kHz)" : "input voltage V_{in} (V)", which ? "total power P_{in} (mW)" : "frequency (kHz)");
    int curves = 0, measured = !which && a->measured;
    for (int i = 0; i < list->n; i++) curves += r->sum[i].points > 0;
    if (!curves) {
        put(script, sizeof script, &n, "set label 1 'no oscillation in the window' at graph 0.5,0.5 center\n");
        if (!measured)   /* nothing gives a range: an empty frame */
            put(script, sizeof script, &n, "set xrange [0:1]\nset yrange [0:1]\nset format x ''\nset format y ''\n");
    }
    put(script, sizeof script, &n, "plot ");
    for (int i = 0; i < list->n; i++) {
        char title[2 * VS_NAME_MAX];
        cli_plot_quote(list->label[i], title, sizeof title);
        if (r->sum[i].points > 0)
            snprintf(series, sizeof series,
                which ? "'%s' every ::1 using ($1==%d?$4/1e3:1/0):($5*1e3) with linespoints pt 7 ps 0.6 lw 2 lc rgb '%s' title '%s' noenhanced"
                      : "'%s' every ::1 using ($1==%d?$3:1/0):($4/1e3) with linespoints pt 7 ps 0.6 lw 2 lc rgb '%s' title '%s' noenhanced",
                a->out, i + 1, cli_colors[i % CLI_N_COLORS], title);
        else
            snprintf(series, sizeof series, "NaN with lines lw 2 lc rgb '%s' title '%s: no oscillation' noenhanced",
                     cli_colors[i % CLI_N_COLORS], title);
        put(script, sizeof script, &n, series);
        put(script, sizeof script, &n, i + 1 < list->n || measured ? ", \\\n     " : "\n");
    }
    if (measured) {
        snprintf(series, sizeof series, "'%s' every ::1 using 1:($2/1e3) with points pt 5 ps 1 lc rgb 'black' "
                 "title 'measured'\n", r->measured_csv);
        put(script, sizeof script, &n, series);
    }
    return cli_plot(prog, cli_measured_plot(a->plot, a->measured), script, png, 900, 650);
}

void vf_json(FILE *f, const vf_args *a, const vf_result *r)
{
    /* the result holds the settings the summary names; a only says whether --measured was given */
    const cli_device_list *list = &r->list;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "vf");
    vs_json_num(&j, "r_series_ohm", r->r_series_ohm);
    vs_json_num(&j, "f_ref_hz", r->f_ref_hz);
    vs_json_array(&j, "devices");
    for (int i = 0; i < list->n; i++) {
        const vf_summary *s = &r->sum[i];
        vs_json_object(&j, NULL);
        vs_json_str(&j, "device", list->label[i]);
        vs_json_str(&j, "model", list->p[i].model->name);
        vs_json_int(&j, "index", i + 1);
        vs_json_num(&j, "window_low_v", s->window_low_v);
        vs_json_num(&j, "window_high_v", s->window_high_v);
        vs_json_int(&j, "points", s->points);
        vs_json_num(&j, "f_min_hz", s->f_min_hz);
        vs_json_num(&j, "f_max_hz", s->f_max_hz);
        vs_json_num(&j, "v_at_f_max_v", s->v_at_f_max_v);
        vs_json_num(&j, "p_min_w", s->p_min_w);
        vs_json_num(&j, "p_max_w", s->p_max_w);
        vs_json_num(&j, "p_at_f_ref_w", s->p_at_f_ref_w);
        vs_json_close(&j);
    }
    vs_json_close(&j);
    cli_json_measured(&j, a->measured, (long)r->measured_points, NULL, r->measured_csv);
    vs_json_end(&j);
}

static void print_text(const vf_args *a, const vf_result *r, const char *png, const char *png_pf)
{
    const cli_device_list *list = &r->list;
    const vf_summary *sum = r->sum;
    int lw = cli_label_width(list);
    printf("%-*s %15s %19s %17s %17s %12s\n", lw, "", "window (V)", "f range (kHz)", "peak f at (V)",
           "P range (mW)", "P@f_ref (mW)");
    for (int i = 0; i < list->n; i++) {
        const vf_summary *s = &sum[i];
        if (!s->points) {
            printf("%-*s %15s\n", lw, list->label[i], "no oscillation");
            continue;
        }
        printf("%-*s %7.2f - %5.2f %9.1f - %7.1f %17.2f %8.1f - %6.1f %12.2f\n", lw, list->label[i],
               s->window_low_v, s->window_high_v, s->f_min_hz / 1e3, s->f_max_hz / 1e3, s->v_at_f_max_v,
               s->p_min_w * 1e3, s->p_max_w * 1e3, s->p_at_f_ref_w * 1e3);
    }
    printf("(P@f_ref: source power at %g kHz on the rising branch)\n", a->f_ref / 1e3);
    if (a->measured) printf("measured: %s, %zu points\n", a->measured, r->measured_points);
    printf("wrote %s%s%s%s%s%s%s\n", a->out, a->measured ? ", " : "", a->measured ? r->measured_csv : "",
           a->plot ? ", " : "", a->plot ? png : "", a->plot ? ", " : "", a->plot ? png_pf : "");
}

typedef struct vf_progress {
    cli_progress bar;
    const cli_device_list *list;
} vf_progress;

/* The bar, labelled with the device being swept. */
static int on_point(int device, long done, long total, void *user)
{
    vf_progress *p = user;
    p->bar.label = p->list->label[device];
    return progress_update(done, total, &p->bar);
}

/* The first failing device's message: a fixed end outside its window, or the library's. */
static int report_failure(const char *prog, const vf_args *a, const cli_device_list *list,
                          const vs_vf_curve *cv, const vs_status *st)
{
    int i = 0;
    while (i + 1 < list->n && st[i] == VS_OK) i++;
    if (cv[i].nonempty && fixed_end_outside(prog, list->label[i], a->v_min, a->v_max, cv[i].edge_lo_v,
                                            cv[i].edge_hi_v))
        return 1;
    return cli_error(prog, "%s: %s", list->label[i], vs_last_error());
}

/* Every device's curve (in the library), the summaries and the CSV. */
static int run_and_write(const char *prog, const vf_args *a, const cli_device_list *list, vf_summary *sum)
{
    vs_vf_curve cv[CLI_MAX_DEVICES];
    vs_status st[CLI_MAX_DEVICES];
    vf_progress pr = {.list = list};
    progress_begin(&pr.bar, "vf");
    vs_status s = vs_vf_curves(list->p, list->n, &a->circ, &a->co, a->v_min, a->v_max, a->v_step, on_point,
                               &pr, cv, st);
    progress_end(&pr.bar);
    int failed = s != VS_OK ? report_failure(prog, a, list, cv, st) : 0;
    for (int i = 0; i < list->n && !failed; i++) summarize(&sum[i], &cv[i], a->f_ref);
    if (!failed) failed = write_csv(prog, a->out, list, cv);
    for (int i = 0; i < list->n; i++) vs_vf_curve_free(&cv[i]);
    return failed;
}

/* Read --measured (one line naming file:line and column if it is wrong) and name its copy. */
static int read_measured(const char *prog, const vf_args *a, vf_result *r, vs_meas_fv *m)
{
    if (cli_measured_path(prog, a->out, r->measured_csv, sizeof r->measured_csv)) return 1;
    if (vs_meas_read_fv(a->measured, m) != VS_OK) return cli_error(prog, "--measured: %s", vs_last_error());
    r->measured_points = m->n;
    return 0;
}

static int exec_with(const char *prog, const vf_args *a, vf_result *r, const vs_meas_fv *m)
{
    if (cli_prepare_output(prog, a->out)) return 1;
    memset(r->sum, 0, sizeof r->sum);
    if (run_and_write(prog, a, &r->list, r->sum)) return 1;
    if (a->measured) {
        static const char *const mcols[] = {"v_in_v", "freq_hz"};
        if (cli_write_measured(prog, r->measured_csv, mcols, 2, (const double *const[]){m->v_in_v, m->freq_hz},
                               m->n, NULL, NULL))
            return 1;
    }
    if (!cli_measured_plot(a->plot, a->measured)) return 0;
    char png[4096], png_pf[4096];
    cli_with_suffix(a->out, ".png", png, sizeof png);
    cli_with_suffix(a->out, "_pf.png", png_pf, sizeof png_pf);
    return plot_one(prog, a, r, 0, png) || plot_one(prog, a, r, 1, png_pf);
}

int vf_exec(const char *prog, const vf_args *a, vf_result *r)
{
    r->measured_csv[0] = '\0', r->measured_points = 0;
    if (cli_check_range(prog, "--v-min", a->v_min, "--v-max", a->v_max, "V")) return 1;
    if (vs_circuit_validate(&a->circ) != VS_OK) return cli_fail(prog);
    r->r_series_ohm = a->circ.r_series_ohm, r->f_ref_hz = a->f_ref;
    if (cli_device_list_resolve(prog, &a->da, NULL, &r->list)) return 1;
    vs_meas_fv m = {0};
    if (a->measured && read_measured(prog, a, r, &m)) return 1;
    int rc = exec_with(prog, a, r, &m);
    vs_meas_fv_free(&m);
    return rc;
}

int cmd_vf(int argc, char **argv)
{
    const char *prog = "vo2snn vf";
    vf_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static vf_result r;
    if (vf_exec(prog, &a, &r)) return 1;
    char png[4096], png_pf[4096];
    cli_with_suffix(a.out, ".png", png, sizeof png);
    cli_with_suffix(a.out, "_pf.png", png_pf, sizeof png_pf);
    if (a.json)
        vf_json(stdout, &a, &r);
    else
        print_text(&a, &r, png, png_pf);
    return 0;
}
