/*
 * mlp.h -- the rate-coded BP-SNN of paper Fig 4 (784-128-10), trained through the
 * neuron's own transfer function.
 *
 * Forward pass for a mini-batch (shapes in comments are row-major):
 *   x   (B, 784)  input-neuron signals s^(V_pix) (see vs_mlp_encode_table)
 *   u1  (B, 128)  = x W1^T + b1      hidden input voltage, the inverting-adder output,
 *   v1            = clamp(u1, -rail, +rail)   limited by the adder's rails
 *   h   (B, 128)  = s^(v1)           hidden signals: the mean V_spike each hidden
 *                                    neuron feeds the next adder, normalised (odd)
 *   u2  (B, 10)   = h W2^T + b2,  v2 = clamp(u2), o = r(v2)   output rates
 * Weights are in volts per unit signal (an adder gain times s_peak), biases in volts
 * (the adder's reference input). The class is the output with the most spikes
 * (vs_mlp_classify).
 *
 * Losses: MSE against one-hot targets (the paper's), or cross-entropy on softmax of
 * ce_scale * o. Optimisers: SGD with momentum, Adam. Kernels follow llm.c: outputs
 * first, then inputs, then sizes; backward accumulates (+=). Every BLAS kernel has a
 * plain-C twin used in tests. The BLAS products are cut into fixed tiles, each one
 * single-threaded BLAS call, so results are bit-identical for any OMP_NUM_THREADS.
 * Parameters, gradients and optimiser moments are each one contiguous block
 * (W1, b1, W2, b2, ...).
 */
#ifndef VO2SNN_MLP_H
#define VO2SNN_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/rng.h"
#include "vo2snn/status.h"
#include "vo2snn/transfer.h"

#define VS_MLP_MAX_LAYERS 4

/* out (B, OC) = in (B, C) w^T (OC, C) + b (OC) */
void vs_linear_forward(float *out, const float *in, const float *w, const float *b, int B, int C, int OC);
void vs_linear_forward_naive(float *out, const float *in, const float *w, const float *b, int B, int C, int OC);
/* din (B, C) += dout w;  dw (OC, C) += dout^T in;  db (OC) += sum_b dout. din may be NULL. */
void vs_linear_backward(float *din, float *dw, float *db, const float *dout, const float *in,
                        const float *w, int B, int C, int OC);
void vs_linear_backward_naive(float *din, float *dw, float *db, const float *dout, const float *in,
                              const float *w, int B, int C, int OC);

/* out = y(clamp(u, +-rail)), dact = surrogate y'(clamp(u)), or the curve's leak slope
   where the rail clips (straight-through). n values. */
void vs_act_forward(float *out, float *dact, const float *u, const vs_curve *c, float rail_v, size_t n);
/* du = dout * dact */
void vs_act_backward(float *du, const float *dout, const float *dact, size_t n);

typedef enum vs_loss_kind { VS_LOSS_MSE = 0, VS_LOSS_CE = 1 } vs_loss_kind;
typedef enum vs_optim_kind { VS_OPTIM_ADAM = 0, VS_OPTIM_SGD = 1 } vs_optim_kind;

typedef struct vs_mlp_config {
    int n_layers;                     /* weight layers (2 for 784-128-10) */
    int sizes[VS_MLP_MAX_LAYERS + 1]; /* 784, 128, 10 */
    float rail_v;                     /* adder output limit (caller sets; default 13.5 V) */
    float init_w_v;                   /* weight init: N(0, (init_w_v)^2 / fan_in) */
    float init_b_v;                   /* hidden-bias magnitude; signs alternate +,-,+,... so that
                                         hidden neurons start excitatory and inhibitory */
    float init_out_b_v;               /* output-layer bias (just below onset: silent at start) */
    vs_loss_kind loss;
    float target_on;                  /* MSE target rate of the correct class (one-hot scale, default 1) */
    float ce_scale;                   /* logits = ce_scale * o for cross-entropy (default 10) */
    vs_optim_kind optim;
    float lr, momentum, beta1, beta2, eps, weight_decay;
} vs_mlp_config;

vs_mlp_config vs_mlp_config_default(void);

/* VS_EINVAL, naming the field, unless every setting is finite and in its range (layers
   1..VS_MLP_MAX_LAYERS of 1..100000 neurons, known loss and optimiser, lr > 0, betas and
   momentum in [0, 1), eps > 0, ...). vs_mlp_new checks it. */
vs_status vs_mlp_config_validate(const vs_mlp_config *c);

/*
 * Defaults fitted to a transfer function: rails at the peak-rate voltage (so each
 * neuron stays on the rising branch of its V-f dome), hidden biases +-(V_on + 1 V),
 * output biases V_on - 1 V, weights N(0, 3^2/fan_in) V, Adam at 3e-3.
 */
vs_mlp_config vs_mlp_config_for(const vs_transfer *t);

typedef struct vs_mlp vs_mlp;   /* opaque: parameters, gradients, moments, activations */

/* Allocate for batches up to max_batch; weights drawn from rng. The transfer function is borrowed. */
vs_mlp *vs_mlp_new(const vs_mlp_config *cfg, const vs_transfer *t, int max_batch, vs_rng *rng);
void vs_mlp_free(vs_mlp *m);

const vs_mlp_config *vs_mlp_get_config(const vs_mlp *m);
size_t vs_mlp_num_params(const vs_mlp *m);
float *vs_mlp_params(vs_mlp *m);          /* contiguous (num_params) */
float *vs_mlp_grads(vs_mlp *m);
float *vs_mlp_moments(vs_mlp *m);         /* (2 * num_params): Adam m then v, or SGD velocity then 0 */
long vs_mlp_step_count(const vs_mlp *m);
/* VS_EFORMAT unless the weights and the first moments are finite and the second moments
   finite and >= 0 (what a loaded checkpoint must hold). */
vs_status vs_mlp_state_validate(const vs_mlp *m);
void vs_mlp_set_step_count(vs_mlp *m, long steps);
/* Learning rate for the following updates (schedules); the config keeps the base rate. */
void vs_mlp_set_lr(vs_mlp *m, float lr);
/* Pointers to layer l's weights (OC, C) and bias (OC) inside the parameter block. */
float *vs_mlp_weights(vs_mlp *m, int l);
float *vs_mlp_bias(vs_mlp *m, int l);

/* Input encoding: pixel p in 0..255 drives its input neuron at V = 0 if p == 0, else
   v_on + (v_peak - v_on) p/255; the neuron passes on its signal s^(V). */
double vs_pixel_voltage(const vs_transfer *t, int p);
void vs_mlp_encode_table(float table[256], const vs_transfer *t);

int vs_mlp_max_batch(const vs_mlp *m);

/* A chip for the next forward passes (noise-aware training, chiprate.h): neuron k of layer l
   (0: the first hidden layer) uses curves[k] scaled by scale[k] -- its own transfer function
   in the trained units -- instead of the shared one; NULL restores the shared one. The arrays
   are borrowed (sizes[l+1] each) until the next call. */
void vs_mlp_set_chip(vs_mlp *m, int l, const vs_curve *const *curves, const float *scale);

/* Forward pass on B rows (1 <= B <= max_batch, checked) of x (B, sizes[0]); returns the output rates (B, sizes[L]). */
const float *vs_mlp_forward(vs_mlp *m, const float *x, int B);
/* Hidden signals of layer l (1..n_layers-1) from the last forward pass, (B, sizes[l]). */
const float *vs_mlp_hidden(const vs_mlp *m, int l);
/* Loss of the last forward pass against labels, and its gradient stored for backward. */
float vs_mlp_loss(vs_mlp *m, const uint8_t *labels, int B);
void vs_mlp_zero_grad(vs_mlp *m);
void vs_mlp_backward(vs_mlp *m, int B);
/* One optimiser update from the accumulated gradients. */
void vs_mlp_update(vs_mlp *m);

/*
 * Class of each row of the last forward pass: the output neuron with the highest
 * rate (most spikes); equal rates (e.g. all silent, or all at the rail) are decided
 * by the higher adder voltage u, i.e. the neuron driven closest to (or furthest
 * past) its threshold, then by the lowest index.
 */
void vs_mlp_classify(const vs_mlp *m, int B, uint8_t *pred);

/* Argmax of each output row (ties: lowest index). */
void vs_mlp_predict(const float *out, int B, int K, uint8_t *pred);

#endif
