/* chiprate.c -- the rate model of a trained network on one chip (chiprate.h). */
#include "vo2snn/chiprate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#else
static int omp_get_max_threads(void) { return 1; }
static int omp_get_thread_num(void) { return 0; }
#endif

/* ---- the bank -------------------------------------------------------------------------------- */

void vs_transfer_bank_free(vs_transfer_bank *b)
{
    if (b->t)
        for (int i = 0; i < b->d2d.n * b->nodes; i++) vs_transfer_free(&b->t[i]);
    free(b->t);
    free(b->theta);
    memset(b, 0, sizeof *b);
}

/* Value of term k at node i: nominal p0 moved by z = -n_sigma .. n_sigma sigma, in range. */
static double node_value(const vs_transfer_bank *b, const vs_device_params *dev, int k, int i)
{
    const vs_param_def *d = &dev->model->params[b->d2d.param[k]];
    double p0 = dev->v[b->d2d.param[k]], z = -b->n_sigma + 2 * b->n_sigma * i / (b->nodes - 1);
    double p = b->d2d.lognormal[k] ? p0 * exp(b->d2d.sigma[k] * z) : p0 + b->d2d.sigma[k] * z;
    return fmin(fmax(p, d->min), d->max);
}

/* Node i of term k; a device that never oscillates there gets an empty transfer (n = 0: silent). */
static vs_status build_node(vs_transfer_bank *b, const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer_opts *o, const char *cache, int k, int i)
{
    vs_device_params p = *dev;
    double theta = node_value(b, dev, k, i);
    p.v[b->d2d.param[k]] = theta;
    b->theta[k * b->nodes + i] = theta;
    vs_transfer *t = &b->t[k * b->nodes + i];
    vs_status st = vs_transfer_build(&p, c, o, cache, t);
    if (st == VS_ENOTFOUND) memset(t, 0, sizeof *t), st = VS_OK;
    return st;
}

vs_status vs_transfer_bank_build(const vs_device_params *dev, const vs_circuit *c, const vs_transfer_opts *o,
                                 const vs_d2d *v, int nodes, double n_sigma, const char *cache_dir,
                                 int (*progress)(long done, long total, void *user), void *user,
                                 vs_transfer_bank *out)
{
    memset(out, 0, sizeof *out);
    if (nodes < 3 || nodes % 2 == 0 || !(n_sigma > 0) || v->n < 1)
        return vs_fail(VS_EINVAL, "a transfer bank needs at least one term, an odd number >= 3 of nodes and n_sigma > 0");
    vs_transfer_opts grid = *o;   /* one voltage grid for every node: the nominal device's */
    vs_status st = grid.v_max_v > 0 ? VS_OK : vs_transfer_resolve_range(dev, c, &grid);
    if (st != VS_OK) return st;
    out->d2d = *v, out->nodes = nodes, out->n_sigma = n_sigma;
    out->theta = calloc((size_t)(v->n * nodes), sizeof *out->theta);
    out->t = calloc((size_t)(v->n * nodes), sizeof *out->t);
    if (!out->theta || !out->t) return vs_transfer_bank_free(out), vs_fail(VS_ENOMEM, "out of memory for a transfer bank");
    long total = (long)v->n * nodes, done = 0;
    for (int k = 0; k < v->n && st == VS_OK; k++)
        for (int i = 0; i < nodes && st == VS_OK; i++) {
            st = build_node(out, dev, c, &grid, cache_dir, k, i);
            if (st == VS_OK && progress && progress(++done, total, user)) st = vs_fail(VS_EINVAL, "transfer bank: cancelled");
        }
    if (st != VS_OK) vs_transfer_bank_free(out);
    return st;
}

/* ---- one chip's neurons ---------------------------------------------------------------------- */

/* v's terms are the bank's, in its order, with sigmas it covers. */
static vs_status bank_covers(const vs_transfer_bank *b, const vs_d2d *v)
{
    int ok = v->n == b->d2d.n;
    for (int k = 0; ok && k < v->n; k++)
        ok = v->param[k] == b->d2d.param[k] && v->sigma[k] <= b->d2d.sigma[k] * (1 + 1e-12);
    return ok ? VS_OK : vs_fail(VS_EINVAL, "chip rate model: the variation is not the transfer bank's (its terms, at most its sigmas)");
}

/* The node nearest to parameter value theta of term k. */
static int nearest_node(const vs_transfer_bank *b, const vs_device_params *dev, int k, double theta)
{
    double p0 = dev->v[b->d2d.param[k]], s = b->d2d.sigma[k];
    double z = s > 0 ? (b->d2d.lognormal[k] ? log(theta / p0) / s : (theta - p0) / s) : 0;
    long i = lround((z + b->n_sigma) * (b->nodes - 1) / (2 * b->n_sigma));
    return (int)(i < 0 ? 0 : i >= b->nodes ? b->nodes - 1 : i);
}

/* A neuron's transfer: the nominal plus each term's change at its node (one term: that node).
   *owned receives a transfer built for it, or stays empty when a bank entry serves. */
static vs_status neuron_transfer(const vs_transfer_bank *b, const vs_device_params *dev, const vs_device_params *p,
                                 const vs_transfer *nominal, const vs_transfer **t, vs_transfer *owned)
{
    memset(owned, 0, sizeof *owned);
    int mid = b->nodes / 2, node[VS_MAX_PARAMS], moved = 0, last = 0;
    for (int k = 0; k < b->d2d.n; k++) {
        node[k] = nearest_node(b, dev, k, p->v[b->d2d.param[k]]);
        if (node[k] != mid) moved++, last = k;
    }
    *t = nominal;
    if (moved == 0) return VS_OK;
    if (moved == 1) return *t = &b->t[last * b->nodes + node[last]], VS_OK;
    size_t n = nominal->n;
    double *f = malloc(2 * n * sizeof *f), *s = f + n;
    if (!f) return vs_fail(VS_ENOMEM, "out of memory for a neuron's transfer");
    for (size_t i = 0; i < n; i++) {
        f[i] = nominal->freq_hz[i], s[i] = nominal->signal_v[i];
        for (int k = 0; k < b->d2d.n; k++) {
            const vs_transfer *tk = &b->t[k * b->nodes + node[k]];
            f[i] += (tk->n ? tk->freq_hz[i] : 0) - nominal->freq_hz[i];
            s[i] += (tk->n ? tk->signal_v[i] : 0) - nominal->signal_v[i];
        }
        f[i] = fmax(f[i], 0);
    }
    vs_status st = vs_transfer_from_table(f, s, n, nominal->dv_v, 0, owned);
    free(f);
    if (st == VS_ENOTFOUND) return *t = owned, VS_OK;   /* silent: owned stays empty */
    if (st == VS_OK) *t = owned;
    return st;
}

/* The neurons of one chip: their transfers (borrowed from the bank or owned) and each one's
   signal and rate scales against the trained normalisation. */
typedef struct chip_neurons {
    int n;
    const vs_transfer **t;
    vs_transfer *owned;
    float *s_scale;     /* its s_peak over the trained s_peak (0: silent) */
} chip_neurons;

static void chip_neurons_free(chip_neurons *c)
{
    for (int i = 0; c->owned && i < c->n; i++) vs_transfer_free(&c->owned[i]);
    free(c->t), free(c->owned), free(c->s_scale);
    memset(c, 0, sizeof *c);
}

static vs_status chip_neurons_draw(chip_neurons *c, const vs_transfer_bank *b, const vs_d2d *v,
                                   const vs_device_params *dev, const vs_transfer *nominal, uint64_t seed,
                                   int chip, const int count[3])
{
    c->n = count[0] + count[1] + count[2];
    c->t = calloc((size_t)c->n, sizeof *c->t);
    c->owned = calloc((size_t)c->n, sizeof *c->owned);
    c->s_scale = calloc((size_t)c->n, sizeof *c->s_scale);
    if (!c->t || !c->owned || !c->s_scale) return vs_fail(VS_ENOMEM, "out of memory for a chip");
    vs_status st = VS_OK;
    for (int layer = 0, at = 0; layer < 3 && st == VS_OK; at += count[layer], layer++)
        for (int k = 0; k < count[layer] && st == VS_OK; k++) {
            vs_device_params p;
            vs_d2d_draw(v, dev, seed, chip, layer, k, count[layer], &p);
            st = neuron_transfer(b, dev, &p, nominal, &c->t[at + k], &c->owned[at + k]);
            c->s_scale[at + k] = c->t[at + k]->n ? (float)(c->t[at + k]->s_peak_v / nominal->s_peak_v) : 0.0f;
        }
    return st;
}

/* A neuron's signal (kind 0, in trained units) or rate (kind 1, Hz) at adder output u. */
static float neuron_out(const chip_neurons *c, int i, int kind, float u, float rail)
{
    const vs_transfer *t = c->t[i];
    if (!t->n) return 0.0f;
    u = u > rail ? rail : (u < -rail ? -rail : u);
    return kind == 0 ? c->s_scale[i] * vs_curve_value(&t->signal, u) : (float)t->f_peak_hz * vs_curve_value(&t->rate, u);
}

/* The class of one image on the chip (x: the input neurons' signals, scratch: n_hid floats). */
static int chip_classify(vs_mlp *m, const chip_neurons *c, const float *x, float *h)
{
    const vs_mlp_config *cfg = vs_mlp_get_config(m);
    int nin = cfg->sizes[0], nh = cfg->sizes[1], no = cfg->sizes[2];
    const float *w1 = vs_mlp_weights(m, 0), *b1 = vs_mlp_bias(m, 0), *w2 = vs_mlp_weights(m, 1), *b2 = vs_mlp_bias(m, 1);
    for (int k = 0; k < nh; k++) {
        float u = b1[k];
        for (int j = 0; j < nin; j++) u += w1[(size_t)k * nin + j] * x[j];
        h[k] = neuron_out(c, nin + k, 0, u, cfg->rail_v);
    }
    int best = 0;
    float best_y = -1, best_u = 0;
    for (int o = 0; o < no; o++) {
        float u = b2[o];
        for (int k = 0; k < nh; k++) u += w2[(size_t)o * nh + k] * h[k];
        float y = neuron_out(c, nin + nh + o, 1, u, cfg->rail_v);
        if (o == 0 || y > best_y || (y == best_y && u > best_u)) best = o, best_y = y, best_u = u;
    }
    return best;
}

/* x tables: input neuron j's signal at every grey level, (n_in, 256). */
static void input_tables(const chip_neurons *c, const vs_transfer *trained, int nin, float rail, float *xt)
{
    for (int j = 0; j < nin; j++)
        for (int p = 0; p < 256; p++)
            xt[(size_t)j * 256 + p] = p ? neuron_out(c, j, 0, (float)vs_pixel_voltage(trained, p), rail) : 0.0f;
}

/* Classes of images 0..n-1 on chip c (xt: the input tables; scratch: one (n_in + n_hid) row per
   thread, allocated by the caller so that no image can go unscored); the number right. */
static long chip_score(vs_mlp *m, const chip_neurons *c, const float *xt, const vs_dataset *d, size_t n,
                       float *scratch, uint8_t *pred)
{
    const vs_mlp_config *cfg = vs_mlp_get_config(m);
    const int nin = cfg->sizes[0], row = cfg->sizes[0] + cfg->sizes[1];
    long correct = 0;
#pragma omp parallel reduction(+ : correct)
    {
        float *x = scratch + (size_t)omp_get_thread_num() * (size_t)row;
#pragma omp for schedule(static)
        for (long i = 0; i < (long)n; i++) {
            const uint8_t *img = vs_dataset_image(d, (size_t)i);
            for (int j = 0; j < nin; j++) x[j] = xt[(size_t)j * 256 + img[j]];
            int cls = chip_classify(m, c, x, x + nin);
            if (pred) pred[i] = (uint8_t)cls;
            correct += cls == d->labels[i];
        }
    }
    return correct;
}

vs_status vs_chip_rate_eval(vs_mlp *m, const vs_transfer *trained, const vs_transfer_bank *bank,
                            const vs_d2d *v, const vs_device_params *dev, uint64_t seed, int chip,
                            const vs_dataset *d, size_t n, double *accuracy, uint8_t *pred)
{
    const vs_mlp_config *cfg = vs_mlp_get_config(m);
    const int count[3] = {cfg->sizes[0], cfg->sizes[1], cfg->sizes[2]}, nin = count[0], nh = count[1];
    if (cfg->n_layers != 2 || (size_t)nin != vs_dataset_pixels(d) || n > d->n)
        return vs_fail(VS_EINVAL, "chip rate model: a %d-%d-%d network and %zu images of %zu pixels do not fit",
                       nin, nh, count[2], n, vs_dataset_pixels(d));
    chip_neurons c = {0};
    vs_status st = bank_covers(bank, v);
    if (st == VS_OK) st = chip_neurons_draw(&c, bank, v, dev, trained, seed, chip, count);
    float *xt = malloc((size_t)nin * 256 * sizeof *xt);
    float *scratch = malloc((size_t)omp_get_max_threads() * (size_t)(nin + nh) * sizeof *scratch);
    if (st == VS_OK && (!xt || !scratch)) st = vs_fail(VS_ENOMEM, "out of memory for the input tables");
    if (st == VS_OK) {
        input_tables(&c, trained, nin, cfg->rail_v, xt);
        long correct = chip_score(m, &c, xt, d, n, scratch, pred);
        *accuracy = n ? (double)correct / (double)n : (double)NAN;
    }
    free(xt), free(scratch);
    chip_neurons_free(&c);
    return st;
}

/* ---- noise-aware training: a fresh chip for every mini-batch -------------------------------- */

struct vs_chip_sampler {
    const vs_transfer_bank *bank;
    const vs_d2d *v;
    const vs_device_params *dev;
    const vs_transfer *trained;
    uint64_t seed;
    int count[3];
    chip_neurons chip;
    const vs_curve **curves;   /* (n_hid + n_out) */
    float *scale;              /* (n_hid + n_out) */
    float *enc;                /* (n_in, 256) */
    vs_status st;
};

vs_status vs_chip_sampler_new(vs_mlp *m, const vs_transfer *trained, const vs_transfer_bank *bank, const vs_d2d *v,
                              const vs_device_params *dev, uint64_t seed, vs_chip_sampler **out)
{
    const vs_mlp_config *cfg = vs_mlp_get_config(m);
    vs_status st = bank_covers(bank, v);
    if (st != VS_OK) return st;
    if (cfg->n_layers != 2) return vs_fail(VS_EINVAL, "noise-aware training needs an input-hidden-output network");
    vs_chip_sampler *s = calloc(1, sizeof *s);
    int nh = cfg->sizes[1], no = cfg->sizes[2];
    if (s) {
        s->curves = calloc((size_t)(nh + no), sizeof *s->curves);
        s->scale = calloc((size_t)(nh + no), sizeof *s->scale);
        s->enc = calloc((size_t)cfg->sizes[0] * 256, sizeof *s->enc);
    }
    if (!s || !s->curves || !s->scale || !s->enc) {
        vs_chip_sampler_free(s);
        return vs_fail(VS_ENOMEM, "out of memory for noise-aware training");
    }
    *s = (vs_chip_sampler){.bank = bank, .v = v, .dev = dev, .trained = trained, .seed = seed,
                           .count = {cfg->sizes[0], nh, no}, .curves = s->curves, .scale = s->scale, .enc = s->enc};
    *out = s;
    return VS_OK;
}

void vs_chip_sampler_free(vs_chip_sampler *s)
{
    if (!s) return;
    chip_neurons_free(&s->chip);
    free(s->curves), free(s->scale), free(s->enc), free(s);
}

vs_status vs_chip_sampler_status(const vs_chip_sampler *s)
{
    return s->st;
}

/* Neuron i (of the chip) as the network's curve k: its signal (hidden) or rate (output). */
static void chip_curve(vs_chip_sampler *s, int i, int k, int output)
{
    const vs_transfer *t = s->chip.t[i], *nom = s->trained;
    if (!t->n) {   /* silent: the nominal curve times 0 */
        s->curves[k] = output ? &nom->rate : &nom->signal, s->scale[k] = 0;
        return;
    }
    s->curves[k] = output ? &t->rate : &t->signal;
    s->scale[k] = output ? (float)(t->f_peak_hz / nom->f_peak_hz) : s->chip.s_scale[i];
}

const float *vs_chip_sample(void *sampler, vs_mlp *m, long batch)
{
    vs_chip_sampler *s = sampler;
    chip_neurons_free(&s->chip);
    if (s->st == VS_OK)
        s->st = chip_neurons_draw(&s->chip, s->bank, s->v, s->dev, s->trained, s->seed, (int)(batch & 0x7fffffff), s->count);
    if (s->st != VS_OK) {
        for (int l = 0; l < 2; l++) vs_mlp_set_chip(m, l, NULL, NULL);
        return NULL;
    }
    int nin = s->count[0], nh = s->count[1], no = s->count[2];
    for (int k = 0; k < nh; k++) chip_curve(s, nin + k, k, 0);
    for (int k = 0; k < no; k++) chip_curve(s, nin + nh + k, nh + k, 1);
    vs_mlp_set_chip(m, 0, s->curves, s->scale);
    vs_mlp_set_chip(m, 1, s->curves + nh, s->scale + nh);
    input_tables(&s->chip, s->trained, nin, vs_mlp_get_config(m)->rail_v, s->enc);
    return s->enc;
}
