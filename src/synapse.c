/* synapse.c -- op-amp model of the two-stage inverting adder. */
#include "vo2snn/synapse.h"

#include <math.h>

vs_opamp vs_opamp_default(void)
{
    return (vs_opamp){.ideal = 0, .a0 = 2e5, .gbw_hz = 10e6, .slew_v_per_s = 20e6, .rail_v = 13.5,
                      .supply_v = 15.0, .i_quiescent_a = 1e-3, .r_feedback_ohm = 100e3};
}

vs_opamp vs_opamp_ideal(void)
{
    vs_opamp o = vs_opamp_default();
    o.ideal = 1;
    return o;
}

double vs_opamp_gain_factor(const vs_opamp *o, double ng)
{
    return o->ideal ? 1.0 : 1.0 / (1.0 + ng / o->a0);
}

double vs_opamp_tau(const vs_opamp *o, double ng)
{
    return o->ideal ? 0.0 : ng / (2.0 * 3.14159265358979323846 * o->gbw_hz);
}

double vs_opamp_power(const vs_opamp *o, double v_o, double i_load, double p_resistors)
{
    double i_out = fabs(v_o / o->r_feedback_ohm + i_load);
    return 2.0 * o->supply_v * o->i_quiescent_a + (o->supply_v - fabs(v_o)) * i_out + p_resistors;
}

static double clip(double v, double lim) { return v > lim ? lim : (v < -lim ? -lim : v); }

/* One first-order lag towards target over h, slew-limited and clipped. */
static double lag(double v, double target, double tau, double h, double slew, double rail)
{
    double next = tau > 0 ? target + (v - target) * exp(-h / tau) : target;
    if (slew > 0 && tau > 0) {
        double lim = slew * h;
        if (next - v > lim) next = v + lim;
        if (v - next > lim) next = v - lim;
    }
    return clip(next, rail);
}

/* First-order low-pass y' = (x - y)/tau over one step in which x runs linearly from x0 to x1
   (exact); decay = exp(-h/tau), ramp = tau/h (1 - decay); decay = 0 means no filter. */
static double lowpass(double y, double x0, double x1, double decay, double ramp)
{
    if (decay == 0.0) return x1;
    return x1 + (y - x0) * decay - (x1 - x0) * ramp;
}

void vs_adder_run(const vs_opamp *o, const vs_adder *a, const float *s_exc, const float *s_inh,
                  size_t n, double dt, float *v1, float *v2)
{
    const double k1 = vs_opamp_gain_factor(o, a->ng1), k2 = vs_opamp_gain_factor(o, a->ng2);
    const double tau1 = vs_opamp_tau(o, a->ng1), tau2 = vs_opamp_tau(o, a->ng2);
    const double rail = o->rail_v, slew = o->ideal ? 0.0 : o->slew_v_per_s, bias = a->bias_v;
    const double rail2 = a->rail_out_v > 0 && a->rail_out_v < rail ? a->rail_out_v : rail;
    const double ks = a->k_split >= 1 ? a->k_split : 1.0, tau_f = a->tau_syn_s;
    /* input offset: +NG V_os at each stage's output (synapse.h); 0 adds nothing at all */
    const double os1 = k1 * a->ng1 * o->offset_v, os2 = k2 * a->ng2 * o->offset_v;
    const int offset = o->offset_v != 0.0;
    /* an ideal op-amp leaves only the linear R_f || C_f filters, updated exactly per grid
       step for an input linear between samples; op-amp lags and slew need sub-steps */
    const int sub = (tau1 > 0 || tau2 > 0) ? 4 : 1;
    const double h = dt / sub, decay_f = tau_f > 0 ? exp(-h / tau_f) : 0.0;
    const double ramp_f = tau_f > 0 ? tau_f / h * (1.0 - decay_f) : 0.0;
#define SUM(arr, i) ((arr) ? (double)(arr)[i] : 0.0)
    /* settled at t = 0: filters at their static values */
    double f1 = -k1 * SUM(s_exc, 0) / ks;
    if (offset) f1 += os1;
    double x1 = clip(f1, rail);
    double f2 = -k2 * (ks * x1 + SUM(s_inh, 0) - bias);
    if (offset) f2 += os2;
    double x2 = clip(f2, rail2);
    v1[0] = (float)x1;
    v2[0] = (float)x2;
    double t1_prev = f1, t2_prev = f2;
    for (size_t i = 0; i + 1 < n; i++) {
        for (int k = 1; k <= sub; k++) {
            double f = (double)k / sub;
            double se = (1 - f) * SUM(s_exc, i) + f * SUM(s_exc, i + 1);
            double si = (1 - f) * SUM(s_inh, i) + f * SUM(s_inh, i + 1);
            double t1 = -k1 * se / ks;
            if (offset) t1 += os1;
            f1 = lowpass(f1, t1_prev, t1, decay_f, ramp_f);        /* R_f || C_f of stage 1 */
            t1_prev = t1;
            x1 = lag(x1, f1, tau1, h, slew, rail);
            double t2 = -k2 * (ks * x1 + si - bias);
            if (offset) t2 += os2;
            f2 = lowpass(f2, t2_prev, t2, decay_f, ramp_f);        /* R_f || C_f of stage 2 */
            t2_prev = t2;
            x2 = lag(x2, f2, tau2, h, slew, rail2);
        }
        v1[i + 1] = (float)x1;
        v2[i + 1] = (float)x2;
    }
#undef SUM
}
