/* transfer.c -- measured rate transfer function: table, cache, PCHIP interpolation, surrogate slope. */
#include "vo2snn/transfer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "text.h"
#include "vo2snn/atomic.h"

vs_transfer_opts vs_transfer_opts_default(void)
{
    return (vs_transfer_opts){.v_max_v = 0.0, .dv_v = 0.02, .surrogate_v = 0.75,
                              .classify = vs_classify_opts_default()};
}

vs_status vs_transfer_resolve_range(const vs_device_params *dev, const vs_circuit *c,
                                    vs_transfer_opts *o)
{
    if (o->v_max_v > 0) return VS_OK;
    double v_b;
    if (vs_load_line(dev, c, NULL, &v_b, NULL) != VS_OK)
        return vs_fail(VS_EINVAL, "cannot derive the transfer-function range from the device (%s); "
                                  "give the grid end", vs_last_error());
    o->v_max_v = ceil(1.3 * v_b);
    return VS_OK;
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

/* An existing directory (not created: the cache lives under one the user has). */
static int is_directory(const char *path)
{
    struct stat st;
    return path && *path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void vs_transfer_default_cache(char *buf, size_t n)
{
    const char *e;
    if ((e = getenv("VO2SNN_CACHE")) && *e) snprintf(buf, n, "%s", e);
    else if ((e = getenv("XDG_CACHE_HOME")) && e[0] == '/' && is_directory(e))
        snprintf(buf, n, "%s/vo2snn", e);
    else if ((e = getenv("HOME")) && is_directory(e)) snprintf(buf, n, "%s/.cache/vo2snn", e);
    else snprintf(buf, n, "%s", "");
}

static void cache_key(char *key, size_t n, const vs_device_params *d, const vs_circuit *c,
                      const vs_transfer_opts *o)
{
    const vs_classify_opts *k = &o->classify;
    char dev[2048];
    vs_device_key(d, dev, sizeof dev);
    snprintf(key, n,
             "vo2snn-transfer-v4 %s r_series=%.17g c=%.17g r_sense=%.17g v_max=%.17g dv=%.17g "
             "t_run=%.17g settle=%.17g min_spikes=%d method=%d rtol=%.17g atol_v=%.17g "
             "atol_t=%.17g h_max=%.17g dt=%.17g seed=%llu",
             dev, c->r_series_ohm, c->c_f, c->r_sense_ohm, o->v_max_v, o->dv_v, k->t_run_s,
             k->settle_frac, k->min_spikes, (int)k->sim.method, k->sim.rtol, k->sim.atol_v,
             k->sim.atol_temp_k, k->sim.h_max_s, k->sim.dt_s, (unsigned long long)k->sim.seed);
}

/* *n = grid points of o; VS_EINVAL naming the grid if it is invalid. */
static vs_status grid_points(const vs_transfer_opts *o, size_t *n)
{
    *n = 0;
    if (!(o->dv_v > 0) || !(o->v_max_v > o->dv_v) || o->v_max_v / o->dv_v > 1e6)
        return vs_fail(VS_EINVAL, "transfer grid 0..%g V in steps of %g V is invalid", o->v_max_v, o->dv_v);
    *n = (size_t)floor(o->v_max_v / o->dv_v + 0.5) + 1;
    return VS_OK;
}

void vs_transfer_cache_path(const char *dir, const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer_opts *o, char *buf, size_t n)
{
    char key[4096];
    cache_key(key, sizeof key, dev, c, o);
    snprintf(buf, n, "%s/transfer-%016llx.csv", dir, (unsigned long long)vs_fnv1a(key));
}

static const char cache_columns[] = "v_v,freq_hz,v_spike_mean_v\n";
#define CACHE_ROW_MAX 96 /* "%.10g,%.17g,%.17g\n" is at most 3 x 24 + 3 bytes */

/* CRC-32 of n bytes (zlib's). */
static unsigned long crc_of(const char *p, size_t n)
{
    return crc32(crc32(0L, Z_NULL, 0), (const Bytef *)p, (uInt)n);
}

/* The whole file into a NUL-terminated buffer (malloc'ed); VS_EFORMAT past cap bytes. */
static vs_status slurp_capped(const char *path, size_t cap, char **out, size_t *len, int *missing)
{
    *out = NULL, *len = 0, *missing = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *missing = errno == ENOENT;
        return vs_fail(VS_EIO, "cannot read transfer cache '%s': %s", path, strerror(errno));
    }
    char *buf = malloc(cap + 2);
    size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
    int err = !buf || ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return vs_fail(buf ? VS_EIO : VS_ENOMEM, "cannot read transfer cache '%s'", path);
    }
    if (n > cap) {
        free(buf);
        return vs_fail(VS_EFORMAT, "%s: longer than a transfer cache of this grid can be", path);
    }
    buf[n] = '\0';
    *out = buf, *len = n;
    return VS_OK;
}

/* Check the trailing "# crc32 xxxxxxxx\n" line; *body_len = bytes it covers. */
static vs_status check_crc_line(const char *path, const char *b, size_t n, size_t *body_len)
{
    if (n < 2 || b[n - 1] != '\n')
        return vs_fail(VS_EFORMAT, "%s: cut short (no final line break)", path);
    size_t start = n - 1;
    while (start > 0 && b[start - 1] != '\n') start--;
    unsigned long want = 0;
    int ok = n - start == 17 && strncmp(b + start, "# crc32 ", 8) == 0;
    for (size_t i = start + 8; ok && i < n - 1; i++) {
        const char *hex = "0123456789abcdef", *d = b[i] ? strchr(hex, b[i]) : NULL;
        ok = d != NULL;
        if (ok) want = want << 4 | (unsigned long)(d - hex);
    }
    if (!ok) return vs_fail(VS_EFORMAT, "%s: no '# crc32' checksum line at the end", path);
    unsigned long got = crc_of(b, start);
    if (got != want)
        return vs_fail(VS_EFORMAT,
                       "%s: checksum mismatch (crc32 %08lx in the file, %08lx computed): the file "
                       "was changed or cut short", path, want, got);
    *body_len = start;
    return VS_OK;
}

/* One data row "v,f,s" (the line without its '\n', at most CACHE_ROW_MAX bytes). */
static int parse_row(const char *line, size_t len, double v_want, double *f, double *sig)
{
    char buf[CACHE_ROW_MAX + 1], *end;
    if (len > CACHE_ROW_MAX) return 0;
    memcpy(buf, line, len);
    buf[len] = '\0';
    double v = strtod(buf, &end);
    if (*end != ',' || !(fabs(v - v_want) <= 1e-9 * fmax(1.0, fabs(v_want)))) return 0;
    *f = strtod(end + 1, &end);
    if (*end != ',') return 0;
    *sig = strtod(end + 1, &end);
    return *end == '\0' && isfinite(*f) && *f >= 0 && isfinite(*sig);
}

/* Parse the checked body: key line, column line, n rows, nothing else. */
static vs_status parse_body(const char *path, const char *key, const char *b, size_t len,
                            size_t n, double dv, double *f, double *sig)
{
    size_t klen = strlen(key), pos = 2 + klen + 1;
    if (len < pos || strncmp(b, "# ", 2) != 0 || strncmp(b + 2, key, klen) != 0 || b[pos - 1] != '\n')
        return vs_fail(VS_EFORMAT, "%s: written for other settings", path);
    size_t clen = sizeof cache_columns - 1;
    if (len - pos < clen || strncmp(b + pos, cache_columns, clen) != 0)
        return vs_fail(VS_EFORMAT, "%s: line 2 is not the column names", path);
    pos += clen;
    for (size_t i = 0; i < n; i++) {
        const char *nl = pos < len ? memchr(b + pos, '\n', len - pos) : NULL;
        if (!nl || !parse_row(b + pos, (size_t)(nl - (b + pos)), dv * (double)i, &f[i], &sig[i]))
            return vs_fail(VS_EFORMAT, "%s: row %zu of %zu is missing or malformed", path, i + 1, n);
        pos = (size_t)(nl - b) + 1;
    }
    if (pos != len) return vs_fail(VS_EFORMAT, "%s: more rows than the grid has", path);
    return VS_OK;
}

static vs_status cache_load(const char *path, const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer_opts *o, double *freq_hz, double *signal_v,
                            int *missing)
{
    size_t n, len = 0, body = 0;
    *missing = 0;
    if (grid_points(o, &n) != VS_OK) return VS_EINVAL;
    char key[4096], *b;
    cache_key(key, sizeof key, dev, c, o);
    vs_status s = slurp_capped(path, 4096 + n * (CACHE_ROW_MAX + 1), &b, &len, missing);
    if (s == VS_OK) s = check_crc_line(path, b, len, &body);
    if (s == VS_OK) s = parse_body(path, key, b, body, n, o->dv_v, freq_hz, signal_v);
    free(b);
    return s;
}

vs_status vs_transfer_cache_load(const char *path, const vs_device_params *dev,
                                 const vs_circuit *c, const vs_transfer_opts *o, double *freq_hz,
                                 double *signal_v)
{
    int missing;
    return cache_load(path, dev, c, o, freq_hz, signal_v, &missing);
}

vs_status vs_transfer_cache_save(const char *path, const vs_device_params *dev,
                                 const vs_circuit *c, const vs_transfer_opts *o,
                                 const double *freq_hz, const double *signal_v)
{
    size_t n;
    if (grid_points(o, &n) != VS_OK) return VS_EINVAL;
    size_t cap = 4096 + n * (CACHE_ROW_MAX + 1) + 32, len = 0;
    char *b = malloc(cap), key[4096];
    if (!b) return vs_fail(VS_ENOMEM, "out of memory writing transfer cache '%s'", path);
    cache_key(key, sizeof key, dev, c, o);
    len += (size_t)snprintf(b + len, cap - len, "# %s\n%s", key, cache_columns);
    for (size_t i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "%.10g,%.17g,%.17g\n", o->dv_v * (double)i,
                                freq_hz[i], signal_v[i]);
    if (len < cap) len += (size_t)snprintf(b + len, cap - len, "# crc32 %08lx\n", crc_of(b, len));
    vs_status s = len < cap ? vs_write_file_shared(path, b, len) /* concurrent runs share it */
                            : vs_fail(VS_EINVAL, "transfer cache '%s': a value is too long", path);
    free(b);
    return s;
}

/* Store the table under dir; on failure say so in note (a cache is never an error). */
static void cache_store(const char *dir, const char *path, const vs_device_params *dev,
                        const vs_circuit *c, const vs_transfer_opts *o, const double *f,
                        const double *sig, char *note, size_t n)
{
    vs_status s = vs_mkdir_p(dir);
    if (s == VS_OK) s = vs_transfer_cache_save(path, dev, c, o, f, sig);
    if (s == VS_OK) {
        if (note[0]) snprintf(note + strlen(note), n - strlen(note), " and rewritten");
        return;
    }
    size_t k = strlen(note);
    snprintf(note + k, n - k, "%snot cached: %s", k ? "; " : "", vs_last_error());
}

/* The measured table: from the cache when it holds a valid one, else simulated. */
static vs_status measure_table(const vs_device_params *dev, const vs_circuit *c,
                               const vs_transfer_opts *o, size_t n, double *f, double *sig)
{
    vs_point *pts = malloc(n * sizeof *pts);
    if (!pts) return vs_fail(VS_ENOMEM, "out of memory for the transfer table");
    vs_grid rg = {c->r_series_ohm, c->r_series_ohm, 1, 0};
    vs_grid vg = {0.0, o->dv_v * (double)(n - 1), (long)n, 0};
    vs_status st = vs_phase_sweep(dev, c, &rg, &vg, &o->classify, NULL, NULL, pts);
    for (size_t i = 0; st == VS_OK && i < n; i++) {
        f[i] = pts[i].regime == VS_OSCILLATING ? pts[i].freq_hz : 0.0;
        sig[i] = pts[i].v_spike_mean_v;
    }
    free(pts);
    return st;
}

vs_status vs_transfer_build(const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer_opts *opts, const char *cache_dir, vs_transfer *out)
{
    vs_transfer_opts resolved = *opts;
    const vs_transfer_opts *o = &resolved;
    if (vs_transfer_resolve_range(dev, c, &resolved) != VS_OK) return VS_EINVAL;
    size_t n;
    if (grid_points(o, &n) != VS_OK) return VS_EINVAL;
    double *f = malloc(2 * n * sizeof *f), *sig = f ? f + n : NULL;
    if (!f) return vs_fail(VS_ENOMEM, "out of memory for the transfer table");
    char path[4096], note[sizeof out->cache_note] = "";
    int cached = 0, missing = 1;
    if (cache_dir && !*cache_dir)
        snprintf(note, sizeof note, "transfer function not cached: no cache directory "
                                    "(VO2SNN_CACHE unset, XDG_CACHE_HOME and HOME unset or not "
                                    "existing directories)");
    else if (cache_dir) {
        vs_transfer_cache_path(cache_dir, dev, c, o, path, sizeof path);
        cached = cache_load(path, dev, c, o, f, sig, &missing) == VS_OK;
        if (!cached && !missing)
            snprintf(note, sizeof note, "%s%s; recomputed",
                     strncmp(vs_last_error(), "cannot", 6) != 0 ? "transfer cache " : "",
                     vs_last_error());
    }
    vs_status st = cached ? VS_OK : measure_table(dev, c, o, n, f, sig);
    if (st == VS_OK && !cached && cache_dir && *cache_dir)
        cache_store(cache_dir, path, dev, c, o, f, sig, note, sizeof note);
    if (st == VS_OK) st = vs_transfer_from_table(f, sig, n, o->dv_v, o->surrogate_v, out);
    if (st == VS_OK) {
        out->from_cache = cached;
        snprintf(out->cache_note, sizeof out->cache_note, "%s", note);
    }
    free(f);
    return st;
}
