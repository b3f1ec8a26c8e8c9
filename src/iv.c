/* iv.c -- triangular I-V sweeps (with cycle-to-cycle jitter) and R-T loops of the device alone. */
#include "vo2snn/iv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vo2snn/ode.h"
#include "devstep.h"
#include "parallel.h"
#include "vo2snn/rng.h"

vs_iv_opts vs_iv_opts_default(void)
{
    return (vs_iv_opts){.v_max_v = 0, .period_s = 2e-3, .r_load_ohm = 0, .n_cycles = 1,
                        .rtol = 1e-7, .h_max_s = 1e-6, .dt_out_s = 0, .trace_cycles = 0,
                        .seed = 1};
}

/* Seconds of the sweep that are sampled into the trace. */
static double trace_span(const vs_iv_opts *o)
{
    long c = o->trace_cycles > 0 && o->trace_cycles < o->n_cycles ? o->trace_cycles : o->n_cycles;
    return o->period_s * (double)c;
}

vs_status vs_iv_trace_budget(const vs_iv_opts *o, const char *what)
{
    if (!(o->dt_out_s > 0)) return VS_OK;
    return vs_ode_check_budget(what, o->dt_out_s, trace_span(o), VS_MAX_TRACE_SAMPLES, "trace samples");
}

typedef struct sweep {
    const vs_device_params *params;
    vs_devstep dev;           /* the device; its detector's up/down events are the jumps */
    const vs_ode *ode;
    double v_max, period, r_load;
    double dt_out, t_end, t_trace;   /* t_trace: sampling stops there */
    long next_out;
    vs_iv_sample_fn sample;
    void *user;
    vs_iv_result *res;
} sweep;

static double triangle(const sweep *s, double t)
{
    double u = t / s->period;
    double frac = u - floor(u);
    return s->v_max * (1.0 - fabs(2.0 * frac - 1.0));
}


static int rhs(double t, const double *y, double *dy, void *ctx)
{
    const sweep *s = ctx;
    double temp = y[0], r_heat;
    const vs_dev *d = &s->dev.dev;
    double r = d->model->resistance(d, temp, &r_heat);
    double i = triangle(s, t) / (r + s->r_load);
    dy[0] = d->model->dtemp_dt(d, i * i * r_heat, temp);
    return 0;
}

static double next_break(double t, void *ctx)
{
    const sweep *s = ctx;
    double half = 0.5 * s->period;
    double k = floor(t / half);
    double b = (k + 1) * half;
    if (b <= t * (1 + 1e-14)) b += half;
    const vs_dev *dev = &s->dev.dev;
    if (dev->model->next_break) {
        double d = dev->model->next_break(dev, t);
        if (d > t && d < b) b = d;
    }
    return b;
}

/* The source voltage, across the device and the load (drive of the device). */
static double source_at(double t, const void *ctx)
{
    return triangle(ctx, t);
}

static int emit_samples(sweep *s, const vs_ode *ode, double t1)
{
    for (;;) {
        double t = (double)s->next_out * s->dt_out;
        if (t > s->t_trace) {
            s->sample = NULL;   /* past the traced cycles */
            return 0;
        }
        if (t > t1 * (1 + 1e-12) || t > s->t_end) return 0;
        double temp = vs_ode_dense_component(ode, t, 0);
        double m = s->dev.old.model->switched(&s->dev.old, temp);
        double r = vs_devstep_r_old(&s->dev, temp);
        double v = triangle(s, t);
        double i = v / (r + s->r_load);
        vs_iv_sample smp = {t, v, i * r, i, temp, r, m, (long)floor(t / s->period)};
        s->next_out++;
        if (s->sample(&smp, s->user) != 0) {
            s->sample = NULL;   /* the observer has seen enough; the sweep goes on */
            return 0;
        }
    }
}

/* Record the source voltage of an ON or OFF jump at t in its cycle (the first of each). */
static void record_jump(sweep *s, double *per_cycle, double t)
{
    long c = (long)floor(t / s->period);
    if (c < s->res->n_cycles && isnan(per_cycle[c])) per_cycle[c] = triangle(s, t);
}

static int accepted(const vs_ode *ode, double t0, const double *y0, double t1, double *y1,
                    void *ctx)
{
    sweep *s = ctx;
    (void)y0;
    vs_switch_events ev;
    int changed = vs_devstep_accept(&s->dev, ode, t0, t1, y1, &ev);
    if (changed == VS_ODE_REDO) return VS_ODE_REDO;
    if (s->sample) emit_samples(s, ode, t1);
    for (int k = 0; k < ev.n; k++) {
        if (ev.kind[k] == VS_EV_UP) record_jump(s, s->res->v_on_v, ev.t[k]);
        if (ev.kind[k] == VS_EV_DOWN) record_jump(s, s->res->v_off_v, ev.t[k]);
    }
    return changed;
}

static double redo_at(void *ctx)
{
    return vs_devstep_redo_at(&((sweep *)ctx)->dev);
}

vs_status vs_iv_sweep(const vs_device_params *dev, const vs_iv_opts *o, vs_iv_sample_fn sample,
                      void *user, vs_iv_result *res)
{
    memset(res, 0, sizeof *res);
    vs_status st = vs_device_validate(dev);
    if (st != VS_OK) return st;
    double v_max = o->v_max_v;
    if (!(v_max > 0)) {
        vs_fold th, ho;
        if ((st = vs_device_folds(dev, &th, &ho)) != VS_OK) return st;
        v_max = 1.3 * th.v_v;
    }
    if (!isfinite(v_max) || v_max > 1e6) return vs_fail(VS_EINVAL, "sweep peak %g V must be finite and positive", v_max);
    if (!(o->period_s > 0 && isfinite(o->period_s))) return vs_fail(VS_EINVAL, "sweep period %g s must be positive", o->period_s);
    if (!(o->r_load_ohm >= 0 && isfinite(o->r_load_ohm))) return vs_fail(VS_EINVAL, "load resistance %g Ohm must be >= 0", o->r_load_ohm);
    if (o->n_cycles < 1 || o->n_cycles > 100000000) return vs_fail(VS_EINVAL, "cycle count %ld must be in [1, 1e8]", o->n_cycles);
    if (!(o->rtol > 0 && o->rtol < 1) || !(o->h_max_s > 0)) return vs_fail(VS_EINVAL, "rtol and h_max must be positive");
    if (!(o->dt_out_s >= 0)) return vs_fail(VS_EINVAL, "output interval must be >= 0");
    if (o->trace_cycles < 0) return vs_fail(VS_EINVAL, "traced cycles %ld must be >= 0", o->trace_cycles);
    if ((st = vs_ode_check_budget("largest step h_max", o->h_max_s, o->period_s * (double)o->n_cycles,
                                  VS_MAX_STEPS, "steps")) != VS_OK ||
        (sample && (st = vs_iv_trace_budget(o, "output interval dt_out")) != VS_OK))
        return st;

    res->n_cycles = o->n_cycles;
    res->v_on_v = malloc((size_t)o->n_cycles * sizeof(double));
    res->v_off_v = malloc((size_t)o->n_cycles * sizeof(double));
    if (!res->v_on_v || !res->v_off_v) {
        vs_iv_result_free(res);
        return vs_fail(VS_ENOMEM, "out of memory for %ld sweep cycles", o->n_cycles);
    }
    for (long c = 0; c < o->n_cycles; c++) res->v_on_v[c] = res->v_off_v[c] = NAN;

    sweep s = {.params = dev, .v_max = v_max, .period = o->period_s, .r_load = o->r_load_ohm,

               .dt_out = o->dt_out_s, .t_end = o->period_s * (double)o->n_cycles,
               .t_trace = trace_span(o),
               .sample = o->dt_out_s > 0 ? sample : NULL, .user = user, .res = res};
    double y[1] = {vs_device_ambient(dev)};
    vs_devstep_init(&s.dev, dev, y[0], 0.0, o->seed);
    s.dev.temp_index = 0;
    s.dev.r_ext = o->r_load_ohm;
    s.dev.drive_at = source_at;
    s.dev.drive_ctx = &s;
    double atol[1] = {1e-6};
    vs_ode_system sys = {.dim = 1, .n_err = 1, .rhs = rhs, .accepted = accepted,
                         .next_break = next_break, .redo_at = redo_at, .ctx = &s};
    vs_ode_opts oo = {.method = VS_ODE_DP54, .rtol = o->rtol, .atol = atol, .h_max = o->h_max_s,
                      .h_min = 1e-18, .max_steps = (long)fmin(4e9, 1e5 * (double)o->n_cycles + 1e6)};
    vs_ode *ode = vs_ode_new(&sys, &oo);
    if (!ode) {
        vs_iv_result_free(res);
        return vs_fail(VS_ENOMEM, "out of memory allocating the integrator");
    }
    if (s.sample) {
        double r = vs_devstep_r(&s.dev, y[0]);
        vs_iv_sample smp = {0, 0, 0, 0, y[0], r, vs_devstep_switched(&s.dev, y[0]), 0};
        s.next_out = 1;
        if (sample(&smp, user) != 0) s.sample = NULL;
    }
    double t_stop;
    st = vs_ode_integrate(ode, 0.0, s.t_end, y, &t_stop);
    res->n_steps = vs_ode_get_stats(ode).n_accepted;
    vs_ode_free(ode);
    return st;
}

void vs_iv_result_free(vs_iv_result *res)
{
    if (!res) return;
    free(res->v_on_v);
    free(res->v_off_v);
    res->v_on_v = res->v_off_v = NULL;
    res->n_cycles = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, long n, double q)
{
    double pos = q * (double)(n - 1);
    long i = (long)floor(pos);
    if (i >= n - 1) return sorted[n - 1];
    double f = pos - (double)i;
    return sorted[i] * (1 - f) + sorted[i + 1] * f;
}

vs_stats vs_stats_of(const double *v, long n)
{
    vs_stats st = {0, NAN, NAN, NAN, NAN, NAN, NAN};
    double *sorted = malloc((size_t)(n > 0 ? n : 1) * sizeof *sorted);
    if (!sorted) return st;
    long k = 0;
    for (long i = 0; i < n; i++)
        if (!isnan(v[i])) sorted[k++] = v[i];
    st.n = k;
    if (k > 0) {
        qsort(sorted, (size_t)k, sizeof *sorted, cmp_double);
        double sum = 0, sq = 0;
        for (long i = 0; i < k; i++) sum += sorted[i];
        st.mean = sum / (double)k;
        for (long i = 0; i < k; i++) sq += (sorted[i] - st.mean) * (sorted[i] - st.mean);
        st.std = k > 1 ? sqrt(sq / (double)(k - 1)) : 0.0;
        st.min = sorted[0];
        st.max = sorted[k - 1];
        st.p05 = quantile(sorted, k, 0.05);
        st.p95 = quantile(sorted, k, 0.95);
    }
    free(sorted);
    return st;
}

/* A quasi-static temperature ramp from a to b over t in [0, 1] (no self-heating). */
typedef struct ramp {
    double a, b;
} ramp;

static double ramp_temp(double t, const void *ctx)
{
    const ramp *r = ctx;
    return r->a + (r->b - r->a) * t;
}

static double ramp_no_voltage(double t, const void *ctx)
{
    (void)t, (void)ctx;
    return 0.0;
}

/* Move the device's memory along the ramp a -> b (landing on the events it asks for) and
   return R at b; *s_out (if not NULL) = the switched fraction there. */
static double rt_step(vs_dev *d, double a, double b, double *s_out)
{
    ramp r = {a, b};
    double t0 = 0.0, t1 = 1.0, t_event = NAN, r_heat;
    for (int k = 0; k < 64; k++) {
        vs_step_view view = {.t0 = t0, .t1 = t1, .temp1_k = ramp_temp(t1, &r),
                             .at_event = t1 == t_event, .temp_at = ramp_temp,
                             .v_dev_at = ramp_no_voltage, .ctx = &r};
        double t_new = NAN;
        if (d->model->after_step(d, &view, &t_new) != VS_STEP_EVENT) {
            if (t1 == 1.0) break;
            t0 = t1, t1 = 1.0;
            continue;
        }
        t_event = t1 = t_new;
    }
    if (s_out) *s_out = d->model->switched(d, b);
    return d->model->resistance(d, b, &r_heat);
}

vs_status vs_rt_loop(const vs_device_params *dev, double t_lo_k, double t_hi_k, size_t n,
                     double *t_k, double *r_heat_ohm, double *r_cool_ohm)
{
    vs_status st = vs_device_validate(dev);
    if (st != VS_OK) return st;
    if (!dev->model->thermal)
        return vs_fail(VS_EINVAL, "model %s has no temperature: no R-T loop", dev->model->name);
    if (n < 2) return vs_fail(VS_EINVAL, "an R-T loop needs at least 2 temperatures");
    if (!(t_lo_k > 0 && t_hi_k > t_lo_k && isfinite(t_hi_k)))
        return vs_fail(VS_EINVAL, "temperature range [%g, %g] K must be positive and increasing", t_lo_k, t_hi_k);
    vs_dev d;
    vs_dev_init(&d, dev, NULL);
    dev->model->reset(&d, t_lo_k, 0.0);
    double prev = t_lo_k;
    for (size_t i = 0; i < n; i++) {
        t_k[i] = t_lo_k + (t_hi_k - t_lo_k) * (double)i / (double)(n - 1);
        r_heat_ohm[i] = rt_step(&d, prev, t_k[i], NULL);
        prev = t_k[i];
    }
    for (size_t i = n; i-- > 0;) {
        r_cool_ohm[i] = rt_step(&d, prev, t_k[i], NULL);
        prev = t_k[i];
    }
    return VS_OK;
}

/* Temperature where s crosses level between samples (t0, s0) and (t1, s1), or NAN. */
static double cross_at(double t0, double s0, double t1, double s1, double level)
{
    if ((s0 - level) * (s1 - level) > 0 || s0 == s1) return NAN;
    return t0 + (t1 - t0) * (level - s0) / (s1 - s0);
}

/* Heating from ambient: the transition edges (switched 1 % and 99 %) and the half point. */
static void rt_heating(vs_dev *d, double t_amb, vs_rt_summary *out, double *t_top)
{
    const double step = 0.01, span = 300.0;
    double prev_t = t_amb, prev_s, r = rt_step(d, t_amb, t_amb, &prev_s);
    out->r_ambient_ohm = r;
    for (double t = t_amb + step; t <= t_amb + span; t += step) {
        double sw;
        r = rt_step(d, prev_t, t, &sw);
        if (sw <= 0.01) out->t_edge_lo_k = t, out->r_edge_lo_ohm = r;
        if (isnan(out->t_half_heat_k)) out->t_half_heat_k = cross_at(prev_t, prev_s, t, sw, 0.5);
        if (sw >= 0.99 && isnan(out->t_edge_hi_k)) out->t_edge_hi_k = t, out->r_edge_hi_ohm = r;
        prev_t = t, prev_s = sw;
        if (!isnan(out->t_edge_hi_k) && t > out->t_edge_hi_k + 5.0) break;
    }
    *t_top = prev_t;
}

vs_status vs_rt_summarize(const vs_device_params *dev, vs_rt_summary *out)
{
    vs_status st = vs_device_validate(dev);
    if (st != VS_OK) return st;
    if (!dev->model->thermal)
        return vs_fail(VS_EINVAL, "model %s has no temperature: no R-T loop", dev->model->name);
    *out = (vs_rt_summary){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    vs_dev d;
    vs_dev_init(&d, dev, NULL);
    double t_amb = vs_device_ambient(dev), t_top;
    dev->model->reset(&d, t_amb, 0.0);
    rt_heating(&d, t_amb, out, &t_top);
    double prev_s, prev_t = t_top;
    rt_step(&d, t_top, t_top, &prev_s);
    for (double t = t_top - 0.01; t >= t_amb && isnan(out->t_half_cool_k); t -= 0.01) {
        double sw;
        rt_step(&d, prev_t, t, &sw);
        out->t_half_cool_k = cross_at(prev_t, prev_s, t, sw, 0.5);
        prev_t = t, prev_s = sw;
    }
    out->jump_ratio = out->r_edge_lo_ohm / out->r_edge_hi_ohm;
    return VS_OK;
}

void vs_rt_map_free(vs_rt_map *m)
{
    free(m->x), free(m->t_k), free(m->centre_k), free(m->r_heat_ohm), free(m->r_cool_ohm);
    *m = (vs_rt_map){0};
}

/* Row i of the film map: the loop and its centre. */
static vs_status rt_map_row(vs_rt_map *m, int i, double t_lo_k, double t_hi_k)
{
    vs_device_params d, film;
    vs_status st = vs_device_from_vacancy(m->x[i], &d);
    if (st != VS_OK) return st;
    vs_device_film(&d, &film);
    size_t o = (size_t)i * (size_t)m->nt;
    st = vs_rt_loop(&film, t_lo_k, t_hi_k, (size_t)m->nt, m->t_k, m->r_heat_ohm + o, m->r_cool_ohm + o);
    vs_rt_summary rt;
    if (st == VS_OK) st = vs_rt_summarize(&film, &rt);
    if (st == VS_OK) m->centre_k[i] = 0.5 * (rt.t_half_heat_k + rt.t_half_cool_k);
    return st;
}

vs_status vs_rt_map_film(int nx, int nt, double t_lo_k, double t_hi_k, vs_rt_map *out)
{
    *out = (vs_rt_map){.nx = nx, .nt = nt};
    if (nx < 2 || nt < 2 || nx > 100000 || nt > 100000)
        return vs_fail(VS_EINVAL, "an R-T map needs 2..100000 positions and temperatures (got %d, %d)", nx, nt);
    size_t n = (size_t)nx * (size_t)nt;
    out->x = malloc((size_t)nx * sizeof *out->x);
    out->centre_k = malloc((size_t)nx * sizeof *out->centre_k);
    out->t_k = malloc((size_t)nt * sizeof *out->t_k);
    out->r_heat_ohm = malloc(n * sizeof *out->r_heat_ohm);
    out->r_cool_ohm = malloc(n * sizeof *out->r_cool_ohm);
    if (!out->x || !out->centre_k || !out->t_k || !out->r_heat_ohm || !out->r_cool_ohm)
        return vs_fail(VS_ENOMEM, "out of memory for a %d x %d R-T map", nx, nt);
    vs_status st = VS_OK;
    for (int i = 0; i < nx && st == VS_OK; i++) {
        out->x[i] = (double)i / (nx - 1);
        st = rt_map_row(out, i, t_lo_k, t_hi_k);
    }
    return st;
}

uint64_t vs_iv_device_seed(uint64_t seed, int i)
{
    return seed * 1000003u + (uint64_t)i;
}

typedef struct iv_batch {
    const vs_device_params *devs;
    const vs_iv_opts *o;
    vs_iv_result *res;
} iv_batch;

static vs_status iv_one(int i, void *ctx)
{
    const iv_batch *b = ctx;
    vs_iv_opts oi = *b->o;
    oi.seed = vs_iv_device_seed(b->o->seed, i);
    return vs_iv_sweep(&b->devs[i], &oi, NULL, NULL, &b->res[i]);
}

vs_status vs_iv_sweep_devices(const vs_device_params *devs, int n, const vs_iv_opts *o,
                              vs_iv_progress_fn progress, void *user, vs_iv_result *res,
                              vs_status *st)
{
    memset(res, 0, (size_t)(n > 0 ? n : 0) * sizeof *res);
    iv_batch b = {devs, o, res};
    return vs_parallel_items(n, "device", iv_one, &b, st, progress, user);
}
