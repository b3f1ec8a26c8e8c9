/*
 * iv.h -- swept characteristics of the device alone: the I-V hysteresis loop
 * under a triangular voltage sweep, and the R-T loop under a temperature sweep.
 *
 * I-V: a source V_src(t), a triangle 0 -> v_max -> 0 repeated n_cycles times,
 * drives the device through an optional load resistor (0 = pure voltage drive):
 *   I = V_src/(R + R_load),  the heat balance of the device's model (model.h),
 * with the same memory updates, switching detector (spikes.h) and cycle-to-cycle jitter
 * as the neuron (redrawn at t = 0 and at every re-arm). The ON jump of a cycle is V_src
 * at the detector's up crossing (vo2x: m crossing 0.5 upward), the OFF jump at its down
 * crossing.
 *
 * R-T: the temperature is swept from t_lo to t_hi and back (quasi-statically,
 * no self-heating) and R recorded on both branches (thermal models only).
 *
 * Units: SI. vs_iv_result owns its arrays (vs_iv_result_free).
 */
#ifndef VO2SNN_IV_H
#define VO2SNN_IV_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/device.h"
#include "vo2snn/status.h"

typedef struct vs_iv_opts {
    double v_max_v;        /* peak of the triangle (default: 1.3 x the quasi-static threshold) */
    double period_s;       /* one up-and-down sweep (default 2 ms) */
    double r_load_ohm;     /* series load (default 0) */
    long n_cycles;         /* default 1 */
    double rtol;           /* default 1e-7 */
    double h_max_s;        /* default 1 us */
    double dt_out_s;       /* trace sampling; 0 = none */
    long trace_cycles;     /* cycles sampled into the trace (0 = all) */
    uint64_t seed;         /* jitter RNG seed */
} vs_iv_opts;

vs_iv_opts vs_iv_opts_default(void);

typedef struct vs_iv_sample {
    double t_s, v_src_v, v_dev_v, i_a, temp_k, r_ohm, m;
    long cycle;
} vs_iv_sample;

/* Receives trace samples; return non-zero to receive no more (the sweep goes on). */
typedef int (*vs_iv_sample_fn)(const vs_iv_sample *s, void *user);

typedef struct vs_iv_result {
    long n_cycles;
    double *v_on_v;        /* per cycle; NAN if the device did not switch on */
    double *v_off_v;       /* per cycle; NAN if it did not switch off */
    long n_steps;
} vs_iv_result;

/*
 * v_max_v <= 0 in opts means "1.3 x V_th" of this device. Before any work: VS_EINVAL if
 * the sweep over h_max exceeds VS_MAX_STEPS, or, with a sample callback, the traced
 * cycles over dt_out exceed VS_MAX_TRACE_SAMPLES (vs_iv_trace_budget).
 */
vs_status vs_iv_sweep(const vs_device_params *dev, const vs_iv_opts *opts, vs_iv_sample_fn sample,
                      void *user, vs_iv_result *res);
void vs_iv_result_free(vs_iv_result *res);

/* The trace budget of opts: VS_EINVAL (message naming `what`, e.g. "--dt-out") if the
   traced cycles over dt_out_s exceed VS_MAX_TRACE_SAMPLES; VS_OK with no trace. */
vs_status vs_iv_trace_budget(const vs_iv_opts *opts, const char *what);

/* Summary statistics of n values, NANs skipped. */
typedef struct vs_stats {
    long n;
    double mean, std, min, max, p05, p95;
} vs_stats;
vs_stats vs_stats_of(const double *v, long n);

/*
 * R-T loop: n temperatures from t_lo to t_hi; r_heat[i] on the way up (starting
 * insulating), r_cool[i] on the way back down, both at t[i].
 */
vs_status vs_rt_loop(const vs_device_params *dev, double t_lo_k, double t_hi_k, size_t n,
                     double *t_k, double *r_heat_ohm, double *r_cool_ohm);

/*
 * The R-T loop summarised relative to the model's own transition: heating from ambient,
 * the edges where the switched fraction passes 1 % and 99 %, R there and their ratio
 * (the jump across the transition), and the temperatures where it passes 0.5 on heating
 * and on cooling back (their difference is the thermal hysteresis). Fields the loop
 * does not reach (no transition within 300 K of ambient) are NAN.
 */
typedef struct vs_rt_summary {
    double r_ambient_ohm;
    double t_edge_lo_k, r_edge_lo_ohm;   /* last heating temperature with switched <= 1 % */
    double t_edge_hi_k, r_edge_hi_ohm;   /* first with switched >= 99 % */
    double jump_ratio;                   /* r_edge_lo / r_edge_hi */
    double t_half_heat_k, t_half_cool_k;
} vs_rt_summary;

vs_status vs_rt_summarize(const vs_device_params *dev, vs_rt_summary *out);

/*
 * The film R-T map of the paper's Fig 1F-G: the vo2x film display model (vs_device_film) of
 * the device at vacancy level x[i] = i / (nx - 1), i = 0..nx-1, each an R-T loop over the nt
 * temperatures t_k[k] from t_lo_k to t_hi_k (vs_rt_loop); r_heat_ohm and r_cool_ohm hold
 * nx * nt values, position-major ([i * nt + k]). centre_k[i] is the centre of loop i: the
 * mean of the heating and cooling temperatures where the switched fraction crosses 0.5
 * (vs_rt_summarize). Free with vs_rt_map_free (also after a failure).
 */
typedef struct vs_rt_map {
    int nx, nt;
    double *x, *t_k, *centre_k;
    double *r_heat_ohm, *r_cool_ohm;
} vs_rt_map;

vs_status vs_rt_map_film(int nx, int nt, double t_lo_k, double t_hi_k, vs_rt_map *out);
void vs_rt_map_free(vs_rt_map *m);

/* The jitter seed of device i in vs_iv_sweep_devices: seed * 1000003 + i. */
uint64_t vs_iv_device_seed(uint64_t seed, int i);

/* Progress: called (serialised) after each finished device; non-zero cancels (same type
   as sweep.h's vs_progress_fn). */
typedef int (*vs_iv_progress_fn)(long done, long total, void *user);

/*
 * vs_iv_sweep of n devices, in parallel over devices (OpenMP), without traces: device i
 * runs opts with seed vs_iv_device_seed(opts->seed, i) into res[i] (owned by the caller,
 * free each with vs_iv_result_free, also after failure), its status in st[i]. Devices
 * not started after a cancel get VS_EINVAL. Results do not depend on the thread count.
 * Returns VS_OK, or the status of the first failing device (lowest index) with its
 * message in vs_last_error().
 */
vs_status vs_iv_sweep_devices(const vs_device_params *devs, int n, const vs_iv_opts *opts,
                              vs_iv_progress_fn progress, void *user, vs_iv_result *res,
                              vs_status *st);

#endif
