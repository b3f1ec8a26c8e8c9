/* cmd_phase.c -- `vo2snn phase`: tri-state phase diagram over (R_s, V_in) and its triple point. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_phase.h"
#include "commands.h"
#include "common.h"
#include "vo2snn/outputs.h"
#include "progress.h"
#include "vo2snn/atomic.h"
#include "vo2snn/json.h"
#include "vo2snn/sweep.h"

static const char *const phase_cols[] = {"r_series_ohm", "v_in_v", "regime", "freq_hz", "p_mean_w",
                                         "spikes_in_window", "v_osc_pp_v", "e_in_per_spike_j",
                                         "regime_name"};
#define N_PHASE_COLS 9   /* the last one spells out the regime code */

static int write_grid(const char *prog, const char *path, const vs_grid *rg, const vs_grid *vg,
                      const vs_point *pts)
{
    vs_csv *w;
    if (vs_csv_open(path, phase_cols, N_PHASE_COLS, &w) != VS_OK) return cli_fail(prog);
    for (long iv = 0; iv < vg->n; iv++)
        for (long ir = 0; ir < rg->n; ir++) {
            const vs_point *p = &pts[iv * rg->n + ir];
            double row[N_PHASE_COLS - 1] = {vs_grid_at(rg, ir), vs_grid_at(vg, iv), p->regime,
                                            p->freq_hz, p->p_in_w, (double)p->spikes, p->v_pp_v,
                                            p->e_in_per_spike_j};
            if (vs_csv_row_named(w, row, vs_regime_name(p->regime)) != VS_OK) {
                vs_csv_abort(w);
                return cli_fail(prog);
            }
        }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

/* Fig 3G: V_spike at one un-firing, one oscillating and one firing input at the circuit's R_s. */
typedef struct column {
    double *v;
    long n, cap;
} column;

static int collect_vspike(const vs_sample *s, void *user)
{
    column *c = user;
    if (c->n < c->cap) c->v[c->n++] = s->v_spike_v;
    return 0;
}

static int write_waveforms(const char *prog, const vs_device_params *dev, const vs_circuit *c,
                           double t_run, const char *path, double v_pick[3])
{
    static const char *const cols[] = {"t_s", "v_spike_unfiring_v", "v_spike_oscillating_v",
                                       "v_spike_firing_v"};
    const long n = 4001;
    double v_a, v_b;
    if (vs_load_line(dev, c, &v_a, &v_b, NULL) != VS_OK) return cli_fail(prog);
    v_pick[0] = v_a - 1.0;
    v_pick[1] = 0.5 * (v_a + v_b);
    v_pick[2] = v_b + 1.0;
    double *buf = calloc(3 * (size_t)n, sizeof *buf);
    if (!buf) return cli_error(prog, "out of memory for the waveforms");
    column col[3];
    for (int k = 0; k < 3; k++) {
        col[k] = (column){buf + k * n, 0, n};
        vs_input in = vs_input_dc(v_pick[k]);
        vs_sim_opts o = vs_sim_opts_default();
        o.t_end_s = t_run;
        o.dt_out_s = t_run / (double)(n - 1);
        vs_neuron_result r;
        vs_status s = vs_neuron_simulate(dev, c, &in, &o, collect_vspike, &col[k], &r);
        vs_neuron_result_free(&r);
        if (s != VS_OK) return free(buf), cli_fail(prog);
    }
    vs_csv *w;
    if (vs_csv_open(path, cols, 4, &w) != VS_OK) return free(buf), cli_fail(prog);
    for (long i = 0; i < n; i++) {
        double row[4] = {t_run * (double)i / (double)(n - 1), i < col[0].n ? col[0].v[i] : (double)NAN,
                         i < col[1].n ? col[1].v[i] : (double)NAN, i < col[2].n ? col[2].v[i] : (double)NAN};
        if (vs_csv_row(w, row) != VS_OK) {
            vs_csv_abort(w);
            return free(buf), cli_fail(prog);
        }
    }
    free(buf);
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

static void phase_plot_script(char *buf, size_t n, const char *csv, const char *title,
                              const vs_grid *rg, const vs_grid *vg, const vs_fold *th,
                              const vs_fold *ho, double r_sense, const vs_triple *tp)
{
    double dr = rg->n > 1 ? (rg->hi - rg->lo) / (double)(rg->n - 1) : 1;
    double dv = vg->n > 1 ? (vg->hi - vg->lo) / (double)(vg->n - 1) : 1;
    double v_h = th->v_v + th->i_a * r_sense, v_l = ho->v_v + ho->i_a * r_sense;
    snprintf(buf, n,
             "set datafile separator ','\nset title '%s'\n"
             "set xlabel 'series resistance R_s (kOhm)'\nset ylabel 'input voltage V_{in} (V)'\n"
             "%s"
             "set palette defined (-0.5 '#d9d9d9', 0.5 '#d9d9d9', 0.5 '#2ca02c', 1.5 '#2ca02c', 1.5 '#d62728', 2.5 '#d62728')\n"
             "set cbrange [-0.5:2.5]\nset cbtics ('un-firing' 0, 'oscillating' 1, 'firing' 2)\n"
             "set xrange [%g:%g]\nset yrange [%g:%g]\nset key bottom right opaque\n"
             "plot '%s' every ::1 using ($1/1e3):2:(%g):(%g):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \\\n"
             "     %g + %g*x*1e3 with lines dt 2 lw 2 lc rgb 'black' title 'load line V_A (chord)', \\\n"
             "     %g + %g*x*1e3 with lines dt 3 lw 2 lc rgb 'black' title 'load line V_B (chord)'%s",
             title, rg->log ? "set logscale x\n" : "",
             (rg->lo - 0.5 * (rg->log ? 0 : dr)) / 1e3, (rg->hi + 0.5 * (rg->log ? 0 : dr)) / 1e3,
             vg->lo - 0.5 * dv, vg->hi + 0.5 * dv, csv,
             rg->log ? 0.0 : dr / 2e3, dv / 2, v_h, th->i_a, v_l, ho->i_a,
             tp ? ", \\\n     '-' using 1:2 with points pt 3 ps 3 lw 3 lc rgb 'blue' title 'triple point'\n" : "\n");
    if (tp) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%g,%g\ne\n", tp->r_s_ohm / 1e3, tp->v_in_v);
    }
}

static void waveform_plot_script(char *buf, size_t n, const char *csv, const char *title,
                                 const double v_pick[3])
{
    snprintf(buf, n,
             "set datafile separator ','\nset multiplot layout 3,1 title '%s'\nset grid\n"
             "set lmargin 12\nunset key\nset ylabel 'V_{spike} (V)'\n"
             "set label 1 'un-firing, V_{in} = %.2f V' at graph 0.70, graph 0.88 front\n"
             "plot '%s' every ::1 using ($1*1e6):2 with lines lw 1.5 lc rgb '#7f7f7f'\n"
             "set label 1 'oscillating, V_{in} = %.2f V'\n"
             "plot '%s' every ::1 using ($1*1e6):3 with lines lw 1.5 lc rgb '#2ca02c'\n"
             "set label 1 'firing, V_{in} = %.2f V'\nset xlabel 'time (µs)'\n"
             "plot '%s' every ::1 using ($1*1e6):4 with lines lw 1.5 lc rgb '#d62728'\n"
             "unset multiplot\n",
             title, v_pick[0], csv, v_pick[1], csv, v_pick[2], csv);
}

/* ---- resumable sweeps: finished points are saved to <out>.partial.csv as they complete ---- */

typedef struct partial_state {
    cli_progress bar;
    const char *prog, *path, *key;
    const vs_point *pts;
    const unsigned char *done;
    long total, saved_at, every;
    int failed;
} partial_state;

static int save_partial(partial_state *ps)
{
    vs_afile *af;
    if (vs_afile_open(ps->path, &af) != VS_OK) return -1;
    FILE *f = vs_afile_stream(af);
    fprintf(f, "# %s\nindex,regime,freq_hz,p_in_w,e_in_per_spike_j,v_pp_v,spikes,v_spike_mean_v\n", ps->key);
    for (long k = 0; k < ps->total; k++) {
        if (!ps->done[k]) continue;
        const vs_point *p = &ps->pts[k];
        fprintf(f, "%ld,%d,%.17g,%.17g,%.17g,%.17g,%ld,%.17g\n", k, (int)p->regime, p->freq_hz, p->p_in_w,
                p->e_in_per_spike_j, p->v_pp_v, p->spikes, p->v_spike_mean_v);
    }
    return vs_afile_commit(af) == VS_OK ? 0 : -1;
}

static int on_point(long done, long total, void *user)
{
    partial_state *ps = user;
    progress_update(done, total, &ps->bar);
    if (done - ps->saved_at >= ps->every && done < total) {
        if (save_partial(ps) != 0) ps->failed = 1;   /* a lost snapshot only costs time */
        ps->saved_at = done;
    }
    return 0;
}

/* One saved point, "index,regime,freq_hz,p_in_w,e_in_per_spike_j,v_pp_v,spikes,v_spike_mean_v";
   -1 if the line is not one (fields, ranges or trailing text). */
static int parse_point(const char *line, long total, long *k, vs_point *p)
{
    int regime, used = -1;
    long spikes;
    double fr, pw, e, vpp, vs;
    if (sscanf(line, "%ld,%d,%lf,%lf,%lf,%lf,%ld,%lf%n", k, &regime, &fr, &pw, &e, &vpp, &spikes, &vs,
               &used) != 8 || used < 0)
        return -1;
    if (strspn(line + used, "\r\n") != strlen(line + used)) return -1;
    if (*k < 0 || *k >= total || regime < 0 || regime > 2 || spikes < 0 || !(fr >= 0 && isfinite(fr)) ||
        isinf(pw) || isinf(e) || isinf(vpp) || isinf(vs))
        return -1;
    *p = (vs_point){(vs_regime)regime, fr, pw, e, vpp, vs, spikes};
    return 0;
}

/* The first line, "# <key>", must name this very sweep; a blank line before the column
   header (as older versions wrote) is skipped. Returns the lines read, or -1. */
static long read_partial_header(FILE *f, const char *key)
{
    char line[4096];
    if (!fgets(line, sizeof line, f) || strncmp(line, "# ", 2) != 0) return -1;
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line + 2, key) != 0) return -1;
    long n = 1;
    do {
        if (!fgets(line, sizeof line, f)) return n;   /* no points yet */
        n++;
    } while (line[0] == '\n');
    return strncmp(line, "index,", 6) == 0 ? n : -1;
}

/* Load saved points if the partial file belongs to this very sweep; returns how many were
   reused (0 if there is no file), or -1 after printing why the file cannot be used. */
static long load_partial(const char *prog, const char *path, const char *key, long total, vs_point *pts,
                         unsigned char *done)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    long ln = read_partial_header(f, key);
    if (ln < 0) {
        fclose(f);
        return cli_error(prog, "%s holds another sweep's partial results; delete it or drop --resume", path), -1;
    }
    char line[4096];
    long n = 0;
    while (ln++, fgets(line, sizeof line, f)) {
        long k;
        vs_point p;
        if (parse_point(line, total, &k, &p) != 0 || done[k]) {
            fclose(f);
            return cli_error(prog, "%s line %ld is not a saved point of this %ld-point sweep; delete it or drop --resume",
                             path, ln, total), -1;
        }
        pts[k] = p;
        done[k] = 1;
        n++;
    }
    fclose(f);
    return n;
}

/* A grid's range: min below max (cli_check_range), or equal for a single point. */
static int check_range(const char *prog, const char *axis, const char *unit, const vs_grid *g)
{
    if (g->n == 1 && g->lo == g->hi) return 0;
    char lo[16], hi[16];
    snprintf(lo, sizeof lo, "--%s-min", axis);
    snprintf(hi, sizeof hi, "--%s-max", axis);
    return cli_check_range(prog, lo, g->lo, hi, g->hi, unit);
}

void phase_defaults(phase_args *a)
{
    *a = (phase_args){.dev_args = CLI_DEVICE_DEFAULTS, .circ = vs_circuit_default(), .solver = CLI_SOLVER_DEFAULTS,
                      .co = vs_classify_opts_default(), .rg = {NAN, NAN, 24, 0}, .vg = {NAN, NAN, 21, 0},
                      .seed = 1, .out = "out/phase.csv"};   /* grid ends: from the device */
    a->min_spikes = a->co.min_spikes;
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, phase_args *a)
{
    phase_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev_args),
        CLI_CAP_SENSE_OPTS(a->circ),
        {.name = "r-min", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R", .help = "smallest series resistance (default: R*/5, R* the chord triple point)", .dest = &a->rg.lo, .min = 1e-3, .max = CLI_R_MAX_OHM},
        {.name = "r-max", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R", .help = "largest series resistance (default: 5 R*)", .dest = &a->rg.hi, .min = 1e-3, .max = CLI_R_MAX_OHM},
        {.name = "r-points", .kind = OPT_LONG, .metavar = "N", .help = "series-resistance points", .dest = &a->rg.n, .min = 1, .max = 100000},
        {.name = "r-log", .kind = OPT_FLAG, .help = "logarithmic R_s spacing", .dest = &a->rg.log},
        {.name = "v-min", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "lowest input voltage (default: 0.8 V*)", .dest = &a->vg.lo, .min = -1e4, .max = 1e4},
        {.name = "v-max", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "highest input voltage (default: 1.3 x the upper window edge at 2 R*)", .dest = &a->vg.hi, .min = -1e4, .max = 1e4},
        {.name = "v-points", .kind = OPT_LONG, .metavar = "N", .help = "input-voltage points", .dest = &a->vg.n, .min = 1, .max = 100000},
        {.name = "v-log", .kind = OPT_FLAG, .help = "logarithmic V_in spacing", .dest = &a->vg.log},
        {.name = "t-end", .alias = "t-run", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "simulated time per point", .dest = &a->co.t_run_s, .min = 1e-9, .max = 1},
        {.name = "settle", .kind = OPT_QUANTITY, .unit = "", .metavar = "F", .help = "fraction of each run discarded before classifying", .dest = &a->co.settle_frac, .min = 0, .max = 0.95},
        {.name = "min-spikes", .kind = OPT_LONG, .metavar = "N", .help = "spikes after settling that make a point oscillating", .dest = &a->min_spikes, .min = 2, .max = 1000000},
        CLI_SOLVER_OPTS(a->solver),
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "jitter seed (points get independent streams)", .dest = &a->seed, .min = 0, .max = 9.2e18},
        {.name = "no-triple", .kind = OPT_FLAG, .help = "skip locating the triple point", .dest = &a->no_triple},
        {.name = "waveforms", .kind = OPT_FLAG, .help = "also write V_spike of one point per regime at --r-series (Fig 3G)", .dest = &a->waveforms},
        CLI_R_SERIES_OPT(a->circ, "R_s for --waveforms"),
        CLI_OUT_OPT(a->out, "CSV", "grid CSV path (finished points are kept in <out>.partial.csv while it runs)"),
        {.name = "resume", .kind = OPT_FLAG, .help = "continue an interrupted sweep from <out>.partial.csv", .dest = &a->resume},
        CLI_JSON_OPT(a->json),
        CLI_PLOT_OPTS(a->plot, "the heat map <out>.png"),
    };
    return cli_parse(prog, "Tri-state phase diagram (un-firing / oscillating / firing) over R_s x V_in (Fig 3F).",
        "Each point is one run from rest of --t-end; after discarding the first --settle\n"
        "fraction it is oscillating if at least --min-spikes spikes remain, else firing if\n"
        "the device ends on its high-current branch (current beyond the hold fold's), else\n"
        "un-firing. Unset axis ends come from the device's chord triple point R*, V* (vo2x\n"
        "device 1: 250-6200 Ohm x 6.0-16 V). The triple point is the smallest R_s whose\n"
        "window is non-empty (bisection on R_s to 0.1 %, window edge to 5 mV;\n"
        "docs/models/vo2x.md A6), located independently of the grid. Regime codes in the\n"
        "CSV: 0 un-firing, 1 oscillating, 2 firing, spelled out in its last column\n"
        "(regime_name). Runs in parallel (OMP_NUM_THREADS, capped at the cores); the result\n"
        "does not depend on the thread count. --resume reuses the points saved in\n"
        "<out>.partial.csv and reports how many.",
        opts, CLI_N_OPTS(opts), argc, argv);
}

/* Solver and grids from the options and the device (unset grid ends from its chord triple
   point); returns 1 after the message. */
static int setup(const char *prog, phase_args *a, vs_device_params *dev, vs_fold *th, vs_fold *ho)
{
    vs_grid *rg = &a->rg, *vg = &a->vg;
    a->co.min_spikes = (int)a->min_spikes;
    cli_solver_apply(&a->solver, &a->co.sim);
    a->co.sim.seed = (uint64_t)a->seed;
    if (check_range(prog, "r", "Ohm", rg) || check_range(prog, "v", "V", vg)) return 1;
    if (vs_sim_check_steps(&a->co.sim, a->co.t_run_s, "--dt", "--h-max") != VS_OK)
        return cli_error(prog, "%s per point; raise %s or shorten --t-end", vs_last_error(),
                         a->co.sim.method == VS_ODE_RK4 ? "--dt" : "--h-max");
    if (cli_device_resolve(prog, &a->dev_args, dev)) return 1;
    if (vs_device_folds(dev, th, ho) != VS_OK) return cli_fail(prog);
    if ((isnan(rg->lo) || isnan(rg->hi) || isnan(vg->lo) || isnan(vg->hi)) &&
        vs_phase_default_grids(dev, &a->circ, rg, vg) != VS_OK)
        return cli_fail(prog);
    if (check_range(prog, "r", "Ohm", rg) || check_range(prog, "v", "V", vg)) return 1;
    if (vs_grid_validate(rg, "--r-min/--r-max") != VS_OK || vs_grid_validate(vg, "--v-min/--v-max") != VS_OK)
        return cli_fail(prog);
    return 0;
}

/* The key naming this very sweep in its partial file. */
static void sweep_key(const phase_args *a, const vs_device_params *dev, char *key, size_t n)
{
    char dev_key[2048];
    const vs_classify_opts *co = &a->co;
    vs_device_key(dev, dev_key, sizeof dev_key);
    snprintf(key, n,
             "vo2snn-phase-v2 %s c=%.17g r_sense=%.17g "
             "r=%.17g:%.17g:%ld:%d v=%.17g:%.17g:%ld:%d t_run=%.17g settle=%.17g min_spikes=%d method=%d "
             "rtol=%.17g h_max=%.17g dt=%.17g seed=%llu",
             dev_key, a->circ.c_f, a->circ.r_sense_ohm, a->rg.lo, a->rg.hi, a->rg.n, a->rg.log, a->vg.lo,
             a->vg.hi, a->vg.n, a->vg.log, co->t_run_s, co->settle_frac, co->min_spikes,
             (int)co->sim.method, co->sim.rtol, co->sim.h_max_s, co->sim.dt_s, (unsigned long long)co->sim.seed);
}

/* The resumable sweep over pts/done; the grid CSV once complete. Returns 1 after the message. */
static int sweep_points(const char *prog, const phase_args *a, const vs_device_params *dev,
                        const char *partial, vs_point *pts, unsigned char *done, phase_result *r)
{
    char key[4096];
    if (vs_outputs_keep(partial) != VS_OK) return cli_fail(prog); /* resume state */
    sweep_key(a, dev, key, sizeof key);
    r->resumed = a->resume ? load_partial(prog, partial, key, r->total, pts, done) : 0;
    if (r->resumed < 0) return 1;
    partial_state ps = {.prog = prog, .path = partial, .key = key, .pts = pts, .done = done, .total = r->total,
                        .saved_at = r->resumed, .every = r->total / 20 > 1 ? r->total / 20 : 1};
    progress_begin(&ps.bar, "phase");
    double t0 = progress_now();
    vs_status s = vs_phase_sweep_resume(dev, &a->circ, &a->rg, &a->vg, &a->co, done, on_point, &ps, pts);
    r->sweep_s = progress_now() - t0;
    progress_end(&ps.bar);
    if (s != VS_OK) return save_partial(&ps), cli_fail(prog);
    if (write_grid(prog, a->out, &a->rg, &a->vg, pts)) return 1;
    unlink(partial);   /* the grid is complete */
    for (long k = 0; k < r->total; k++) r->count[pts[k].regime]++;
    return 0;
}

static int run_grid(const char *prog, const phase_args *a, const vs_device_params *dev,
                    const char *partial, phase_result *r)
{
    r->total = a->rg.n * a->vg.n;
    vs_point *pts = malloc((size_t)r->total * sizeof *pts);
    unsigned char *done = calloc((size_t)r->total, 1);
    int rc = !pts || !done ? cli_error(prog, "out of memory for %ld points", r->total)
                           : sweep_points(prog, a, dev, partial, pts, done, r);
    free(pts);
    free(done);
    return rc;
}

/* The heat map and, with waveforms, the three regimes, as a->plot asks. */
static int plot_all(const char *prog, const phase_args *a, const vs_fold *th, const vs_fold *ho,
                    const phase_result *r)
{
    char script[16384], title[256];
    snprintf(title, sizeof title, "Phase diagram, %s, C = %g nF", r->label, a->circ.c_f * 1e9);
    phase_plot_script(script, sizeof script, a->out, title, &a->rg, &a->vg, th, ho, a->circ.r_sense_ohm,
                      a->no_triple ? NULL : &r->tp);
    if (cli_plot(prog, a->plot, script, r->png, 900, 650)) return 1;
    if (!a->waveforms) return 0;
    snprintf(title, sizeof title, "The three regimes, %s, R_s = %g kOhm", r->label, a->circ.r_series_ohm / 1e3);
    waveform_plot_script(script, sizeof script, r->wave_csv, title, r->v_pick);
    return cli_plot(prog, a->plot, script, r->wave_png, 900, 800);
}

void phase_json(FILE *f, const phase_args *a, const phase_result *r)
{
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "phase");
    vs_json_str(&j, "device", r->label);
    vs_json_int(&j, "points", r->total);
    vs_json_int(&j, "unfiring", r->count[0]);
    vs_json_int(&j, "oscillating", r->count[1]);
    vs_json_int(&j, "firing", r->count[2]);
    vs_json_num(&j, "triple_r_series_ohm", r->tp.r_s_ohm);
    vs_json_num(&j, "triple_v_in_v", r->tp.v_in_v);
    vs_json_num(&j, "chord_triple_r_series_ohm", r->chord.r_s_ohm);
    vs_json_num(&j, "chord_triple_v_in_v", r->chord.v_in_v);
    vs_json_num(&j, "sweep_seconds", r->sweep_s);
    vs_json_int(&j, "resumed_points", r->resumed);
    vs_json_int(&j, "simulated_points", r->total - r->resumed);
    vs_json_str(&j, "csv", a->out);
    vs_json_str(&j, "plot_png", a->plot ? r->png : NULL);
    vs_json_str(&j, "waveforms_csv", a->waveforms ? r->wave_csv : NULL);
    vs_json_end(&j);
}

static void print_text(const phase_args *a, const phase_result *r)
{
    printf("%s: %ld x %ld points in %.2f s: %ld un-firing, %ld oscillating, %ld firing\n", r->label,
           r->rg.n, r->vg.n, r->sweep_s, r->count[0], r->count[1], r->count[2]);
    if (a->resume)
        printf("  resumed %ld of %ld points from %s; simulated %ld\n", r->resumed, r->total, r->partial,
               r->total - r->resumed);
    if (!a->no_triple)
        printf("  triple point R_s* = %.4g Ohm, V_in* = %.4g V (load-line chord: %.4g Ohm, %.4g V)\n",
               r->tp.r_s_ohm, r->tp.v_in_v, r->chord.r_s_ohm, r->chord.v_in_v);
    if (a->waveforms)
        printf("  waveforms at R_s = %g Ohm: un-firing %.3g V, oscillating %.3g V, firing %.3g V\n",
               a->circ.r_series_ohm, r->v_pick[0], r->v_pick[1], r->v_pick[2]);
    printf("wrote %s%s%s%s%s\n", a->out, a->plot ? ", " : "", a->plot ? r->png : "", a->waveforms ? ", " : "",
           a->waveforms ? r->wave_csv : "");
}

/* The device's label and the paths of the outputs beside --out. */
static void name_outputs(const char *out, const vs_device_params *dev, phase_result *r)
{
    cli_with_suffix(out, ".png", r->png, sizeof r->png);
    cli_with_suffix(out, "_waveforms.csv", r->wave_csv, sizeof r->wave_csv);
    cli_with_suffix(out, "_waveforms.png", r->wave_png, sizeof r->wave_png);
    cli_with_suffix(out, ".partial.csv", r->partial, sizeof r->partial);
    cli_device_label(dev, r->label, sizeof r->label);
}

int phase_exec(const char *prog, const phase_args *a, phase_result *r)
{
    *r = (phase_result){.tp = {NAN, NAN}, .chord = {NAN, NAN}, .v_pick = {NAN, NAN, NAN}};
    phase_args w = *a;   /* setup settles the grid ends and the solver options */
    vs_device_params dev;
    vs_fold th, ho;
    if (setup(prog, &w, &dev, &th, &ho)) return 1;
    r->rg = w.rg;
    r->vg = w.vg;
    name_outputs(w.out, &dev, r);
    if (cli_prepare_output(prog, w.out)) return 1;
    if (run_grid(prog, &w, &dev, r->partial, r)) return 1;
    vs_load_line(&dev, &w.circ, NULL, NULL, &r->chord);
    if (!w.no_triple && vs_triple_point(&dev, &w.circ, &w.co, 1e-3, 5e-3, &r->tp) != VS_OK) return cli_fail(prog);
    if (w.waveforms && write_waveforms(prog, &dev, &w.circ, w.co.t_run_s, r->wave_csv, r->v_pick)) return 1;
    return w.plot ? plot_all(prog, &w, &th, &ho, r) : 0;
}

int cmd_phase(int argc, char **argv)
{
    const char *prog = "vo2snn phase";
    phase_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static phase_result r;
    if (phase_exec(prog, &a, &r)) return 1;
    if (a.json)
        phase_json(stdout, &a, &r);
    else
        print_text(&a, &r);
    return 0;
}
