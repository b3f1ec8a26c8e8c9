/*
 * bom.h -- a trained network deployed on circuits (infer.h) as parts: the resistors of its
 * adders (the bill of materials of `vo2snn bom`), and a subset of it simulated by vo2snn as
 * `vo2snn bom` exports it to ngspice (netlist.h, vs_netlist_write_subnet).
 *
 * The resistors: per synaptic weight R_f/|g| of the realised gain g (excitatory into stage 1,
 * inhibitory into stage 2); per hidden and output neuron stage 1's feedback R_f/K and stage 2's
 * input from stage 1, R_f/K, when it has excitatory synapses, stage 2's feedback R_f, and R_f
 * from its reference V_ref = -B when B != 0; each rounded to the E series (exact without one).
 *
 * The subset: chosen hidden neurons, each through its two-stage adder on the summed drive of the
 * whole input layer (the input neurons one dc waveform per grey level, as vs_infer_image shares
 * them), and chosen output neurons, each through its adder on the chosen hidden neurons only
 * (the others as if silent), with the synaptic gains of the resistors bought for them: R_f/R,
 * R = R_f/|g| rounded to the E series (variation.h; exact without one). Every neuron is the
 * nominal device without jitter (the netlist has none) and the network's circuit.
 *
 * Between layers the waveforms travel on the grid dt_s of the options (vs_infer_opts.dt_s, as
 * in vs_infer_image), and every neuron is integrated with opts->sim, whose largest step must not
 * exceed the grid: a hidden or output neuron's input is the adder output sampled on the grid
 * and read linearly between samples (vs_input_sampled), which the integrator does not treat as
 * break points, so a step longer than the grid samples that input at only its 7 stages per
 * step. vs_infer_opts_default() allows 3 us (30 grid steps, as long as tau_syn): enough for
 * rates, but it moves a neuron's charge enough to add or drop spikes of neurons near threshold
 * (a 784-16-10 network: 9 output spikes instead of 12 on one image). vs_bom_infer_opts() ties
 * the largest step to the grid. The netlist (the same circuit in continuous time) is compared
 * with this run in tests/test_bom.c; docs/variation.md says what agrees and why.
 *
 * Units: SI. Waveforms are (rows, n_t) floats at t = i dt_s.
 * Ownership: vs_bom_build() and vs_bom_subset_run() fill results that own their arrays;
 * vs_bom_free() and vs_bom_subset_free() release them (no-ops on a zeroed result). net, the
 * device and the options are borrowed.
 */
#ifndef VO2SNN_BOM_H
#define VO2SNN_BOM_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/device.h"
#include "vo2snn/infer.h"
#include "vo2snn/mlp.h"
#include "vo2snn/netlist.h"
#include "vo2snn/neuron.h"
#include "vo2snn/status.h"
#include "vo2snn/synapse.h"

/* What a resistor does in its adder. */
typedef enum vs_bom_role {
    VS_BOM_SYNAPSE_EXC, VS_BOM_SYNAPSE_INH, VS_BOM_ATTENUATION, VS_BOM_COUPLING, VS_BOM_FEEDBACK, VS_BOM_BIAS,
    VS_BOM_N_ROLES
} vs_bom_role;

/* "synapse_exc", "synapse_inh", "attenuation", "coupling", "feedback", "bias". */
const char *vs_bom_role_name(vs_bom_role role);

typedef struct vs_bom_part {
    vs_bom_role role;
    double r_ohm;
} vs_bom_part;

typedef struct vs_bom {
    vs_bom_part *parts;          /* (n) every resistor, sorted by role, then value */
    size_t n;
    double max_weight_error;     /* max over synapses of |g_realised/g_trained - 1|, g_trained = w/s_peak */
    double max_half_steps;       /* max over synapses of |ln(R/R_ideal)| / (ln(step)/2), step the series
                                    step R_ideal lies in (<= 1: the nearest value; 0 without a series) */
    double series_half_step;     /* the series' largest half step, relative (sqrt(step) - 1; 0: none) */
} vs_bom;

/*
 * Every resistor of net's adders (above), rounded to o->e_series, m the trained network net was
 * built from (its weights, for the weight errors; not modified), s_peak_v its transfer
 * function's s_peak. VS_ENOMEM; on failure *out holds nothing.
 */
vs_status vs_bom_build(const vs_infer_net *net, vs_mlp *m, double s_peak_v, const vs_infer_opts *o, vs_bom *out);
void vs_bom_free(vs_bom *b);

/* At most this many hidden neurons in a subset (and 10 outputs). */
#define VS_BOM_MAX_SUBSET 64

typedef struct vs_bom_subset {
    size_t n_t;                     /* samples of every waveform: window/dt + 1 */
    double dt_s;                    /* their spacing (the options' grid) */
    int n_hidden, n_out;
    int hidden[VS_BOM_MAX_SUBSET];  /* indices in the hidden layer */
    int out[10];                    /* indices in the output layer */
    /* spikes over the window: of the subset's run, and of the same neurons in the whole network
       (vs_infer_image on the same net) */
    int hidden_spikes[VS_BOM_MAX_SUBSET], out_spikes[10];
    int hidden_spikes_full[VS_BOM_MAX_SUBSET], out_spikes_full[10];
    double *out_spike_t_s;          /* (n_out, 64) the output neurons' spike times, first 64 each */
    /* what the netlist needs */
    float *drive_exc, *drive_inh;   /* (n_hidden, n_t) the input layer's sums into each hidden adder */
    vs_adder hidden_adder[VS_BOM_MAX_SUBSET], out_adder[10];
    double *r_exc, *r_inh;          /* (n_out, n_hidden) synaptic resistors, ohm; 0 = none */
    /* waveforms of the run */
    float *v_spike_hidden;          /* (n_hidden, n_t) the hidden neurons' V_spike */
    float *v_in_out;                /* (n_out, n_t) the output adders' outputs (the neurons' V_in) */
} vs_bom_subset;

/* infer's defaults (vs_infer_opts_default) with this window and grid, resistors R_f/|g| rounded
   to e_series (0: exact) without a tolerance draw, and the integrator's largest step (DP54
   h_max_s) at most the grid dt_s (above). */
vs_infer_opts vs_bom_infer_opts(double window_s, double dt_s, int e_series);

/* A network deployed on circuits, as the subset's run borrows it. */
typedef struct vs_bom_deployed {
    const vs_infer_net *net;       /* built with *o and *dev (no D2D variation) */
    const vs_transfer *t;          /* its transfer function (pixel voltages) */
    const vs_device_params *dev;   /* the nominal device, jitter off (vs_device_nominal) */
    const vs_circuit *c;           /* the neurons' circuit */
    const vs_infer_opts *o;        /* window, grid, op-amp, integrator; e_series rounds R_f/|g| */
    int n_hidden_layer;            /* hidden neurons of the whole network */
} vs_bom_deployed;

/*
 * Run the subset (above) of d on image (vs_infer_net_inputs(d->net) bytes): hidden[0..n_hidden)
 * and out[0..n_out), distinct and in range, n_hidden <= VS_BOM_MAX_SUBSET, n_out <= 10, and at
 * least one neuron. Also runs the whole network on the image (the *_full counts). VS_EINVAL
 * for a bad list or when d->o->sim (DP54) may step further than the grid d->o->dt_s (above),
 * VS_ENOMEM, or a simulation's error; on failure res holds nothing.
 */
vs_status vs_bom_subset_run(const vs_bom_deployed *d, const uint8_t *image, const int *hidden, int n_hidden,
                            const int *out, int n_out, vs_bom_subset *res);

/* The netlist's description of s (borrowing s's arrays): ideal op-amps of o, title borrowed. */
vs_netlist_subnet vs_bom_subset_netlist(const vs_bom_subset *s, const vs_infer_opts *o, const char *title);

void vs_bom_subset_free(vs_bom_subset *s);

#endif
