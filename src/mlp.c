/* mlp.c -- rate-coded network through the neuron transfer function: kernels, losses, optimisers. */
#include "vo2snn/mlp.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- kernels ---------------------------------------------------------------------------- */

void vs_linear_forward(float *out, const float *in, const float *w, const float *b, int B, int C, int OC)
{
    for (int r = 0; r < B; r++) memcpy(out + (size_t)r * OC, b, (size_t)OC * sizeof *b);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, OC, C, 1.0f, in, C, w, C, 1.0f, out, OC);
}

void vs_linear_forward_naive(float *out, const float *in, const float *w, const float *b, int B, int C, int OC)
{
    for (int r = 0; r < B; r++)
        for (int o = 0; o < OC; o++) {
            float acc = b[o];
            const float *x = in + (size_t)r * C, *wr = w + (size_t)o * C;
            for (int i = 0; i < C; i++) acc += x[i] * wr[i];
            out[(size_t)r * OC + o] = acc;
        }
}

void vs_linear_backward(float *din, float *dw, float *db, const float *dout, const float *in,
                        const float *w, int B, int C, int OC)
{
    if (din) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, C, OC, 1.0f, dout, OC, w, C, 1.0f, din, C);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, B, 1.0f, dout, OC, in, C, 1.0f, dw, C);
    for (int r = 0; r < B; r++) {
        const float *d = dout + (size_t)r * OC;
        for (int o = 0; o < OC; o++) db[o] += d[o];
    }
}

void vs_linear_backward_naive(float *din, float *dw, float *db, const float *dout, const float *in,
                              const float *w, int B, int C, int OC)
{
    for (int r = 0; r < B; r++)
        for (int o = 0; o < OC; o++) {
            float d = dout[(size_t)r * OC + o];
            const float *x = in + (size_t)r * C;
            float *dwr = dw + (size_t)o * C;
            const float *wr = w + (size_t)o * C;
            for (int i = 0; i < C; i++) {
                dwr[i] += d * x[i];
                if (din) din[(size_t)r * C + i] += d * wr[i];
            }
            db[o] += d;
        }
}

void vs_act_forward(float *out, float *dact, const float *u, const vs_curve *c, float rail_v, size_t n)
{
    const float leak = c->leak;
    for (size_t i = 0; i < n; i++) {
        float v = u[i];
        int clipped = v > rail_v || v < -rail_v;
        v = v > rail_v ? rail_v : (v < -rail_v ? -rail_v : v);
        out[i] = vs_curve_value(c, v);
        /* beyond a rail the adder output is constant; the surrogate leaks through it */
        dact[i] = clipped ? leak : vs_curve_slope(c, v);
    }
}

void vs_act_backward(float *du, const float *dout, const float *dact, size_t n)
{
    for (size_t i = 0; i < n; i++) du[i] = dout[i] * dact[i];
}

/* ---- the network ------------------------------------------------------------------------ */

struct vs_mlp {
    vs_mlp_config cfg;
    const vs_transfer *tf;
    int max_batch;
    size_t n_params;
    size_t w_off[VS_MLP_MAX_LAYERS], b_off[VS_MLP_MAX_LAYERS];
    float *params, *grads, *m1, *m2;   /* m1/m2: Adam moments, or SGD velocity (m1) */
    long steps;
    const float *x;                     /* last input, borrowed (B, sizes[0]) */
    float *u[VS_MLP_MAX_LAYERS];        /* pre-activations (B, sizes[l+1]) */
    float *a[VS_MLP_MAX_LAYERS];        /* rates */
    float *dact[VS_MLP_MAX_LAYERS];     /* activation slopes */
    float *da[VS_MLP_MAX_LAYERS];       /* gradients w.r.t. rates */
    float *du;                          /* scratch (B, max width) */
};

vs_mlp_config vs_mlp_config_default(void)
{
    return (vs_mlp_config){
        .n_layers = 2, .sizes = {784, 128, 10}, .rail_v = 13.5f, .init_w_v = 3.0f,
        .init_b_v = 10.0f, .init_out_b_v = 8.0f, .loss = VS_LOSS_MSE, .target_on = 1.0f, .ce_scale = 10.0f, .optim = VS_OPTIM_ADAM,
        .lr = 3e-3f, .momentum = 0.9f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
        .weight_decay = 0.0f,
    };
}

vs_mlp_config vs_mlp_config_for(const vs_transfer *t)
{
    vs_mlp_config c = vs_mlp_config_default();
    c.rail_v = (float)t->v_peak_v;
    c.init_b_v = (float)(t->v_on_v + 1.0);
    c.init_out_b_v = (float)(t->v_on_v - 1.0);
    return c;
}

vs_mlp *vs_mlp_new(const vs_mlp_config *cfg, const vs_transfer *t, int max_batch, vs_rng *rng)
{
    if (cfg->n_layers < 1 || cfg->n_layers > VS_MLP_MAX_LAYERS || max_batch < 1) {
        vs_fail(VS_EINVAL, "a network needs 1 to %d layers and a positive batch", VS_MLP_MAX_LAYERS);
        return NULL;
    }
    for (int l = 0; l <= cfg->n_layers; l++)
        if (cfg->sizes[l] < 1 || cfg->sizes[l] > 100000) {
            vs_fail(VS_EINVAL, "layer %d has %d neurons (1 to 100000)", l, cfg->sizes[l]);
            return NULL;
        }
    if (!(cfg->rail_v > 0) || !(cfg->lr > 0) || !isfinite(cfg->lr)) {
        vs_fail(VS_EINVAL, "rails and learning rate must be positive");
        return NULL;
    }
    vs_mlp *m = calloc(1, sizeof *m);
    if (!m) goto oom;
    m->cfg = *cfg;
    m->tf = t;
    m->max_batch = max_batch;
    size_t off = 0, widest = 0;
    for (int l = 0; l < cfg->n_layers; l++) {
        size_t C = (size_t)cfg->sizes[l], OC = (size_t)cfg->sizes[l + 1];
        m->w_off[l] = off;
        off += OC * C;
        m->b_off[l] = off;
        off += OC;
        if (OC > widest) widest = OC;
    }
    m->n_params = off;
    m->params = calloc(4 * off, sizeof(float));
    if (!m->params) goto oom;
    m->grads = m->params + off;
    m->m1 = m->params + 2 * off;
    m->m2 = m->params + 3 * off;
    for (int l = 0; l < cfg->n_layers; l++) {
        size_t n = (size_t)max_batch * (size_t)cfg->sizes[l + 1];
        m->u[l] = malloc(4 * n * sizeof(float));
        if (!m->u[l]) goto oom;
        m->a[l] = m->u[l] + n;
        m->dact[l] = m->u[l] + 2 * n;
        m->da[l] = m->u[l] + 3 * n;
    }
    m->du = malloc((size_t)max_batch * widest * sizeof(float));
    if (!m->du) goto oom;
    for (int l = 0; l < cfg->n_layers; l++) {
        size_t C = (size_t)cfg->sizes[l], OC = (size_t)cfg->sizes[l + 1];
        float sd = cfg->init_w_v / sqrtf((float)C);
        float *w = m->params + m->w_off[l], *b = m->params + m->b_off[l];
        for (size_t i = 0; i < OC * C; i++) w[i] = sd * (float)vs_rng_normal(rng);
        int output = l == cfg->n_layers - 1;
        for (size_t i = 0; i < OC; i++)
            b[i] = output ? cfg->init_out_b_v : (i % 2 ? -cfg->init_b_v : cfg->init_b_v);
    }
    return m;
oom:
    vs_mlp_free(m);
    vs_fail(VS_ENOMEM, "out of memory allocating the network");
    return NULL;
}

void vs_mlp_free(vs_mlp *m)
{
    if (!m) return;
    for (int l = 0; l < VS_MLP_MAX_LAYERS; l++) free(m->u[l]);
    free(m->du);
    free(m->params);
    free(m);
}

const vs_mlp_config *vs_mlp_get_config(const vs_mlp *m) { return &m->cfg; }
size_t vs_mlp_num_params(const vs_mlp *m) { return m->n_params; }
float *vs_mlp_params(vs_mlp *m) { return m->params; }
float *vs_mlp_grads(vs_mlp *m) { return m->grads; }
float *vs_mlp_moments(vs_mlp *m) { return m->m1; }
long vs_mlp_step_count(const vs_mlp *m) { return m->steps; }
void vs_mlp_set_lr(vs_mlp *m, float lr) { m->cfg.lr = lr; }
void vs_mlp_set_step_count(vs_mlp *m, long steps) { m->steps = steps; }
float *vs_mlp_weights(vs_mlp *m, int l) { return m->params + m->w_off[l]; }
float *vs_mlp_bias(vs_mlp *m, int l) { return m->params + m->b_off[l]; }
const float *vs_mlp_hidden(const vs_mlp *m, int l) { return m->a[l - 1]; }

double vs_pixel_voltage(const vs_transfer *t, int p)
{
    return p <= 0 ? 0.0 : t->v_on_v + (t->v_peak_v - t->v_on_v) * p / 255.0;
}

void vs_mlp_encode_table(float table[256], const vs_transfer *t)
{
    for (int p = 0; p < 256; p++) table[p] = vs_curve_value(&t->signal, (float)vs_pixel_voltage(t, p));
}

int vs_mlp_max_batch(const vs_mlp *m) { return m->max_batch; }

const float *vs_mlp_forward(vs_mlp *m, const float *x, int B)
{
    VS_ASSERT(B >= 1 && B <= m->max_batch);
    m->x = x;
    const float *in = x;
    for (int l = 0; l < m->cfg.n_layers; l++) {
        int C = m->cfg.sizes[l], OC = m->cfg.sizes[l + 1];
        vs_linear_forward(m->u[l], in, m->params + m->w_off[l], m->params + m->b_off[l], B, C, OC);
        /* hidden neurons pass their mean V_spike on to the next adder; outputs are counted */
        const vs_curve *c = l + 1 < m->cfg.n_layers ? &m->tf->signal : &m->tf->rate;
        vs_act_forward(m->a[l], m->dact[l], m->u[l], c, m->cfg.rail_v, (size_t)B * (size_t)OC);
        in = m->a[l];
    }
    return in;
}

float vs_mlp_loss(vs_mlp *m, const uint8_t *labels, int B)
{
    int L = m->cfg.n_layers, K = m->cfg.sizes[L];
    const float *o = m->a[L - 1];
    float *d = m->da[L - 1];
    double loss = 0;
    if (m->cfg.loss == VS_LOSS_MSE) {
        float scale = 2.0f / (float)(B * K);
        for (int r = 0; r < B; r++)
            for (int k = 0; k < K; k++) {
                float e = o[r * K + k] - (k == labels[r] ? m->cfg.target_on : 0.0f);
                loss += (double)(e * e);
                d[r * K + k] = scale * e;
            }
        return (float)(loss / (B * K));
    }
    float beta = m->cfg.ce_scale;
    for (int r = 0; r < B; r++) {
        const float *row = o + r * K;
        float zmax = -INFINITY;
        for (int k = 0; k < K; k++) zmax = fmaxf(zmax, beta * row[k]);
        double sum = 0;
        for (int k = 0; k < K; k++) sum += exp((double)(beta * row[k] - zmax));
        for (int k = 0; k < K; k++) {
            double p = exp((double)(beta * row[k] - zmax)) / sum;
            d[r * K + k] = (float)((double)beta * (p - (k == labels[r])) / B);
        }
        loss += -(double)(beta * row[labels[r]] - zmax) + log(sum);
    }
    return (float)(loss / B);
}

void vs_mlp_zero_grad(vs_mlp *m) { memset(m->grads, 0, m->n_params * sizeof(float)); }

void vs_mlp_backward(vs_mlp *m, int B)
{
    for (int l = m->cfg.n_layers - 1; l >= 0; l--) {
        int C = m->cfg.sizes[l], OC = m->cfg.sizes[l + 1];
        vs_act_backward(m->du, m->da[l], m->dact[l], (size_t)B * (size_t)OC);
        const float *in = l > 0 ? m->a[l - 1] : m->x;
        float *din = l > 0 ? m->da[l - 1] : NULL;
        if (din) memset(din, 0, (size_t)B * (size_t)C * sizeof *din);
        vs_linear_backward(din, m->grads + m->w_off[l], m->grads + m->b_off[l], m->du, in,
                           m->params + m->w_off[l], B, C, OC);
    }
}

void vs_mlp_update(vs_mlp *m)
{
    const vs_mlp_config *c = &m->cfg;
    const long n = (long)m->n_params;
    float *p = m->params, *g = m->grads, *m1 = m->m1, *m2 = m->m2;
    m->steps++;
    if (c->optim == VS_OPTIM_ADAM) {
        float bc1 = 1.0f - powf(c->beta1, (float)m->steps), bc2 = 1.0f - powf(c->beta2, (float)m->steps);
        float step = c->lr / bc1, inv_bc2 = 1.0f / bc2;
        float b1 = c->beta1, b2 = c->beta2, eps = c->eps, wd = c->weight_decay;
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++) {
            float gi = g[i] + wd * p[i];
            float a = b1 * m1[i] + (1 - b1) * gi, v = b2 * m2[i] + (1 - b2) * gi * gi;
            m1[i] = a;
            m2[i] = v;
            p[i] -= step * a / (sqrtf(v * inv_bc2) + eps);
        }
    } else {
        float lr = c->lr, mu = c->momentum, wd = c->weight_decay;
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++) {
            m1[i] = mu * m1[i] + g[i] + wd * p[i];
            p[i] -= lr * m1[i];
        }
    }
}

void vs_mlp_classify(const vs_mlp *m, int B, uint8_t *pred)
{
    int L = m->cfg.n_layers, K = m->cfg.sizes[L];
    const float *o = m->a[L - 1], *u = m->u[L - 1];
    for (int r = 0; r < B; r++) {
        int best = 0;
        for (int k = 1; k < K; k++) {
            float ok = o[r * K + k], ob = o[r * K + best];
            if (ok > ob || (ok == ob && u[r * K + k] > u[r * K + best])) best = k;
        }
        pred[r] = (uint8_t)best;
    }
}

void vs_mlp_predict(const float *out, int B, int K, uint8_t *pred)
{
    for (int r = 0; r < B; r++) {
        int best = 0;
        for (int k = 1; k < K; k++)
            if (out[r * K + k] > out[r * K + best]) best = k;
        pred[r] = (uint8_t)best;
    }
}
