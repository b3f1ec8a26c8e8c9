/*
 * infer.h -- a trained rate network deployed on circuit neurons (paper Fig 4B-F).
 *
 * The weights of a vs_mlp become the gains of the two-stage adders (g = w/s_peak,
 * excitatory weights into stage 1, inhibitory into stage 2, bias as the stage-2
 * reference; stage 1 attenuated so it never saturates), whose outputs are limited to
 * the network's rails, every neuron is the full device-and-circuit model, and an image is
 * shown for `window_s`: each pixel p drives its input neuron at vs_pixel_voltage(p)
 * from t = 0. Input neurons are dc-driven, so their V_spike waveforms are computed once
 * per grey level and shared. The class is the output neuron with the most spikes in
 * the window; equal counts go to the neuron whose adder drives it hardest (the higher
 * mean adder output over the window, the rate model's tie rule), then to the lowest
 * index.
 *
 * Energy per inference is integrated from the circuit: every neuron's source energy
 * (dissipated in its series resistor, device, sense resistor, and left on its
 * capacitor), input neurons from their pixel drivers, hidden and output neurons from
 * their adders, plus the adders' own op-amp and resistor dissipation (synapse.h).
 *
 * A chip: every neuron has its own device (D2D, drawn once when the net is built) and its
 * own jitter stream (C2C: the device's own sigma_* drawn from vs_c2c_seed of the neuron),
 * and every synaptic resistor its realised value (E series, tolerance). When no neuron
 * differs from the nominal device and it has no jitter, input neurons share one waveform
 * per grey level; otherwise each lit input neuron is simulated with its own device.
 *
 * Engines (docs/engine.md): VS_ENGINE_FAST (default) integrates every vo2x neuron without
 * cycle-to-cycle jitter by a specialised second-order Rosenbrock method (src/infer_fast.c),
 * each with its own device; VS_ENGINE_REFERENCE is the adaptive DP54 integration of every
 * neuron through neuron.h, its naive twin. A network the fast engine cannot run (another
 * model, or jitter) runs on the reference; vs_infer_net_engine() says which one ran.
 *
 * Units: SI. A vs_infer_net is read-only once built and can be shared by threads,
 * each with its own vs_infer_work.
 */
#ifndef VO2SNN_INFER_H
#define VO2SNN_INFER_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/idx.h"
#include "vo2snn/mlp.h"
#include "vo2snn/network.h"
#include "vo2snn/transfer.h"

enum { VS_ENGINE_FAST = 0, VS_ENGINE_REFERENCE = 1 };

typedef struct vs_infer_opts {
    double window_s;        /* presentation time per image (50 us) */
    double dt_s;            /* waveform grid between layers (100 ns) */
    double tau_syn_s;       /* low-pass of both stages of every adder (3 us; 0 = plain adder) */
    vs_opamp opamp;         /* ideal by default */
    double r_tolerance;     /* relative sigma of each adder resistor (0 = exact; NAN: uniform
                               within the E series' tolerance) */
    uint64_t seed;          /* resistor, device (D2D) and jitter (C2C) draws */
    vs_sim_opts sim;        /* integrator settings for every neuron (rtol 1e-3, h_max 3 us);
                               its seed is replaced by each neuron's own (vs_c2c_seed) */
    /* a chip (variation.h): each neuron's device drawn from d2d (NULL or no terms: every
       neuron is the nominal device), chip `chip` of seed; synaptic resistors R_f/|g| rounded
       to the E series e_series (0: exact), then drawn as r_tolerance says */
    const struct vs_d2d *d2d;
    int chip;
    int e_series;
    int per_neuron_inputs;  /* 1: simulate every lit input neuron on its own even when they are
                               alike (the naive twin of sharing one waveform per grey level) */
    int engine;             /* VS_ENGINE_FAST (default) or VS_ENGINE_REFERENCE */
} vs_infer_opts;

vs_infer_opts vs_infer_opts_default(void);

/*
 * VS_EINVAL unless the window and grid give 10 to 1e7 samples, tau_syn_s >= 0 and
 * r_tolerance is in [0, 0.5) and engine is VS_ENGINE_FAST or VS_ENGINE_REFERENCE, e.g. "window 5e-06 s and grid 1e-06 s give 5 samples;
 * they must give 10 to 1e7". vs_infer_net_new() checks the same.
 */
vs_status vs_infer_opts_check(const vs_infer_opts *o);

typedef struct vs_infer_net vs_infer_net;    /* opaque */
typedef struct vs_infer_work vs_infer_work;  /* opaque, one per thread */

/*
 * Build from a trained 2-layer network m (borrowed while building), its transfer t
 * (borrowed for life). VS_EINVAL unless m is input-hidden-10 with at most 65535
 * neurons per layer (raster indices are 16-bit), or for a bad window or grid.
 */
vs_status vs_infer_net_new(vs_mlp *m, const vs_transfer *t, const vs_device_params *dev,
                           const vs_circuit *c, const vs_infer_opts *o, vs_infer_net **out);
void vs_infer_net_free(vs_infer_net *net);
vs_infer_work *vs_infer_work_new(const vs_infer_net *net);
void vs_infer_work_free(vs_infer_work *w);

typedef struct vs_infer_energy {
    double input_j, hidden_j, output_j;   /* neuron source energies by layer */
    double synapse_j;                     /* adders: op-amps and resistors */
    double total_j;
} vs_infer_energy;

/* Spikes of one layer in one image: neuron index and time, in time order per neuron. */
typedef struct vs_spike_list {
    size_t n, cap;
    uint16_t *neuron;
    float *t_s;
} vs_spike_list;

typedef struct vs_infer_result {
    int predicted;
    int counts[10];               /* output spikes in the window */
    double first_spike_s[10];     /* INFINITY if none */
    long spikes[3];               /* input, hidden, output layer totals */
    vs_infer_energy energy;
    vs_spike_list *record[3];     /* optional: set non-NULL lists to record the raster */
} vs_infer_result;

/* The realised gains of layer 0 (input -> hidden, (n_hid, n_in)) or 1 (hidden -> output,
   (10, n_hid)): excitatory returned, inhibitory into *inhibitory; each R_f/R of a resistor. */
const float *vs_infer_net_gains(const vs_infer_net *net, int layer, const float **inhibitory);

/* The adders of layer 0 (the n_hid hidden neurons) or 1 (the 10 output neurons) as the network
   runs them: K, noise gains, bias, low-pass and output rail of each (vo2snn bom exports them). */
const vs_adder *vs_infer_net_adders(const vs_infer_net *net, int layer);

/* The engine the network runs on: VS_ENGINE_FAST, or VS_ENGINE_REFERENCE when asked for or
   when a neuron's device needs it (not vo2x, or cycle-to-cycle jitter). */
int vs_infer_net_engine(const vs_infer_net *net);

/* Input neurons of the network: the pixels per image it takes. */
int vs_infer_net_inputs(const vs_infer_net *net);

/* Run one image of vs_infer_net_inputs(net) bytes (the caller guarantees the size). */
vs_status vs_infer_image(const vs_infer_net *net, vs_infer_work *w, const uint8_t *image,
                         vs_infer_result *res);

/*
 * Run image `index` of d. VS_EINVAL, with *res untouched, when d's images do not have
 * vs_infer_net_inputs(net) pixels ("the network takes 784 inputs but 'f' has 10 x 10
 * = 100 pixels per image") or index >= d->n ("image 12 of 'f', which has 10 images").
 */
vs_status vs_infer_dataset_image(const vs_infer_net *net, vs_infer_work *w, const vs_dataset *d,
                                 size_t index, vs_infer_result *res);

/* Called after each image of a batch: done of total images finished. Non-zero stops the batch. */
typedef int (*vs_infer_progress_fn)(long done, long total, void *user);

/*
 * Run images first .. first+n-1 of d, in parallel over images (OpenMP, one vs_infer_work
 * per thread): res[i] (n of them, caller's) receives image first+i as from
 * vs_infer_dataset_image, without rasters (record[] is set to NULL). Every result is
 * independent of the thread count: bit for bit what vs_infer_image gives on one thread
 * (BLAS runs serially inside the parallel loop). progress (may be NULL) is called once per finished
 * image, never by two threads at once, with done counting 1..n; a non-zero return stops
 * the batch (VS_EINVAL, "stopped after ..."). On failure the message names the image
 * ("image 3: ...") and res holds finished images only partly: discard it.
 */
vs_status vs_infer_dataset_range(const vs_infer_net *net, const vs_dataset *d, size_t first, size_t n,
                                 vs_infer_result *res, vs_infer_progress_fn progress, void *user);

void vs_spike_list_free(vs_spike_list *l);

#endif
