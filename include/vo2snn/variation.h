/*
 * variation.h -- what makes one chip differ from another (docs/variation.md):
 *   device-to-device (D2D): every neuron instance gets its own parameters, drawn once per
 *     chip around the nominal device -- log-normal for resistances, conductances,
 *     capacitances and times (sigma of ln p), normal for everything else (sigma in the
 *     parameter's unit, e.g. K) -- optionally with a share of each variance as a linear
 *     trend across the chip (the wafer's vacancy gradient);
 *   cycle-to-cycle (C2C): the model's own jitter (vo2x: sigma_lnr, sigma_tc), drawn from a
 *     stream of its own for every neuron;
 *   resistors: synaptic resistors rounded to a standard E series (IEC 60063) and drawn
 *     within a tolerance.
 * Every draw of neuron (layer, index) on chip `chip` comes from its own random stream of
 * (seed, chip, layer, index): a chip is the same for any thread count and evaluation
 * order, and no two neurons share a sequence.
 *
 * Units: SI, parameter units as in the model's table. Errors: VS_EINVAL with a message.
 */
#ifndef VO2SNN_VARIATION_H
#define VO2SNN_VARIATION_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/device.h"
#include "vo2snn/rng.h"
#include "vo2snn/status.h"

/* D2D variation of some parameters of one model. */
typedef struct vs_d2d {
    const vs_model *model;
    int n;                          /* terms */
    int param[VS_MAX_PARAMS];       /* table index of each term */
    double sigma[VS_MAX_PARAMS];    /* log-normal: of ln p; normal: in the parameter's unit */
    int lognormal[VS_MAX_PARAMS];
    double gradient;                /* [0, 1]: share of each variance that is a linear trend
                                       across the chip (0: independent neurons) */
    unsigned layers;                /* bit l set: the neurons of layer l vary (0 input, 1 hidden,
                                       2 output); 0: every layer. Others stay nominal. */
} vs_d2d;

/* "input,hidden,output" (any of them, or "all") as vs_d2d.layers bits; VS_EINVAL naming the
   item. */
vs_status vs_d2d_layers_parse(const char *list, unsigned *out);
/* The inverse: "all" for 0, else the layers' names joined by commas ("hidden,output"), in buf
   (n bytes; 20 hold any); returns buf. */
const char *vs_d2d_layers_text(unsigned layers, char *buf, size_t n);

/* 1 if parameter def varies log-normally (positive quantities in Ohm, W/K, J/K or s). */
int vs_d2d_is_lognormal(const vs_param_def *def);

/* "KEY=SIGMA,..." for model m: a log-normal parameter takes a relative SIGMA ("5%" or
   "0.05"), a normal one a quantity in its unit ("1K", "0.5"). "" gives no terms. VS_EINVAL
   naming the item (an unknown key, a key twice, a negative or non-finite sigma, a jitter
   parameter). */
vs_status vs_d2d_parse(const vs_model *m, const char *list, vs_d2d *out);

/* The same terms scaled so that term `param` (table index) has sigma s (others unchanged);
   adds the term if absent. For sweeps of accuracy against one sigma. */
vs_status vs_d2d_set(vs_d2d *v, const vs_model *m, int param, double sigma);

/* The random stream of neuron (layer, index) on chip `chip`; layer 0 input, 1 hidden,
   2 output (others are free for callers). */
uint64_t vs_neuron_stream(int chip, int layer, int index);

/*
 * The device of neuron `index` of `n_layer` neurons in `layer` on chip `chip`: nominal with
 * every term of v drawn from the neuron's stream of seed (a trend term, common to the chip,
 * from the chip's own stream; the neuron's position along it is index / (n_layer - 1)).
 * A draw outside the parameter's range is clamped to it. v NULL or without terms: nominal.
 */
void vs_d2d_draw(const vs_d2d *v, const vs_device_params *nominal, uint64_t seed, int chip, int layer,
                 int index, int n_layer, vs_device_params *out);

/* The C2C jitter seed of that neuron (vs_sim_opts.seed of its runs). */
uint64_t vs_c2c_seed(uint64_t seed, int chip, int layer, int index);

/* ---- resistors from a standard series ---------------------------------------------------- */

/* 12, 24, 48 or 96 for "E12", "E24", "E48", "E96" (any case); 0 for "none"; -1 otherwise. */
int vs_eseries_parse(const char *name);
/* The series value nearest to r (nearest in ln r; a tie goes up). series 0: r itself. */
double vs_eseries_round(int series, double r_ohm);
/* The tolerance resistors of the series are sold with: E12 10 %, E24 5 %, E48 2 %, E96 1 %. */
double vs_eseries_tolerance(int series);
/* The next value of the series above r's nearest one, over it: the step factor there. */
double vs_eseries_step(int series, double r_ohm);

#endif
