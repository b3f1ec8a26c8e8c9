/* neuron.c -- transient simulation of the VO2-x relaxation-oscillator neuron. */
#include "vo2snn/neuron.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "devstep.h"
#include "vo2snn/rng.h"

enum { Y_V, Y_TEMP, Y_E_IN, Y_E_RS, Y_E_DEV, Y_E_SENSE, Y_Q_SPIKE, Y_Q_IN, Y_DIM };

vs_circuit vs_circuit_default(void)
{
    return (vs_circuit){.r_series_ohm = 3000.0, .c_f = 1.8e-9, .r_sense_ohm = 50.0};
}

vs_status vs_circuit_validate(const vs_circuit *c)
{
    if (!(isfinite(c->r_series_ohm) && c->r_series_ohm > 0 && c->r_series_ohm < 1e12))
        return vs_fail(VS_EINVAL, "series resistance %g Ohm must be positive and finite", c->r_series_ohm);
    if (!(isfinite(c->c_f) && c->c_f > 0 && c->c_f < 1))
        return vs_fail(VS_EINVAL, "capacitance %g F must be positive and below 1 F", c->c_f);
    if (!(isfinite(c->r_sense_ohm) && c->r_sense_ohm >= 0 && c->r_sense_ohm < 1e12))
        return vs_fail(VS_EINVAL, "sense resistance %g Ohm must be >= 0 and finite", c->r_sense_ohm);
    return VS_OK;
}

vs_sim_opts vs_sim_opts_default(void)
{
    return (vs_sim_opts){
        .method = VS_ODE_DP54,
        .rtol = 1e-6,
        .atol_v = 1e-6,
        .atol_temp_k = 1e-4,
        .h_max_s = 100e-9,
        .dt_s = 1e-9,
        .max_steps = 0,
        .t_end_s = 200e-6,
        .t_window0_s = NAN,
        .t_window1_s = NAN,
        .dt_out_s = 0,
        .seed = 1,
        .v0_v = 0,
        .temp0_k = NAN,
        .m0 = 0,
        .v_spike_grid = NULL,
        .n_v_spike_grid = 0,
    };
}

typedef struct sim {
    const vs_device_params *params;
    vs_devstep dev;             /* the device, its memory and switching detector */
    const vs_ode *ode;          /* the step being accepted (dense output) */
    const vs_input *in;
    vs_input_piece piece;
    double g_series, inv_c, c_f, r_sense;
    double t_w0, t_w1, t_end;
    double e_in_w0, e_dev_w0, q_spike_w0;   /* quadratures at the window start */
    int window_started;
    double dt_out;
    long next_out;
    vs_sample_fn sample;
    void *user;
    float *grid;                /* fast path: V_spike only, at t = k dt_out */
    size_t n_grid;
    double g_prev;              /* 1/(R + R_sense) at the end of the previous step */
    size_t cap_spikes;
    vs_neuron_result *res;
    vs_status err;
} sim;


/* The derivatives, given the current i_s the source delivers into node N, the voltage v_src
   at its terminal and the power p_rs lost in R_s on the way. */
static inline void circuit_rhs(const sim *s, const double *y, double i_s, double v_src,
                               double p_rs, double *dy)
{
    double v = y[Y_V], temp = y[Y_TEMP], r_heat;
    const vs_dev *d = &s->dev.dev;
    double r = d->model->resistance(d, temp, &r_heat);
    double i = v / (r + s->r_sense);
    double p_dev = i * i * r;
    dy[Y_V] = (i_s - i) * s->inv_c;
    dy[Y_TEMP] = d->model->dtemp_dt(d, i * i * r_heat, temp);
    dy[Y_E_IN] = v_src * i_s;
    dy[Y_E_RS] = p_rs;
    dy[Y_E_DEV] = p_dev;
    dy[Y_E_SENSE] = i * i * s->r_sense;
    dy[Y_Q_SPIKE] = i * s->r_sense;   /* integral of V_spike */
    dy[Y_Q_IN] = i_s;                 /* charge delivered by the source */
}

/* Voltage source: V_in drives node N through R_s. */
static int rhs(double t, const double *y, double *dy, void *ctx)
{
    const sim *s = ctx;
    double v_in = vs_input_piece_value(&s->piece, t);
    double i_s = (v_in - y[Y_V]) * s->g_series;
    circuit_rhs(s, y, i_s, v_in, (v_in - y[Y_V]) * i_s, dy);
    return 0;
}

/* Current source: I_in goes straight into node N (no R_s in the path), at the node's voltage. */
static int rhs_current(double t, const double *y, double *dy, void *ctx)
{
    const sim *s = ctx;
    circuit_rhs(s, y, vs_input_piece_value(&s->piece, t), y[Y_V], 0.0, dy);
    return 0;
}

/* Power the source delivers: V_in (V_in - V)/R_s, or V I_in for a current source. */
static double source_power(const sim *s, double src, double v)
{
    if (s->in->source == VS_SOURCE_CURRENT) return v * src;
    return src * (src - v) * s->g_series;
}

static void begin(double t0, void *ctx)
{
    sim *s = ctx;
    vs_input_piece_at(s->in, t0, &s->piece);
}

static double next_break(double t, void *ctx)
{
    const sim *s = ctx;
    double b = vs_input_next_break(s->in, t);
    const vs_dev *dev = &s->dev.dev;
    if (dev->model->next_break) {
        double d = dev->model->next_break(dev, t);
        if (d > t && d < b) b = d;
    }
    if (s->t_w0 > t && s->t_w0 < b) b = s->t_w0;
    if (s->t_w1 > t && s->t_w1 < b) b = s->t_w1;
    return b;
}

static int push_spike(sim *s, double t, int sign)
{
    vs_neuron_result *r = s->res;
    if (r->n_spikes == s->cap_spikes) {
        size_t cap = s->cap_spikes ? 2 * s->cap_spikes : 256;
        double *tt = realloc(r->spike_t_s, cap * sizeof *tt);
        if (!tt) return -1;
        r->spike_t_s = tt;
        signed char *ss = realloc(r->spike_sign, cap * sizeof *ss);
        if (!ss) return -1;
        r->spike_sign = ss;
        s->cap_spikes = cap;
    }
    r->spike_t_s[r->n_spikes] = t;
    r->spike_sign[r->n_spikes] = (signed char)sign;
    r->n_spikes++;
    if (sign > 0) r->n_positive++;
    else r->n_negative++;
    return 0;
}

/* The node voltage inside the step being accepted: what drives the device and R_sense. */
static double node_v_at(double t, const void *ctx)
{
    const sim *s = ctx;
    return vs_ode_dense_component(s->ode, t, Y_V);
}

/*
 * Fast path: V_spike on the grid from the dense V, with the device branch conductance
 * 1/(R + R_sense) interpolated linearly between the step ends (it varies smoothly
 * within a step; steps are short where it switches).
 */
static void emit_grid(sim *s, const vs_ode *ode, double t0, double t1, double g0, double g1)
{
    for (;;) {
        size_t k = (size_t)s->next_out;
        double t = (double)k * s->dt_out;
        if (k >= s->n_grid || t > t1 * (1 + 1e-12) || t > s->t_end) return;
        double f = t1 > t0 ? (t - t0) / (t1 - t0) : 1.0;
        double g = g0 + f * (g1 - g0);
        s->grid[k] = (float)(vs_ode_dense_component(ode, t, Y_V) * g * s->r_sense);
        s->next_out++;
    }
}

static int emit_samples(sim *s, const vs_ode *ode, double t1)
{
    double y[Y_DIM];
    for (;;) {
        double t = (double)s->next_out * s->dt_out;
        if (t > t1 * (1 + 1e-12) || t > s->t_end) return 0;
        vs_ode_dense(ode, t, y);
        vs_input_piece piece;
        vs_input_piece_at(s->in, t, &piece);
        double m = s->dev.old.model->switched(&s->dev.old, y[Y_TEMP]);
        double r = vs_devstep_r_old(&s->dev, y[Y_TEMP]);
        double i = y[Y_V] / (r + s->r_sense);
        double v_in = vs_input_piece_value(&piece, t);   /* I_in for a current source */
        vs_sample smp = {
            .t_s = t, .v_in_v = v_in, .v_osc_v = y[Y_V], .v_spike_v = i * s->r_sense,
            .i_dev_a = i, .temp_k = y[Y_TEMP], .r_dev_ohm = r, .m = m,
            .p_total_w = source_power(s, v_in, y[Y_V]),
        };
        s->next_out++;
        if (s->sample(&smp, s->user) != 0) return 2;
    }
}

static void window_stats(sim *s, double t1, const double *y1, double g1)
{
    vs_neuron_result *r = s->res;
    if (t1 >= s->t_w0 && !s->window_started) {
        s->window_started = 1;
        s->e_in_w0 = y1[Y_E_IN];
        s->e_dev_w0 = y1[Y_E_DEV];
        s->q_spike_w0 = y1[Y_Q_SPIKE];
    }
    if (t1 < s->t_w0 || t1 > s->t_w1) return;
    double v = y1[Y_V];
    double i = fabs(v) * g1;
    if (v < r->v_osc_min_v) r->v_osc_min_v = v;
    if (v > r->v_osc_max_v) r->v_osc_max_v = v;
    if (i > r->i_peak_a) r->i_peak_a = i;
    double m = vs_devstep_switched(&s->dev, y1[Y_TEMP]);
    if (m < r->m_min) r->m_min = m;
    if (m > r->m_max) r->m_max = m;
    if (t1 == s->t_w1 || (t1 >= s->t_w1 * (1 - 1e-12))) {
        double span = s->t_w1 - s->t_w0;
        r->p_in_mean_w = (y1[Y_E_IN] - s->e_in_w0) / span;
        r->p_dev_mean_w = (y1[Y_E_DEV] - s->e_dev_w0) / span;
        r->v_spike_mean_v = (y1[Y_Q_SPIKE] - s->q_spike_w0) / span;
    }
}

static int record_spike(sim *s, const vs_ode *ode, double t)
{
    double v = vs_ode_dense_component(ode, t, Y_V);
    if (push_spike(s, t, v >= 0 ? +1 : -1) == 0) return 0;
    s->err = vs_fail(VS_ENOMEM, "out of memory storing spikes");
    return -1;
}

static int accepted(const vs_ode *ode, double t0, const double *y0, double t1, double *y1,
                    void *ctx)
{
    sim *s = ctx;
    (void)y0;
    s->ode = ode;
    vs_switch_events ev;
    int changed = vs_devstep_accept(&s->dev, ode, t0, t1, y1, &ev);
    if (changed == VS_ODE_REDO) return VS_ODE_REDO;
    double g_new = 1.0 / (vs_devstep_r(&s->dev, y1[Y_TEMP]) + s->r_sense);

    if (s->sample && emit_samples(s, ode, t1) == 2) return 2;
    if (s->grid) emit_grid(s, ode, t0, t1, s->g_prev, g_new);
    s->g_prev = g_new;
    for (int k = 0; k < ev.n; k++)
        if (ev.kind[k] == VS_EV_UP && record_spike(s, ode, ev.t[k]) != 0) return -1;
    if (y1[Y_TEMP] > s->res->temp_max_k) s->res->temp_max_k = y1[Y_TEMP];
    window_stats(s, t1, y1, g_new);
    return changed;
}

static double redo_at(void *ctx)
{
    return vs_devstep_redo_at(&((sim *)ctx)->dev);
}

static void finish_stats(sim *s, const double *y)
{
    vs_neuron_result *r = s->res;
    size_t first = 0, n = 0;
    for (size_t k = 0; k < r->n_spikes; k++) {
        double t = r->spike_t_s[k];
        if (t < s->t_w0 || t > s->t_w1) continue;
        if (n++ == 0) first = k;
    }
    r->n_spikes_window = n;
    r->freq_hz = 0.0;
    if (n >= 2) {
        double span = r->spike_t_s[first + n - 1] - r->spike_t_s[first];
        r->freq_hz = (double)(n - 1) / span;
    }
    r->e_in_per_spike_j = r->freq_hz > 0 ? r->p_in_mean_w / r->freq_hz : (double)NAN;
    r->e_dev_per_spike_j = r->freq_hz > 0 ? r->p_dev_mean_w / r->freq_hz : (double)NAN;
    r->e_in_j = y[Y_E_IN];
    r->e_series_j = y[Y_E_RS];
    r->e_dev_j = y[Y_E_DEV];
    r->e_sense_j = y[Y_E_SENSE];
    r->q_in_c = y[Y_Q_IN];
    r->e_cap_j = 0.5 * s->c_f * y[Y_V] * y[Y_V];
    r->v_end_v = y[Y_V];
    r->temp_end_k = y[Y_TEMP];
    r->m_end = vs_devstep_switched(&s->dev, y[Y_TEMP]);
    r->i_end_a = y[Y_V] / (vs_devstep_r(&s->dev, y[Y_TEMP]) + s->r_sense);
    r->v_spike_peak_v = r->i_peak_a * s->r_sense;
}

vs_status vs_sim_check_steps(const vs_sim_opts *o, double t_end_s, const char *rk4_name,
                             const char *dp54_name)
{
    if (o->method == VS_ODE_RK4) return vs_ode_check_budget(rk4_name, o->dt_s, t_end_s, VS_MAX_STEPS, "RK4 steps");
    return vs_ode_check_budget(dp54_name, o->h_max_s, t_end_s, VS_MAX_STEPS, "steps at least");
}

static vs_status validate_opts(const vs_sim_opts *o)
{
    if (!(isfinite(o->t_end_s) && o->t_end_s > 0))
        return vs_fail(VS_EINVAL, "simulated time %g s must be positive", o->t_end_s);
    if (o->method == VS_ODE_DP54) {
        if (!(o->rtol > 0 && o->rtol < 1)) return vs_fail(VS_EINVAL, "rtol %g must be in (0, 1)", o->rtol);
        if (!(o->atol_v > 0) || !(o->atol_temp_k > 0))
            return vs_fail(VS_EINVAL, "absolute tolerances must be positive");
        if (!(o->h_max_s > 0 && isfinite(o->h_max_s)))
            return vs_fail(VS_EINVAL, "maximum step %g s must be positive", o->h_max_s);
    } else if (!(o->dt_s > 0 && isfinite(o->dt_s))) {
        return vs_fail(VS_EINVAL, "RK4 step %g s must be positive", o->dt_s);
    }
    vs_status st = vs_sim_check_steps(o, o->t_end_s, "RK4 step dt", "largest step h_max");
    if (st != VS_OK) return st;
    if (!(o->dt_out_s >= 0 && isfinite(o->dt_out_s)))
        return vs_fail(VS_EINVAL, "output interval %g s must be >= 0", o->dt_out_s);
    if (!isfinite(o->v0_v) || !(o->m0 >= 0 && o->m0 <= 1))
        return vs_fail(VS_EINVAL, "initial state must be finite with m0 in [0, 1]");
    return VS_OK;
}

vs_status vs_neuron_simulate(const vs_device_params *dev, const vs_circuit *c,
                             const vs_input *in, const vs_sim_opts *o, vs_sample_fn sample,
                             void *user, vs_neuron_result *res)
{
    memset(res, 0, sizeof *res);
    vs_status st;
    if ((st = vs_device_validate(dev)) != VS_OK || (st = vs_circuit_validate(c)) != VS_OK ||
        (st = vs_input_validate(in)) != VS_OK || (st = validate_opts(o)) != VS_OK)
        return st;
    /* a sampled trace is bounded by the one trace budget (the grid by its caller's array) */
    if (sample && o->dt_out_s > 0 &&
        (st = vs_ode_check_budget("output interval dt_out", o->dt_out_s, o->t_end_s,
                                  VS_MAX_TRACE_SAMPLES, "trace samples")) != VS_OK)
        return st;

    sim s = {
        .params = dev, .in = in,
        .g_series = 1.0 / c->r_series_ohm, .inv_c = 1.0 / c->c_f, .c_f = c->c_f,
        .r_sense = c->r_sense_ohm,

        .t_end = o->t_end_s,
        .t_w0 = isnan(o->t_window0_s) ? 0.3 * o->t_end_s : o->t_window0_s,
        .t_w1 = isnan(o->t_window1_s) ? o->t_end_s : o->t_window1_s,
        .dt_out = o->dt_out_s, .next_out = 0,
        .sample = o->dt_out_s > 0 ? sample : NULL, .user = user,
        .grid = o->dt_out_s > 0 && !sample ? o->v_spike_grid : NULL, .n_grid = o->n_v_spike_grid,
        .res = res, .err = VS_OK,
    };
    if (!(s.t_w0 >= 0 && s.t_w1 > s.t_w0 && s.t_w1 <= o->t_end_s))
        return vs_fail(VS_EINVAL, "statistics window [%g, %g] s must lie inside [0, %g] s",
                       s.t_w0, s.t_w1, o->t_end_s);
    res->v_osc_min_v = INFINITY;
    res->v_osc_max_v = -INFINITY;
    res->m_min = INFINITY;
    res->m_max = -INFINITY;

    double y[Y_DIM] = {o->v0_v, isnan(o->temp0_k) ? vs_device_ambient(dev) : o->temp0_k, 0, 0, 0, 0, 0, 0};
    vs_devstep_init(&s.dev, dev, y[Y_TEMP], o->m0, o->seed);
    s.dev.temp_index = Y_TEMP;
    s.dev.r_ext = c->r_sense_ohm;
    s.dev.drive_at = node_v_at;
    s.dev.drive_ctx = &s;
    res->temp_max_k = y[Y_TEMP];
    double atol[2] = {o->atol_v, o->atol_temp_k};
    double h = o->method == VS_ODE_DP54 ? o->h_max_s : o->dt_s;
    long max_steps = o->max_steps > 0 ? o->max_steps : (long)fmin(4e9, 200.0 * o->t_end_s / h + 1e6);
    vs_ode_system sys = {.dim = Y_DIM, .n_err = 2, .n_rhs = 2,
                         .rhs = in->source == VS_SOURCE_CURRENT ? rhs_current : rhs, .begin = begin,
                         .accepted = accepted, .next_break = next_break,
                         .redo_at = redo_at, .ctx = &s};
    vs_ode_opts oo = {.method = o->method, .rtol = o->rtol, .atol = atol, .h_max = h,
                      .h_min = 1e-18, .h0 = 0, .max_steps = max_steps};
    vs_ode *ode = vs_ode_new(&sys, &oo);
    if (!ode) return vs_fail(VS_ENOMEM, "out of memory allocating the integrator");

    /* Sample at t = 0 before the first step. */
    if (s.sample) {
        vs_input_piece_at(in, 0.0, &s.piece);
        double r = vs_devstep_r(&s.dev, y[Y_TEMP]);
        double i = y[Y_V] / (r + s.r_sense);
        double v_in = vs_input_piece_value(&s.piece, 0.0);
        vs_sample smp = {0.0, v_in, y[Y_V], i * s.r_sense, i, y[Y_TEMP], r,
                         vs_devstep_switched(&s.dev, y[Y_TEMP]), source_power(&s, v_in, y[Y_V])};
        s.next_out = 1;
        if (s.sample(&smp, user) != 0) s.sample = NULL;
    }
    s.g_prev = 1.0 / (vs_devstep_r(&s.dev, y[Y_TEMP]) + s.r_sense);
    if (s.grid && s.n_grid > 0) {
        s.grid[0] = (float)(y[Y_V] * s.g_prev * s.r_sense);
        s.next_out = 1;
    }
    if (s.t_w0 == 0.0) {
        s.window_started = 1;
        s.e_in_w0 = s.e_dev_w0 = s.q_spike_w0 = 0.0;
    }

    double t_stop = 0;
    st = vs_ode_integrate(ode, 0.0, o->t_end_s, y, &t_stop);
    if (st != VS_OK && s.err != VS_OK) st = s.err;
    vs_ode_stats os = vs_ode_get_stats(ode);
    vs_ode_free(ode);
    res->t_end_s = t_stop;
    res->n_steps = os.n_accepted;
    res->n_rejected = os.n_rejected;
    res->n_rhs = os.n_rhs;
    finish_stats(&s, y);
    return st;
}

void vs_neuron_result_free(vs_neuron_result *res)
{
    if (!res) return;
    free(res->spike_t_s);
    free(res->spike_sign);
    res->spike_t_s = NULL;
    res->spike_sign = NULL;
    res->n_spikes = 0;
}
