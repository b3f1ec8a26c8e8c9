/* model_switch.c -- the ideal threshold switch (docs/models/switch.md; docs/models/vo2x.md section 1.6):
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
               "ambient temperature (the switch has no thermal state)", VS_PARAM_SETTING},
};

/* ---- presets: paper devices 1-5 reduced (docs/models/vo2x.md 1.6 table; V_th, V_hold from A1) ---------- */

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

/* ---- ngspice form ---------------------------------------------------------------------- */

/*
 * The switch as ngspice behavioural sources (docs/models/switch.md, "ngspice form"): the
 * conductance interpolated by a resistance state m that follows a decision flip-flop q
 * within ~tau_m; an ON timer (1 V = 1 ns) that runs once |V_dev| >= v_th and latches after
 * sw_tarm, so the switch happens t_delay after the crossing whatever V_dev does meanwhile;
 * an OFF latch once |V_dev| <= v_hold (needed when R_sense > 0: the rising resistance lifts
 * V_dev again during the turn-off). Every comparison is a smooth step; every state capacitor
 * carries its own IC=. No thermal state: temp is held at t_amb by a source.
 */
static vs_status switch_write_netlist(FILE *f, const vs_device_params *p, double tau_m_s)
{
    (void)p;
    fprintf(f, "* switch: numerical constants (not device parameters)\n");
    fprintf(f, ".param tau_m = %.10g  $ time of the resistance change (s)\n", tau_m_s);
    fprintf(f, ".param sw_tauq = {tau_m/10}  $ time of the decision flip-flop and timer resets (s)\n");
    fprintf(f, ".param sw_epsv = 1e-4  $ width of the voltage comparisons (V)\n");
    fprintf(f, "* the timers count in ns (1 V = 1 ns): in seconds they would sit below vntol\n");
    fprintf(f, ".param sw_epst = 0.01  $ width of the timer comparisons (ns)\n");
    fprintf(f, ".param sw_tarm = 0.2  $ a timer latches once it has run this long (ns)\n");
    fprintf(f, ".param sw_td = {max(t_delay*1e9, 0.5)}  $ the ON delay in ns, at least 0.5 ns "
               "(> 2 sw_tarm)\n");
    fprintf(f, "* the state nodes are stiff (they relax within ~tau_m against steps of up to the max\n"
               "* step): Gear (BDF2) integration damps them\n");
    fprintf(f, ".options method=gear\n");
    fprintf(f, "* smooth step: 0 for x << -1, 1 for x >> 1\n");
    fprintf(f, ".func sw_st(x) {0.5*(1 + tanh(x))}\n");
    fprintf(f, "*\n* ---- the switch device: ports a b (terminals), temp (no thermal state: held at\n"
               "* t_amb), m (resistance state, 0 = OFF, 1 = ON) ----\n");
    fprintf(f, ".subckt vsdevice a b temp m\n");
    fprintf(f, "* no thermal state: temp held at t_amb (1 V = 1 K), as the library keeps it\n");
    fprintf(f, "Vtemp temp 0 DC {t_amb}\n");
    fprintf(f, "* the device current, the conductance interpolated by m\n");
    fprintf(f, "Bdev a b I = V(a,b)*((1 - V(m))/r_off + V(m)/r_on)\n");
    fprintf(f, "* decision flip-flop q (1 F); sel = 1 once ON is decided (q > 0.5), sharply. While\n"
               "* ON, q stays 1 until the OFF latch has run 2 sw_tarm; while OFF, it goes to 1 once\n"
               "* the ON timer has reached sw_td\n");
    fprintf(f, "Bsel sel 0 V = sw_st((V(q) - 0.5)/0.02)\n");
    fprintf(f, "Cq q 0 1 IC=0\n");
    fprintf(f, "Bq 0 q I = (V(sel)*sw_st((2*sw_tarm - V(toff))/sw_epst)"
               " + (1 - V(sel))*sw_st((V(ton) - sw_td)/sw_epst) - V(q))/sw_tauq\n");
    fprintf(f, "* ON timer ton (1 F, 1 V = 1 ns): while OFF it runs at 1 ns/ns once |V(a,b)| >= v_th,\n"
               "* and keeps running once past sw_tarm whatever V does; reset once q is firmly ON\n");
    fprintf(f, "Cton ton 0 1 IC=0\n");
    fprintf(f, "Bton 0 ton I = (1 - V(sel))*1e9*max(sw_st((abs(V(a,b)) - v_th)/sw_epsv),"
               " sw_st((V(ton) - sw_tarm)/sw_epst)) - sw_st((V(q) - 0.75)/0.02)*V(ton)/sw_tauq\n");
    fprintf(f, "* OFF latch toff (1 F, 1 V = 1 ns): while ON it runs once |V(a,b)| <= v_hold, and\n"
               "* keeps running once past sw_tarm (the decision stands while the rising resistance\n"
               "* lifts V(a,b) again); reset once q is firmly OFF\n");
    fprintf(f, "Ctoff toff 0 1 IC=0\n");
    fprintf(f, "Btoff 0 toff I = V(sel)*1e9*max(sw_st((v_hold - abs(V(a,b)))/sw_epsv),"
               " sw_st((V(toff) - sw_tarm)/sw_epst)) - sw_st((0.25 - V(q))/0.02)*V(toff)/sw_tauq\n");
    fprintf(f, "* resistance state m (1 F): follows the decision within ~tau_m; starts OFF\n");
    fprintf(f, "Cm m 0 1 IC=0\n");
    fprintf(f, "Bm 0 m I = (V(sel) - V(m))/tau_m\n");
    fprintf(f, ".ends vsdevice\n");
    return ferror(f) ? vs_fail(VS_EIO, "cannot write the netlist") : VS_OK;
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
    .write_netlist = switch_write_netlist,
};
