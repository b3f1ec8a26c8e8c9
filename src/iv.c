/* iv.c -- triangular I-V sweeps (with cycle-to-cycle jitter) and R-T loops of the device alone. */
#include "vo2snn/iv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vo2snn/ode.h"
#include "vo2snn/rng.h"

#define M_SWITCH 0.5
#define M_REARM 0.1

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
    vs_device_model dev;
    double v_max, period, r_load;
    double m;
    int on;            /* 1 after an ON jump until the OFF jump */
    int armed;         /* jitter re-arm state */
    int jitter;
    vs_rng rng;
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
    double temp = y[0];
    double m = vs_m_project(&s->dev, s->m, temp);
    double r = vs_r_device(&s->dev, temp, m);
    double i = triangle(s, t) / (r + s->r_load);
    dy[0] = vs_dtemp_dt(&s->dev, i * i * r, temp);
    return 0;
}

static double next_break(double t, void *ctx)
{
    const sweep *s = ctx;
    double half = 0.5 * s->period;
    double k = floor(t / half);
    double b = (k + 1) * half;
    if (b <= t * (1 + 1e-14)) b += half;
    return b;
}

/* Time in [t0, t1] where the projected m crosses M_SWITCH in direction dir (+1 up, -1 down). */
static double locate(const sweep *s, const vs_ode *ode, double m_old, double t0, double t1, int dir)
{
    double a = t0, b = t1;
    for (int it = 0; it < 60 && b - a > 1e-15; it++) {
        double mid = 0.5 * (a + b);
        double m = vs_m_project(&s->dev, m_old, vs_ode_dense_component(ode, mid, 0));
        if ((dir > 0) == (m >= M_SWITCH)) b = mid;
        else a = mid;
    }
    return b;
}

static int emit_samples(sweep *s, const vs_ode *ode, double m_old, double t1)
{
    for (;;) {
        double t = (double)s->next_out * s->dt_out;
        if (t > s->t_trace) {
            s->sample = NULL;   /* past the traced cycles */
            return 0;
        }
        if (t > t1 * (1 + 1e-12) || t > s->t_end) return 0;
        double temp = vs_ode_dense_component(ode, t, 0);
        double m = vs_m_project(&s->dev, m_old, temp);
        double r = vs_r_device(&s->dev, temp, m);
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

static int accepted(const vs_ode *ode, double t0, const double *y0, double t1, double *y1,
                    void *ctx)
{
    sweep *s = ctx;
    (void)y0;
    if (y1[0] < 200.0) y1[0] = 200.0;
    double m_old = s->m, m_new = vs_m_project(&s->dev, m_old, y1[0]);
    if (s->sample) emit_samples(s, ode, m_old, t1);

    if (!s->on && m_new >= M_SWITCH) {
        double ts = locate(s, ode, m_old, t0, t1, +1);
        long c = (long)floor(ts / s->period);
        if (c < s->res->n_cycles && isnan(s->res->v_on_v[c])) s->res->v_on_v[c] = triangle(s, ts);
        s->on = 1;
    } else if (s->on && m_new < M_SWITCH) {
        double ts = locate(s, ode, m_old, t0, t1, -1);
        long c = (long)floor(ts / s->period);
        if (c < s->res->n_cycles && isnan(s->res->v_off_v[c])) s->res->v_off_v[c] = triangle(s, ts);
        s->on = 0;
    }
    s->m = m_new;
    int changed = 0;
    if (m_new >= M_SWITCH) s->armed = 0;
    if (!s->armed && m_new <= M_REARM) {
        s->armed = 1;
        if (s->jitter) {
            vs_device_model_draw(&s->dev, s->params, &s->rng);
            s->m = vs_m_project(&s->dev, s->m, y1[0]);
            changed = 1;
        }
    }
    return changed;
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
               .m = 0, .on = 0, .armed = 1,
               .jitter = vs_device_has_jitter(dev),
               .dt_out = o->dt_out_s, .t_end = o->period_s * (double)o->n_cycles,
               .t_trace = trace_span(o),
               .sample = o->dt_out_s > 0 ? sample : NULL, .user = user, .res = res};
    vs_rng_seed(&s.rng, o->seed, 0);
    vs_device_model_draw(&s.dev, dev, &s.rng);
    double y[1] = {dev->t_amb_k};
    s.m = vs_m_project(&s.dev, 0.0, y[0]);
    double atol[1] = {1e-6};
    vs_ode_system sys = {.dim = 1, .n_err = 1, .rhs = rhs, .accepted = accepted,
                         .next_break = next_break, .ctx = &s};
    vs_ode_opts oo = {.method = VS_ODE_DP54, .rtol = o->rtol, .atol = atol, .h_max = o->h_max_s,
                      .h_min = 1e-18, .max_steps = (long)fmin(4e9, 1e5 * (double)o->n_cycles + 1e6)};
    vs_ode *ode = vs_ode_new(&sys, &oo);
    if (!ode) {
        vs_iv_result_free(res);
        return vs_fail(VS_ENOMEM, "out of memory allocating the integrator");
    }
    if (s.sample) {
        double r = vs_r_device(&s.dev, y[0], s.m);
        vs_iv_sample smp = {0, 0, 0, 0, y[0], r, s.m, 0};
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

vs_status vs_rt_loop(const vs_device_params *dev, double t_lo_k, double t_hi_k, size_t n,
                     double *t_k, double *r_heat_ohm, double *r_cool_ohm)
{
    vs_status st = vs_device_validate(dev);
    if (st != VS_OK) return st;
    if (n < 2) return vs_fail(VS_EINVAL, "an R-T loop needs at least 2 temperatures");
    if (!(t_lo_k > 0 && t_hi_k > t_lo_k && isfinite(t_hi_k)))
        return vs_fail(VS_EINVAL, "temperature range [%g, %g] K must be positive and increasing", t_lo_k, t_hi_k);
    vs_device_model d;
    vs_device_model_init(&d, dev, 0, 0);
    double m = vs_m_heat(&d, t_lo_k);
    for (size_t i = 0; i < n; i++) {
        t_k[i] = t_lo_k + (t_hi_k - t_lo_k) * (double)i / (double)(n - 1);
        m = vs_m_project(&d, m, t_k[i]);
        r_heat_ohm[i] = vs_r_device(&d, t_k[i], m);
    }
    for (size_t i = n; i-- > 0;) {
        m = vs_m_project(&d, m, t_k[i]);
        r_cool_ohm[i] = vs_r_device(&d, t_k[i], m);
    }
    return VS_OK;
}
