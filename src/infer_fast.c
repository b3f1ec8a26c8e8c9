/* infer_fast.c -- the fast engine of circuit inference: vo2x neurons in SIMD lanes, each by the
   Rosenbrock triple of ode23s with its own adaptive step (infer_fast.h, docs/engine.md). */
#include "infer_fast.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "vo2snn/model.h"
#include "vo2snn/network.h"
#include "vo2snn/spikes.h"
#include "vo2snn/units.h"

enum { LANES = 8, MAX_STEPS = 2000000 };
#define TEMP_FLOOR_K 200.0   /* as the reference's guard (devstep.h) */

int vs__fast_device(const vs_device_params *p, vs__fast_dev *out)
{
    const vs_model *m = p->model;
    if (!m || strcmp(m->name, "vo2x") != 0 || vs_device_has_jitter(p)) return 0;
#define V(key) p->v[vs_model_param_index(m, key)]
    double t_c = V("t_c"), half = V("dt_hyst") / 2;
    *out = (vs__fast_dev){.r_ins0 = V("r_ins0"), .r_met = V("r_met"), .r_contact = V("r_contact"),
                          .ea_kb = V("e_a") / VS_K_B_EV_PER_K, .inv_t0 = 1.0 / V("t_0"), .g_th = V("g_th"),
                          .inv_c_th = 1.0 / (V("tau_th") * V("g_th")), .t_amb = V("t_amb"),
                          .t_heat = t_c + half, .t_cool = t_c - half, .inv_w = 1.0 / V("w_t"),
                          .hyst_factor = exp(-2.0 * V("dt_hyst") / V("w_t"))};
#undef V
    return 1;
}

vs__fast_tol vs__fast_tol_for(const vs_sim_opts *sim)
{
    /* a third-order estimate of a second-order step's error: per step within 2.5 rtol of V and
       T plus 10 mV and 0.2 K at the reference's rtol 1e-3, all scaled with rtol (at 1e-3: the
       reference's class on 99.75 % of 2000 test images; docs/engine.md) */
    const double k = sim->rtol / 1e-3;
    return (vs__fast_tol){.rtol = 2.5 * sim->rtol, .atol_v = 1e-2 * k, .atol_temp_k = 0.2 * k, .h_max_s = sim->h_max_s};
}

/* ---- the device and the circuit: one lane, branch-free ---------------------------------- */

typedef struct circuit {
    double g_s, inv_c, r_sense;   /* 1/R_s, 1/C, R_sense */
} circuit;

/* The lane kernel vectorises only with the physics inlined into it. */
#if defined(__GNUC__)
#define LANE_INLINE static inline __attribute__((always_inline))
#else
#define LANE_INLINE static inline
#endif

LANE_INLINE double max2(double a, double b) { return a > b ? a : b; }
LANE_INLINE double min2(double a, double b) { return a < b ? a : b; }

/* max(a, b) as arithmetic (to within rounding), for what is divided by: a division by a
   select becomes a conditional division, which the vectoriser cannot do without masks. */
LANE_INLINE double arith_max(double a, double b) { return 0.5 * (a + b + fabs(a - b)); }

/* The temperature guard of the reference (devstep.h): at least 200 K. */
LANE_INLINE double temp_floor(double t_k) { return arith_max(t_k, TEMP_FLOOR_K); }

/*
 * exp(x) in plain arithmetic that the compiler vectorises (libm's exp is a call it cannot):
 * x = k ln2 + r, |r| <= ln2/2, exp(r) by its Taylor polynomial to degree 12 (relative error
 * below 4e-16 over [-700, 700]; x is clamped there), 2^k written into the exponent bits.
 */
LANE_INLINE double exp_lane(double x)
{
    x = x < -700.0 ? -700.0 : (x > 700.0 ? 700.0 : x);
    double kd = x * 1.4426950408889634 + 0x1.8p52;   /* round(x / ln2) in the low mantissa bits */
    int64_t ki;
    memcpy(&ki, &kd, sizeof ki);
    kd -= 0x1.8p52;
    double r = (x - kd * 0x1.62e42fefa3800p-1) - kd * 0x1.ef35793c76730p-45;   /* ln2 in two parts */
    double p = 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0, p = p * r + 1.0 / 3628800.0, p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0, p = p * r + 1.0 / 5040.0, p = p * r + 1.0 / 720.0, p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0, p = p * r + 1.0 / 6.0, p = p * r + 0.5, p = p * r + 1.0, p = p * r + 1.0;
    int64_t bits = (ki - INT64_C(0x4338000000000000) + 1023) * (INT64_C(1) << 52);
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* The device at t_k with memory mem: R (with the contact), its heated part, dR/dT, m. */
typedef struct dev_at {
    double r, r_core, dr_dt, m;
} dev_at;

/*
 * The play operator of vo2x: m = mem clamped between the heating branch m_h and the cooling
 * branch m_c, each (1 + tanh x)/2 = 1/(1 + exp(-2 x)). One exp serves both, as
 * x_cool = x_heat + dt_hyst/w_t; below x_heat = -10 m_h counts as 0 (it changes R by less
 * than 1e-8 of itself; the model's own cut is at -20).
 */
LANE_INLINE dev_at device_at(const vs__fast_dev *d, double mem, double t_k)
{
    double inv_t = 1.0 / t_k, r_ins = d->r_ins0 * exp_lane(d->ea_kb * (inv_t - d->inv_t0));
    double x = (t_k - d->t_heat) * d->inv_w, e = exp_lane(-2.0 * x);
    double mh_raw = 1.0 / (1.0 + e), mc = 1.0 / (1.0 + e * d->hyst_factor);
    double mh = x < -10.0 ? 0.0 : mh_raw;   /* a select of values: nothing that may trap is conditional */
    double slope_h = 2.0 * d->inv_w * mh * (1.0 - mh), slope_c = 2.0 * d->inv_w * mc * (1.0 - mc);
    double m = mem > mh ? (mem < mc ? mem : mc) : mh;
    double dm = mem > mh ? (mem < mc ? 0.0 : slope_c) : slope_h;
    double r_core = r_ins * (1.0 - m) + d->r_met;
    double dr = -r_ins * (d->ea_kb * inv_t * inv_t * (1.0 - m) + dm);
    return (dev_at){.r = r_core + d->r_contact, .r_core = r_core, .dr_dt = dr, .m = m};
}

/* dy/dt of y = (V, T) with input v_in, its Jacobian (unused parts cost nothing once inlined),
   and the device's m and branch conductance 1/(R + R_sense) there. */
typedef struct deriv {
    double fv, ft;                 /* dV/dt, dT/dt */
    double jvv, jvt, jtv, jtt;     /* d(fv, ft)/d(V, T) */
    double m, g;
} deriv;

LANE_INLINE deriv rhs(const vs__fast_dev *d, const circuit *c, double v_in, double mem, double v, double temp)
{
    dev_at e = device_at(d, mem, temp);
    double gb = 1.0 / (e.r + c->r_sense);
    double i = v * gb;
    return (deriv){.fv = ((v_in - v) * c->g_s - i) * c->inv_c,
                   .ft = (i * i * e.r_core - d->g_th * (temp - d->t_amb)) * d->inv_c_th,
                   .jvv = -(c->g_s + gb) * c->inv_c,
                   .jvt = i * gb * e.dr_dt * c->inv_c,
                   .jtv = 2.0 * i * gb * e.r_core * d->inv_c_th,
                   .jtt = (i * i * e.dr_dt * (1.0 - 2.0 * gb * e.r_core) - d->g_th) * d->inv_c_th,
                   .m = e.m, .g = gb};
}

/* ---- the input ------------------------------------------------------------------------- */

typedef struct input {
    const float *s;      /* samples, or NULL: dc */
    double v_dc, dt, inv_dt;
    size_t n;
} input;

/* v_in at t and the slope of its piece. */
static inline double input_at(const input *in, double t, double *slope)
{
    *slope = 0.0;
    if (!in->s) return in->v_dc;
    double x = t * in->inv_dt;
    size_t i = x <= 0 ? 0 : (size_t)x;
    if (i + 1 >= in->n) return (double)in->s[in->n - 1];
    double a = (double)in->s[i], b = (double)in->s[i + 1];
    *slope = (b - a) * in->inv_dt;
    return a + (x - (double)i) * (b - a);
}

/* ---- the step of every lane at once: the Rosenbrock triple of ode23s ------------------- */

#define D23 0.29289321881345248   /* 1/(2 + sqrt 2): L-stable, second order (Shampine and Reichelt 1997) */
#define E32 7.4142135623730950    /* 6 + sqrt 2 */

/*
 * LANES neurons side by side (structure of arrays): the state at each lane's step start, its
 * step h and input at mid-step and end, and what the attempt gives at its end (b*: state, f,
 * Jacobian, memory, branch conductance) with err, its error norm (<= 1: accept).
 */
typedef struct lanes {
    /* each lane's device, field by field (vs__fast_dev) */
    double r_ins0[LANES], r_met[LANES], r_contact[LANES], ea_kb[LANES], inv_t0[LANES], g_th[LANES];
    double inv_c_th[LANES], t_amb[LANES], t_heat[LANES], t_cool[LANES], inv_w[LANES], hyst_factor[LANES];
    double t[LANES], h[LANES], v[LANES], temp[LANES], mem[LANES];
    double f[2][LANES], jac[4][LANES], dv_dt[LANES], vin_mid[LANES], vin_end[LANES];
    double bv[LANES], btemp[LANES], bmem[LANES], bg[LANES], bf[2][LANES], bjac[4][LANES], err[LANES];
    double grow[LANES];   /* the step's factor for the next attempt, from err */
} lanes;

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
/* wider vectors where the CPU has them; -ffp-contract is off in ISO C, so every clone rounds alike */
#define LANES_TARGET __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LANES_TARGET
#endif

/* One attempt in every lane (idle lanes compute on stale values, which nobody reads). */
LANES_TARGET static void lanes_step(lanes *s, const circuit *c, const vs__fast_tol *tol)
{
#pragma omp simd
    for (int l = 0; l < LANES; l++) {
        const vs__fast_dev dl = {.r_ins0 = s->r_ins0[l], .r_met = s->r_met[l], .r_contact = s->r_contact[l],
                                 .ea_kb = s->ea_kb[l], .inv_t0 = s->inv_t0[l], .g_th = s->g_th[l],
                                 .inv_c_th = s->inv_c_th[l], .t_amb = s->t_amb[l], .t_heat = s->t_heat[l],
                                 .t_cool = s->t_cool[l], .inv_w = s->inv_w[l], .hyst_factor = s->hyst_factor[l]};
        const vs__fast_dev *d = &dl;
        const double h = s->h[l], dh = D23 * h, ft = s->dv_dt[l] * c->g_s * c->inv_c;   /* d f_V / dt */
        const double f0v = s->f[0][l], f0t = s->f[1][l];
        double a00 = 1.0 - dh * s->jac[0][l], a01 = -dh * s->jac[1][l];
        double a10 = -dh * s->jac[2][l], a11 = 1.0 - dh * s->jac[3][l];
        double inv = 1.0 / (a00 * a11 - a01 * a10);
        double w0 = a11 * inv, w1 = -a01 * inv, w2 = -a10 * inv, w3 = a00 * inv;   /* (I - dh J)^-1 */
        double k1v = w0 * (f0v + dh * ft) + w1 * f0t, k1t = w2 * (f0v + dh * ft) + w3 * f0t;
        deriv f1 = rhs(d, c, s->vin_mid[l], s->mem[l], s->v[l] + 0.5 * h * k1v,
                       temp_floor(s->temp[l] + 0.5 * h * k1t));
        double k2v = w0 * (f1.fv - k1v) + w1 * (f1.ft - k1t) + k1v, k2t = w2 * (f1.fv - k1v) + w3 * (f1.ft - k1t) + k1t;
        double bv = s->v[l] + h * k2v, bt = temp_floor(s->temp[l] + h * k2t);
        deriv fb = rhs(d, c, s->vin_end[l], s->mem[l], bv, bt);
        double rv = fb.fv - E32 * (k2v - f1.fv) - 2.0 * (k1v - f0v) + dh * ft;
        double rt = fb.ft - E32 * (k2t - f1.ft) - 2.0 * (k1t - f0t);
        double k3v = w0 * rv + w1 * rt, k3t = w2 * rv + w3 * rt;
        double ev = fabs(h / 6.0 * (k1v - 2.0 * k2v + k3v)) / (tol->atol_v + tol->rtol * arith_max(fabs(s->v[l]), fabs(bv)));
        double et = fabs(h / 6.0 * (k1t - 2.0 * k2t + k3t)) / (tol->atol_temp_k + tol->rtol * arith_max(s->temp[l], bt));
        s->err[l] = max2(ev, et);
        /* err^(-1/4) for the third-order estimate: a little more cautious than the optimal -1/3,
           and two square roots instead of a cube root */
        s->grow[l] = 0.8 / sqrt(sqrt(arith_max(s->err[l], 1e-12)));
        s->bv[l] = bv, s->btemp[l] = bt, s->bmem[l] = fb.m, s->bg[l] = fb.g;
        s->bf[0][l] = fb.fv, s->bf[1][l] = fb.ft;
        s->bjac[0][l] = fb.jvv, s->bjac[1][l] = fb.jvt, s->bjac[2][l] = fb.jtv, s->bjac[3][l] = fb.jtt;
    }
}

/* ---- one neuron's bookkeeping ------------------------------------------------------------ */

/* The state at a step end: time, (V, T), memory, input and derivatives there. */
typedef struct point {
    double t, y[2], mem, v_in, dv_dt, f[2], jac[4];
    double g;   /* device branch conductance 1/(R + R_sense) */
} point;

typedef struct run {
    const vs__fast_dev *d;
    input in;
    float *grid;            /* V_spike out, or NULL */
    size_t next_out;
    double t_end, r_sense, g_s;
    vs_switch_detector det;
    double m0, m1, t0, t1;  /* m across the step being accepted (linear) */
    vs__fast_result *res;
} run;

static double m_linear(double t, const void *ctx)
{
    const run *r = ctx;
    return r->m0 + (t - r->t0) / (r->t1 - r->t0) * (r->m1 - r->m0);
}

/* What an accepted step a -> b leaves: energy, V_spike on the grid, spikes. */
static void accept(run *r, const point *a, const point *b)
{
    vs__fast_result *res = r->res;
    const double h = b->t - a->t;
    double i_a = (a->v_in - a->y[0]) * r->g_s, i_b = (b->v_in - b->y[0]) * r->g_s;
    res->e_in_j += 0.5 * h * (a->v_in * i_a + b->v_in * i_b);
    res->q_in_c += 0.5 * h * (i_a + i_b);
    res->n_steps++;
    const double inv_h = 1.0 / h, dv = b->y[0] - a->y[0], dg = b->g - a->g;
    for (; r->grid && r->next_out < r->in.n; r->next_out++) {
        double t = (double)r->next_out * r->in.dt;
        if (t > b->t * (1 + 1e-12)) break;
        double f = (t - a->t) * inv_h;
        r->grid[r->next_out] = (float)((a->y[0] + f * dv) * (a->g + f * dg) * r->r_sense);
    }
    if (b->mem == a->mem) return;
    r->t0 = a->t, r->t1 = b->t, r->m0 = a->mem, r->m1 = b->mem;
    vs_switch_events ev;
    vs_detector_step(&r->det, a->t, b->t, b->mem, m_linear, r, &ev);
    for (int k = 0; k < ev.n; k++) {
        if (ev.kind[k] != VS_EV_UP) continue;
        if ((size_t)res->n_spikes < res->cap) res->spike_t_s[res->n_spikes] = ev.t[k];
        res->n_spikes++;
    }
}

/* ---- the lanes over a list of neurons ---------------------------------------------------- */

typedef struct lane {
    run r;
    point a;                /* the state at the step start */
    double h, slope_end;    /* the next attempt's step; the input's slope at its end */
    int rejected;           /* the last attempt was: no growth on the next step */
    int busy;
} lane;

/* Lane x, slot l of s, takes job j: its device, at rest at t = 0. */
static void lane_load(lanes *s, int l, lane *x, const vs__fast_job *j, const circuit *c, size_t n, double dt,
                      const vs__fast_tol *tol)
{
    const vs__fast_dev *d = j->dev;
    s->r_ins0[l] = d->r_ins0, s->r_met[l] = d->r_met, s->r_contact[l] = d->r_contact, s->ea_kb[l] = d->ea_kb;
    s->inv_t0[l] = d->inv_t0, s->g_th[l] = d->g_th, s->inv_c_th[l] = d->inv_c_th, s->t_amb[l] = d->t_amb;
    s->t_heat[l] = d->t_heat, s->t_cool[l] = d->t_cool, s->inv_w[l] = d->inv_w, s->hyst_factor[l] = d->hyst_factor;
    *j->res = (vs__fast_result){.spike_t_s = j->res->spike_t_s, .cap = j->res->cap};
    x->r = (run){.d = d, .in = {.s = j->samples, .v_dc = j->v_dc, .dt = dt, .inv_dt = 1.0 / dt, .n = n},
                 .grid = j->v_spike_out, .next_out = 1, .t_end = dt * (double)(n - 1), .r_sense = c->r_sense,
                 .g_s = c->g_s, .res = j->res};
    point *a = &x->a;
    a->t = 0.0, a->y[0] = 0.0, a->y[1] = d->t_amb;
    a->v_in = input_at(&x->r.in, 0.0, &a->dv_dt);
    deriv f = rhs(d, c, a->v_in, 0.0, a->y[0], a->y[1]);
    *a = (point){.t = 0.0, .y = {0.0, d->t_amb}, .mem = f.m, .v_in = a->v_in, .dv_dt = a->dv_dt, .f = {f.fv, f.ft},
                 .jac = {f.jvv, f.jvt, f.jtv, f.jtt}, .g = f.g};
    if (j->v_spike_out) j->v_spike_out[0] = (float)(a->y[0] * a->g * c->r_sense);
    vs_detector_init(&x->r.det, a->mem);
    x->h = min2(10e-9, tol->h_max_s), x->rejected = 0, x->busy = 1;
}

/* Slot l of s gets lane x's state and its next attempt (no sliver left before the end). */
static void lane_put(lanes *s, int l, lane *x)
{
    const point *a = &x->a;
    double left = x->r.t_end - a->t, hs = min2(x->h, left), slope;
    if (left - hs < 1e-3 * hs) hs = left;
    s->t[l] = a->t, s->h[l] = hs, s->v[l] = a->y[0], s->temp[l] = a->y[1], s->mem[l] = a->mem;
    s->f[0][l] = a->f[0], s->f[1][l] = a->f[1], s->dv_dt[l] = a->dv_dt;
    for (int i = 0; i < 4; i++) s->jac[i][l] = a->jac[i];
    s->vin_mid[l] = input_at(&x->r.in, a->t + 0.5 * hs, &slope);
    s->vin_end[l] = input_at(&x->r.in, a->t + hs, &x->slope_end);
}

/* After the attempt in slot l: accept it (bookkeeping, next step) or shrink the step.
   Sets x->busy to 0 at the end of the window. */
static vs_status lane_after(const lanes *s, int l, lane *x, const vs__fast_tol *tol)
{
    const double err = s->err[l], hs = s->h[l], grow = s->grow[l];
    if (!(err <= 1.0)) {
        x->h = hs * max2(0.1, min2(grow, 0.5)), x->rejected = 1;
        if (x->h < 1e-15 || x->r.res->n_steps > MAX_STEPS)
            return vs_fail(VS_EMAXSTEPS, "fast engine: step collapsed at t = %g s (V %g V, T %g K)", x->a.t,
                           x->a.y[0], x->a.y[1]);
        return VS_OK;
    }
    int last = hs == x->r.t_end - x->a.t;
    point b = {.t = last ? x->r.t_end : x->a.t + hs, .y = {s->bv[l], s->btemp[l]}, .mem = s->bmem[l],
               .v_in = s->vin_end[l], .dv_dt = x->slope_end, .f = {s->bf[0][l], s->bf[1][l]}, .g = s->bg[l]};
    for (int i = 0; i < 4; i++) b.jac[i] = s->bjac[i][l];
    accept(&x->r, &x->a, &b);
    x->a = b;
    x->h = min2(hs * min2(x->rejected ? 1.0 : 4.0, grow), tol->h_max_s), x->rejected = 0;
    x->busy = !last;
    return VS_OK;
}

vs_status vs__fast_run(const vs__fast_job *jobs, int count, const vs_circuit *cc, size_t n, double dt,
                       const vs__fast_tol *tol)
{
    if (n < 2 || !(dt > 0)) return vs_fail(VS_EINVAL, "a waveform needs >= 2 samples and a positive step");
    if (count <= 0) return VS_OK;
    const circuit c = {.g_s = 1.0 / cc->r_series_ohm, .inv_c = 1.0 / cc->c_f, .r_sense = cc->r_sense_ohm};
    lanes s;
    lane x[LANES];
    int next = 0, busy = 0;
    for (int l = 0; l < LANES; l++) {
        lane_load(&s, l, &x[l], &jobs[next < count ? next : 0], &c, n, dt, tol);   /* idle: a harmless copy */
        lane_put(&s, l, &x[l]);
        x[l].busy = next < count;
        busy += x[l].busy;
        next += next < count;
    }
    while (busy > 0) {
        for (int l = 0; l < LANES; l++)
            if (x[l].busy) lane_put(&s, l, &x[l]);
        lanes_step(&s, &c, tol);
        for (int l = 0; l < LANES; l++) {
            if (!x[l].busy) continue;
            vs_status st = lane_after(&s, l, &x[l], tol);
            if (st != VS_OK) return st;
            if (x[l].busy) continue;
            busy--;
            if (next < count) lane_load(&s, l, &x[l], &jobs[next++], &c, n, dt, tol), busy++;
        }
    }
    return VS_OK;
}

vs_status vs__fast_neuron(const vs__fast_dev *d, const vs_circuit *c, const float *samples, double v_dc,
                          size_t n, double dt, const vs__fast_tol *tol, float *v_spike_out,
                          vs__fast_result *res)
{
    vs__fast_job job = {.dev = d, .samples = samples, .v_dc = v_dc, .v_spike_out = v_spike_out, .res = res};
    return vs__fast_run(&job, 1, c, n, dt, tol);
}

/* First-order low-pass y' = (x - y)/tau over one step with x linear from x0 to x1 (exact), as
   synapse.c writes it; decay 0: no filter. */
static inline double lowpass(double y, double x0, double x1, double decay, double ramp)
{
    if (decay == 0.0) return x1;
    return x1 + (y - x0) * decay - (x1 - x0) * ramp;
}

static inline double clip(double v, double lim) { return v > lim ? lim : (v < -lim ? -lim : v); }

/* Up to LANES ideal adders side by side: constants and the two stages' low-pass states. */
typedef struct adder_lanes {
    double ks[LANES], bias[LANES], os1[LANES], os2[LANES], rail2[LANES], decay[LANES], ramp[LANES];
    double f1[LANES], f2[LANES], t1[LANES], t2[LANES];   /* filters and their last targets */
} adder_lanes;

static void adder_lanes_init(adder_lanes *q, const vs_opamp *o, const vs_adder *a, int m, double dt)
{
    for (int l = 0; l < m; l++) {
        const double rail = o->rail_v, tau = a[l].tau_syn_s;
        q->ks[l] = a[l].k_split >= 1 ? a[l].k_split : 1.0, q->bias[l] = a[l].bias_v;
        q->os1[l] = a[l].ng1 * o->offset_v, q->os2[l] = a[l].ng2 * o->offset_v;   /* gain factor 1 */
        q->rail2[l] = a[l].rail_out_v > 0 && a[l].rail_out_v < rail ? a[l].rail_out_v : rail;
        q->decay[l] = tau > 0 ? exp(-dt / tau) : 0.0;   /* 0: no filter; the update below is then exact */
        q->ramp[l] = tau > 0 ? tau / dt * (1.0 - q->decay[l]) : 0.0;
    }
}

/* Sample 0 of m adders: settled, the filters at their static values. */
static void adder_lanes_settle(adder_lanes *q, int m, double rail, const float *se, const float *si, size_t n, float *v)
{
    for (int l = 0; l < m; l++) {
        double t1 = -(double)se[(size_t)l * n] / q->ks[l] + q->os1[l];
        double x1 = t1 > rail ? rail : (t1 < -rail ? -rail : t1);
        double t2 = -(q->ks[l] * x1 + (double)si[(size_t)l * n] - q->bias[l]) + q->os2[l];
        double lim = q->rail2[l], x2 = t2 > lim ? lim : (t2 < -lim ? -lim : t2);
        q->f1[l] = q->t1[l] = t1, q->f2[l] = q->t2[l] = t2;
        v[2 * (size_t)l * n] = (float)x1, v[(2 * (size_t)l + 1) * n] = (float)x2;
    }
}

/* A stage's low-pass and clip: y' = (x - y)/tau updated exactly for an input linear from x0 to
   x1 (synapse.c's lowpass; with decay = ramp = 0 it returns x1), limited to +-lim. */
LANE_INLINE double stage(double *y, double x0, double x1, double decay, double ramp, double lim)
{
    double f = x1 + (*y - x0) * decay - (x1 - x0) * ramp;
    *y = f;
    return f > lim ? lim : (f < -lim ? -lim : f);
}

/* Sample i >= 1 of m adders (inputs (m, n), outputs (m, 2, n)); sample 0 is adder_lanes_init's. */
LANE_INLINE void adder_lanes_sample(adder_lanes *q, int m, double rail, const float *se, const float *si, size_t n,
                                    size_t i, float *v)
{
#pragma omp simd
    for (int l = 0; l < m; l++) {
        size_t at = (size_t)l * n + i;
        double t1 = -(double)se[at] / q->ks[l] + q->os1[l];
        double x1 = stage(&q->f1[l], q->t1[l], t1, q->decay[l], q->ramp[l], rail);
        double t2 = -(q->ks[l] * x1 + (double)si[at] - q->bias[l]) + q->os2[l];
        double x2 = stage(&q->f2[l], q->t2[l], t2, q->decay[l], q->ramp[l], q->rail2[l]);
        q->t1[l] = t1, q->t2[l] = t2;
        v[2 * (size_t)l * n + i] = (float)x1;
        v[(2 * (size_t)l + 1) * n + i] = (float)x2;
    }
}

/* Every sample of m adders. */
LANES_TARGET static void adder_lanes_run(adder_lanes *q, int m, double rail, const float *se, const float *si,
                                         size_t n, float *v)
{
    for (size_t i = 1; i < n; i++) adder_lanes_sample(q, m, rail, se, si, n, i, v);
}

void vs__fast_adders_ideal(const vs_opamp *o, const vs_adder *a, int count, const float *s_exc, const float *s_inh,
                           size_t n, double dt, float *v)
{
    adder_lanes q;
    for (int k0 = 0; k0 < count; k0 += LANES) {
        int m = count - k0 < LANES ? count - k0 : LANES;
        size_t at = (size_t)k0 * n;
        adder_lanes_init(&q, o, a + k0, m, dt);
        adder_lanes_settle(&q, m, o->rail_v, s_exc + at, s_inh + at, n, v + 2 * at);
        adder_lanes_run(&q, m, o->rail_v, s_exc + at, s_inh + at, n, v + 2 * at);
    }
}

double vs__fast_adder_energy(const vs_opamp *op, const vs_adder *adder, const float *v1, const float *v2,
                             double p_res_sum, size_t n, double dt, double q_in_c, double e_in_j, double *v_in_mean_v)
{
    /* synapse.h's stage power 2 V_s I_q + (V_s - |v|) |i_out| + P_res with i_out = v (1 + K)/R_f
       (stage 1) or v/R_f (stage 2) and P_res = res + v^2 (1 + K)/R_f or res + v^2/R_f: the v^2
       terms cancel, leaving 2 V_s I_q + V_s |v| (1 + K)/R_f + res, summed on the trapezoid */
    const double rf = op->r_feedback_ohm, ks = adder->k_split >= 1 ? adder->k_split : 1.0;
    double s1 = 0, s2 = 0, mean = 0;
    for (size_t i = 0; i < n; i++) {
        double w = (i == 0 || i + 1 == n) ? 0.5 : 1.0;
        s1 += w * fabs((double)v1[i]), s2 += w * fabs((double)v2[i]), mean += w * (double)v2[i];
    }
    const double span = (double)(n - 1);
    double e = dt * (4.0 * op->supply_v * op->i_quiescent_a * span + op->supply_v * ((1.0 + ks) * s1 + s2) / rf + p_res_sum);
    *v_in_mean_v = mean / span;
    return e + (op->supply_v * fabs(q_in_c) - fabs(e_in_j));
}

vs_status vs__fast_layer(const vs__fast_dev *devs, const vs_circuit *c, const vs_opamp *op, const vs_adder *adders,
                         int count, const float *s_exc, const float *s_inh, size_t n, double dt,
                         const vs__fast_tol *tol, float *v_spike_out, vs__fast_layer_work *w)
{
    if (op->ideal) vs__fast_adders_ideal(op, adders, count, s_exc, s_inh, n, dt, w->adder_v);
    for (int k = 0; k < count; k++) {
        size_t at = (size_t)k * n;
        float *v1 = w->adder_v + 2 * at, *v2 = v1 + n;
        if (!op->ideal) vs_adder_run(op, &adders[k], s_exc + at, s_inh + at, n, dt, v1, v2);
        w->jobs[k] = (vs__fast_job){.dev = &devs[k], .samples = v2, .v_spike_out = v_spike_out ? v_spike_out + at : NULL,
                                    .res = &w->res[k]};
    }
    vs_status st = vs__fast_run(w->jobs, count, c, n, dt, tol);
    for (int k = 0; st == VS_OK && k < count; k++) {
        size_t at = (size_t)k * n;
        const float *v1 = w->adder_v + 2 * at;
        w->e_opamp_j[k] = vs__fast_adder_energy(op, &adders[k], v1, v1 + n, w->p_res_sum[k], n, dt,
                                          w->res[k].q_in_c, w->res[k].e_in_j, &w->v_in_mean_v[k]);
    }
    return st;
}
