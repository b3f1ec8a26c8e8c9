/*
 * zhang_ref.h -- an independent reference of the Zhang et al. 2024 thermal neuristor
 * (docs/models/zhang2024.md) for the tests: one neuron integrated by plain forward Euler
 * at a fixed step, with the reversal detector of the authors' published code.
 *
 * It uses no library code (only math.h), so that it checks the library rather than
 * repeating it. Circuit, SI units:
 *
 *   V_in --R_s-- N --+-- C -- ground
 *                    +-- device -- S -- R_sense -- ground
 *   I = V/(R + R_sense),  C dV/dt = (V_in - V)/R_s - I,
 *   C_th dT/dt = I^2 R - G_th (T - T_base).
 *
 * Memory (minor loops): before each derivative evaluation the clamped temperature T is
 * compared with T_last, the last temperature that moved by more than rev_dt; if it moved
 * by more than rev_dt, T_last becomes T, and if the move is against delta a reversal
 * happens at T. This is the authors' discrete detector, not the library's
 * continuous-time one, so the tests also measure how little that choice matters.
 */
#ifndef VO2SNN_TEST_ZHANG_REF_H
#define VO2SNN_TEST_ZHANG_REF_H

#include <math.h>

typedef struct zref_device {
    double t_c, w, beta;        /* loop centre (K), loop width (K), tanh slope (1/K) */
    double r0, ea_k, r_met;     /* R = r0 exp(ea_k/T) g + r_met (Ohm, K, Ohm) */
    double g_th, c_th, t_base;  /* W/K, J/K, K */
    double gamma;               /* of the return curve P(x) */
    double t_lo, t_hi;          /* clamp of T inside R and the memory (K) */
    double rev_dt;              /* reversal detection step (K) */
} zref_device;

typedef struct zref_memory {
    double delta;               /* +1 heating, -1 cooling */
    double t_r, g_r, t_pr;      /* last reversal: temperature, g there, T_pr */
    double t_last;              /* detector: last temperature that moved by > rev_dt */
    int reversed;               /* 0 until the first reversal: g is the major loop */
} zref_memory;

typedef struct zref_circuit {
    double v_in, r_s, c, r_sense;   /* V, Ohm, F, Ohm */
} zref_circuit;

typedef struct zref_result {
    double freq_hz;             /* (N-1)/(t_N - t_1) over the pulses of the second half */
    int n_pulses;               /* pulses of the device current in the second half */
    double i_min_a, i_max_a;    /* device current range over the second half */
    double r_end_ohm, temp_end_k, i_end_a;
    int oscillates;             /* n_pulses >= 2 with a swing of at least 5 % of i_max */
    int latched;                /* no oscillation and R at the end below sqrt(R_ins(T_base) r_met) */
} zref_result;

/* The published device (their model.py and Circuit; converted to SI). */
static inline zref_device zref_published(void)
{
    return (zref_device){
        .t_c = 332.805839, .w = 7.19357064, .beta = 0.252796285,
        .r0 = 5.35882879e-3, .ea_k = 5220.47417, .r_met = 262.5 * 4.90025335,
        .g_th = 0.20558726e-3, .c_th = 49.62776831e-12, .t_base = 325.0,
        .gamma = 0.956269682, .t_lo = 305.0, .t_hi = 370.0, .rev_dt = 0.01,
    };
}

static inline double zref_clamp(const zref_device *d, double t_k)
{
    return t_k < d->t_lo ? d->t_lo : t_k > d->t_hi ? d->t_hi : t_k;
}

/* P(x) = (1 - sin(gamma x)) (1 + tanh(pi^2 - 2 pi x)) / 2 */
static inline double zref_p(double gamma, double x)
{
    const double pi = 3.14159265358979323846;
    return 0.5 * (1.0 - sin(gamma * x)) * (1.0 + tanh(pi * pi - 2.0 * pi * x));
}

/* Major loop with direction delta. */
static inline double zref_g_major(const zref_device *d, double delta, double t_k)
{
    return 0.5 + 0.5 * tanh(d->beta * (delta * d->w / 2 + d->t_c - t_k));
}

/* Insulating fraction g at (clamped) t_k with memory m. */
static inline double zref_g(const zref_device *d, const zref_memory *m, double t_k)
{
    double t_p = 0.0;
    if (m->reversed && m->t_pr != 0.0) t_p = m->t_pr * zref_p(d->gamma, (t_k - m->t_r) / m->t_pr);
    return 0.5 + 0.5 * tanh(d->beta * (m->delta * d->w / 2 + d->t_c - (t_k + t_p)));
}

static inline double zref_t_pr(const zref_device *d, const zref_memory *m)
{
    return m->delta * d->w / 2 + d->t_c - atanh(2.0 * m->g_r - 1.0) / d->beta - m->t_r;
}

/* Their initialize(T0): heating, on the major loop. */
static inline void zref_init(const zref_device *d, zref_memory *m, double t0_k)
{
    m->delta = 1.0;
    m->reversed = 0;
    m->t_r = t0_k;
    m->g_r = zref_g_major(d, 1.0, t0_k);
    m->t_pr = zref_t_pr(d, m);
    m->t_last = t0_k;
}

/* A reversal at (clamped) t_k into direction delta_new: g_r from the old memory. */
static inline void zref_reverse(const zref_device *d, zref_memory *m, double t_k, double delta_new)
{
    m->g_r = zref_g(d, m, t_k);
    m->delta = delta_new;
    m->reversed = 1;
    m->t_r = t_k;
    m->t_pr = zref_t_pr(d, m);
}

/* Their reversal(T): the discrete detector, called before every derivative evaluation. */
static inline void zref_track(const zref_device *d, zref_memory *m, double t_k)
{
    double tc = zref_clamp(d, t_k);
    double dt = tc - m->t_last;
    if (!(fabs(dt) > d->rev_dt)) return;
    double sign = dt > 0 ? 1.0 : -1.0;
    if (sign != m->delta) zref_reverse(d, m, tc, sign);
    m->t_last = tc;
}

static inline double zref_r(const zref_device *d, const zref_memory *m, double t_k)
{
    double tc = zref_clamp(d, t_k);
    return d->r0 * exp(d->ea_k / tc) * zref_g(d, m, tc) + d->r_met;
}

/* One neuron state: node voltage, temperature, memory, time. */
typedef struct zref_state {
    double v, temp, t;
    zref_memory m;
} zref_state;

/* One forward-Euler step; returns the device current at the start of the step. */
static inline double zref_step(const zref_device *d, const zref_circuit *c, zref_state *s,
                               double dt_s)
{
    zref_track(d, &s->m, s->temp);
    double r = zref_r(d, &s->m, s->temp);
    double i = s->v / (r + c->r_sense);
    double dv = ((c->v_in - s->v) / c->r_s - i) / c->c;
    double dtemp = (i * i * r - d->g_th * (s->temp - d->t_base)) / d->c_th;
    s->v += dt_s * dv;
    s->temp += dt_s * dtemp;
    s->t += dt_s;
    return i;
}

/* Min and max of the device current over n steps from s (s is advanced). */
static inline void zref_range(const zref_device *d, const zref_circuit *c, zref_state *s,
                              double dt_s, long n, double *i_min, double *i_max)
{
    *i_min = INFINITY;
    *i_max = -INFINITY;
    for (long k = 0; k < n; k++) {
        double i = zref_step(d, c, s, dt_s);
        if (i < *i_min) *i_min = i;
        if (i > *i_max) *i_max = i;
    }
}

/*
 * Pulses over n steps from s: upward crossings of the midpoint of [i_min, i_max], timed by
 * linear interpolation, re-armed below the lower quarter of the swing.
 */
static inline void zref_pulses(const zref_device *d, const zref_circuit *c, zref_state *s,
                               double dt_s, long n, double i_min, double i_max, zref_result *out)
{
    double mid = 0.5 * (i_min + i_max), rearm = i_min + 0.25 * (i_max - i_min);
    double t_first = 0.0, t_last = 0.0, i_prev = NAN, t_prev = 0.0;
    int armed = 0, count = 0;
    for (long k = 0; k < n; k++) {
        double t = s->t;
        double i = zref_step(d, c, s, dt_s);
        if (armed && i_prev < mid && i >= mid) {
            double tc = t_prev + (mid - i_prev) / (i - i_prev) * (t - t_prev);
            if (count++ == 0) t_first = tc;
            t_last = tc;
            armed = 0;
        }
        if (i < rearm) armed = 1;
        i_prev = i;
        t_prev = t;
    }
    out->n_pulses = count;
    out->freq_hz = count >= 2 ? (count - 1) / (t_last - t_first) : 0.0;
}

/*
 * Run the neuron from their initial state (V = 0, T = T_base - 0.1 K, heating, major
 * loop) to t_end_s with step dt_s and describe the second half.
 */
static inline void zref_run(const zref_device *d, const zref_circuit *c, double t_end_s,
                            double dt_s, zref_result *out)
{
    zref_state s = {.v = 0.0, .temp = d->t_base - 0.1, .t = 0.0};
    zref_init(d, &s.m, s.temp);
    long n = (long)(t_end_s / dt_s + 0.5), half = n / 2;
    for (long k = 0; k < half; k++) zref_step(d, c, &s, dt_s);
    zref_state at_half = s;
    zref_range(d, c, &s, dt_s, n - half, &out->i_min_a, &out->i_max_a);
    s = at_half;
    zref_pulses(d, c, &s, dt_s, n - half, out->i_min_a, out->i_max_a, out);
    out->temp_end_k = s.temp;
    out->r_end_ohm = zref_r(d, &s.m, s.temp);
    out->i_end_a = s.v / (out->r_end_ohm + c->r_sense);
    double swing = out->i_max_a - out->i_min_a;
    out->oscillates = out->n_pulses >= 2 && swing >= 0.05 * fabs(out->i_max_a);
    double r_ins_base = d->r0 * exp(d->ea_k / zref_clamp(d, d->t_base));
    out->latched = !out->oscillates && out->r_end_ohm < sqrt(r_ins_base * d->r_met);
}

#endif
