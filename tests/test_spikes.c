/* test_spikes.c -- the switching detector on waveforms whose events are known in closed form. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "vo2snn/spikes.h"

/* A waveform s(t) given as a function, fed in steps of h like an integrator would. */
typedef double (*wave_fn)(double t);

static double call_wave(double t, const void *ctx)
{
    return (*(const wave_fn *)ctx)(t);
}

typedef struct events {
    int n_up, n_down, n_rearm;
    double up[64], down[64];
} events;

static events feed(wave_fn w, double t_end, double h)
{
    events e = {0};
    vs_switch_detector d;
    vs_detector_init(&d, w(0.0));
    for (double t0 = 0.0; t0 < t_end; t0 += h) {
        vs_switch_events ev;
        vs_detector_step(&d, t0, t0 + h, w(t0 + h), call_wave, &w, &ev);
        for (int k = 0; k < ev.n; k++) {
            if (ev.kind[k] == VS_EV_UP && e.n_up < 64) e.up[e.n_up++] = ev.t[k];
            if (ev.kind[k] == VS_EV_DOWN && e.n_down < 64) e.down[e.n_down++] = ev.t[k];
            if (ev.kind[k] == VS_EV_REARM) e.n_rearm++;
        }
    }
    return e;
}

static const double two_pi = 6.283185307179586;

/* Full swing 0..1: (1 - cos)/2 with period 1 crosses 0.5 upward at t = 0.25 + k. */
static double full(double t) { return 0.5 * (1 - cos(two_pi * t)); }

/* Partial swing between 0.4 and 0.9 (overlapping branches): midpoint 0.65 at t = 0.25 + k. */
static double partial(double t) { return 0.65 - 0.25 * cos(two_pi * t); }

/* A ripple of 0.04 around 0.02 (sub-threshold): no spike. */
static double ripple(double t) { return 0.02 - 0.02 * cos(two_pi * t); }

/* One switch at t = 0.3 that stays on (a latched device). */
static double latch(double t) { return 1 / (1 + exp(-(t - 0.3) * 200)); }

static void test_full_swing(void)
{
    events e = feed(full, 5.0, 1e-3);
    CHECK(e.n_up == 5 && e.n_down == 5);
    for (int k = 0; k < e.n_up; k++) CHECK_NEAR(e.up[k], 0.25 + k, 0, 1e-9);
    for (int k = 0; k < e.n_down; k++) CHECK_NEAR(e.down[k], 0.75 + k, 0, 1e-9);
    CHECK(e.n_rearm == 5);   /* once per cycle, on the way down at s = 0.1 */
}

static void test_partial_swing(void)
{
    events e = feed(partial, 5.0, 1e-3);
    /* the first rise starts from 0.4 with the nominal peak 1: its level is 0.7, at t = acos(-0.2)/(2 pi);
       from then on the level is the swing's own midpoint 0.65 */
    CHECK(e.n_up == 5);
    CHECK_NEAR(e.up[0], acos((0.65 - 0.7) / 0.25) / two_pi, 0, 1e-9);
    for (int k = 1; k < e.n_up; k++) CHECK_NEAR(e.up[k], 0.25 + k, 0, 1e-6);
}

static void test_ripple_is_not_a_spike(void)
{
    events e = feed(ripple, 5.0, 1e-3);
    CHECK(e.n_up == 0 && e.n_down == 0);
}

static void test_latched_device(void)
{
    events e = feed(latch, 2.0, 1e-3);
    CHECK(e.n_up == 1 && e.n_down == 0);
    CHECK_NEAR(e.up[0], 0.3, 0, 1e-9);
}

/* Steps far longer than the rise: the crossing is still located inside the step. */
static void test_coarse_steps(void)
{
    events e = feed(full, 5.0, 0.1);
    CHECK(e.n_up == 5);
    for (int k = 0; k < e.n_up; k++) CHECK_NEAR(e.up[k], 0.25 + k, 0, 1e-9);
}

int main(void)
{
    RUN(test_full_swing);
    RUN(test_partial_swing);
    RUN(test_ripple_is_not_a_spike);
    RUN(test_latched_device);
    RUN(test_coarse_steps);
    return CHECK_DONE();
}
