/* variation.c -- device-to-device draws, per-neuron streams and E-series resistors
   (variation.h). */
#include "vo2snn/variation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vo2snn/units.h"

int vs_d2d_is_lognormal(const vs_param_def *def)
{
    static const char *const units[] = {"Ohm", "W/K", "J/K", "s"};
    if (def->min < 0) return 0;
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
        if (strcmp(def->unit, units[k]) == 0) return 1;
    return 0;
}

/* A relative sigma: "5%" or "0.05". */
static vs_status parse_relative(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end != text && *end == '%' && end[1] == '\0') v /= 100, end++;
    if (end == text || *end != '\0') return vs_fail(VS_EINVAL, "'%s' is not a relative sigma (e.g. 5%% or 0.05)", text);
    *out = v;
    return VS_OK;
}

static vs_status parse_term(const vs_model *m, const char *item, vs_d2d *v)
{
    char buf[128];
    size_t len = strcspn(item, ",");
    if (len >= sizeof buf) return vs_fail(VS_EINVAL, "--d2d: item '%.40s...' is too long", item);
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *eq = strchr(buf, '=');
    if (!eq) return vs_fail(VS_EINVAL, "--d2d: '%s' is not KEY=SIGMA", buf);
    *eq = '\0';
    int j = vs_model_param_index(m, buf);
    if (j < 0) return vs_fail(VS_EINVAL, "--d2d: model %s has no parameter '%s'", m->name, buf);
    const vs_param_def *d = &m->params[j];
    if (d->flags & VS_PARAM_JITTER)
        return vs_fail(VS_EINVAL, "--d2d: %s is cycle-to-cycle jitter, not a device parameter", buf);
    for (int k = 0; k < v->n; k++)
        if (v->param[k] == j) return vs_fail(VS_EINVAL, "--d2d: %s is given twice", buf);
    int logn = vs_d2d_is_lognormal(d);
    double s;
    vs_status st = logn ? parse_relative(eq + 1, &s) : vs_parse_quantity(eq + 1, d->unit, &s);
    if (st != VS_OK) return vs_fail(VS_EINVAL, "--d2d: %s: %s", buf, vs_last_error());
    if (!(s >= 0) || !isfinite(s)) return vs_fail(VS_EINVAL, "--d2d: %s: sigma %g must be >= 0 and finite", buf, s);
    v->param[v->n] = j, v->sigma[v->n] = s, v->lognormal[v->n] = logn;
    v->n++;
    return VS_OK;
}

vs_status vs_d2d_parse(const vs_model *m, const char *list, vs_d2d *out)
{
    vs_d2d v = {.model = m};
    for (const char *s = list ? list : ""; *s;) {
        size_t len = strcspn(s, ",");
        if (len > 0) {
            vs_status st = parse_term(m, s, &v);
            if (st != VS_OK) return st;
        }
        s += len + (s[len] == ',');
    }
    *out = v;
    return VS_OK;
}

vs_status vs_d2d_set(vs_d2d *v, const vs_model *m, int param, double sigma)
{
    if (param < 0 || param >= m->n_params || !(sigma >= 0) || !isfinite(sigma))
        return vs_fail(VS_EINVAL, "d2d: bad parameter index %d or sigma %g", param, sigma);
    if (!v->model) v->model = m;
    for (int k = 0; k < v->n; k++)
        if (v->param[k] == param) return v->sigma[k] = sigma, VS_OK;
    v->param[v->n] = param, v->sigma[v->n] = sigma, v->lognormal[v->n] = vs_d2d_is_lognormal(&m->params[param]);
    v->n++;
    return VS_OK;
}

/* splitmix64 finaliser: distinct inputs give well-spread stream ids. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t vs_neuron_stream(int chip, int layer, int index)
{
    return mix(((uint64_t)(uint32_t)chip << 32) ^ ((uint64_t)(uint32_t)layer << 24) ^ (uint64_t)(uint32_t)index ^
               0x5d2d0000000000ULL);
}

uint64_t vs_c2c_seed(uint64_t seed, int chip, int layer, int index)
{
    return mix(seed ^ mix(vs_neuron_stream(chip, layer, index) + 0xc2c));
}

/* Standard normal deviates of the chip-wide trend of each term (one stream per chip). */
static void trend_slopes(const vs_d2d *v, uint64_t seed, int chip, double *slope)
{
    vs_rng rng;
    vs_rng_seed(&rng, seed, vs_neuron_stream(chip, 255, 0));
    for (int k = 0; k < v->n; k++) slope[k] = vs_rng_normal(&rng);
}

void vs_d2d_draw(const vs_d2d *v, const vs_device_params *nominal, uint64_t seed, int chip, int layer,
                 int index, int n_layer, vs_device_params *out)
{
    *out = *nominal;
    if (!v || v->n == 0 || (v->layers && !(v->layers & (1u << layer)))) return;
    double slope[VS_MAX_PARAMS];
    if (v->gradient > 0) trend_slopes(v, seed, chip, slope);
    double x = n_layer > 1 ? 2.0 * index / (n_layer - 1) - 1.0 : 0.0;   /* position, [-1, 1] */
    vs_rng rng;
    vs_rng_seed(&rng, seed, vs_neuron_stream(chip, layer, index));
    const vs_model *m = nominal->model;
    for (int k = 0; k < v->n; k++) {
        double z = vs_rng_normal(&rng);
        if (v->gradient > 0) z = sqrt(3 * v->gradient) * slope[k] * x + sqrt(1 - v->gradient) * z;
        int j = v->param[k];
        double p = v->lognormal[k] ? nominal->v[j] * exp(v->sigma[k] * z) : nominal->v[j] + v->sigma[k] * z;
        out->v[j] = fmin(fmax(p, m->params[j].min), m->params[j].max);
    }
    out->preset = 0;
    out->vacancy_x = NAN;
}

static const char *const layer_names[3] = {"input", "hidden", "output"};

vs_status vs_d2d_layers_parse(const char *list, unsigned *out)
{
    const char *const *names = layer_names;
    unsigned bits = 0;
    if (strcmp(list, "all") == 0) return *out = 0, VS_OK;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        int l = 0;
        while (l < 3 && !(strlen(names[l]) == len && strncmp(p, names[l], len) == 0)) l++;
        if (l == 3)
            return vs_fail(VS_EINVAL, "'%.*s' in '%s' is not a layer: input, hidden, output (or all)", (int)len, p,
                           list);
        bits |= 1u << l;
        if (!p[len]) break;
        p += len + 1;
    }
    *out = bits;
    return VS_OK;
}

const char *vs_d2d_layers_text(unsigned layers, char *buf, size_t n)
{
    if (n == 0) return buf;
    buf[0] = '\0';
    if ((layers & 7u) == 0) return snprintf(buf, n, "all"), buf;
    size_t at = 0;
    for (int l = 0; l < 3; l++)
        if (layers & (1u << l) && at < n)
            at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? "," : "", layer_names[l]);
    return buf;
}

/* ---- E series ------------------------------------------------------------------------------- */

static const double e24[24] = {1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0,
                               3.3, 3.6, 3.9, 4.3, 4.7, 5.1, 5.6, 6.2, 6.8, 7.5, 8.2, 9.1};
static const double e96[96] = {
    1.00, 1.02, 1.05, 1.07, 1.10, 1.13, 1.15, 1.18, 1.21, 1.24, 1.27, 1.30, 1.33, 1.37, 1.40, 1.43,
    1.47, 1.50, 1.54, 1.58, 1.62, 1.65, 1.69, 1.74, 1.78, 1.82, 1.87, 1.91, 1.96, 2.00, 2.05, 2.10,
    2.15, 2.21, 2.26, 2.32, 2.37, 2.43, 2.49, 2.55, 2.61, 2.67, 2.74, 2.80, 2.87, 2.94, 3.01, 3.09,
    3.16, 3.24, 3.32, 3.40, 3.48, 3.57, 3.65, 3.74, 3.83, 3.92, 4.02, 4.12, 4.22, 4.32, 4.42, 4.53,
    4.64, 4.75, 4.87, 4.99, 5.11, 5.23, 5.36, 5.49, 5.62, 5.76, 5.90, 6.04, 6.19, 6.34, 6.49, 6.65,
    6.81, 6.98, 7.15, 7.32, 7.50, 7.68, 7.87, 8.06, 8.25, 8.45, 8.66, 8.87, 9.09, 9.31, 9.53, 9.76};

int vs_eseries_parse(const char *name)
{
    if (strcasecmp(name, "none") == 0) return 0;
    static const int series[] = {12, 24, 48, 96};
    for (size_t k = 0; k < 4; k++) {
        char buf[8];
        snprintf(buf, sizeof buf, "E%d", series[k]);
        if (strcasecmp(name, buf) == 0) return series[k];
    }
    return -1;
}

/* Mantissa k (0..series-1) of the series: E12 and E48 take every other of E24 and E96. */
static double mantissa(int series, int k)
{
    if (series == 12) return e24[2 * k];
    if (series == 24) return e24[k];
    if (series == 48) return e96[2 * k];
    return e96[k];
}

double vs_eseries_round(int series, double r)
{
    if (series <= 0 || !(r > 0) || !isfinite(r)) return r;
    double decade = pow(10.0, floor(log10(r)));
    double best = r, dist = INFINITY;
    for (int k = 0; k <= series; k++) {   /* k = series: the next decade's 1.0 */
        double v = (k == series ? 10.0 : mantissa(series, k)) * decade, d = fabs(log(v / r));
        if (d < dist || (d == dist && v > best)) best = v, dist = d;
    }
    return best;
}

double vs_eseries_tolerance(int series)
{
    return series == 12 ? 0.10 : series == 24 ? 0.05 : series == 48 ? 0.02 : series == 96 ? 0.01 : 0.0;
}

double vs_eseries_step(int series, double r)
{
    if (series <= 0) return 1.0;
    double v = vs_eseries_round(series, r);
    return vs_eseries_round(series, v * pow(10.0, 1.0 / series) * 1.0001) / v;
}
