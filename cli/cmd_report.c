/* cmd_report.c -- `vo2snn report`: what one device (the user's own) does as a neuron in a
   given circuit. Runs iv, rt, triple, vf, osc and phase as functions (cli/cmd_X.h) on the
   resolved device, written once as DIR/device.txt, and writes DIR/report.html (paper_report.h)
   whose summary table is read from their result structs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_iv.h"
#include "cmd_osc.h"
#include "cmd_phase.h"
#include "cmd_rt.h"
#include "cmd_triple.h"
#include "cmd_vf.h"
#include "commands.h"
#include "common.h"
#include "fig_run.h"
#include "paper_report.h"
#include "progress.h"
#include "vo2snn/atomic.h"
#include "vo2snn/json.h"
#include "vo2snn/outputs.h"
#include "vo2snn/units.h"

#define PROG "vo2snn report"

/* ---- settings ----------------------------------------------------------------------------- */

typedef struct report_args {
    cli_device_args dev;
    vs_circuit circ;
    double f_ref;          /* Hz: power and energy per spike are read here */
    const char *out;       /* directory */
    int quick, json;
} report_args;

/* What the full report and --quick differ in. */
typedef struct report_settings {
    long rt_points, grid_r, grid_v;
    double v_step;         /* V-f step */
} report_settings;

static report_settings settings_for(int quick)
{
    if (quick) return (report_settings){.rt_points = 201, .grid_r = 12, .grid_v = 11, .v_step = 0.5};
    return (report_settings){.rt_points = 801, .grid_r = 48, .grid_v = 41, .v_step = 0.1};
}

typedef struct report_ctx {
    const report_args *a;
    report_settings s;
    int argc;
    char **argv;
    char dev_file[4096];   /* DIR/device.txt: every figure runs on it */
    fig_run run;           /* prog, output folder, progress */
} report_ctx;

/* Every result the report reads. have_*: the figure ran (it applies to the model). */
typedef struct report_results {
    vs_device_params p;    /* the resolved device, as written to device.txt */
    char label[VS_NAME_MAX];
    char *device_text;     /* device.txt's text (malloc) */
    vs_fold th, ho;        /* iv's, or the model's folds when iv does not apply */
    int have_iv, have_rt, have_osc, have_vf_plot;
    iv_result iv;
    rt_result rt;
    triple_result triple;
    vf_result vf;
    double v_osc;          /* the drive of the oscillation: the middle of the window */
    osc_result osc;
    phase_result phase;
} report_results;

static void report_results_free(report_results *r)
{
    free(r->device_text);
    if (r->have_iv) iv_result_free(&r->iv);
    osc_result_free(&r->osc);
}

/* The model has a temperature (R-T applies) / a steady-state S-curve (iv applies). */
static int has_rt(const vs_device_params *p) { return p->model->thermal; }
static int has_iv(const vs_device_params *p) { return p->model->thermal && p->model->branch_resistance; }

/* ---- helpers ------------------------------------------------------------------------------ */

/* The device options of a command run on device.txt. */
static cli_device_args on_device_file(const report_ctx *c)
{
    cli_device_args d = CLI_DEVICE_DEFAULTS;
    d.file = c->dev_file;
    return d;
}

static cli_devices_args on_device_file_list(const report_ctx *c)
{
    cli_devices_args d = {.model = "vo2x"};
    d.files.n = 1;
    d.files.v[0] = c->dev_file;
    return d;
}

/* Write a command's JSON summary to DIR/rel: call writes to the FILE *f -- a macro, since each
   command's json function has its own arguments. Returns 1 from the caller on failure. */
#define WRITE_JSON(c, rel, call)                                                                   \
    do {                                                                                           \
        vs_afile *af_;                                                                             \
        FILE *f = fig_json_open(&(c)->run, rel, &af_);                                             \
        if (!f) return 1;                                                                          \
        call;                                                                                      \
        if (fig_json_commit(&(c)->run, af_)) return 1;                                             \
    } while (0)

/* A value with an SI prefix and unit ("3 kOhm", "1.8 nF"), %.4g; "n/a" for NAN. Rotating
   buffers: up to 8 in one printf. */
static const char *si(double v, const char *unit)
{
    static char buf[8][64];
    static int k;
    k = (k + 1) % 8;
    if (isnan(v)) return snprintf(buf[k], sizeof buf[k], "n/a"), buf[k];
    static const char *const pre[] = {"p", "n", "u", "m", "", "k", "M", "G"};
    int e = 4;
    double a = fabs(v), x = v;
    while (a != 0 && a < 1 && e > 0) a *= 1e3, x *= 1e3, e--;
    while (a >= 1e3 && e < 7) a /= 1e3, x /= 1e3, e++;
    snprintf(buf[k], sizeof buf[k], "%.4g %s%s", x, pre[e], unit);
    return buf[k];
}

/* ---- the device file ---------------------------------------------------------------------- */

/* Resolve the device and write it to DIR/device.txt, named by its label so that every figure
   shows the same name; r->device_text keeps the text. */
static int write_device(report_ctx *c, report_results *r)
{
    if (cli_device_resolve(PROG, &c->a->dev, &r->p)) return 1;
    cli_device_label(&r->p, r->label, sizeof r->label);
    if (!r->p.name[0]) snprintf(r->p.name, sizeof r->p.name, "%s", r->label);
    size_t n = 0;
    FILE *m = open_memstream(&r->device_text, &n);
    if (!m) return cli_error(PROG, "out of memory for the device file");
    vs_status s = vs_device_write(m, &r->p);
    fclose(m);
    if (s != VS_OK) return cli_fail(PROG);
    fig_path(&c->run, c->dev_file, sizeof c->dev_file, "device.txt");
    if (cli_prepare_output(PROG, c->dev_file)) return 1;
    if (vs_write_file_atomic(c->dev_file, r->device_text, strlen(r->device_text)) != VS_OK) return cli_fail(PROG);
    return vs_outputs_protect(c->dev_file) != VS_OK ? cli_fail(PROG) : 0;
}

/* ---- the figures -------------------------------------------------------------------------- */

static int fig_iv(report_ctx *c, report_results *r)
{
    fig_announce(&c->run, "quasi-static I-V and thresholds");
    if (!has_iv(&r->p)) {   /* the thresholds still exist: the model's quasi-static folds */
        if (vs_device_folds(&r->p, &r->th, &r->ho) != VS_OK) return cli_fail(PROG);
        return 0;
    }
    char csv[4096];
    iv_args a;
    iv_defaults(&a);
    a.dev = on_device_file(c);
    a.out = fig_path(&c->run, csv, sizeof csv, "iv/iv.csv"), a.json = 1, a.plot = CLI_PLOT_PNG_SVG;
    if (iv_exec(PROG, &a, &r->iv)) return 1;
    r->have_iv = 1;
    r->th = r->iv.th, r->ho = r->iv.ho;
    WRITE_JSON(c, "iv/iv.json", iv_json(f, &a, &r->iv));
    return 0;
}

static int fig_rt(report_ctx *c, report_results *r)
{
    fig_announce(&c->run, "R-T loop");
    if (!has_rt(&r->p)) return 0;
    char csv[4096];
    rt_args a;
    rt_defaults(&a);
    a.dev = on_device_file(c);
    a.points = c->s.rt_points;
    a.out = fig_path(&c->run, csv, sizeof csv, "rt/rt.csv"), a.json = 1, a.plot = CLI_PLOT_PNG_SVG;
    if (rt_exec(PROG, &a, &r->rt)) return 1;
    r->have_rt = 1;
    WRITE_JSON(c, "rt/rt.json", rt_json(f, &a, &r->rt));
    return 0;
}

static int fig_triple(report_ctx *c, report_results *r)
{
    fig_announce(&c->run, "triple point");
    char csv[4096];
    triple_args a;
    triple_defaults(&a);
    a.da = on_device_file_list(c);
    a.circ = c->a->circ;
    a.out = fig_path(&c->run, csv, sizeof csv, "triple/triple.csv"), a.json = 1, a.plot = CLI_PLOT_PNG_SVG;
    if (triple_exec(PROG, &a, &r->triple)) return 1;
    WRITE_JSON(c, "triple/triple.json", triple_json(f, &r->triple));
    return 0;
}

static int fig_vf(report_ctx *c, report_results *r)
{
    fig_announce(&c->run, "V-f and P-f across the oscillation window");
    char csv[4096];
    vf_args a;
    vf_defaults(&a);
    a.da = on_device_file_list(c);
    a.circ = c->a->circ;
    a.v_step = c->s.v_step, a.f_ref = c->a->f_ref;
    a.out = fig_path(&c->run, csv, sizeof csv, "vf/vf.csv"), a.json = 1, a.plot = CLI_PLOT_NONE;
    /* vf cannot plot curves without points: sweep, then again with the plots if it oscillates */
    if (vf_exec(PROG, &a, &r->vf)) return 1;
    r->have_vf_plot = r->vf.sum[0].points > 0;
    if (r->have_vf_plot) {
        a.plot = CLI_PLOT_PNG_SVG;
        if (vf_exec(PROG, &a, &r->vf)) return 1;
    }
    WRITE_JSON(c, "vf/vf.json", vf_json(f, &a, &r->vf));
    return 0;
}

/* The simulated time of the oscillation: 200 us (osc's default), or 20 periods of the slowest
   frequency of the window, up to 10 ms. */
static double osc_t_end(const vf_summary *s)
{
    double t = 200e-6;
    if (s->f_min_hz > 0 && 20.0 / s->f_min_hz > t) t = fmin(20.0 / s->f_min_hz, 10e-3);
    return t;
}

static int fig_osc(report_ctx *c, report_results *r)
{
    fig_announce(&c->run, "oscillation in the middle of the window");
    const vf_summary *s = &r->vf.sum[0];
    r->v_osc = NAN;
    if (!s->points) return 0;
    r->v_osc = 0.5 * (s->window_low_v + s->window_high_v);
    char csv[4096];
    osc_args a;
    osc_defaults(&a);
    a.dev = on_device_file(c);
    a.circ = c->a->circ;
    a.in.kind = "dc";
    a.in.v_in = r->v_osc, a.in.given_v_in = 1;
    a.t_end = osc_t_end(s), a.given_t_end = 1;
    a.out = fig_path(&c->run, csv, sizeof csv, "osc/osc.csv"), a.json = 1, a.plot = CLI_PLOT_PNG_SVG;
    if (osc_exec(PROG, &a, &r->osc)) return 1;
    r->have_osc = 1;
    WRITE_JSON(c, "osc/osc.json", osc_json(f, &a, &r->osc));
    return 0;
}

static int fig_phase(report_ctx *c, report_results *r)
{
    fig_announce(&c->run, "phase diagram and the three regimes");
    char csv[4096];
    phase_args a;
    phase_defaults(&a);
    a.dev_args = on_device_file(c);
    a.circ = c->a->circ;
    a.rg.n = c->s.grid_r, a.vg.n = c->s.grid_v, a.waveforms = 1;
    a.out = fig_path(&c->run, csv, sizeof csv, "phase/phase.csv"), a.json = 1, a.plot = CLI_PLOT_PNG_SVG;
    if (phase_exec(PROG, &a, &r->phase)) return 1;
    WRITE_JSON(c, "phase/phase.json", phase_json(f, &a, &r->phase));
    return 0;
}

static int run_figures(report_ctx *c, report_results *r)
{
    return fig_iv(c, r) || fig_rt(c, r) || fig_triple(c, r) || fig_vf(c, r) || fig_osc(c, r) || fig_phase(c, r);
}

/* ---- the summary: every number from a result struct of this run ---------------------------- */

/* The numbers of the table and of --json. NAN where a figure does not apply. */
typedef struct report_summary {
    double v_th_v, i_th_a, v_hold_v, i_hold_a, r_th_ohm, r_hold_ohm;
    double t_ambient_k, r_ambient_ohm, rt_jump, t_edge_lo_k, t_edge_hi_k, t_half_heat_k, t_half_cool_k;
    double r_s_star_ohm, v_in_star_v;
    double window_lo_v, window_hi_v, f_min_hz, f_max_hz, v_at_f_max_v, p_min_w, p_max_w;
    long window_points;
    double f_ref_hz, p_at_f_ref_w, e_at_f_ref_j;
    double osc_v_in_v, osc_freq_hz, osc_v_pp_v, osc_p_in_w, osc_e_per_spike_j;
    long osc_spikes;
    long phase_points, phase_count[3];
} report_summary;

static report_summary summarize(const report_results *r)
{
    report_summary s = {.v_th_v = r->th.v_v, .i_th_a = r->th.i_a, .v_hold_v = r->ho.v_v, .i_hold_a = r->ho.i_a,
                        .r_th_ohm = r->th.r_ohm, .r_hold_ohm = r->ho.r_ohm};
    s.t_ambient_k = r->have_rt ? vs_device_ambient(&r->rt.p) : (double)NAN;
    const vs_rt_summary *rt = &r->rt.s;
    s.r_ambient_ohm = r->have_rt ? rt->r_ambient_ohm : (double)NAN;
    s.rt_jump = r->have_rt ? rt->jump_ratio : (double)NAN;
    s.t_edge_lo_k = r->have_rt ? rt->t_edge_lo_k : (double)NAN;
    s.t_edge_hi_k = r->have_rt ? rt->t_edge_hi_k : (double)NAN;
    s.t_half_heat_k = r->have_rt ? rt->t_half_heat_k : (double)NAN;
    s.t_half_cool_k = r->have_rt ? rt->t_half_cool_k : (double)NAN;
    s.r_s_star_ohm = r->triple.tp[0].r_s_ohm, s.v_in_star_v = r->triple.tp[0].v_in_v;
    const vf_summary *v = &r->vf.sum[0];
    s.window_points = v->points;
    s.window_lo_v = v->points ? v->window_low_v : (double)NAN;
    s.window_hi_v = v->points ? v->window_high_v : (double)NAN;
    s.f_min_hz = v->f_min_hz, s.f_max_hz = v->f_max_hz, s.v_at_f_max_v = v->v_at_f_max_v;
    s.p_min_w = v->p_min_w, s.p_max_w = v->p_max_w;
    s.f_ref_hz = r->vf.f_ref_hz, s.p_at_f_ref_w = v->p_at_f_ref_w;
    s.e_at_f_ref_j = v->p_at_f_ref_w / r->vf.f_ref_hz;
    const vs_neuron_result *o = &r->osc.sim;
    s.osc_v_in_v = r->v_osc;
    s.osc_spikes = r->have_osc ? (long)o->n_spikes : 0;
    s.osc_freq_hz = r->have_osc ? o->freq_hz : (double)NAN;
    s.osc_v_pp_v = r->have_osc ? o->v_osc_max_v - o->v_osc_min_v : (double)NAN;
    s.osc_p_in_w = r->have_osc ? o->p_in_mean_w : (double)NAN;
    s.osc_e_per_spike_j = r->have_osc ? o->e_in_per_spike_j : (double)NAN;
    s.phase_points = r->phase.total;
    for (int k = 0; k < 3; k++) s.phase_count[k] = r->phase.count[k];
    return s;
}

static void summary_rows(paper_rows *t, const report_ctx *c, const report_results *r, const report_summary *s)
{
    const vs_circuit *ci = &c->a->circ;
    const char *model = r->p.model->name;
    const char *from_iv = r->have_iv ? "iv: quasi-static folds of the S-curve"
                                     : "the model's quasi-static folds (vo2snn params; iv needs a temperature)";
    paper_row_add(t, "circuit", ROW_DEVICE, "circuit", NULL, "--r-series, --cap, --r-sense", 0,
                  "R_s %s, C %s, R_sense %s", si(ci->r_series_ohm, "Ohm"), si(ci->c_f, "F"),
                  si(ci->r_sense_ohm, "Ohm"));
    paper_row_add(t, "vth", ROW_DEVICE, "threshold V_th", NULL, from_iv, 0, "%.4g V at %s (R %s)", s->v_th_v,
                  si(s->i_th_a, "A"), si(s->r_th_ohm, "Ohm"));
    paper_row_add(t, "vhold", ROW_DEVICE, "hold V_hold", NULL, from_iv, 0, "%.4g V at %s (R %s); hysteresis %.4g V",
                  s->v_hold_v, si(s->i_hold_a, "A"), si(s->r_hold_ohm, "Ohm"), s->v_th_v - s->v_hold_v);
    if (r->have_rt) {
        char what[160];
        snprintf(what, sizeof what, "R at ambient (%g K)", s->t_ambient_k);
        paper_row_add(t, "r-ambient", ROW_DEVICE, what, NULL, "rt", 0, "%s", si(s->r_ambient_ohm, "Ohm"));
        paper_row_add(t, "rt-jump", ROW_DEVICE, "R-T jump across the transition (heating)", NULL,
                      "rt: R(1 % edge) / R(99 % edge)", 0, "%.4g (%.4g K -> %.4g K); half transition %.4g K heating, "
                      "%.4g K cooling", s->rt_jump, s->t_edge_lo_k, s->t_edge_hi_k, s->t_half_heat_k, s->t_half_cool_k);
    } else {
        paper_row_add(t, "r-ambient", ROW_DEVICE, "R at ambient, R-T jump", NULL, "rt", 0,
                      "does not apply: model %s has no temperature", model);
    }
    paper_row_add(t, "triple", ROW_DEVICE, "triple point R_s*, V_in*", NULL, "triple (bisection)", 0,
                  "%s, %.4g V (R_s %s)", si(s->r_s_star_ohm, "Ohm"), s->v_in_star_v,
                  ci->r_series_ohm > s->r_s_star_ohm ? "above R_s*: it can oscillate" : "below R_s*: no oscillation window");
    if (s->window_points) {
        paper_row_add(t, "window", ROW_DEVICE, "oscillation window at R_s", NULL, "vf (edges by bisection)", 0,
                      "%.4g - %.4g V", s->window_lo_v, s->window_hi_v);
        paper_row_add(t, "freq", ROW_DEVICE, "frequency range at R_s", NULL, "vf", 0,
                      "%s - %s (peak at %.4g V)", si(s->f_min_hz, "Hz"), si(s->f_max_hz, "Hz"), s->v_at_f_max_v);
        paper_row_add(t, "power", ROW_DEVICE, "source power range at R_s", NULL, "vf", 0, "%s - %s",
                      si(s->p_min_w, "W"), si(s->p_max_w, "W"));
    } else {
        paper_row_add(t, "window", ROW_DEVICE, "oscillation window at R_s", NULL, "vf", 0,
                      "none: the device does not oscillate at R_s %s", si(ci->r_series_ohm, "Ohm"));
    }
    char what[160];
    snprintf(what, sizeof what, "power and energy per spike at %s", si(s->f_ref_hz, "Hz"));
    if (!isnan(s->p_at_f_ref_w))
        paper_row_add(t, "f-ref", ROW_DEVICE, what, NULL, "vf (rising branch; energy = P / f)", 0, "%s, %s per spike",
                      si(s->p_at_f_ref_w, "W"), si(s->e_at_f_ref_j, "J"));
    else
        paper_row_add(t, "f-ref", ROW_DEVICE, what, NULL, "vf (--f-ref)", 0,
                      "n/a: %s is not on the rising branch of the V-f curve (--f-ref)", si(s->f_ref_hz, "Hz"));
    if (r->have_osc) {
        snprintf(what, sizeof what, "oscillation at %.4g V (middle of the window)", s->osc_v_in_v);
        paper_row_add(t, "osc", ROW_DEVICE, what, NULL, "osc", 0,
                      "%s, V_osc %.4g V p-p, P_in %s, %s per spike (%ld spikes in %s)", si(s->osc_freq_hz, "Hz"),
                      s->osc_v_pp_v, si(s->osc_p_in_w, "W"), si(s->osc_e_per_spike_j, "J"), s->osc_spikes,
                      si(r->osc.t_end, "s"));
    }
    paper_row_add(t, "phase", ROW_DEVICE, "phase diagram", NULL, "phase", 0,
                  "%ld points: %ld un-firing, %ld oscillating, %ld firing", s->phase_points, s->phase_count[0],
                  s->phase_count[1], s->phase_count[2]);
}

/* ---- the figure sections -------------------------------------------------------------------- */

enum { SEC_IV, SEC_RT, SEC_OSC, SEC_PHASE, SEC_TRIPLE, SEC_VF, N_SECTIONS };

static const paper_section section_base[N_SECTIONS] = {
    {"iv", "Quasi-static I-V and thresholds", "", "", {"iv/iv.png"}},
    {"rt", "R-T loop", "", "", {"rt/rt.png"}},
    {"osc", "Oscillation in the circuit", "", "", {"osc/osc.png"}},
    {"phase", "Phase diagram and the three regimes", "", "", {"phase/phase.png", "phase/phase_waveforms.png"}},
    {"triple", "Triple point", "", "", {"triple/triple.png"}},
    {"vf", "Frequency vs voltage, power vs frequency", "", "", {"vf/vf.png", "vf/vf_pf.png"}},
};

/* " --r-series R --cap C --r-sense R" (exact values), for the sections' commands. */
static void circuit_flags(char *buf, size_t n, const vs_circuit *ci, int with_r_series)
{
    char r[32], cf[32], rs[32];
    vs_format_exact(r, sizeof r, ci->r_series_ohm);
    vs_format_exact(cf, sizeof cf, ci->c_f);
    vs_format_exact(rs, sizeof rs, ci->r_sense_ohm);
    snprintf(buf, n, "%s%s --cap %s --r-sense %s", with_r_series ? " --r-series " : "", with_r_series ? r : "", cf,
             rs);
}

static void fill_sections(paper_section *sec, const report_ctx *c, const report_results *r)
{
    memcpy(sec, section_base, sizeof section_base);
    const report_settings *st = &c->s;
    const char *dev = c->dev_file, *out = c->a->out, *model = r->p.model->name;
    char circ[200], cap[200];
    circuit_flags(circ, sizeof circ, &c->a->circ, 1);
    circuit_flags(cap, sizeof cap, &c->a->circ, 0);
    if (r->have_iv) {
        snprintf(sec[SEC_IV].what, sizeof sec[SEC_IV].what, "The device alone: a %s triangular sweep to %.4g V "
                 "through %s, with the steady-state S-curve whose folds are V_th and V_hold.",
                 si(r->iv.o.period_s, "s"), r->iv.v_max_v, si(r->iv.o.r_load_ohm, "Ohm"));
        snprintf(sec[SEC_IV].params, sizeof sec[SEC_IV].params, "vo2snn iv --device-file %.400s --out %.400s/iv/iv.csv --plot",
                 dev, out);
    } else {
        snprintf(sec[SEC_IV].what, sizeof sec[SEC_IV].what, "Does not apply: model %s has no temperature, so it has "
                 "no steady-state S-curve to sweep (vo2snn iv). V_th and V_hold in the summary are the model's "
                 "quasi-static folds (vo2snn params --device-file %.400s).", model, dev);
        sec[SEC_IV].images[0] = NULL;
    }
    if (r->have_rt) {
        snprintf(sec[SEC_RT].what, sizeof sec[SEC_RT].what, "Heating from %g K to %g K and cooling back, %ld "
                 "temperatures per branch.", 290.0, 370.0, st->rt_points);
        snprintf(sec[SEC_RT].params, sizeof sec[SEC_RT].params, "vo2snn rt --device-file %.400s --points %ld --out "
                 "%.400s/rt/rt.csv --plot", dev, st->rt_points, out);
    } else {
        snprintf(sec[SEC_RT].what, sizeof sec[SEC_RT].what, "Does not apply: model %s has no temperature, so it has "
                 "no R-T loop.", model);
        sec[SEC_RT].images[0] = NULL;
    }
    if (r->have_osc) {
        char v[32], t[32];
        vs_format_exact(v, sizeof v, r->v_osc);
        vs_format_exact(t, sizeof t, r->osc.t_end);
        snprintf(sec[SEC_OSC].what, sizeof sec[SEC_OSC].what, "%s at %.4g V dc, the middle of its oscillation window "
                 "(%.4g - %.4g V) at R_s %s, C %s, R_sense %s; %s simulated from rest.", r->label, r->v_osc,
                 r->vf.sum[0].window_low_v, r->vf.sum[0].window_high_v, si(c->a->circ.r_series_ohm, "Ohm"),
                 si(c->a->circ.c_f, "F"), si(c->a->circ.r_sense_ohm, "Ohm"), si(r->osc.t_end, "s"));
        snprintf(sec[SEC_OSC].params, sizeof sec[SEC_OSC].params, "vo2snn osc --device-file %.400s%s --input dc --v-in %s "
                 "--t-end %s --out %.400s/osc/osc.csv --plot", dev, circ, v, t, out);
    } else {
        snprintf(sec[SEC_OSC].what, sizeof sec[SEC_OSC].what, "No oscillation: at R_s %s the device has no "
                 "oscillation window (its triple point is at R_s* %s); a larger series resistor makes it oscillate.",
                 si(c->a->circ.r_series_ohm, "Ohm"), si(r->triple.tp[0].r_s_ohm, "Ohm"));
        sec[SEC_OSC].images[0] = NULL;
    }
    snprintf(sec[SEC_PHASE].what, sizeof sec[SEC_PHASE].what, "%ld x %ld points over series resistance and input "
             "voltage at C %s, each one run from rest, classified after settling; then V_spike of one un-firing, one "
             "oscillating and one firing input at R_s %s.", st->grid_r, st->grid_v, si(c->a->circ.c_f, "F"),
             si(c->a->circ.r_series_ohm, "Ohm"));
    snprintf(sec[SEC_PHASE].params, sizeof sec[SEC_PHASE].params, "vo2snn phase --device-file %.400s%s --r-points %ld "
             "--v-points %ld --waveforms --out %.400s/phase/phase.csv --plot", dev, circ, st->grid_r, st->grid_v, out);
    snprintf(sec[SEC_TRIPLE].what, sizeof sec[SEC_TRIPLE].what, "The smallest series resistance with an oscillation "
             "window, by bisection, and the input voltage there; the dashed line is the analytic load-line estimate.");
    snprintf(sec[SEC_TRIPLE].params, sizeof sec[SEC_TRIPLE].params, "vo2snn triple --device-file %.400s%s --out "
             "%.400s/triple/triple.csv --plot", dev, cap, out);
    char step[32], fref[32];
    vs_format_exact(step, sizeof step, st->v_step);
    vs_format_exact(fref, sizeof fref, c->a->f_ref);
    if (r->have_vf_plot)
        snprintf(sec[SEC_VF].what, sizeof sec[SEC_VF].what, "The device across its own oscillation window at R_s %s "
                 "in %s V steps; powers are compared at %s.", si(c->a->circ.r_series_ohm, "Ohm"), step,
                 si(c->a->f_ref, "Hz"));
    else {
        snprintf(sec[SEC_VF].what, sizeof sec[SEC_VF].what, "No curve: at R_s %s the device has no oscillating "
                 "point (its triple point is at R_s* %s).", si(c->a->circ.r_series_ohm, "Ohm"),
                 si(r->triple.tp[0].r_s_ohm, "Ohm"));
        sec[SEC_VF].images[0] = NULL;
    }
    snprintf(sec[SEC_VF].params, sizeof sec[SEC_VF].params, "vo2snn vf --device-file %.400s%s --v-step %s --f-ref %s "
             "--out %.400s/vf/vf.csv --plot", dev, circ, step, fref, out);
}

/* ---- the report ------------------------------------------------------------------------------ */

/* The command line as typed, each argument shell-quoted where it needs it. */
static void command_line(char *buf, size_t n, int argc, char **argv)
{
    size_t k = (size_t)snprintf(buf, n, "vo2snn report");
    for (int i = 0; i < argc && k < n; i++) {
        const char *s = argv[i];
        int plain = *s != '\0';
        for (const char *q = s; *q; q++)
            plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%", *q) != NULL;
        if (plain) {
            k += (size_t)snprintf(buf + k, n - k, " %s", s);
            continue;
        }
        k += (size_t)snprintf(buf + k, n - k, " '");
        for (; *s && k < n; s++) k += (size_t)snprintf(buf + k, n - k, *s == '\'' ? "'\\''" : "%c", *s);
        if (k < n) k += (size_t)snprintf(buf + k, n - k, "'");
    }
}

static int write_report(const report_ctx *c, const report_results *r, double seconds, char *path, size_t n)
{
    static paper_rows rows;
    rows.n = 0;
    report_summary s = summarize(r);
    summary_rows(&rows, c, r, &s);
    static paper_section secs[N_SECTIONS];
    fill_sections(secs, c, r);
    static char command[8192];
    command_line(command, sizeof command, c->argc, c->argv);
    static paper_report rep;
    rep = (paper_report){.title = "vo2snn: device report", .heading = "What this device does as a neuron",
                         .table = TABLE_DEVICE, .rows = rows.row, .n_rows = rows.n, .device_text = r->device_text,
                         .device_file = "device.txt", .command = command, .secs = secs, .n_secs = N_SECTIONS};
    char label[3 * VS_NAME_MAX];
    paper_html_escape(label, sizeof label, r->label);
    int k = snprintf(rep.intro, sizeof rep.intro,
                     "<p>Generated by <code>vo2snn report%s</code> in %.0f s for <b>%s</b> (model %s, "
                     "docs/models/%s.md) at R_s %s, C %s, R_sense %s. Every number and figure below was simulated by "
                     "vo2snn for this device; each section gives the command that makes its figure alone and links its "
                     "data folder (CSV, JSON summary), and every plot its SVG version.</p>\n",
                     c->a->quick ? " --quick" : "", seconds, label, r->p.model->name, r->p.model->name,
                     si(c->a->circ.r_series_ohm, "Ohm"), si(c->a->circ.c_f, "F"), si(c->a->circ.r_sense_ohm, "Ohm"));
    if (c->a->quick && k > 0 && (size_t)k < sizeof rep.intro)
        snprintf(rep.intro + k, sizeof rep.intro - (size_t)k,
                 "<p class=\"quick\"><b>Quick mode:</b> coarser grids (phase diagram %ld x %ld, V-f step %g V, R-T "
                 "%ld temperatures). Numbers are indicative; run without <code>--quick</code> for the full "
                 "report.</p>\n", c->s.grid_r, c->s.grid_v, c->s.v_step, c->s.rt_points);
    fig_path(&c->run, path, n, "report.html");
    return paper_write_report(PROG, path, &rep);
}

/* ---- output: JSON and text ------------------------------------------------------------------ */

static void print_json(const report_ctx *c, const report_results *r, const char *html)
{
    report_summary s = summarize(r);
    vs_json j;
    vs_json_begin(&j, stdout);
    vs_json_str(&j, "command", "report");
    vs_json_str(&j, "device", r->label);
    vs_json_str(&j, "model", r->p.model->name);
    vs_json_bool(&j, "quick", c->a->quick);
    train_json_circuit(&j, &c->a->circ);
    vs_json_num(&j, "v_th_v", s.v_th_v);
    vs_json_num(&j, "i_th_a", s.i_th_a);
    vs_json_num(&j, "r_th_ohm", s.r_th_ohm);
    vs_json_num(&j, "v_hold_v", s.v_hold_v);
    vs_json_num(&j, "i_hold_a", s.i_hold_a);
    vs_json_num(&j, "r_hold_ohm", s.r_hold_ohm);
    vs_json_num(&j, "hysteresis_v", s.v_th_v - s.v_hold_v);
    vs_json_num(&j, "t_ambient_k", s.t_ambient_k);
    vs_json_num(&j, "r_ambient_ohm", s.r_ambient_ohm);
    vs_json_num(&j, "rt_jump_ratio", s.rt_jump);
    vs_json_num(&j, "t_edge_lo_k", s.t_edge_lo_k);
    vs_json_num(&j, "t_edge_hi_k", s.t_edge_hi_k);
    vs_json_num(&j, "t_half_heating_k", s.t_half_heat_k);
    vs_json_num(&j, "t_half_cooling_k", s.t_half_cool_k);
    vs_json_num(&j, "r_series_star_ohm", s.r_s_star_ohm);
    vs_json_num(&j, "v_in_star_v", s.v_in_star_v);
    vs_json_num(&j, "window_low_v", s.window_lo_v);
    vs_json_num(&j, "window_high_v", s.window_hi_v);
    vs_json_int(&j, "window_points", s.window_points);
    vs_json_num(&j, "f_min_hz", s.f_min_hz);
    vs_json_num(&j, "f_max_hz", s.f_max_hz);
    vs_json_num(&j, "v_at_f_max_v", s.v_at_f_max_v);
    vs_json_num(&j, "p_min_w", s.p_min_w);
    vs_json_num(&j, "p_max_w", s.p_max_w);
    vs_json_num(&j, "f_ref_hz", s.f_ref_hz);
    vs_json_num(&j, "p_at_f_ref_w", s.p_at_f_ref_w);
    vs_json_num(&j, "e_per_spike_at_f_ref_j", s.e_at_f_ref_j);
    vs_json_num(&j, "osc_v_in_v", s.osc_v_in_v);
    vs_json_int(&j, "osc_spikes", s.osc_spikes);
    vs_json_num(&j, "osc_freq_hz", s.osc_freq_hz);
    vs_json_num(&j, "osc_amplitude_pp_v", s.osc_v_pp_v);
    vs_json_num(&j, "osc_p_in_mean_w", s.osc_p_in_w);
    vs_json_num(&j, "osc_e_in_per_spike_j", s.osc_e_per_spike_j);
    vs_json_int(&j, "phase_points", s.phase_points);
    vs_json_int(&j, "phase_unfiring", s.phase_count[0]);
    vs_json_int(&j, "phase_oscillating", s.phase_count[1]);
    vs_json_int(&j, "phase_firing", s.phase_count[2]);
    vs_json_bool(&j, "rt_applies", r->have_rt);
    vs_json_bool(&j, "iv_applies", r->have_iv);
    vs_json_str(&j, "device_file", c->dev_file);
    vs_json_str(&j, "report_html", html);
    vs_json_end(&j);
}

static void print_text(const report_ctx *c, const report_results *r, const char *html, double seconds)
{
    static paper_rows rows;
    rows.n = 0;
    report_summary s = summarize(r);
    summary_rows(&rows, c, r, &s);
    printf("%s (model %s)%s in %.0f s:\n", r->label, r->p.model->name, c->a->quick ? ", quick" : "", seconds);
    for (int i = 0; i < rows.n; i++) printf("  %-46s %s\n", rows.row[i].what, rows.row[i].ours);
    printf("wrote %s; open %s\n", c->dev_file, html);
}

/* ---- the command ------------------------------------------------------------------------- */

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, report_args *a)
{
    *a = (report_args){.dev = CLI_DEVICE_DEFAULTS, .circ = vs_circuit_default(), .f_ref = 145e3,
                       .out = "out/report"};
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev),
        CLI_CIRCUIT_OPTS(a->circ),
        {.name = "f-ref", .kind = OPT_QUANTITY, .unit = "Hz", .metavar = "F", .help = "frequency at which power and energy per spike are read", .dest = &a->f_ref, .min = 1, .max = 1e12},
        CLI_OUT_OPT(a->out, "DIR", "output folder (figures, data, device.txt, report.html)"),
        {.name = "quick", .kind = OPT_FLAG, .help = "coarser grids (a few seconds; the full report takes well under a minute)", .dest = &a->quick},
        CLI_JSON_OPT(a->json),
    };
    return cli_parse(PROG, "What one device does as a neuron in a circuit: its figures and numbers in an HTML report.",
        "Runs, for the device of --model/--device/--vacancy/--device-file/--param (any model),\n"
        "the commands iv (quasi-static I-V, V_th, V_hold), rt (R-T loop), triple (triple point),\n"
        "vf (V-f and P-f across the oscillation window at --r-series), osc (the oscillation at the\n"
        "middle of that window) and phase (phase diagram and the three regimes at --r-series),\n"
        "and writes DIR/report.html: a summary table of this run's numbers, one section per\n"
        "figure (PNG and SVG, with the command that makes it alone), the device file and the\n"
        "command line. The device is written once, with every parameter and its unit, to\n"
        "DIR/device.txt, and every figure runs on that file. Figures that need a temperature\n"
        "(R-T; the swept I-V) do not apply to models without one (switch): the report says so.\n"
        "A --device-file inside DIR is refused (it would be replaced): copy it first.",
        opts, CLI_N_OPTS(opts), argc, argv);
}

int cmd_report(int argc, char **argv)
{
    report_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_GO_ON) return rc;
    if (vs_circuit_validate(&a.circ) != VS_OK) return cli_fail(PROG);
    static report_results r;
    memset(&r, 0, sizeof r);
    report_ctx c = {.a = &a, .s = settings_for(a.quick), .argc = argc, .argv = argv,
                    .run = {.prog = PROG, .tag = "report", .out = a.out, .n_steps = 6, .t_start = progress_now()}};
    char html[4096];
    int failed = write_device(&c, &r) || run_figures(&c, &r);
    double seconds = progress_now() - c.run.t_start;
    failed = failed || write_report(&c, &r, seconds, html, sizeof html);
    if (!failed && a.json) print_json(&c, &r, html);
    else if (!failed) print_text(&c, &r, html, seconds);
    report_results_free(&r);
    return failed;
}
