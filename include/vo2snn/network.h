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
 * v_spike_out (n, may be NULL) receives V_spike on the grid; scratch holds 3 n floats.
 * opts supplies the integrator settings (t_end, sampling and window are set here;
 * the statistics window is opts->t_window0_s .. end if set, else the whole run).
 */
vs_status vs_target_simulate(const vs_device_params *dev, const vs_circuit *c, const vs_opamp *op,
                             const vs_adder *adder, const float *s_exc, const float *s_inh,
                             const float *p_res, size_t n, double dt, const vs_sim_opts *opts,
                             float *v_spike_out, float *scratch, vs_target_result *out);

/* A dc-driven neuron (an input-layer neuron) for (n-1) dt from rest; V_spike on the grid. */
vs_status vs_dc_neuron_waveform(const vs_device_params *dev, const vs_circuit *c, double v_in,
                                size_t n, double dt, const vs_sim_opts *opts, float *v_spike_out,
                                vs_neuron_result *out);

#endif
