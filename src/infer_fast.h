/*
 * infer_fast.h -- the fast engine of circuit inference (internal; docs/engine.md).
 *
 * vo2x neurons (V on the capacitor, T of the device, the play-operator memory m) driven by
 * a dc level or a sampled waveform, each integrated by the L-stable second-order Rosenbrock
 * triple of ode23s with a third-order error estimate and its own adaptive step, the device's
 * physics written out with its Jacobian in closed form: no callbacks, two right-hand sides
 * per step. The stiff thermal node (tau_th 100 ns) never limits the step, so the insulating
 * stretches between spikes take few, long steps and the switching edges short ones. Eight
 * neurons advance side by side in SIMD lanes (one attempt each per pass, a finished lane
 * takes the next neuron), their physics branch-free with a vectorisable exp. Spikes come
 * from the reference's switching detector (spikes.h) on m, linear within a step.
 *
 * Supports the vo2x model without cycle-to-cycle jitter, each neuron with its own
 * parameters (D2D); vs__fast_device() says whether a device qualifies, and infer.c runs
 * the reference engine for a network where one does not.
 *
 * Units: SI. Waveforms are (n) floats at t = i dt, as in network.h.
 */
#ifndef VO2SNN_INFER_FAST_H
#define VO2SNN_INFER_FAST_H

#include <stddef.h>

#include "vo2snn/device.h"
#include "vo2snn/neuron.h"
#include "vo2snn/status.h"
#include "vo2snn/synapse.h"

/* One neuron's device in the form the integrator reads (constants of vo2x). */
typedef struct vs__fast_dev {
    double r_ins0, r_met, r_contact;   /* Ohm */
    double ea_kb, inv_t0;              /* E_a/k_B (K), 1/t_0 (1/K) */
    double g_th, inv_c_th, t_amb;      /* W/K, K/J, K */
    double t_heat, t_cool, inv_w;      /* branch centres (K), 1/w_t (1/K) */
    double hyst_factor;                /* exp(-2 dt_hyst/w_t) */
} vs__fast_dev;

/* 1 and *out filled if p is a vo2x device without jitter (the fast engine runs it), else 0. */
int vs__fast_device(const vs_device_params *p, vs__fast_dev *out);

/* Error control of the integrator: per-step error within atol + rtol |y| for V and T. */
typedef struct vs__fast_tol {
    double rtol, atol_v, atol_temp_k, h_max_s;
} vs__fast_tol;

/* The tolerances the fast engine uses for a reference run with sim (docs/engine.md). */
vs__fast_tol vs__fast_tol_for(const vs_sim_opts *sim);

typedef struct vs__fast_result {
    long n_spikes;            /* every spike over [0, (n-1) dt] */
    double *spike_t_s;        /* caller's buffer: the first cap spike times */
    size_t cap;
    double e_in_j, q_in_c;    /* energy and charge delivered by the source */
    long n_steps;             /* accepted steps */
} vs__fast_result;

/* One neuron to simulate: its device, its input (samples, n values linear between them, or
   when NULL the dc level v_dc), V_spike on the grid (n, may be NULL) and its result, whose
   spike_t_s and cap are the caller's (the rest is set). */
typedef struct vs__fast_job {
    const vs__fast_dev *dev;
    const float *samples;
    double v_dc;
    float *v_spike_out;
    vs__fast_result *res;
} vs__fast_job;

/*
 * Simulate count neurons for (n-1) dt each from rest, LANES of them side by side; each
 * result is independent of the others and of the order. VS_EMAXSTEPS if a step collapses
 * (vs_last_error says where).
 */
vs_status vs__fast_run(const vs__fast_job *jobs, int count, const vs_circuit *c, size_t n, double dt,
                       const vs__fast_tol *tol);

/* One neuron (vs__fast_run of one job). */
vs_status vs__fast_neuron(const vs__fast_dev *d, const vs_circuit *c, const float *samples, double v_dc,
                          size_t n, double dt, const vs__fast_tol *tol, float *v_spike_out,
                          vs__fast_result *res);

/* vs_adder_run of count adders a with ideal op-amps (one exact low-pass update per grid step,
   no lag or slew), LANES side by side: inputs s_exc, s_inh (count, n), outputs v (count, 2, n):
   each adder's v1 then v2. Sample for sample vs_adder_run's values (its twin in
   tests/test_infer_engine.c). */
void vs__fast_adders_ideal(const vs_opamp *o, const vs_adder *a, int count, const float *s_exc, const float *s_inh,
                           size_t n, double dt, float *v);

/* vs_adder_energy with the stage powers summed in closed form (the v^2 terms of the output
   stage and the feedback resistor cancel) and the input resistors' power p_res given as its
   trapezoid sum over the grid, sum_i w_i p_res[i] (w_i 1/2 at the ends, else 1); its twin in
   tests/test_infer_engine.c. */
double vs__fast_adder_energy(const vs_opamp *op, const vs_adder *adder, const float *v1, const float *v2,
                             double p_res_sum, size_t n, double dt, double q_in_c, double e_in_j, double *v_in_mean_v);

/* Workspace of vs__fast_layer for up to count targets (the caller's): */
typedef struct vs__fast_layer_work {
    float *adder_v;           /* (count, 2, n) each adder's stage outputs v1, v2 */
    vs__fast_job *jobs;       /* (count) */
    vs__fast_result *res;     /* (count) with their spike buffers set */
    double *e_opamp_j;        /* (count) as vs_target_result's */
    double *v_in_mean_v;      /* (count) */
    double *p_res_sum;        /* (count) input-resistor power of each adder, summed as in
                                 vs__fast_adder_energy (the caller's, before the call) */
} vs__fast_layer_work;

/*
 * The count targets of a layer through their adders, as vs_target_simulate does one: input
 * sums s_exc, s_inh (count, n), resistor power in w->p_res_sum, V_spike into v_spike_out
 * (count, n; may be NULL), everything else into w.
 */
vs_status vs__fast_layer(const vs__fast_dev *devs, const vs_circuit *c, const vs_opamp *op, const vs_adder *adders,
                         int count, const float *s_exc, const float *s_inh, size_t n, double dt,
                         const vs__fast_tol *tol, float *v_spike_out, vs__fast_layer_work *w);

#endif
