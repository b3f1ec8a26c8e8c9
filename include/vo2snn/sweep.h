/*
 * sweep.h -- neuron characterisation: classify an operating point as un-firing,
 * oscillating or firing; phase diagrams over (R_s, V_in); oscillation-window
 * edges; triple points; the analytic load-line (chord) boundaries.
 *
 * Classification of one run from rest (docs/models/vo2x.md 3.2 / A5), documented and not tuned:
 *   run t_run (default 300 us) from V = 0, T = T_amb, m = 0 (the model's rest state);
 *   oscillating  if at least min_spikes (2) spikes fall in [settle*t_run, t_run]
 *                (settle = 0.5, so the first half is discarded);
 *   firing       otherwise, if the device ends on its high-current branch: its current
 *                beyond the hold fold's I_h (models without folds: switched fraction
 *                above 0.5), whatever its metallic fraction;
 *   un-firing    otherwise (stable insulating point).
 * The frequency of an oscillating point is (N-1)/(t_N - t_1) over that window.
 *
 * Sweeps run their points in parallel with OpenMP; every point is independent
 * (its own RNG stream, seeded from (seed, point index), when jitter is on), so
 * results are bit-identical for any thread count.
 *
 * Units: SI. Outputs are caller-allocated arrays.
 */
#ifndef VO2SNN_SWEEP_H
#define VO2SNN_SWEEP_H

#include "vo2snn/device.h"
#include "vo2snn/neuron.h"
#include "vo2snn/status.h"

typedef enum vs_regime { VS_UNFIRING = 0, VS_OSCILLATING = 1, VS_FIRING = 2 } vs_regime;

/* "un-firing", "oscillating", "firing" */
const char *vs_regime_name(vs_regime r);

typedef struct vs_classify_opts {
    double t_run_s;       /* 300 us */
    double settle_frac;   /* 0.5 */
    int min_spikes;       /* 2 */
    vs_sim_opts sim;      /* integrator settings; t_end, window and sampling are set per run */
} vs_classify_opts;

vs_classify_opts vs_classify_opts_default(void);

typedef struct vs_point {
    vs_regime regime;
    double freq_hz;          /* oscillating points; 0 otherwise */
    double p_in_w;           /* mean source power over the statistics window */
    double e_in_per_spike_j; /* oscillating points; NAN otherwise */
    double v_pp_v;           /* V_osc peak-to-peak over the window */
    double v_spike_mean_v;   /* mean V_spike over the window (spikes and leakage) */
    long spikes;             /* in the window */
} vs_point;

/* Classify the neuron (device, circuit) at dc input v_in. */
vs_status vs_classify(const vs_device_params *dev, const vs_circuit *c, double v_in,
                      const vs_classify_opts *o, vs_point *out);

/* A grid of n points from lo to hi (hi > lo; hi == lo only for n == 1), linear or
   logarithmic (lo > 0). */
typedef struct vs_grid {
    double lo, hi;
    long n;
    int log;
} vs_grid;

vs_status vs_grid_validate(const vs_grid *g, const char *name);
double vs_grid_at(const vs_grid *g, long i);

/* Progress: called (serialised) after each finished point; return non-zero to cancel. */
typedef int (*vs_progress_fn)(long done, long total, void *user);

/*
 * Phase diagram: out[iv * r_s->n + ir] for V_in = v_in(iv), R_s = r_s(ir), with the
 * circuit's C and R_sense. Parallel over points (OpenMP). On failure the first
 * failing point (lowest index) is reported.
 */
vs_status vs_phase_sweep(const vs_device_params *dev, const vs_circuit *c, const vs_grid *r_s,
                         const vs_grid *v_in, const vs_classify_opts *o, vs_progress_fn progress,
                         void *user, vs_point *out);

/*
 * The same, resumable: done (r_s->n * v_in->n flags, may be NULL) marks points already
 * computed (their out[] entries are kept and skipped); each point finished here is
 * flagged in done before progress is called for it, so progress (serialised) may save
 * every flagged point as a partial result.
 */
vs_status vs_phase_sweep_resume(const vs_device_params *dev, const vs_circuit *c,
                                const vs_grid *r_s, const vs_grid *v_in, const vs_classify_opts *o,
                                unsigned char *done, vs_progress_fn progress, void *user,
                                vs_point *out);

/*
 * Oscillation window at the circuit's R_s (docs/models/vo2x.md A5): v_a = lowest V_in that is not
 * un-firing, v_b = highest V_in above v_a that still oscillates, both by bisection
 * to tol_v; *nonempty = (v_a + 2 tol_v oscillates). v_b is NAN if the window is empty.
 */
vs_status vs_window_edges(const vs_device_params *dev, const vs_circuit *c,
                          const vs_classify_opts *o, double tol_v, double *v_a, double *v_b,
                          int *nonempty);

typedef struct vs_triple {
    double r_s_ohm, v_in_v;
} vs_triple;

/*
 * Triple point (docs/models/vo2x.md A6): the smallest R_s with a non-empty window, by bisection on
 * R_s to relative tolerance tol_r (window edges to tol_v), and V_in* = v_a there.
 * The circuit's r_series is ignored.
 */
vs_status vs_triple_point(const vs_device_params *dev, const vs_circuit *c,
                          const vs_classify_opts *o, double tol_r, double tol_v, vs_triple *out);

/*
 * Analytic load-line (chord) boundaries (docs/models/vo2x.md 3.2) with V_H = V_th + I_th R_sense,
 * V_L = V_hold + I_hold R_sense:  V_A = V_H + I_th R_s,  V_B = V_L + I_hold R_s,
 * triple point R_s* = (V_H - V_L)/(I_hold - I_th).
 */
/*
 * Phase-diagram axes around the device's chord triple point (R*, V*), for the ends that
 * are NAN: R_s from R* / 5 to 5 R*, V_in from 0.8 V* to 1.3 V_B(2 R*) (the upper window edge
 * at twice R*), each rounded to 2 significant digits; n and log are left as they are.
 * Device 1 of vo2x in the paper's circuit: 250-6200 Ohm x 6.0-16 V (Fig 3F).
 */
vs_status vs_phase_default_grids(const vs_device_params *dev, const vs_circuit *c, vs_grid *r_s,
                                 vs_grid *v_in);

vs_status vs_load_line(const vs_device_params *dev, const vs_circuit *c, double *v_a,
                       double *v_b, vs_triple *chord_triple);

/*
 * Triple points of n devices (the circuit's C and R_sense), in parallel over devices
 * (OpenMP): for device i, chord[i] from vs_load_line and then tp[i] from vs_triple_point;
 * st[i] is its status (tp[i] is not computed when the chord fails). progress is called
 * (serialised) after each device; non-zero cancels the devices not yet started (their
 * st[] is VS_EINVAL). Results do not depend on the thread count. Returns VS_OK, or the
 * status of the first failing device (lowest index) with its message in vs_last_error().
 */
vs_status vs_triple_points(const vs_device_params *devs, int n, const vs_circuit *c,
                           const vs_classify_opts *o, double tol_r, double tol_v,
                           vs_progress_fn progress, void *user, vs_triple *tp, vs_triple *chord,
                           vs_status *st);

/*
 * V-f curve of one device at the circuit's R_s (Fig 3K/3L, docs/models/vo2x.md 3.3): the
 * swept range is [v_min, v_max], each NAN end replaced by the window edge (vs_window_edges,
 * tol 5 mV); n = floor((v_hi - v_lo) / v_step) + 2 points from v_lo + 10 mV to v_hi - 10 mV
 * (one point if those cross), classified by vs_phase_sweep (parallel over points). An empty
 * window or range gives n = 0 and VS_OK. With exactly one end fixed, an end beyond the
 * other window edge is VS_EINVAL (edge_lo_v/edge_hi_v say where the edges are).
 * out owns v_in_v and pts (vs_vf_curve_free); on failure they are freed, and if the
 * edges could not be found, edge_lo_v/edge_hi_v are NAN and nonempty is 0.
 */
typedef struct vs_vf_curve {
    double v_lo_v, v_hi_v;       /* swept range: fixed ends, window edges for the others */
    double edge_lo_v, edge_hi_v; /* window edges; NAN when both ends are fixed */
    int nonempty;                /* window non-empty (1 when both ends are fixed) */
    long n;                      /* points */
    double *v_in_v;              /* (n) */
    vs_point *pts;               /* (n) */
} vs_vf_curve;

vs_status vs_vf_curve_sweep(const vs_device_params *dev, const vs_circuit *c, const vs_classify_opts *o,
                            double v_min, double v_max, double v_step, vs_progress_fn progress,
                            void *user, vs_vf_curve *out);
void vs_vf_curve_free(vs_vf_curve *c);   /* NULL or an empty curve: no-op */

/* Progress of device `device` of a list: called (serialised) after each finished point. */
typedef int (*vs_device_progress_fn)(int device, long done, long total, void *user);

/*
 * V-f curves of n devices, one after the other (each parallel over its points, so
 * results do not depend on the thread count), stopping at the first failing device:
 * returns its status (message in vs_last_error()); st[i] of devices not run is VS_EINVAL
 * and their out[i] is empty. Free every out[i] with vs_vf_curve_free, also after failure.
 */
vs_status vs_vf_curves(const vs_device_params *devs, int n, const vs_circuit *c,
                       const vs_classify_opts *o, double v_min, double v_max, double v_step,
                       vs_device_progress_fn progress, void *user, vs_vf_curve *out, vs_status *st);

#endif
