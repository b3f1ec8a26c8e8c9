/* fit_predict.c -- what a model predicts at measured points (fit.h): R on a major branch,
   the steady-state voltage at a current, the oscillation frequency in a circuit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "vo2snn/fit.h"
#include "vo2snn/input.h"

vs_status vs_fit_predict_rt(const vs_device_params *p, const vs_meas_rt *rt, double *r_ohm)
{
    if (!p->model->branch_resistance)
        return vs_fail(VS_EINVAL, "model %s has no temperature: it cannot be fitted to R-T data", p->model->name);
    double r_heat;
    for (size_t i = 0; i < rt->n; i++) r_ohm[i] = p->model->branch_resistance(p, rt->branch[i], rt->temp_k[i], &r_heat);
    return VS_OK;
}

/* Current of the steady state at temperature t_k on branch b (0 at or below ambient). */
static double steady_current(const vs_device_params *p, int b, double t_k, double *v_v)
{
    double i_a = 0, r;
    *v_v = 0;
    if (vs_device_steady(p, (vs_branch)b, t_k, v_v, &i_a, &r) != VS_OK) return NAN;
    return i_a;
}

/* Steady-state voltage at current i_a on branch b: the current rises with the temperature
   along a branch (more heat, less resistance), so the temperature is found by bisection. */
static double voltage_at_current(const vs_device_params *p, int b, double i_a)
{
    double t_lo = vs_device_ambient(p), t_hi = t_lo + 1.0, v = NAN;
    while (steady_current(p, b, t_hi, &v) < i_a) {
        t_hi = t_lo + 2 * (t_hi - t_lo);
        if (t_hi > t_lo + 1e5) return NAN;
    }
    for (int k = 0; k < 200 && t_hi - t_lo > 1e-13 * t_hi; k++) {
        double t = 0.5 * (t_lo + t_hi);
        if (steady_current(p, b, t, &v) < i_a) t_lo = t;
        else t_hi = t;
    }
    double v_lo, v_hi;
    double i_lo = steady_current(p, b, t_lo, &v_lo), i_hi = steady_current(p, b, t_hi, &v_hi);
    return i_hi > i_lo ? v_lo + (v_hi - v_lo) * (i_a - i_lo) / (i_hi - i_lo) : v_hi;
}

vs_status vs_fit_predict_iv(const vs_device_params *p, const vs_meas_iv *iv, double *v_dev_v)
{
    if (!p->model->branch_resistance)
        return vs_fail(VS_EINVAL, "model %s has no temperature: it cannot be fitted to I-V data", p->model->name);
    for (size_t k = 0; k < iv->n; k++) {
        double i = fabs(iv->i_a[k]);
        v_dev_v[k] = i > 0 ? copysign(voltage_at_current(p, iv->branch[k], i), iv->i_a[k]) : (double)NAN;
    }
    return VS_OK;
}

/* ---- f-V: the circuit simulated at each dc input ------------------------------------------ */

/* Frequency at dc input v_in: a run of `periods` periods of f_guess from rest, measured over
   its last 60 %; 0 if fewer than 3 spikes fall there. */
static vs_status frequency_run(const vs_device_params *p, const vs_circuit *c, double v_in, double t_end,
                               double *freq_hz, size_t *n_window)
{
    vs_input in = vs_input_dc(v_in);
    vs_sim_opts o = vs_sim_opts_default();
    o.t_end_s = t_end;
    o.t_window0_s = 0.4 * t_end;
    o.t_window1_s = t_end;
    o.h_max_s = fmin(o.h_max_s, t_end / 400);
    o.rtol = 1e-7;
    vs_neuron_result r;
    vs_status st = vs_neuron_simulate(p, c, &in, &o, NULL, NULL, &r);
    if (st != VS_OK) return st;
    *n_window = r.n_spikes_window;
    *freq_hz = r.n_spikes_window >= 3 ? r.freq_hz : 0.0;
    vs_neuron_result_free(&r);
    vs_input_free(&in);
    return VS_OK;
}

/* Ten periods of the measured frequency; if the model spikes too rarely there, fifty. */
vs_status vs_fit_frequency(const vs_device_params *p, const vs_circuit *c, double v_in, double f_meas,
                           double *freq_hz)
{
    size_t n = 0;
    vs_status st = frequency_run(p, c, v_in, 10.0 / f_meas, freq_hz, &n);
    if (st == VS_OK && n < 3) st = frequency_run(p, c, v_in, 50.0 / f_meas, freq_hz, &n);
    return st;
}

typedef struct fv_batch {
    const vs_device_params *p;
    const vs_circuit *c;
    const vs_meas_fv *fv;
    double *freq_hz;
} fv_batch;

/* The integrator gave up (a device far from the data can be too stiff for its budget). */
int vs_fit_sim_failed(vs_status st)
{
    return st == VS_ESTEP || st == VS_EMAXSTEPS || st == VS_ERHS;
}

static vs_status fv_item(int i, void *ctx)
{
    const fv_batch *b = ctx;
    vs_status st = vs_fit_frequency(b->p, b->c, b->fv->v_in_v[i], b->fv->freq_hz[i], &b->freq_hz[i]);
    if (vs_fit_sim_failed(st)) b->freq_hz[i] = NAN, st = VS_OK;
    return st;
}

vs_status vs_fit_predict_fv(const vs_device_params *p, const vs_circuit *c, const vs_meas_fv *fv,
                            double *freq_hz)
{
    vs_status *st = malloc((fv->n ? fv->n : 1) * sizeof *st);
    if (!st) return vs_fail(VS_ENOMEM, "out of memory for %zu f-V points", fv->n);
    fv_batch b = {p, c, fv, freq_hz};
    vs_status s = vs_parallel_items((int)fv->n, "f-V point", fv_item, &b, st, NULL, NULL);
    free(st);
    return s;
}

/* ---- a measured waveform -------------------------------------------------------------------- */

typedef struct trace_rec {
    const char *col;
    double *t, *y;       /* samples of the run */
    size_t n, cap;
} trace_rec;

static double response_of(const vs_sample *s, const char *col)
{
    if (strcmp(col, "v_dev_v") == 0) return s->v_osc_v - s->v_spike_v;
    if (strcmp(col, "i_dev_a") == 0) return s->i_dev_a;
    if (strcmp(col, "v_spike_v") == 0) return s->v_spike_v;
    return s->v_osc_v;
}

static int record(const vs_sample *s, void *user)
{
    trace_rec *r = user;
    if (r->n == r->cap) return 1;
    r->t[r->n] = s->t_s, r->y[r->n++] = response_of(s, r->col);
    return 0;
}

/* The PWL source of the measured input, in the run's time (from 0). */
static vs_status trace_input(const vs_meas_trace *tr, vs_input *in)
{
    double *t = malloc(tr->n * sizeof *t);
    if (!t) return vs_fail(VS_ENOMEM, "out of memory for the waveform");
    for (size_t k = 0; k < tr->n; k++) t[k] = tr->t_s[k] - tr->t_s[0];
    vs_status st = vs_input_pwl(t, tr->input, tr->n, in);
    free(t);
    if (st == VS_OK && tr->input_is_current) *in = vs_input_current(*in);
    return st;
}

/* Linear interpolation of the run's samples at the measured times. */
static void resample_run(const trace_rec *r, const vs_meas_trace *tr, double *response)
{
    size_t j = 0;
    for (size_t k = 0; k < tr->n; k++) {
        double t = tr->t_s[k] - tr->t_s[0];
        while (j + 2 < r->n && r->t[j + 1] < t) j++;
        double a = r->n > 1 ? (t - r->t[j]) / (r->t[j + 1] - r->t[j]) : 0;
        response[k] = r->n > 1 ? r->y[j] + fmin(fmax(a, 0), 1) * (r->y[j + 1] - r->y[j]) : r->y[0];
    }
}

vs_status vs_fit_predict_trace(const vs_device_params *p, const vs_circuit *c, const vs_meas_trace *tr,
                               double *response)
{
    if (tr->n < 2) return vs_fail(VS_EINVAL, "a waveform needs at least 2 samples");
    vs_input in;
    vs_status st = trace_input(tr, &in);
    if (st != VS_OK) return st;
    vs_sim_opts o = vs_sim_opts_default();
    o.t_end_s = tr->t_s[tr->n - 1] - tr->t_s[0];
    o.dt_out_s = o.t_end_s / (double)(4 * (tr->n - 1));   /* a uniform trace lands on samples */
    trace_rec r = {.col = tr->response_col, .cap = 4 * tr->n + 8};
    r.t = malloc(2 * r.cap * sizeof *r.t);
    if (!r.t) return vs_input_free(&in), vs_fail(VS_ENOMEM, "out of memory for the waveform");
    r.y = r.t + r.cap;
    vs_neuron_result res;
    st = vs_neuron_simulate(p, c, &in, &o, record, &r, &res);
    if (st == VS_OK) vs_neuron_result_free(&res), resample_run(&r, tr, response);
    free(r.t);
    vs_input_free(&in);
    return st;
}
