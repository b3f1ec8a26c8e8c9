/* input.c -- input waveforms: values, breakpoints and smooth pieces. */
#include "vo2snn/input.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vo2snn/csv.h"

vs_input vs_input_dc(double v) { return (vs_input){.kind = VS_INPUT_DC, .v_dc_v = v}; }

vs_input vs_input_pulse(double v_lo, double v_hi, double period_s, double width_s, double delay_s)
{
    return (vs_input){.kind = VS_INPUT_PULSE, .v_lo_v = v_lo, .v_hi_v = v_hi,
                      .period_s = period_s, .width_s = width_s, .delay_s = delay_s};
}

vs_input vs_input_sine(double offset_v, double amplitude_v, double period_s, double delay_s)
{
    return (vs_input){.kind = VS_INPUT_SINE, .offset_v = offset_v, .amplitude_v = amplitude_v,
                      .period_s = period_s, .delay_s = delay_s};
}

vs_input vs_input_square(double v_lo, double v_hi, double delay_s, double width_s)
{
    return (vs_input){.kind = VS_INPUT_SQUARE, .v_lo_v = v_lo, .v_hi_v = v_hi,
                      .delay_s = delay_s, .width_s = width_s};
}

vs_input vs_input_sampled(const float *samples, size_t n, double dt_s)
{
    return (vs_input){.kind = VS_INPUT_SAMPLED, .samples = samples, .n_samples = n, .dt_sample_s = dt_s};
}

vs_input vs_input_current(vs_input in)
{
    in.source = VS_SOURCE_CURRENT;
    return in;
}

const char *vs_input_unit(const vs_input *in) { return in->source == VS_SOURCE_CURRENT ? "A" : "V"; }

void vs_input_free(vs_input *in)
{
    if (!in) return;
    free(in->knot_t_s);
    free(in->knot_v_v);
    in->knot_t_s = in->knot_v_v = NULL;
    in->n_knots = 0;
}

vs_status vs_input_pwl(const double *t_s, const double *v_v, size_t n, vs_input *out)
{
    if (n < 1) return vs_fail(VS_EINVAL, "a piecewise-linear input needs at least one knot");
    vs_input in = {.kind = VS_INPUT_PWL, .n_knots = n};
    in.knot_t_s = malloc(n * sizeof(double));
    in.knot_v_v = malloc(n * sizeof(double));
    if (!in.knot_t_s || !in.knot_v_v) {
        vs_input_free(&in);
        return vs_fail(VS_ENOMEM, "out of memory for %zu PWL knots", n);
    }
    memcpy(in.knot_t_s, t_s, n * sizeof(double));
    memcpy(in.knot_v_v, v_v, n * sizeof(double));
    vs_status s = vs_input_validate(&in);
    if (s != VS_OK) {
        vs_input_free(&in);
        return s;
    }
    *out = in;
    return VS_OK;
}

vs_status vs_input_load_pwl(const char *path, vs_input *out)
{
    vs_table tab;
    vs_status s = vs_table_load(path, &tab);
    if (s != VS_OK) return s;
    if (tab.n_cols != 2) {
        int nc = tab.n_cols;
        vs_table_free(&tab);
        return vs_fail(VS_EFORMAT, "%s: a PWL input needs 2 columns (t_s, v_v or i_a), found %d",
                       path, nc);
    }
    int current = tab.names && strcmp(tab.names[1], "i_a") == 0;
    double *t = malloc(tab.n_rows * sizeof *t), *v = malloc(tab.n_rows * sizeof *v);
    if (!t || !v) {
        free(t), free(v), vs_table_free(&tab);
        return vs_fail(VS_ENOMEM, "out of memory reading %s", path);
    }
    for (size_t i = 0; i < tab.n_rows; i++) {
        t[i] = tab.data[2 * i];
        v[i] = tab.data[2 * i + 1];
    }
    size_t n = tab.n_rows;
    vs_table_free(&tab);
    s = vs_input_pwl(t, v, n, out);
    free(t), free(v);
    if (s == VS_OK && current) {
        out->source = VS_SOURCE_CURRENT;
        if ((s = vs_input_validate(out)) != VS_OK) vs_input_free(out);
    }
    if (s != VS_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", vs_last_error());
        return vs_fail(s, "%s: %s", path, msg);
    }
    return VS_OK;
}

static vs_status need(int ok, const char *what)
{
    return ok ? VS_OK : vs_fail(VS_EINVAL, "%s", what);
}

#define CURRENT_MAX_A 1e3   /* a current input's levels: within +-1 kA */

/* The largest |level| a current input reaches (its kind's fields already checked finite). */
static double peak_level(const vs_input *in)
{
    double peak = 0;
    switch (in->kind) {
    case VS_INPUT_DC: peak = fabs(in->v_dc_v); break;
    case VS_INPUT_PULSE:
    case VS_INPUT_SQUARE: peak = fmax(fabs(in->v_lo_v), fabs(in->v_hi_v)); break;
    case VS_INPUT_SINE: peak = fabs(in->offset_v) + fabs(in->amplitude_v); break;
    case VS_INPUT_PWL:
        for (size_t i = 0; i < in->n_knots; i++) peak = fmax(peak, fabs(in->knot_v_v[i]));
        break;
    case VS_INPUT_SAMPLED:
        for (size_t i = 0; i < in->n_samples; i++) peak = fmax(peak, fabs((double)in->samples[i]));
        break;
    }
    return peak;
}

static vs_status validate_current(const vs_input *in)
{
    if (in->source != VS_SOURCE_VOLTAGE && in->source != VS_SOURCE_CURRENT)
        return vs_fail(VS_EINVAL, "unknown input source %d", (int)in->source);
    double peak = in->source == VS_SOURCE_CURRENT ? peak_level(in) : 0;
    if (peak > CURRENT_MAX_A)
        return vs_fail(VS_EINVAL, "input current reaches %g A, beyond the %g A this tool accepts",
                       peak, CURRENT_MAX_A);
    return VS_OK;
}

static vs_status validate_kind(const vs_input *in);

vs_status vs_input_validate(const vs_input *in)
{
    vs_status s = validate_kind(in);
    return s != VS_OK ? s : validate_current(in);
}

/* Every field the kind uses is finite and consistent. */
static vs_status validate_kind(const vs_input *in)
{
    vs_status s = VS_OK;
    int current = in->source == VS_SOURCE_CURRENT;
    switch (in->kind) {
    case VS_INPUT_DC:
        s = need(isfinite(in->v_dc_v), current ? "input current must be a finite number"
                                               : "input voltage must be a finite number");
        break;
    case VS_INPUT_PULSE:
        if ((s = need(isfinite(in->v_lo_v) && isfinite(in->v_hi_v),
                      "pulse levels must be finite numbers")) != VS_OK) break;
        if ((s = need(isfinite(in->period_s) && in->period_s > 0, "pulse period must be positive")) != VS_OK) break;
        if ((s = need(isfinite(in->width_s) && in->width_s > 0 && in->width_s < in->period_s,
                      "pulse width must be positive and shorter than the period")) != VS_OK) break;
        s = need(isfinite(in->delay_s) && in->delay_s >= 0, "pulse delay must be >= 0");
        break;
    case VS_INPUT_SINE:
        if ((s = need(isfinite(in->offset_v) && isfinite(in->amplitude_v),
                      "sine offset and amplitude must be finite numbers")) != VS_OK) break;
        if ((s = need(isfinite(in->period_s) && in->period_s > 0, "sine period must be positive")) != VS_OK) break;
        s = need(isfinite(in->delay_s) && in->delay_s >= 0, "sine delay must be >= 0");
        break;
    case VS_INPUT_SQUARE:
        if ((s = need(isfinite(in->v_lo_v) && isfinite(in->v_hi_v),
                      "square-pulse levels must be finite numbers")) != VS_OK) break;
        if ((s = need(isfinite(in->width_s) && in->width_s > 0, "square-pulse width must be positive")) != VS_OK) break;
        s = need(isfinite(in->delay_s) && in->delay_s >= 0, "square-pulse delay must be >= 0");
        break;
    case VS_INPUT_PWL:
        if (in->n_knots < 1 || !in->knot_t_s || !in->knot_v_v)
            return vs_fail(VS_EINVAL, "a piecewise-linear input needs at least one knot");
        for (size_t i = 0; i < in->n_knots; i++) {
            if (!isfinite(in->knot_t_s[i]) || !isfinite(in->knot_v_v[i]))
                return vs_fail(VS_EINVAL, "PWL knot %zu is not finite", i + 1);
            if (in->knot_t_s[i] < 0)
                return vs_fail(VS_EINVAL, "PWL knot %zu has negative time %g s", i + 1, in->knot_t_s[i]);
            if (i > 0 && !(in->knot_t_s[i] > in->knot_t_s[i - 1]))
                return vs_fail(VS_EINVAL, "PWL knot times must increase strictly (knot %zu at %g s)",
                               i + 1, in->knot_t_s[i]);
            if (!current && fabs(in->knot_v_v[i]) > 1e6)
                return vs_fail(VS_EINVAL, "PWL knot %zu: %g V is beyond the 1 MV this tool accepts", i + 1,
                               in->knot_v_v[i]);
            if (i > 0 && !isfinite((in->knot_v_v[i] - in->knot_v_v[i - 1]) / (in->knot_t_s[i] - in->knot_t_s[i - 1])))
                return vs_fail(VS_EINVAL, "PWL knots %zu and %zu are too close for their %s step", i,
                               i + 1, current ? "current" : "voltage");
        }
        break;
    case VS_INPUT_SAMPLED:
        if (!in->samples || in->n_samples < 2 || !(in->dt_sample_s > 0) || !isfinite(in->dt_sample_s))
            return vs_fail(VS_EINVAL, "a sampled input needs >= 2 samples and a positive interval");
        for (size_t i = 0; i < in->n_samples; i++)
            if (!isfinite(in->samples[i])) return vs_fail(VS_EINVAL, "sampled input value %zu is not finite", i);
        break;
    default:
        return vs_fail(VS_EINVAL, "unknown input kind %d", (int)in->kind);
    }
    return s;
}

/* Relative slack for deciding which side of an edge a time lies on. */
static double edge_tol(double scale) { return 1e-9 * scale; }

/* Level of a pulse train at t (right-continuous, edges snapped within a tolerance). */
static int pulse_high(const vs_input *in, double t)
{
    if (t < in->delay_s - edge_tol(in->period_s)) return 0;
    double u = t - in->delay_s;
    double k = floor(u / in->period_s);
    double phase = u - k * in->period_s;
    double tol = edge_tol(in->period_s);
    if (phase > in->period_s - tol) return 1;  /* at the next rising edge */
    return phase < in->width_s - tol;
}

/* Slack for knot times: relative to the last knot. */
static double pwl_tol(const vs_input *in) { return edge_tol(in->knot_t_s[in->n_knots - 1] + 1e-12); }

size_t vs_input_pwl_next_knot(const vs_input *in, double t)
{
    double lim = t + pwl_tol(in);
    size_t lo = 0, hi = in->n_knots; /* knots are increasing: find the first one > lim */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (in->knot_t_s[mid] > lim) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

size_t vs_input_pwl_next_knot_naive(const vs_input *in, double t)
{
    double lim = t + pwl_tol(in);
    for (size_t i = 0; i < in->n_knots; i++)
        if (in->knot_t_s[i] > lim) return i;
    return in->n_knots;
}

static size_t pwl_segment(const vs_input *in, double t)
{
    /* Last knot index i with knot_t[i] <= t (+tol); 0 if t precedes the first knot. */
    size_t lo = 0, hi = in->n_knots;
    double tol = pwl_tol(in);
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (in->knot_t_s[mid] <= t + tol) lo = mid;
        else hi = mid;
    }
    return lo;
}

void vs_input_piece_at(const vs_input *in, double t_ref, vs_input_piece *p)
{
    memset(p, 0, sizeof *p);
    switch (in->kind) {
    case VS_INPUT_DC:
        p->v0 = in->v_dc_v;
        break;
    case VS_INPUT_PULSE:
        p->v0 = pulse_high(in, t_ref) ? in->v_hi_v : in->v_lo_v;
        break;
    case VS_INPUT_SQUARE: {
        double tol = edge_tol(in->width_s);
        int high = t_ref >= in->delay_s - tol && t_ref < in->delay_s + in->width_s - tol;
        p->v0 = high ? in->v_hi_v : in->v_lo_v;
        break;
    }
    case VS_INPUT_SINE:
        if (t_ref < in->delay_s - edge_tol(in->period_s)) {
            p->v0 = in->offset_v;
        } else {
            p->omega = 2.0 * 3.14159265358979323846 / in->period_s;
            p->offset = in->offset_v;
            p->amplitude = in->amplitude_v;
            p->delay = in->delay_s;
        }
        break;
    case VS_INPUT_SAMPLED:
        p->samples = in->samples;
        p->n_samples = in->n_samples;
        p->inv_dt = 1.0 / in->dt_sample_s;
        break;
    case VS_INPUT_PWL: {
        size_t i = pwl_segment(in, t_ref);
        const double *kt = in->knot_t_s, *kv = in->knot_v_v;
        if (t_ref < kt[0] - edge_tol(kt[in->n_knots - 1] + 1e-12) || i + 1 >= in->n_knots) {
            p->v0 = t_ref < kt[0] ? kv[0] : kv[in->n_knots - 1];
        } else {
            p->t0 = kt[i];
            p->v0 = kv[i];
            p->slope = (kv[i + 1] - kv[i]) / (kt[i + 1] - kt[i]);
        }
        break;
    }
    }
}

double vs_input_value(const vs_input *in, double t)
{
    vs_input_piece p;
    vs_input_piece_at(in, t, &p);
    return vs_input_piece_value(&p, t);
}

/* Smallest of the candidate edges that lies strictly after t (beyond the edge tolerance). */
static double first_after(double t, double tol, const double *cand, int n)
{
    double best = INFINITY;
    for (int i = 0; i < n; i++)
        if (cand[i] > t + tol && cand[i] < best) best = cand[i];
    return best;
}

double vs_input_next_break(const vs_input *in, double t)
{
    switch (in->kind) {
    case VS_INPUT_DC:
        return INFINITY;
    case VS_INPUT_PULSE: {
        double tol = edge_tol(in->period_s);
        if (t < in->delay_s - tol) return in->delay_s;
        double k = floor((t - in->delay_s) / in->period_s);
        double c[6];
        int n = 0;
        for (int j = -1; j <= 1; j++) {
            double start = in->delay_s + (k + j) * in->period_s;
            c[n++] = start;
            c[n++] = start + in->width_s;
        }
        return first_after(t, tol, c, n);
    }
    case VS_INPUT_SQUARE: {
        double c[2] = {in->delay_s, in->delay_s + in->width_s};
        return first_after(t, edge_tol(in->width_s), c, 2);
    }
    case VS_INPUT_SINE:
        return in->delay_s > 0 && t < in->delay_s - edge_tol(in->period_s) ? in->delay_s : (double)INFINITY;
    case VS_INPUT_PWL: {
        size_t i = vs_input_pwl_next_knot(in, t);
        return i < in->n_knots ? in->knot_t_s[i] : (double)INFINITY;
    }
    case VS_INPUT_SAMPLED:
        return INFINITY;   /* smooth enough between samples; the error control resolves kinks */
    }
    return INFINITY;
}

void vs_input_describe(const vs_input *in, char *buf, size_t n)
{
    const char *u = vs_input_unit(in);
    const char *cur = in->source == VS_SOURCE_CURRENT ? "current " : "";
    switch (in->kind) {
    case VS_INPUT_DC: snprintf(buf, n, "dc %s%g %s", cur, in->v_dc_v, u); break;
    case VS_INPUT_PULSE:
        snprintf(buf, n, "%spulse train %g/%g %s, period %g s, width %g s, delay %g s", cur,
                 in->v_lo_v, in->v_hi_v, u, in->period_s, in->width_s, in->delay_s);
        break;
    case VS_INPUT_SINE:
        snprintf(buf, n, "%ssine offset %g %s, amplitude %g %s, period %g s, delay %g s", cur,
                 in->offset_v, u, in->amplitude_v, u, in->period_s, in->delay_s);
        break;
    case VS_INPUT_SQUARE:
        snprintf(buf, n, "%ssquare pulse %g/%g %s from %g s for %g s", cur, in->v_lo_v, in->v_hi_v,
                 u, in->delay_s, in->width_s);
        break;
    case VS_INPUT_PWL: snprintf(buf, n, "%spiecewise-linear, %zu knots", cur, in->n_knots); break;
    case VS_INPUT_SAMPLED:
        snprintf(buf, n, "%ssampled, %zu points every %g s", cur, in->n_samples, in->dt_sample_s);
        break;
    }
}
