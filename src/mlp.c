/* mlp.c -- rate-coded network through the neuron transfer function: kernels, losses, optimisers. */
#include "vo2snn/mlp.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- kernels ---------------------------------------------------------------------------- */

/*
 * C (M, N) += op(A) (M, K) op(B) (K, N), row-major, cut into fixed tiles of at most tm rows
 * and tn columns of C, one BLAS call per tile, the tiles shared among the OpenMP threads.
 *
 * Why: OpenBLAS's own threading splits a product differently for each thread count, and the
 * rounding follows the split (1 vs 2 threads trained different weights). Here the tiles do
 * not depend on the thread count, each tile sums over the whole of K in one call, and every
 * call runs single-threaded: inside an active parallel region OpenBLAS's OpenMP build uses one
 * thread, and with one thread there is no region to be in. So the result is bit-identical for
 * any OMP_NUM_THREADS. (An OMP_DYNAMIC team shrunk to one thread is not covered.)
 */
static void gemm_tiles(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, const float *A,
                       int lda, const float *Bm, int ldb, float *Cm, int ldc, int tm, int tn)
{
    if (M < 1 || N < 1 || K < 1) return;
    const int n_rows = (M + tm - 1) / tm, n_cols = (N + tn - 1) / tn;
#pragma omp parallel for schedule(static)
    for (int t = 0; t < n_rows * n_cols; t++) {
        const int m0 = (t / n_cols) * tm, n0 = (t % n_cols) * tn;
        const int mb = M - m0 < tm ? M - m0 : tm, nb = N - n0 < tn ? N - n0 : tn;
        const float *a = ta == CblasNoTrans ? A + (size_t)m0 * (size_t)lda : A + m0;
        const float *b = tb == CblasNoTrans ? Bm + n0 : Bm + (size_t)n0 * (size_t)ldb;
        cblas_sgemm(CblasRowMajor, ta, tb, mb, nb, K, 1.0f, a, lda, b, ldb, 1.0f,
                    Cm + (size_t)m0 * (size_t)ldc + n0, ldc);
    }
}

/* Tiles: 32 batch rows for out and din (a batch of 64 makes two), 256 input columns for dw
   (each tile packs its own slice of the inputs; measured fastest on 1 and 2 threads). */
#define GEMM_ROWS 32
#define GEMM_DW_COLS 256

void vs_linear_forward(float *out, const float *in, const float *w, const float *b, int B, int C, int OC)
{
    for (int r = 0; r < B; r++) memcpy(out + (size_t)r * OC, b, (size_t)OC * sizeof *b);
    gemm_tiles(CblasNoTrans, CblasTrans, B, OC, C, in, C, w, C, out, OC, GEMM_ROWS, OC);
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
    if (din) gemm_tiles(CblasNoTrans, CblasNoTrans, B, C, OC, dout, OC, w, C, din, C, GEMM_ROWS, C);
    gemm_tiles(CblasTrans, CblasNoTrans, OC, C, B, dout, OC, in, C, dw, C, OC, GEMM_DW_COLS);
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
    /* a chip (vs_mlp_set_chip): each neuron of layer l its own curve, scaled; NULL: tf's */
    const vs_curve *const *chip_curve[VS_MLP_MAX_LAYERS];
    const float *chip_scale[VS_MLP_MAX_LAYERS];
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

static int finite_in(float v, float lo, float hi) { return isfinite(v) && v >= lo && v <= hi; }

vs_status vs_mlp_config_validate(const vs_mlp_config *c)
{
    if (c->n_layers < 1 || c->n_layers > VS_MLP_MAX_LAYERS)
        return vs_fail(VS_EINVAL, "a network needs 1 to %d layers, not %d", VS_MLP_MAX_LAYERS, c->n_layers);
    for (int l = 0; l <= c->n_layers; l++)
        if (c->sizes[l] < 1 || c->sizes[l] > 100000)
            return vs_fail(VS_EINVAL, "layer %d has %d neurons (1 to 100000)", l, c->sizes[l]);
    if (c->loss != VS_LOSS_MSE && c->loss != VS_LOSS_CE) return vs_fail(VS_EINVAL, "loss kind %d is unknown", (int)c->loss);
    if (c->optim != VS_OPTIM_ADAM && c->optim != VS_OPTIM_SGD)
        return vs_fail(VS_EINVAL, "optimiser kind %d is unknown", (int)c->optim);
    const struct { const char *name; float v, lo, hi; } r[] = {
        {"rail", c->rail_v, 1e-3f, 1e3f},           {"weight init", c->init_w_v, 0, 1e3f},
        {"hidden bias", c->init_b_v, -1e3f, 1e3f},   {"output bias", c->init_out_b_v, -1e3f, 1e3f},
        {"MSE target", c->target_on, 1e-6f, 1},      {"cross-entropy scale", c->ce_scale, 1e-6f, 1e6f},
        {"learning rate", c->lr, 1e-12f, 1e3f},      {"momentum", c->momentum, 0, 0.99999f},
        {"Adam beta1", c->beta1, 0, 0.99999f},       {"Adam beta2", c->beta2, 0, 0.9999999f},
        {"Adam eps", c->eps, 1e-30f, 1},             {"weight decay", c->weight_decay, 0, 1e3f},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (!finite_in(r[i].v, r[i].lo, r[i].hi))
            return vs_fail(VS_EINVAL, "%s %g is outside [%g, %g]", r[i].name, (double)r[i].v, (double)r[i].lo,
                           (double)r[i].hi);
    return VS_OK;
}

vs_mlp *vs_mlp_new(const vs_mlp_config *cfg, const vs_transfer *t, int max_batch, vs_rng *rng)
{
    if (vs_mlp_config_validate(cfg) != VS_OK) return NULL;
    if (max_batch < 1) {
        vs_fail(VS_EINVAL, "the batch allocation %d must be positive", max_batch);
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

vs_status vs_mlp_state_validate(const vs_mlp *m)
{
    const size_t n = m->n_params;
    const float *p = m->params, *m1 = m->m1, *m2 = m->m2;
    size_t bad_p = 0, bad_m1 = 0, bad_m2 = 0;   /* counted branch-free: the loops vectorise */
    for (size_t i = 0; i < n; i++) bad_p += !isfinite(p[i]);
    for (size_t i = 0; i < n; i++) bad_m1 += !isfinite(m1[i]);
    for (size_t i = 0; i < n; i++) bad_m2 += !(m2[i] >= 0 && m2[i] <= FLT_MAX);
    if (bad_p) return vs_fail(VS_EFORMAT, "%zu of %zu weights are not finite", bad_p, n);
    if (bad_m1)
        return vs_fail(VS_EFORMAT, "%zu of %zu %s are not finite", bad_m1, n,
                       m->cfg.optim == VS_OPTIM_ADAM ? "Adam first moments" : "SGD velocities");
    if (bad_m2)
        return vs_fail(VS_EFORMAT, "%zu of %zu %s are negative or not finite", bad_m2, n,
                       m->cfg.optim == VS_OPTIM_ADAM ? "Adam second moments" : "(unused) second moments");
    return VS_OK;
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

void vs_mlp_set_chip(vs_mlp *m, int l, const vs_curve *const *curves, const float *scale)
{
    m->chip_curve[l] = curves;
    m->chip_scale[l] = scale;
}

/* vs_act_forward with neuron k's own curve c[k] scaled by scale[k] (B rows of OC units). */
static void act_forward_chip(float *out, float *dact, const float *u, const vs_curve *const *c,
                             const float *scale, float rail_v, int B, int OC)
{
    for (int r = 0; r < B; r++)
        for (int k = 0; k < OC; k++) {
            size_t i = (size_t)r * (size_t)OC + (size_t)k;
            float v = u[i];
            int clipped = v > rail_v || v < -rail_v;
            v = v > rail_v ? rail_v : (v < -rail_v ? -rail_v : v);
            out[i] = scale[k] * vs_curve_value(c[k], v);
            dact[i] = scale[k] * (clipped ? c[k]->leak : vs_curve_slope(c[k], v));
        }
}

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
        if (m->chip_curve[l])
            act_forward_chip(m->a[l], m->dact[l], m->u[l], m->chip_curve[l], m->chip_scale[l], m->cfg.rail_v, B, OC);
        else
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
