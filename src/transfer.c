/* transfer.c -- measured rate transfer function: table, cache, PCHIP interpolation, surrogate slope. */
#include "vo2snn/transfer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vo2snn/atomic.h"

vs_transfer_opts vs_transfer_opts_default(void)
{
    return (vs_transfer_opts){.v_max_v = 20.0, .dv_v = 0.02, .surrogate_v = 0.75,
                              .classify = vs_classify_opts_default()};
}

static void curve_free(vs_curve *c)
{
    free(c->coef);
    free(c->dsur);
    memset(c, 0, sizeof *c);
}

void vs_transfer_free(vs_transfer *t)
{
    if (!t) return;
    free(t->freq_hz);
    free(t->signal_v);
    curve_free(&t->rate);
    curve_free(&t->signal);
    memset(t, 0, sizeof *t);
}

/* Fritsch-Carlson monotone slopes of y on a uniform grid (unit spacing). */
static void pchip_slopes(const double *y, size_t n, double *m)
{
    for (size_t i = 0; i < n; i++) {
        double dl = i > 0 ? y[i] - y[i - 1] : y[1] - y[0];
        double dr = i + 1 < n ? y[i + 1] - y[i] : y[n - 1] - y[n - 2];
        if (i == 0) m[i] = dr;
        else if (i + 1 == n) m[i] = dl;
        else if (dl * dr <= 0) m[i] = 0;
        else m[i] = 2.0 / (1.0 / dl + 1.0 / dr);   /* harmonic mean: no overshoot */
    }
}

/*
 * Curve through y (n points, step dv): PCHIP coefficients and the surrogate slope
 * (Gaussian-smoothed derivative, even about V = 0, floored below the onset index).
 */
static vs_status curve_build(vs_curve *c, const double *y, size_t n, double dv, double surrogate_v,
                             size_t i_on)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->inv_dv = (float)(1.0 / dv);
    c->coef = malloc(4 * (n - 1) * sizeof *c->coef);
    c->dsur = malloc(n * sizeof *c->dsur);
    double *m = malloc(n * sizeof *m);
    if (!c->coef || !c->dsur || !m) {
        free(m);
        curve_free(c);
        return vs_fail(VS_ENOMEM, "out of memory for a %zu-point transfer curve", n);
    }
    pchip_slopes(y, n, m);
    for (size_t i = 0; i + 1 < n; i++) {
        double y0 = y[i], y1 = y[i + 1], m0 = m[i], m1 = m[i + 1];
        float *k = c->coef + 4 * i;
        k[0] = (float)y0;
        k[1] = (float)m0;
        k[2] = (float)(3 * (y1 - y0) - 2 * m0 - m1);
        k[3] = (float)(2 * (y0 - y1) + m0 + m1);
    }
    if (surrogate_v > 0) {
        long half = (long)ceil(4 * surrogate_v / dv);
        for (size_t i = 0; i < n; i++) {
            double acc = 0, wsum = 0;
            for (long k = -half; k <= half; k++) {
                double w = exp(-0.5 * pow((double)k * dv / surrogate_v, 2));
                long j = (long)i + k, ja = j < 0 ? -j : j;   /* the derivative is even */
                double d;
                if (ja + 1 >= (long)n) d = 0;
                else if (ja == 0) d = (y[1] - y[0]) / dv;
                else d = (y[ja + 1] - y[ja - 1]) / (2 * dv);
                acc += w * d;
                wsum += w;
            }
            c->dsur[i] = (float)(acc / wsum);
        }
        /* below onset: at least the chord slope from the origin to the onset point */
        double leak = i_on > 0 ? y[i_on] / (dv * (double)i_on) : 0.0;
        c->leak = (float)leak;
        for (size_t i = 0; i < i_on; i++)
            if ((double)c->dsur[i] < leak) c->dsur[i] = (float)leak;
    } else {
        for (size_t i = 0; i < n; i++) c->dsur[i] = (float)(m[i] / dv);
    }
    free(m);
    return VS_OK;
}

vs_status vs_transfer_from_table(const double *freq_hz, const double *signal_v, size_t n,
                                 double dv_v, double surrogate_v, vs_transfer *out)
{
    if (n < 2 || !(dv_v > 0) || !(surrogate_v >= 0))
        return vs_fail(VS_EINVAL, "a transfer table needs >= 2 points, a positive step and a surrogate width >= 0");
    size_t i_peak = 0;
    long i_on = -1, i_off = -1;
    for (size_t i = 0; i < n; i++) {
        if (!(freq_hz[i] >= 0) || !isfinite(freq_hz[i]) || (signal_v && !isfinite(signal_v[i])))
            return vs_fail(VS_EINVAL, "transfer table entry %zu (%g Hz) is not valid", i, freq_hz[i]);
        if (freq_hz[i] > freq_hz[i_peak]) i_peak = i;
        if (freq_hz[i] > 0) {
            if (i_on < 0) i_on = (long)i;
            i_off = (long)i;
        }
    }
    if (i_on < 0)
        return vs_fail(VS_ENOTFOUND, "the neuron never oscillates between 0 and %g V", dv_v * (double)(n - 1));
    vs_transfer t = {.n = n, .dv_v = dv_v};
    t.freq_hz = malloc(n * sizeof *t.freq_hz);
    t.signal_v = malloc(n * sizeof *t.signal_v);
    double *y = malloc(n * sizeof *y);
    vs_status st = VS_OK;
    if (!t.freq_hz || !t.signal_v || !y) st = vs_fail(VS_ENOMEM, "out of memory for the transfer table");
    if (st == VS_OK) {
        memcpy(t.freq_hz, freq_hz, n * sizeof *freq_hz);
        memcpy(t.signal_v, signal_v ? signal_v : freq_hz, n * sizeof *freq_hz);
        t.f_peak_hz = freq_hz[i_peak];
        t.s_peak_v = t.signal_v[i_peak];
        t.v_on_v = dv_v * (double)i_on;
        t.v_peak_v = dv_v * (double)i_peak;
        t.v_off_v = dv_v * (double)i_off;
        if (!(t.s_peak_v > 0)) st = vs_fail(VS_EINVAL, "the signal at the peak rate must be positive");
    }
    if (st == VS_OK) {
        for (size_t i = 0; i < n; i++) y[i] = freq_hz[i] / t.f_peak_hz;
        st = curve_build(&t.rate, y, n, dv_v, surrogate_v, (size_t)i_on);
    }
    if (st == VS_OK) {
        for (size_t i = 0; i < n; i++) y[i] = t.signal_v[i] / t.s_peak_v;
        st = curve_build(&t.signal, y, n, dv_v, surrogate_v, (size_t)i_on);
    }
    free(y);
    if (st != VS_OK) {
        vs_transfer_free(&t);
        return st;
    }
    *out = t;
    return VS_OK;
}

float vs_curve_value(const vs_curve *c, float v)
{
    float a = fabsf(v) * c->inv_dv;
    if (isnan(a)) return a;   /* propagate, so a diverging network is detected */
    float r;
    if (!(a < (float)(c->n - 1))) {
        const float *k = c->coef + 4 * (c->n - 2);
        r = k[0] + k[1] + k[2] + k[3];
    } else {
        size_t i = (size_t)a;
        float u = a - (float)i;
        const float *k = c->coef + 4 * i;
        r = k[0] + u * (k[1] + u * (k[2] + u * k[3]));
    }
    return v < 0 ? -r : r;
}

float vs_curve_slope(const vs_curve *c, float v)
{
    float a = fabsf(v) * c->inv_dv;
    if (isnan(a)) return a;
    if (!(a < (float)(c->n - 1))) return 0.0f;
    size_t i = (size_t)a;
    float u = a - (float)i;
    return c->dsur[i] + u * (c->dsur[i + 1] - c->dsur[i]);
}

/* ---- cache ----------------------------------------------------------------------------- */

void vs_transfer_default_cache(char *buf, size_t n)
{
    const char *e;
    if ((e = getenv("VO2SNN_CACHE")) && *e) snprintf(buf, n, "%s", e);
    else if ((e = getenv("XDG_CACHE_HOME")) && *e) snprintf(buf, n, "%s/vo2snn", e);
    else if ((e = getenv("HOME")) && *e) snprintf(buf, n, "%s/.cache/vo2snn", e);
    else snprintf(buf, n, ".vo2snn-cache");
}

static void cache_key(char *key, size_t n, const vs_device_params *d, const vs_circuit *c,
                      const vs_transfer_opts *o)
{
    const vs_classify_opts *k = &o->classify;
    snprintf(key, n,
             "vo2snn-transfer-v2 r_ins0=%.17g r_met=%.17g g_th=%.17g tau_th=%.17g e_a=%.17g "
             "t_c=%.17g dt_hyst=%.17g w_t=%.17g t_0=%.17g t_amb=%.17g sigma_lnr=%.17g "
             "sigma_tc=%.17g r_series=%.17g c=%.17g r_sense=%.17g v_max=%.17g dv=%.17g "
             "t_run=%.17g settle=%.17g min_spikes=%d method=%d rtol=%.17g atol_v=%.17g "
             "atol_t=%.17g h_max=%.17g dt=%.17g seed=%llu",
             d->r_ins0_ohm, d->r_met_ohm, d->g_th_w_per_k, d->tau_th_s, d->e_a_ev, d->t_c_k,
             d->dt_hyst_k, d->w_t_k, d->t_0_k, d->t_amb_k, d->sigma_ln_r, d->sigma_t_c_k,
             c->r_series_ohm, c->c_f, c->r_sense_ohm, o->v_max_v, o->dv_v, k->t_run_s,
             k->settle_frac, k->min_spikes, (int)k->sim.method, k->sim.rtol, k->sim.atol_v,
             k->sim.atol_temp_k, k->sim.h_max_s, k->sim.dt_s, (unsigned long long)k->sim.seed);
}

static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Read a cached table; 0 on success. The first line must equal "# " key. */
static int cache_read(const char *path, const char *key, size_t n, double *f, double *sig)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    static _Thread_local char line[4096];
    int ok = fgets(line, sizeof line, fp) && strncmp(line, "# ", 2) == 0 &&
             strncmp(line + 2, key, strlen(key)) == 0 && line[2 + strlen(key)] == '\n';
    ok = ok && fgets(line, sizeof line, fp) && strcmp(line, "v_v,freq_hz,v_spike_mean_v\n") == 0;
    for (size_t i = 0; ok && i < n; i++) {
        double v;
        ok = fscanf(fp, "%lf,%lf,%lf", &v, &f[i], &sig[i]) == 3 && isfinite(f[i]) && f[i] >= 0 &&
             isfinite(sig[i]);
    }
    double extra;
    if (ok && fscanf(fp, "%lf", &extra) == 1) ok = 0;
    fclose(fp);
    return ok ? 0 : -1;
}

static void cache_write(const char *dir, const char *path, const char *key, size_t n, double dv,
                        const double *f, const double *sig)
{
    if (vs_mkdir_p(dir) != VS_OK) return;
    vs_afile *af;
    if (vs_afile_open(path, &af) != VS_OK) return;
    FILE *fp = vs_afile_stream(af);
    fprintf(fp, "# %s\nv_v,freq_hz,v_spike_mean_v\n", key);
    for (size_t i = 0; i < n; i++) fprintf(fp, "%.10g,%.17g,%.17g\n", dv * (double)i, f[i], sig[i]);
    vs_afile_commit(af);   /* a cache that cannot be written is not an error */
}

vs_status vs_transfer_build(const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer_opts *o, const char *cache_dir, vs_transfer *out)
{
    if (!(o->dv_v > 0) || !(o->v_max_v > o->dv_v) || o->v_max_v / o->dv_v > 1e6)
        return vs_fail(VS_EINVAL, "transfer grid 0..%g V in steps of %g V is invalid", o->v_max_v, o->dv_v);
    size_t n = (size_t)floor(o->v_max_v / o->dv_v + 0.5) + 1;
    double *f = malloc(2 * n * sizeof *f), *sig = f ? f + n : NULL;
    vs_point *pts = malloc(n * sizeof *pts);
    if (!f || !pts) {
        free(f), free(pts);
        return vs_fail(VS_ENOMEM, "out of memory for the transfer table");
    }
    char key[2048], path[4096];
    cache_key(key, sizeof key, dev, c, o);
    if (cache_dir) snprintf(path, sizeof path, "%s/transfer-%016llx.csv", cache_dir, fnv1a(key));
    int cached = cache_dir && cache_read(path, key, n, f, sig) == 0;
    vs_status st = VS_OK;
    if (!cached) {
        vs_grid rg = {c->r_series_ohm, c->r_series_ohm, 1, 0};
        vs_grid vg = {0.0, o->dv_v * (double)(n - 1), (long)n, 0};
        st = vs_phase_sweep(dev, c, &rg, &vg, &o->classify, NULL, NULL, pts);
        for (size_t i = 0; st == VS_OK && i < n; i++) {
            f[i] = pts[i].regime == VS_OSCILLATING ? pts[i].freq_hz : 0.0;
            sig[i] = pts[i].v_spike_mean_v;
        }
        if (st == VS_OK && cache_dir) cache_write(cache_dir, path, key, n, o->dv_v, f, sig);
    }
    free(pts);
    if (st == VS_OK) st = vs_transfer_from_table(f, sig, n, o->dv_v, o->surrogate_v, out);
    if (st == VS_OK) out->from_cache = cached;
    free(f);
    return st;
}
