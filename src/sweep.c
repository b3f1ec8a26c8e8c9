/* sweep.c -- regime classification, phase diagrams, oscillation windows and triple points. */
#include "vo2snn/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"

const char *vs_regime_name(vs_regime r)
{
    switch (r) {
    case VS_UNFIRING: return "un-firing";
    case VS_OSCILLATING: return "oscillating";
    case VS_FIRING: return "firing";
    }
    return "unknown";
}

vs_classify_opts vs_classify_opts_default(void)
{
    return (vs_classify_opts){.t_run_s = 300e-6, .settle_frac = 0.5, .min_spikes = 2,
                              .sim = vs_sim_opts_default()};
}

static vs_status validate_classify(const vs_classify_opts *o)
{
    if (!(o->t_run_s > 0 && isfinite(o->t_run_s)))
        return vs_fail(VS_EINVAL, "run time %g s must be positive", o->t_run_s);
    if (!(o->settle_frac >= 0 && o->settle_frac < 1))
        return vs_fail(VS_EINVAL, "settle fraction %g must be in [0, 1)", o->settle_frac);
    if (o->min_spikes < 2) return vs_fail(VS_EINVAL, "at least 2 spikes must define oscillation");
    return VS_OK;
}

/*
 * A run that ends without oscillating is latched ("firing") if the device stays on its
 * high-current branch: its current beyond the hold fold's I_h, where the stable part of
 * the cooling (conducting) branch begins -- whatever its metallic fraction. Models without
 * folds: the switched fraction above 0.5.
 */
static int conducting(const vs_device_params *dev, const vs_neuron_result *r)
{
    /* the folds of the last device seen by this thread (a sweep asks for the same one) */
    static _Thread_local const vs_model *model;
    static _Thread_local double values[VS_MAX_PARAMS], i_hold;
    if (model != dev->model || memcmp(values, dev->v, sizeof values) != 0) {
        vs_fold th, ho;
        model = dev->model;
        memcpy(values, dev->v, sizeof values);
        i_hold = vs_device_folds(dev, &th, &ho) == VS_OK ? ho.i_a : (double)NAN;
    }
    if (!isnan(i_hold)) return fabs(r->i_end_a) > i_hold;
    return r->m_end > 0.5;
}

vs_status vs_classify(const vs_device_params *dev, const vs_circuit *c, double v_in,
                      const vs_classify_opts *o, vs_point *out)
{
    vs_status st = validate_classify(o);
    if (st != VS_OK) return st;
    vs_sim_opts so = o->sim;
    so.t_end_s = o->t_run_s;
    so.t_window0_s = o->settle_frac * o->t_run_s;
    so.t_window1_s = o->t_run_s;
    so.dt_out_s = 0;
    vs_input in = vs_input_dc(v_in);
    vs_neuron_result r;
    st = vs_neuron_simulate(dev, c, &in, &so, NULL, NULL, &r);
    if (st == VS_OK) {
        int osc = r.n_spikes_window >= (size_t)o->min_spikes;
        out->regime = osc ? VS_OSCILLATING : conducting(dev, &r) ? VS_FIRING : VS_UNFIRING;
        out->freq_hz = osc ? r.freq_hz : 0.0;
        out->p_in_w = r.p_in_mean_w;
        out->e_in_per_spike_j = osc ? r.e_in_per_spike_j : (double)NAN;
        out->v_pp_v = r.v_osc_max_v - r.v_osc_min_v;
        out->v_spike_mean_v = r.v_spike_mean_v;
        out->spikes = (long)r.n_spikes_window;
    }
    vs_neuron_result_free(&r);
    return st;
}

vs_status vs_grid_validate(const vs_grid *g, const char *name)
{
    if (g->n < 1 || g->n > 100000000)
        return vs_fail(VS_EINVAL, "%s: %ld points (need 1 to 1e8)", name, g->n);
    if (!isfinite(g->lo) || !isfinite(g->hi))
        return vs_fail(VS_EINVAL, "%s: range must be finite", name);
    if (g->hi < g->lo || (g->n > 1 && g->hi == g->lo))   /* one point may have lo == hi */
        return vs_fail(VS_EINVAL, "%s: upper end %g must exceed lower end %g", name, g->hi, g->lo);
    if (g->log && !(g->lo > 0))
        return vs_fail(VS_EINVAL, "%s: a logarithmic range needs a positive lower end", name);
    return VS_OK;
}

double vs_grid_at(const vs_grid *g, long i)
{
    if (g->n <= 1) return g->lo;
    if (i == g->n - 1) return g->hi;
    double f = (double)i / (double)(g->n - 1);
    return g->log ? g->lo * pow(g->hi / g->lo, f) : g->lo + (g->hi - g->lo) * f;
}

/* Per-point seed: independent streams whatever the thread that runs the point. */
static uint64_t point_seed(uint64_t seed, long k)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(k + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    return z ^ (z >> 31);
}

vs_status vs_phase_sweep(const vs_device_params *dev, const vs_circuit *c, const vs_grid *r_s,
                         const vs_grid *v_in, const vs_classify_opts *o, vs_progress_fn progress,
                         void *user, vs_point *out)
{
    return vs_phase_sweep_resume(dev, c, r_s, v_in, o, NULL, progress, user, out);
}

vs_status vs_phase_sweep_resume(const vs_device_params *dev, const vs_circuit *c,
                                const vs_grid *r_s, const vs_grid *v_in, const vs_classify_opts *o,
                                unsigned char *done_flags, vs_progress_fn progress, void *user,
                                vs_point *out)
{
    vs_status st;
    if ((st = vs_grid_validate(r_s, "series resistance")) != VS_OK ||
        (st = vs_grid_validate(v_in, "input voltage")) != VS_OK ||
        (st = vs_device_validate(dev)) != VS_OK || (st = vs_circuit_validate(c)) != VS_OK ||
        (st = validate_classify(o)) != VS_OK)
        return st;
    if (!(r_s->lo > 0)) return vs_fail(VS_EINVAL, "series resistance must be positive");

    const long n_r = r_s->n, total = r_s->n * v_in->n;
    long done = 0, first_fail = -1;
    if (done_flags)
        for (long k = 0; k < total; k++) done += done_flags[k] != 0;
    int stop = 0;
    vs_status fail_code = VS_OK;
    char fail_msg[512] = "";

#pragma omp parallel for schedule(dynamic, 1)
    for (long k = 0; k < total; k++) {
        int skip;
#pragma omp atomic read
        skip = stop;
        if (skip || (done_flags && done_flags[k])) continue;
        vs_circuit ck = *c;
        ck.r_series_ohm = vs_grid_at(r_s, k % n_r);
        vs_classify_opts ok = *o;
        ok.sim.seed = point_seed(o->sim.seed, k);
        vs_status s = vs_classify(dev, &ck, vs_grid_at(v_in, k / n_r), &ok, &out[k]);
#pragma omp critical(vs_phase_sweep)
        {
            if (s != VS_OK && (first_fail < 0 || k < first_fail)) {
                first_fail = k;
                fail_code = s;
                snprintf(fail_msg, sizeof fail_msg, "R_s = %g Ohm, V_in = %g V: %s",
                         ck.r_series_ohm, vs_grid_at(v_in, k / n_r), vs_last_error());
            }
            done++;
            if (done_flags && s == VS_OK) done_flags[k] = 1;
            int cancel = progress && progress(done, total, user) != 0;
            if (cancel || s != VS_OK) {
#pragma omp atomic write
                stop = 1;
                if (cancel && fail_code == VS_OK) {
                    fail_code = VS_EINVAL;
                    snprintf(fail_msg, sizeof fail_msg, "sweep cancelled after %ld of %ld points", done, total);
                }
            }
        }
    }
    if (fail_code != VS_OK) return vs_fail(fail_code, "%s", fail_msg);
    return VS_OK;
}

/* ---- window edges and triple points ------------------------------------------------- */

static vs_status regime_at(const vs_device_params *dev, const vs_circuit *c,
                           const vs_classify_opts *o, double v, vs_regime *r)
{
    vs_point p;
    vs_status st = vs_classify(dev, c, v, o, &p);
    *r = p.regime;
    return st;
}

vs_status vs_load_line(const vs_device_params *dev, const vs_circuit *c, double *v_a,
                       double *v_b, vs_triple *chord)
{
    vs_fold th, ho;
    vs_status st = vs_device_folds(dev, &th, &ho);
    if (st != VS_OK) return st;
    double v_h = th.v_v + th.i_a * c->r_sense_ohm, v_l = ho.v_v + ho.i_a * c->r_sense_ohm;
    if (v_a) *v_a = v_h + th.i_a * c->r_series_ohm;
    if (v_b) *v_b = v_l + ho.i_a * c->r_series_ohm;
    if (chord) {
        chord->r_s_ohm = (v_h - v_l) / (ho.i_a - th.i_a);
        chord->v_in_v = v_h + th.i_a * chord->r_s_ohm;
    }
    return VS_OK;
}

/* x rounded to 2 significant digits. */
static double round2(double x)
{
    if (!(x > 0)) return x;
    double scale = pow(10.0, floor(log10(x)) - 1);
    return round(x / scale) * scale;
}

vs_status vs_phase_default_grids(const vs_device_params *dev, const vs_circuit *c, vs_grid *r_s,
                                 vs_grid *v_in)
{
    vs_triple chord;
    vs_status st = vs_load_line(dev, c, NULL, NULL, &chord);
    if (st != VS_OK) return st;
    if (!(chord.r_s_ohm > 0 && chord.v_in_v > 0))
        return vs_fail(VS_ENOTFOUND, "the device has no triple point to centre the diagram on "
                                     "(give --r-min/--r-max and --v-min/--v-max)");
    vs_circuit at = *c;
    at.r_series_ohm = 2 * chord.r_s_ohm;
    double v_b;
    if ((st = vs_load_line(dev, &at, NULL, &v_b, NULL)) != VS_OK) return st;
    if (isnan(r_s->lo)) r_s->lo = round2(chord.r_s_ohm / 5);
    if (isnan(r_s->hi)) r_s->hi = round2(chord.r_s_ohm * 5);
    if (isnan(v_in->lo)) v_in->lo = round2(0.8 * chord.v_in_v);
    if (isnan(v_in->hi)) v_in->hi = round2(1.3 * v_b);
    return VS_OK;
}

/* Lowest V_in that is not un-firing (bisection to tol_v) and whether V_A + 2 tol oscillates. */
static vs_status lower_edge(const vs_device_params *dev, const vs_circuit *c,
                            const vs_classify_opts *o, double tol_v, double *v_a, int *nonempty)
{
    double chord_a;
    vs_status st = vs_load_line(dev, c, &chord_a, NULL, NULL);
    if (st != VS_OK) return st;
    vs_regime r;
    double lo = fmax(0.0, chord_a - 1.0), hi = chord_a + 1.5;
    if ((st = regime_at(dev, c, o, lo, &r)) != VS_OK) return st;
    if (r != VS_UNFIRING) lo = 0.0;
    for (int k = 0;; k++) {
        if ((st = regime_at(dev, c, o, hi, &r)) != VS_OK) return st;
        if (r != VS_UNFIRING) break;
        lo = hi;
        hi *= 1.5;
        if (k > 20) return vs_fail(VS_ENOTFOUND, "the neuron never leaves the un-firing state below %g V", hi);
    }
    while (hi - lo > tol_v) {
        double mid = 0.5 * (lo + hi);
        if ((st = regime_at(dev, c, o, mid, &r)) != VS_OK) return st;
        if (r == VS_UNFIRING) lo = mid;
        else hi = mid;
    }
    *v_a = hi;
    if ((st = regime_at(dev, c, o, hi + 2 * tol_v, &r)) != VS_OK) return st;
    *nonempty = r == VS_OSCILLATING;
    return VS_OK;
}

vs_status vs_window_edges(const vs_device_params *dev, const vs_circuit *c,
                          const vs_classify_opts *o, double tol_v, double *v_a, double *v_b,
                          int *nonempty)
{
    if (!(tol_v > 0)) return vs_fail(VS_EINVAL, "voltage tolerance must be positive");
    vs_status st = lower_edge(dev, c, o, tol_v, v_a, nonempty);
    *v_b = NAN;
    if (st != VS_OK || !*nonempty) return st;
    double chord_b;
    if ((st = vs_load_line(dev, c, NULL, &chord_b, NULL)) != VS_OK) return st;
    vs_regime r;
    double lo = *v_a + 2 * tol_v, hi = fmax(chord_b + 1.0, lo + 1.0);
    for (int k = 0;; k++) {
        if ((st = regime_at(dev, c, o, hi, &r)) != VS_OK) return st;
        if (r != VS_OSCILLATING) break;
        lo = hi;
        hi *= 1.3;
        if (k > 30) return vs_fail(VS_ENOTFOUND, "the neuron still oscillates at %g V", hi);
    }
    while (hi - lo > tol_v) {
        double mid = 0.5 * (lo + hi);
        if ((st = regime_at(dev, c, o, mid, &r)) != VS_OK) return st;
        if (r == VS_OSCILLATING) lo = mid;
        else hi = mid;
    }
    *v_b = lo;
    return VS_OK;
}

vs_status vs_triple_point(const vs_device_params *dev, const vs_circuit *c,
                          const vs_classify_opts *o, double tol_r, double tol_v, vs_triple *out)
{
    if (!(tol_r > 0 && tol_r < 1) || !(tol_v > 0))
        return vs_fail(VS_EINVAL, "triple-point tolerances must be positive (relative R below 1)");
    vs_triple chord;
    vs_status st = vs_load_line(dev, c, NULL, NULL, &chord);
    if (st != VS_OK) return st;
    if (!(chord.r_s_ohm > 0))
        return vs_fail(VS_ENOTFOUND, "the device has no negative-resistance window (chord R_s* = %g Ohm)", chord.r_s_ohm);
    vs_circuit ck = *c;
    double lo = 0.5 * chord.r_s_ohm, hi = 2.0 * chord.r_s_ohm, v_a_hi = NAN, v_a;
    int nonempty;
    /* bracket: window empty at lo, non-empty at hi */
    for (int k = 0;; k++) {
        ck.r_series_ohm = hi;
        if ((st = lower_edge(dev, &ck, o, tol_v, &v_a_hi, &nonempty)) != VS_OK) return st;
        if (nonempty) break;
        lo = hi;
        hi *= 2;
        if (k > 10) return vs_fail(VS_ENOTFOUND, "no oscillation window up to R_s = %g Ohm", hi);
    }
    for (int k = 0;; k++) {
        ck.r_series_ohm = lo;
        if ((st = lower_edge(dev, &ck, o, tol_v, &v_a, &nonempty)) != VS_OK) return st;
        if (!nonempty) break;
        hi = lo, v_a_hi = v_a;
        lo *= 0.5;
        if (k > 10) return vs_fail(VS_ENOTFOUND, "the window stays open down to R_s = %g Ohm", lo);
    }
    while ((hi - lo) > tol_r * hi) {
        double mid = 0.5 * (lo + hi);
        ck.r_series_ohm = mid;
        if ((st = lower_edge(dev, &ck, o, tol_v, &v_a, &nonempty)) != VS_OK) return st;
        if (nonempty) hi = mid, v_a_hi = v_a;
        else lo = mid;
    }
    out->r_s_ohm = hi;
    out->v_in_v = v_a_hi;
    return VS_OK;
}

/* ---- the same computations over a list of devices ------------------------------------ */

/* Chord, then simulated triple point, of one device. */
static vs_status triple_one(const vs_device_params *dev, const vs_circuit *c,
                            const vs_classify_opts *o, double tol_r, double tol_v, vs_triple *tp,
                            vs_triple *chord)
{
    vs_status s = vs_load_line(dev, c, NULL, NULL, chord);
    return s == VS_OK ? vs_triple_point(dev, c, o, tol_r, tol_v, tp) : s;
}

typedef struct triple_batch {
    const vs_device_params *devs;
    const vs_circuit *c;
    const vs_classify_opts *o;
    double tol_r, tol_v;
    vs_triple *tp, *chord;
} triple_batch;

static vs_status triple_item(int i, void *ctx)
{
    const triple_batch *b = ctx;
    return triple_one(&b->devs[i], b->c, b->o, b->tol_r, b->tol_v, &b->tp[i], &b->chord[i]);
}

vs_status vs_triple_points(const vs_device_params *devs, int n, const vs_circuit *c,
                           const vs_classify_opts *o, double tol_r, double tol_v,
                           vs_progress_fn progress, void *user, vs_triple *tp, vs_triple *chord,
                           vs_status *st)
{
    triple_batch b = {devs, c, o, tol_r, tol_v, tp, chord};
    return vs_parallel_items(n, "device", triple_item, &b, st, progress, user);
}

/* The swept range of one V-f curve: fixed ends, window edges for the NAN ones. */
static vs_status vf_range(const vs_device_params *dev, const vs_circuit *c, const vs_classify_opts *o,
                          double v_min, double v_max, vs_vf_curve *out)
{
    out->v_lo_v = v_min, out->v_hi_v = v_max;
    if (!isnan(v_min) && !isnan(v_max)) return VS_OK;
    vs_status s = vs_window_edges(dev, c, o, 5e-3, &out->edge_lo_v, &out->edge_hi_v, &out->nonempty);
    if (s != VS_OK) {
        out->edge_lo_v = out->edge_hi_v = NAN;
        out->nonempty = 0;
        return s;
    }
    if (isnan(v_min)) out->v_lo_v = out->edge_lo_v;
    if (isnan(v_max)) out->v_hi_v = out->edge_hi_v;
    if (!out->nonempty) return VS_OK;
    if (isnan(v_max) && !isnan(v_min) && !(v_min < out->edge_hi_v))
        return vs_fail(VS_EINVAL, "fixed lower end %g V is not below the upper window edge %.3f V", v_min,
                       out->edge_hi_v);
    if (isnan(v_min) && !isnan(v_max) && !(out->edge_lo_v < v_max))
        return vs_fail(VS_EINVAL, "fixed upper end %g V is not above the lower window edge %.3f V", v_max,
                       out->edge_lo_v);
    return VS_OK;
}

vs_status vs_vf_curve_sweep(const vs_device_params *dev, const vs_circuit *c, const vs_classify_opts *o,
                            double v_min, double v_max, double v_step, vs_progress_fn progress,
                            void *user, vs_vf_curve *out)
{
    *out = (vs_vf_curve){.edge_lo_v = NAN, .edge_hi_v = NAN, .nonempty = 1};
    if (!(v_step > 0)) return vs_fail(VS_EINVAL, "voltage step %g V must be positive", v_step);
    vs_status s = vf_range(dev, c, o, v_min, v_max, out);
    if (s != VS_OK || !out->nonempty || !(out->v_hi_v > out->v_lo_v)) return s;
    long n = (long)floor((out->v_hi_v - out->v_lo_v) / v_step) + 2;
    vs_grid rg = {c->r_series_ohm, c->r_series_ohm, 1, 0};
    vs_grid vg = {out->v_lo_v + 0.01, out->v_hi_v - 0.01, n, 0};
    if (vg.hi <= vg.lo) vg.n = 1;
    out->pts = malloc((size_t)vg.n * sizeof *out->pts);
    out->v_in_v = malloc((size_t)vg.n * sizeof *out->v_in_v);
    if (!out->pts || !out->v_in_v) return vs_vf_curve_free(out), vs_fail(VS_ENOMEM, "out of memory");
    if ((s = vs_phase_sweep(dev, c, &rg, &vg, o, progress, user, out->pts)) != VS_OK)
        return vs_vf_curve_free(out), s;
    out->n = vg.n;
    for (long k = 0; k < vg.n; k++) out->v_in_v[k] = vs_grid_at(&vg, k);
    return VS_OK;
}

void vs_vf_curve_free(vs_vf_curve *c)
{
    if (!c) return;
    free(c->pts);
    free(c->v_in_v);
    c->pts = NULL, c->v_in_v = NULL;
    c->n = 0;
}

typedef struct vf_progress {
    vs_device_progress_fn fn;
    void *user;
    int device;
} vf_progress;

static int vf_on_point(long done, long total, void *user)
{
    vf_progress *p = user;
    return p->fn(p->device, done, total, p->user);
}

vs_status vs_vf_curves(const vs_device_params *devs, int n, const vs_circuit *c,
                       const vs_classify_opts *o, double v_min, double v_max, double v_step,
                       vs_device_progress_fn progress, void *user, vs_vf_curve *out, vs_status *st)
{
    for (int i = 0; i < n; i++) out[i] = (vs_vf_curve){.edge_lo_v = NAN, .edge_hi_v = NAN}, st[i] = VS_EINVAL;
    for (int i = 0; i < n; i++) {
        vf_progress p = {progress, user, i};
        st[i] = vs_vf_curve_sweep(&devs[i], c, o, v_min, v_max, v_step, progress ? vf_on_point : NULL, &p,
                                  &out[i]);
        if (st[i] != VS_OK) return st[i];
    }
    return VS_OK;
}
