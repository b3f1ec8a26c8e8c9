/*
 * neuron.h -- the relaxation-oscillator neuron of paper Fig 3A, simulated in time.
 *
 *   V_in(t) --R_s-- N --+-- C -- ground
 *                       +-- device -- S -- R_sense -- ground      V_spike = V(S)
 *
 *   C dV/dt     = (V_in - V)/R_s - I,     I = V/(R + R_sense)
 *   C_th dT/dt  = (heat balance of the device's model, model.h)
 *
 * with R, its memory and its temperature from the device's model (model.h; vo2x:
 * docs/models/vo2x.md 1.1). A current input I_in(t) is injected into N instead:
 * C dV/dt = I_in - I, no R_s in its path (E_Rs = 0); vs_sample.v_in_v then holds I_in (A).
 *
 * Spikes come from the switching detector (spikes.h) on the device's switched fraction,
 * located inside the step on the dense output: m crossing 0.5 upward and re-arming at
 * 0.1 for a full swing (docs/models/vo2x.md 1.3). Its sign is the sign of the device
 * current (negative inputs give inverted spikes). With the device's cycle-to-cycle
 * jitter on (vo2x), R_ins0 and T_c are redrawn at t = 0 and at every re-arm from an RNG
 * seeded by opts.seed.
 *
 * The energies delivered by the source and dissipated in R_s, the device and
 * R_sense are integrated as quadratures alongside (V, T), so the energy balance
 * E_in = E_Rs + E_dev + E_sense + dE_C holds to the integration tolerance.
 *
 * Units: SI. Results own their spike arrays (vs_neuron_result_free).
 */
#ifndef VO2SNN_NEURON_H
#define VO2SNN_NEURON_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/device.h"
#include "vo2snn/input.h"
#include "vo2snn/ode.h"
#include "vo2snn/status.h"

typedef struct vs_circuit {
    double r_series_ohm;   /* R_s */
    double c_f;            /* C, node to ground */
    double r_sense_ohm;    /* R_sense (sampling resistor) */
} vs_circuit;

/* Paper defaults: 3 kOhm, 1.8 nF, 50 ohm. */
vs_circuit vs_circuit_default(void);
vs_status vs_circuit_validate(const vs_circuit *c);

typedef struct vs_sim_opts {
    vs_ode_method method;  /* VS_ODE_DP54 (default) or VS_ODE_RK4 */
    double rtol;           /* DP54: 1e-6 */
    double atol_v;         /* DP54: 1e-6 V */
    double atol_temp_k;    /* DP54: 1e-4 K */
    double h_max_s;        /* DP54 largest step: 100 ns */
    double dt_s;           /* RK4 step: 1 ns */
    long max_steps;        /* 0 = automatic (generous, from t_end) */
    double t_end_s;        /* simulated time */
    double t_window0_s, t_window1_s;  /* statistics window; defaults to the last 70 % */
    double dt_out_s;       /* trace sampling interval; 0 = no trace */
    uint64_t seed;         /* jitter RNG seed (used only if a sigma is > 0) */
    double v0_v, temp0_k, m0;  /* initial state; temp0 NAN = ambient */
    float *v_spike_grid;       /* if set (and no sample callback): V_spike at t = k dt_out, */
    size_t n_v_spike_grid;     /* k < n_v_spike_grid, filled directly (fast path for networks) */
} vs_sim_opts;

vs_sim_opts vs_sim_opts_default(void);

/*
 * Step budget of a run of t_end_s with o's method: t_end_s over the RK4 step dt_s, or over
 * the DP54 largest step h_max_s (a lower bound on its steps), at most VS_MAX_STEPS. Else
 * VS_EINVAL; the message names the step as rk4_name or dp54_name (e.g. "--dt", "--h-max").
 */
vs_status vs_sim_check_steps(const vs_sim_opts *o, double t_end_s, const char *rk4_name,
                             const char *dp54_name);

/* One trace sample (every column of the transient CSV). */
typedef struct vs_sample {
    double t_s, v_in_v, v_osc_v, v_spike_v, i_dev_a, temp_k, r_dev_ohm, m, p_total_w;
} vs_sample;

/* Receives each sample; return non-zero to stop the simulation early (not an error). */
typedef int (*vs_sample_fn)(const vs_sample *s, void *user);

typedef struct vs_neuron_result {
    /* every spike over [0, t_end] */
    size_t n_spikes;
    double *spike_t_s;
    signed char *spike_sign;
    size_t n_positive, n_negative;

    /* over the statistics window */
    size_t n_spikes_window;
    double freq_hz;                 /* (N-1)/(t_N - t_1) over window spikes; 0 if N < 2 */
    double v_osc_min_v, v_osc_max_v;
    double v_spike_peak_v;          /* largest |V_spike| */
    double i_peak_a;                /* largest |I| */
    double m_min, m_max;
    double p_in_mean_w, p_dev_mean_w;
    double v_spike_mean_v;          /* mean V_spike: what a downstream adder averages */
    double e_in_per_spike_j, e_dev_per_spike_j;   /* P/f; NAN if no oscillation */

    /* over [0, t_end] */
    double e_in_j, e_series_j, e_dev_j, e_sense_j, e_cap_j; /* e_cap: stored at the end */
    double q_in_c;                  /* charge delivered by the source */
    double temp_max_k;
    double v_end_v, temp_end_k, m_end;  /* m_end: the device's switched fraction */
    double i_end_a;                 /* device current at the end */
    double t_end_s;                 /* where the run stopped */
    long n_steps, n_rejected, n_rhs;
} vs_neuron_result;

/*
 * Simulate the neuron from its initial state to opts->t_end_s. sample (may be
 * NULL) receives samples every opts->dt_out_s taken from the dense output, so
 * results never depend on the sampling interval. On failure res holds what was
 * computed up to the failure and vs_last_error() names the time and state.
 * Before any work: VS_EINVAL if t_end over the step (RK4 dt, DP54 h_max) exceeds
 * VS_MAX_STEPS, or, with a sample callback, t_end / dt_out exceeds VS_MAX_TRACE_SAMPLES.
 */
vs_status vs_neuron_simulate(const vs_device_params *dev, const vs_circuit *c,
                             const vs_input *in, const vs_sim_opts *opts, vs_sample_fn sample,
                             void *user, vs_neuron_result *res);

void vs_neuron_result_free(vs_neuron_result *res);

#endif
