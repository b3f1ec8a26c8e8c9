/*
 * network.h -- feed-forward networks of circuit neurons coupled through two-stage adders.
 *
 * Every neuron is the full device-and-circuit model of neuron.h (not an abstract LIF).
 * A layer is simulated after the one before it, because nothing feeds back: the
 * presynaptic sense voltages V_spike(t), sampled on a uniform grid, are summed by the
 * adder of each target neuron (synapse.h), whose output waveform then drives that
 * neuron as a sampled input, integrated by the same adaptive solver with spikes located
 * on its dense output. The grid (dt) only carries waveforms between layers.
 *
 * Units: SI. Waveform arrays are (n) floats at t = i dt.
 */
#ifndef VO2SNN_NETWORK_H
#define VO2SNN_NETWORK_H

#include <stddef.h>

#include "vo2snn/device.h"
#include "vo2snn/neuron.h"
#include "vo2snn/status.h"
#include "vo2snn/synapse.h"

typedef struct vs_target_result {
    vs_neuron_result neuron;   /* spikes (owned) and the neuron's energies */
    double e_opamp_j;          /* both adder stages over the run (energy model of synapse.h) */
    double v_in_mean_v;        /* mean adder output */
} vs_target_result;

/*
 * Simulate one target neuron for (n-1) dt from rest, driven through its adder by the
 * input sums s_exc, s_inh (n samples each, NULL = 0; see vs_adder_run). p_res (n
 * samples, may be NULL) is the power in the adder's input resistors, sum_j V_j^2/R_j.
 * v_spike_out (n, may be NULL) receives V_spike on the grid; scratch holds 3 n floats
 * and keeps the stage outputs v1 (scratch) and v2 (scratch + n) afterwards.
 * opts supplies the integrator settings (t_end, sampling and window are set here;
 * the statistics window is opts->t_window0_s .. end if set, else the whole run).
 */
vs_status vs_target_simulate(const vs_device_params *dev, const vs_circuit *c, const vs_opamp *op,
                             const vs_adder *adder, const float *s_exc, const float *s_inh,
                             const float *p_res, size_t n, double dt, const vs_sim_opts *opts,
                             float *v_spike_out, float *scratch, vs_target_result *out);

/*
 * The adder's energy over the run (synapse.h's model, trapezoidal on the grid): both stages
 * with outputs v1, v2 (n samples), input-resistor power p_res (may be NULL), and the load of
 * a neuron that drew q_in_c and e_in_j from stage 2. *v_in_mean_v receives the mean of v2.
 */
double vs_adder_energy(const vs_opamp *op, const vs_adder *adder, const float *v1, const float *v2,
                       const float *p_res, size_t n, double dt, double q_in_c, double e_in_j, double *v_in_mean_v);

/* A dc-driven neuron (an input-layer neuron) for (n-1) dt from rest; V_spike on the grid. */
vs_status vs_dc_neuron_waveform(const vs_device_params *dev, const vs_circuit *c, double v_in,
                                size_t n, double dt, const vs_sim_opts *opts, float *v_spike_out,
                                vs_neuron_result *out);

/* ---- the paper's 2x2 network (Fig 3H-I, docs/models/vo2x.md section 5) -------------------------------- */

typedef struct vs_net2x2_params {
    double v_drive_v;     /* dc drive of layer-1 neurons (1,1) and (1,2): 9.5 V */
    double bias_v;        /* B of both layer-2 adders: 9.5 V */
    double weight;        /* |w| = adder gain of every synapse: 5 */
    double t_end_s;       /* 330 us */
    double dt_s;          /* waveform grid: 5 ns */
    double tau_syn_s;     /* adder low-pass: 0 (the paper's plain adders) */
} vs_net2x2_params;

vs_net2x2_params vs_net2x2_default(void);

typedef struct vs_net2x2_result {
    vs_neuron_result neuron[4];   /* (1,1), (1,2), (2,1), (2,2): spikes (owned) and energies */
    double v_in_mean_v[2];        /* adder outputs driving (2,1) and (2,2) */
    double v_in_min_v[2], v_in_max_v[2];
    double e_opamp_j[2];
} vs_net2x2_result;

/*
 * (2,1) is excited by both layer-1 neurons (stage 1), (2,2) inhibited by both
 * (stage 2): V_in(2,1) = B + w (V_s11 + V_s12), V_in(2,2) = B - w (V_s11 + V_s12).
 * waves (n = t_end/dt + 1 rows of 6 floats: V_spike of the four neurons and the two
 * adder outputs; may be NULL) receives the waveforms.
 */
vs_status vs_net2x2_simulate(const vs_device_params *dev, const vs_circuit *c, const vs_opamp *op,
                             const vs_net2x2_params *p, const vs_sim_opts *opts, float *waves,
                             vs_net2x2_result *out);
void vs_net2x2_result_free(vs_net2x2_result *r);

/* Spikes of a neuron in [t0, t1). */
size_t vs_count_spikes(const vs_neuron_result *r, double t0, double t1);

#endif
