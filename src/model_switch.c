/* model_switch.c -- the ideal threshold switch (docs/models/switch.md; spec section 1.6):
   R_off below the threshold, R_on above it, with a hysteresis between the threshold and
   hold voltages and a fixed ON-switching delay. The reduced model of acceptance A13. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "models.h"
#include "vo2snn/device.h"

/* Parameter indices: the order of the table below. */
enum { R_OFF, R_ON, V_TH, V_HOLD, T_DELAY, T_AMB, N_SWITCH };

static const vs_param_def switch_params[N_SWITCH] = {
    [R_OFF] = {"r_off", "Ohm", 8172.0, 1e-3, 1e12, "OFF (insulating) resistance", 0},
    [R_ON] = {"r_on", "Ohm", 684.0, 1e-6, 1e12, "ON (metallic) resistance", 0},
    [V_TH] = {"v_th", "V", 6.5, 1e-6, 1e4, "device voltage at which it switches on", 0},
    [V_HOLD] = {"v_hold", "V", 2.6, 1e-6, 1e4, "device voltage at which it switches off", 0},
    [T_DELAY] = {"t_delay", "s", 0.42e-6, 0.0, 1.0,
                 "ON-switching delay after the threshold crossing (0 = immediate)", 0},
    [T_AMB] = {"t_amb", "K", 300.0, 1.0, 2000.0,
               "ambient temperature (the switch has no thermal state)", 0},
};

/* ---- presets: paper devices 1-5 reduced (spec 1.6 table; V_th, V_hold from A1) ---------- */

#define N_PRESETS 5
static const double preset_r_off_ohm[N_PRESETS] = {8172, 5984, 3921, 2204, 792};
static const double preset_r_on_ohm[N_PRESETS] = {684, 605, 526, 446, 348};
static const double preset_v_th_v[N_PRESETS] = {6.5, 5.3, 4.1, 2.9, 1.75};
static const double preset_v_hold_v[N_PRESETS] = {2.6, 2.3, 2.0, 1.65, 1.2};

static vs_status switch_preset(int n, vs_device_params *p)
{
    if (n < 1 || n > N_PRESETS)
        return vs_fail(VS_EINVAL, "switch preset %d does not exist (presets are 1 to %d)", n,
                       N_PRESETS);
    vs_device_params q;
    vs_device_params_defaults(&vs_model_switch, &q);
    q.v[R_OFF] = preset_r_off_ohm[n - 1];
    q.v[R_ON] = preset_r_on_ohm[n - 1];
    q.v[V_TH] = preset_v_th_v[n - 1];
    q.v[V_HOLD] = preset_v_hold_v[n - 1];
    q.preset = n;
    q.vacancy_x = (n - 1) / (double)(N_PRESETS - 1);   /* the vo2x device it reduces */
    *p = q;
    return VS_OK;
}

/* Without these the I-V curve has no negative-resistance window to oscillate in. */
static vs_status switch_validate(const vs_device_params *p)
{
    const double *v = p->v;
    if (!(v[R_ON] < v[R_OFF]))
        return vs_fail(VS_EINVAL, "switch: r_on %g Ohm must be below r_off %g Ohm", v[R_ON],
                       v[R_OFF]);
    if (!(v[V_HOLD] < v[V_TH]))
        return vs_fail(VS_EINVAL, "switch: v_hold %g V must be below v_th %g V", v[V_HOLD],
                       v[V_TH]);
    if (!(v[V_HOLD] / v[R_ON] > v[V_TH] / v[R_OFF]))
        return vs_fail(VS_EINVAL,
                       "switch: the hold current v_hold/r_on = %g A must exceed the threshold "
                       "current v_th/r_off = %g A (no negative-resistance window otherwise)",
                       v[V_HOLD] / v[R_ON], v[V_TH] / v[R_OFF]);
    return VS_OK;
}

static double switch_ambient(const vs_device_params *p) { return p->v[T_AMB]; }

static int switch_has_jitter(const vs_device_params *p)
{
    (void)p;
    return 0;
}

/* ---- hot loop -------------------------------------------------------------------------- */

enum { C_R_OFF, C_R_ON, C_V_TH, C_V_HOLD, C_T_DELAY };   /* d->c */
enum { M_ON, M_PENDING };   /* d->mem: 1 if ON; time the pending ON switch takes effect */

static void switch_init(vs_dev *d, const vs_device_params *p, const double *xi)
{
    (void)xi;
    d->c[C_R_OFF] = p->v[R_OFF];
    d->c[C_R_ON] = p->v[R_ON];
    d->c[C_V_TH] = p->v[V_TH];
    d->c[C_V_HOLD] = p->v[V_HOLD];
    d->c[C_T_DELAY] = p->v[T_DELAY];
}

static void switch_reset(vs_dev *d, double t_k, double s0)
{
    (void)t_k;
    d->mem[M_ON] = s0 >= 0.5 ? 1.0 : 0.0;
    d->mem[M_PENDING] = INFINITY;
}

static double switch_resistance(const vs_dev *d, double t_k, double *r_heat_ohm)
{
    (void)t_k;
    double r = d->mem[M_ON] != 0 ? d->c[C_R_ON] : d->c[C_R_OFF];
    if (r_heat_ohm) *r_heat_ohm = r;
    return r;
}

static double switch_dtemp_dt(const vs_dev *d, double p_w, double t_k)
{
    (void)d, (void)p_w, (void)t_k;
    return 0.0;
}

static double switch_switched(const vs_dev *d, double t_k)
{
    (void)t_k;
    return d->mem[M_ON] != 0 ? 1.0 : 0.0;
}

/* |V_dev| at t has reached level: from below (rising) or from above (falling). The
   switch is symmetric in the sign of the voltage. */
static int reached(const vs_step_view *s, double t, double level, int rising)
{
    double v = fabs(s->v_dev_at(t, s->ctx));
    return rising ? v >= level : v <= level;
}

/* First time in [t0, t1] at which |V_dev| has reached level (reached at t1), by bisection
   on the dense output to the last representable time; t0 if it already had at t0. */
static double crossing(const vs_step_view *s, double level, int rising)
{
    double lo = s->t0, hi = s->t1;
    if (reached(s, lo, level, rising)) return lo;
    for (int it = 0; it < 200; it++) {
        double mid = lo + 0.5 * (hi - lo);
        if (mid <= lo || mid >= hi) break;
        if (reached(s, mid, level, rising)) hi = mid;
        else lo = mid;
    }
    return hi;
}

/*
 * The state machine, after each accepted step [t0, t1]:
 *   OFF, ON switch pending: switch on once t1 reaches the pending time (next_break
 *     makes the integrator land on it);
 *   OFF: if |V_dev| reaches v_th inside the step (at t_c), the switch takes effect at
 *     t_on = t_c + t_delay, whatever V_dev does meanwhile. t_on inside the step: ask for
 *     the step to be redone to end on t_on (nothing is changed); t_on at t1, or the step
 *     already ends on the asked-for event: switch on now; t_on later: keep it pending;
 *   ON: if |V_dev| falls to v_hold inside the step, redo to the crossing, where it
 *     switches off (no delay).
 * A crossing already past at t0 (which a continuous V_dev makes impossible but a caller
 * starting in an odd state might not) switches at t1. An empty step (t1 <= t0: a caller
 * re-projecting the memory, as after a jitter redraw) changes nothing.
 */
static int switch_after_step(vs_dev *d, const vs_step_view *s, double *t_event)
{
    if (!(s->t1 > s->t0)) return VS_STEP_KEEP;
    if (d->mem[M_ON] != 0) {
        if (!s->at_event) {
            if (!reached(s, s->t1, d->c[C_V_HOLD], 0)) return VS_STEP_KEEP;
            double t_c = crossing(s, d->c[C_V_HOLD], 0);
            if (t_c > s->t0 && t_c < s->t1) {
                *t_event = t_c;
                return VS_STEP_EVENT;
            }
        }
        d->mem[M_ON] = 0.0;
        return VS_STEP_CHANGED;
    }
    if (isfinite(d->mem[M_PENDING])) {
        if (s->t1 < d->mem[M_PENDING]) return VS_STEP_KEEP;
        d->mem[M_ON] = 1.0;
        d->mem[M_PENDING] = INFINITY;
        return VS_STEP_CHANGED;
    }
    if (!s->at_event) {
        if (!reached(s, s->t1, d->c[C_V_TH], 1)) return VS_STEP_KEEP;
        double t_on = crossing(s, d->c[C_V_TH], 1) + d->c[C_T_DELAY];
        if (t_on > s->t1) {
            d->mem[M_PENDING] = t_on;
            return VS_STEP_KEEP;
        }
        if (t_on > s->t0 && t_on < s->t1) {
            *t_event = t_on;
            return VS_STEP_EVENT;
        }
    }
    d->mem[M_ON] = 1.0;
    return VS_STEP_CHANGED;
}

static double switch_next_break(const vs_dev *d, double t)
{
    double p = d->mem[M_PENDING];
    return d->mem[M_ON] == 0 && p > t ? p : (double)INFINITY;
}

/* The threshold and hold points of the I-V curve (no temperature). */
static vs_status switch_folds(const vs_device_params *p, vs_fold *threshold, vs_fold *hold)
{
    double r_off = p->v[R_OFF], r_on = p->v[R_ON], v_th = p->v[V_TH], v_h = p->v[V_HOLD];
    *threshold = (vs_fold){v_th, v_th / r_off, NAN, r_off, v_th * v_th / r_off};
    *hold = (vs_fold){v_h, v_h / r_on, NAN, r_on, v_h * v_h / r_on};
    return VS_OK;
}

const vs_model vs_model_switch = {
    .name = "switch",
    .title = "ideal threshold switch: R_off/R_on, V_th/V_hold, ON delay (reduced model)",
    .doc = "docs/models/switch.md",
    .params = switch_params,
    .n_params = N_SWITCH,
    .aliases = NULL,
    .n_aliases = 0,
    .n_presets = N_PRESETS,
    .coord_key = NULL,
    .coord_meaning = NULL,
    .n_jitter_draws = 0,
    .thermal = 0,
    .preset = switch_preset,
    .from_coord = NULL,
    .validate = switch_validate,
    .ambient_k = switch_ambient,
    .has_jitter = switch_has_jitter,
    .init = switch_init,
    .reset = switch_reset,
    .resistance = switch_resistance,
    .dtemp_dt = switch_dtemp_dt,
    .switched = switch_switched,
    .after_step = switch_after_step,
    .next_break = switch_next_break,
    .folds = switch_folds,
    .branch_resistance = NULL,
    .write_netlist = NULL,
};
