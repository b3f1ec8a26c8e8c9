/*
 * spikes.h -- switching events of a device from its switched (metallic) fraction s(t),
 * with thresholds taken from the waveform's own swing, so that a device whose s swings
 * only partly (overlapping hysteresis branches, minor loops) still has its spikes counted.
 *
 * The detector is fed once per accepted integration step. It is armed while the device
 * is off. Armed, it fires (VS_EV_UP, "a spike") when s rises through the midpoint between
 * the trough it rose from and the previous peak (1 before the first spike), a midpoint
 * at least a_min/2 above the trough, so a rise smaller than a_min never counts. It then
 * tracks the peak; VS_EV_DOWN is s falling back through the midpoint of this swing (the
 * OFF jump of a sweep); it re-arms (VS_EV_REARM, where cycle-to-cycle jitter is redrawn)
 * when s falls to trough + rearm_frac x swing, or when s turns up again by `turn` after
 * a fall of at least a_min. For a device swinging fully between 0 and 1 this is the
 * classic rule: a spike at s = 0.5 upward, re-armed at s = 0.1 (docs/models/vo2x.md 1.3).
 *
 * Why s and not the device current: the current of a device below threshold ripples
 * with its input (a pulse train charging the capacitor), and a waveform-relative
 * current threshold counts those ripples as spikes; s moves only when the device
 * switches. Event times are located by bisection on s inside the step.
 */
#ifndef VO2SNN_SPIKES_H
#define VO2SNN_SPIKES_H

typedef struct vs_switch_detector {
    double a_min;       /* smallest swing of s counted as a spike (default 0.1) */
    double rearm_frac;  /* re-arm at trough + rearm_frac x swing (default 0.1) */
    double turn;        /* a rise this large after a fall of a_min confirms a trough (0.02) */
    int armed, on;
    double peak;        /* peak of the last swing (1 before the first) */
    double trough;      /* armed: lowest s since re-arming */
    double last_trough; /* the trough the last spike rose from */
    double run_max, run_min;  /* disarmed: highest s since the spike, lowest after it */
} vs_switch_detector;

enum { VS_EV_UP = 1, VS_EV_DOWN = 2, VS_EV_REARM = 3 };

typedef struct vs_switch_events {
    int n;
    int kind[4];
    double t[4];
} vs_switch_events;

/* s(t) inside a step [t0, t1), with the device's memory as it was at t0. */
typedef double (*vs_level_at_fn)(double t, const void *ctx);

/* A detector with the default settings for a device starting at s0 (armed if s0 < 0.5). */
void vs_detector_init(vs_switch_detector *d, double s0);

/*
 * Feed the accepted step [t0, t1]: s1 is s at t1 (after the memory update), s_at gives
 * s inside the step. ev receives the events of the step in time order.
 */
void vs_detector_step(vs_switch_detector *d, double t0, double t1, double s1,
                      vs_level_at_fn s_at, const void *ctx, vs_switch_events *ev);

#endif
