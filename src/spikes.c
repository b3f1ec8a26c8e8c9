/* spikes.c -- switching events from the switched fraction, thresholds from its own swing. */
#include "vo2snn/spikes.h"

#include <math.h>

void vs_detector_init(vs_switch_detector *d, double s0)
{
    *d = (vs_switch_detector){.a_min = 0.1, .rearm_frac = 0.1, .turn = 0.02,
                              .armed = s0 < 0.5, .on = s0 >= 0.5, .peak = 1.0, .trough = s0,
                              .last_trough = 0.0, .run_max = s0, .run_min = s0};
}

static void push(vs_switch_events *ev, int kind, double t)
{
    if (ev->n < 4) ev->kind[ev->n] = kind, ev->t[ev->n] = t, ev->n++;
}

/* First time in [t0, t1] where s reaches level going up (dir +1) or down (-1): bisection,
   with s(t1) = s1 (the memory may have changed exactly at t1). */
static double crossing(double t0, double t1, double s1, double level, int dir,
                       vs_level_at_fn s_at, const void *ctx)
{
    double a = t0, b = t1;
    for (int it = 0; it < 60 && b - a > 1e-15; it++) {
        double mid = 0.5 * (a + b);
        double s = mid < t1 ? s_at(mid, ctx) : s1;
        if ((dir > 0) == (s >= level)) b = mid;
        else a = mid;
    }
    return b;
}

/* Armed: a spike when s rises through the midpoint of this trough and the last peak. */
static void step_armed(vs_switch_detector *d, double t0, double t1, double s1,
                       vs_level_at_fn s_at, const void *ctx, vs_switch_events *ev)
{
    double swing = fmax(d->peak - d->trough, d->a_min);
    double level = d->trough + 0.5 * swing;
    if (s1 < level) {
        if (s1 < d->trough) d->trough = s1;
        return;
    }
    push(ev, VS_EV_UP, crossing(t0, t1, s1, level, +1, s_at, ctx));
    d->armed = 0;
    d->on = 1;
    d->last_trough = d->trough;
    d->run_max = d->run_min = s1;
}

/* Disarmed: track the peak; the OFF crossing; re-arm on the way down or at a trough. */
static void step_disarmed(vs_switch_detector *d, double t0, double t1, double s1,
                          vs_level_at_fn s_at, const void *ctx, vs_switch_events *ev)
{
    if (s1 > d->run_max) d->run_max = d->run_min = s1;
    else if (s1 < d->run_min) d->run_min = s1;
    double swing = d->run_max - d->last_trough;
    if (d->on && s1 <= d->last_trough + 0.5 * swing) {
        push(ev, VS_EV_DOWN, crossing(t0, t1, s1, d->last_trough + 0.5 * swing, -1, s_at, ctx));
        d->on = 0;
    }
    int low = s1 <= d->last_trough + d->rearm_frac * swing;
    int turned = d->run_max - d->run_min >= d->a_min && s1 >= d->run_min + d->turn;
    if (!low && !turned) return;
    if (d->on) push(ev, VS_EV_DOWN, t1), d->on = 0;
    push(ev, VS_EV_REARM, t1);
    d->armed = 1;
    d->peak = d->run_max;
    d->trough = turned ? d->run_min : s1;
}

void vs_detector_step(vs_switch_detector *d, double t0, double t1, double s1,
                      vs_level_at_fn s_at, const void *ctx, vs_switch_events *ev)
{
    ev->n = 0;
    if (d->armed) {
        step_armed(d, t0, t1, s1, s_at, ctx, ev);
        return;
    }
    step_disarmed(d, t0, t1, s1, s_at, ctx, ev);
    if (d->armed && d->trough < s1) step_armed(d, t0, t1, s1, s_at, ctx, ev);
}
