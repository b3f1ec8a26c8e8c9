/* train.c -- epochs, evaluation and checkpoints for the rate-coded network. */
#include "vo2snn/train.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "vo2snn/atomic.h"
#include "vo2snn/rng.h"
#include "parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/*
 * Thread count per mini-batch, following the machine's load. A batch is a few short parallel
 * regions, and each region waits for its slowest thread: when another process takes a core,
 * a 2-thread epoch can take 30x longer than a 1-thread one. So every TUNE_SECONDS the tuner
 * reads how much CPU the rest of the machine used (/proc/stat's busy time less this process's
 * own, getrusage) and leaves that many cores alone (at least 1 thread). Without /proc/stat it
 * keeps the caller's count. Results do not depend on it: the kernels are bit-identical for any
 * thread count (mlp.h).
 */
#define TUNE_SECONDS 0.25

typedef struct thread_tuner {
    int max;              /* the caller's thread count, restored at the end */
    double wall, busy, self;   /* at the last sample: wall time, machine busy CPU s, own CPU s */
    int ok;               /* the last sample could be read */
} thread_tuner;

/* CPU seconds the whole machine has been busy (/proc/stat's first line); -1 if unreadable. */
static double machine_busy_seconds(void)
{
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[8] = {0};
    int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                       &v[5], &v[6], &v[7]) : 0;
    if (f) fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    if (n < 8 || hz <= 0) return -1;
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)hz;   /* all but idle, iowait */
}

static double self_cpu_seconds(void)
{
    struct rusage r;
    if (getrusage(RUSAGE_SELF, &r) != 0) return -1;
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + 1e-6 * (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

static void tuner_sample(thread_tuner *tu)
{
    tu->wall = wall_seconds(), tu->busy = machine_busy_seconds(), tu->self = self_cpu_seconds();
    tu->ok = tu->busy >= 0 && tu->self >= 0;
}

static void tuner_begin(thread_tuner *tu)
{
#ifdef _OPENMP
    tu->max = omp_get_max_threads();
#else
    tu->max = 1;
#endif
    if (tu->max > 1) tuner_sample(tu);
}

/* Before a batch: every TUNE_SECONDS, threads = max less the cores others kept busy. */
static void tuner_step(thread_tuner *tu)
{
    if (tu->max <= 1 || wall_seconds() - tu->wall < TUNE_SECONDS) return;
    thread_tuner last = *tu;
    tuner_sample(tu);
    if (!last.ok || !tu->ok) return;
    double others = ((tu->busy - last.busy) - (tu->self - last.self)) / (tu->wall - last.wall);
#ifdef _OPENMP
    omp_set_num_threads(vs__threads_beside_load(tu->max, others));
#else
    (void)others;
#endif
}

static void tuner_end(const thread_tuner *tu)
{
#ifdef _OPENMP
    if (tu->max > 1) omp_set_num_threads(tu->max);
#else
    (void)tu;
#endif
}

/* Input neuron i's signal at pixel value p: its own table (n_in, 256) of a chip, or the shared one. */
static inline float encode_at(const float *enc, const float *enc_in, size_t i, int p)
{
    return enc_in ? enc_in[i * 256 + (size_t)p] : enc[p];
}

/* One image shifted by (sx, sy) into row, zero-filled (pixel value 0) where nothing shifts in. */
static void encode_shifted(float *row, const uint8_t *img, int rows, int cols, int sx, int sy,
                           const float *enc, const float *enc_in)
{
    const int c0 = sx > 0 ? sx : 0, c1 = sx < 0 ? cols + sx : cols;   /* columns with a source */
    for (int y = 0; y < rows; y++) {
        size_t at = (size_t)y * (size_t)cols;
        int ys = y - sy;
        const uint8_t *src = ys >= 0 && ys < rows ? img + (size_t)ys * (size_t)cols - sx : NULL;
        for (int c = 0; c < cols; c++)
            row[at + c] = encode_at(enc, enc_in, at + (size_t)c, src && c >= c0 && c < c1 ? src[c] : 0);
    }
}

/* Encode rows idx[0..B) of d into x (B, pixels), each shifted by (dx[r], dy[r]) if dx != NULL;
   enc_in (may be NULL): each input neuron's own encoding (a chip). */
static void encode_batch(float *x, const vs_dataset *d, const uint32_t *idx, int B,
                         const float enc[256], const float *enc_in, const int8_t *dx, const int8_t *dy)
{
    const int rows = d->rows, cols = d->cols;
    const size_t px = (size_t)rows * (size_t)cols;
#pragma omp parallel for schedule(static) if (B >= 64)
    for (int r = 0; r < B; r++) {
        const uint8_t *img = d->images + (size_t)idx[r] * px;
        float *row = x + (size_t)r * px;
        if (dx && (dx[r] != 0 || dy[r] != 0)) encode_shifted(row, img, rows, cols, dx[r], dy[r], enc, enc_in);
        else if (enc_in)
            for (size_t i = 0; i < px; i++) row[i] = enc_in[i * 256 + img[i]];
        else
            for (size_t i = 0; i < px; i++) row[i] = enc[img[i]];
    }
}

static vs_status check_shapes(const vs_mlp *m, const vs_dataset *d, int batch)
{
    const vs_mlp_config *c = vs_mlp_get_config(m);
    if ((size_t)c->sizes[0] != (size_t)d->rows * (size_t)d->cols)
        return vs_fail(VS_EINVAL, "the network takes %d inputs but the images have %d x %d pixels",
                       c->sizes[0], d->rows, d->cols);
    if (c->sizes[c->n_layers] != 10) return vs_fail(VS_EINVAL, "the network needs 10 outputs");
    if (batch < 1) return vs_fail(VS_EINVAL, "batch size %d must be positive", batch);
    return VS_OK;
}

/* perm = a Fisher-Yates permutation of 0..n-1 drawn from rng. */
static void shuffle(uint32_t *perm, size_t n, vs_rng *rng)
{
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(vs_rng_uniform(rng) * (double)i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

vs_status vs_train_epoch(vs_mlp *m, const vs_dataset *d, const float enc[256],
                         const vs_train_opts *o, int epoch, vs_batch_fn progress, void *user,
                         vs_epoch_metrics *out)
{
    const int batch = o->batch;
    const size_t n_limit = o->n_limit;
    if (o->shift_px < 0 || o->shift_px > 8) return vs_fail(VS_EINVAL, "shift %d px must be in [0, 8]", o->shift_px);
    vs_status st = check_shapes(m, d, batch);
    if (st != VS_OK) return st;
    if (batch > vs_mlp_max_batch(m))
        return vs_fail(VS_EINVAL, "batch %d exceeds the network's allocation (%d)", batch, vs_mlp_max_batch(m));
    size_t n = n_limit && n_limit < d->n ? n_limit : d->n;
    const int px = d->rows * d->cols;
    uint32_t *perm = malloc(n * sizeof *perm);
    float *x = malloc((size_t)batch * (size_t)px * sizeof *x);
    uint8_t *labels = malloc((size_t)batch), *pred = malloc((size_t)batch);
    int8_t *shift = malloc(2 * (size_t)batch);
    if (!perm || !x || !labels || !pred || !shift) {
        free(perm), free(x), free(labels), free(pred), free(shift);
        return vs_fail(VS_ENOMEM, "out of memory for a batch of %d", batch);
    }
    double t0 = wall_seconds();   /* the epoch's time includes its shuffle */
    vs_rng rng;
    vs_rng_seed(&rng, o->seed, 1000 + (uint64_t)epoch);
    shuffle(perm, n, &rng);
    double loss_sum = 0;
    long correct = 0, total_batches = (long)((n + (size_t)batch - 1) / (size_t)batch);
    thread_tuner tu;
    tuner_begin(&tu);
    for (long bi = 0; bi < total_batches; bi++) {
        tuner_step(&tu);
        size_t start = (size_t)bi * (size_t)batch;
        int B = (int)(n - start < (size_t)batch ? n - start : (size_t)batch);
        if (o->shift_px > 0)
            for (int r = 0; r < 2 * B; r++)
                shift[r] = (int8_t)((int)(vs_rng_uniform(&rng) * (2 * o->shift_px + 1)) - o->shift_px);
        const float *enc_in = o->chip ? o->chip(o->chip_user, m, (long)epoch * total_batches + bi) : NULL;
        encode_batch(x, d, perm + start, B, enc, enc_in, o->shift_px > 0 ? shift : NULL, shift + B);
        for (int r = 0; r < B; r++) labels[r] = d->labels[perm[start + (size_t)r]];
        vs_mlp_forward(m, x, B);
        vs_mlp_classify(m, B, pred);
        for (int r = 0; r < B; r++) correct += pred[r] == labels[r];
        float loss = vs_mlp_loss(m, labels, B);
        if (!isfinite(loss)) {
            st = vs_fail(VS_ERHS, "training diverged: loss is %g at epoch %d, batch %ld (lower the learning rate)",
                         (double)loss, epoch + 1, bi + 1);
            break;
        }
        loss_sum += (double)loss * B;
        vs_mlp_zero_grad(m);
        vs_mlp_backward(m, B);
        vs_mlp_update(m);
        if (progress && progress(bi + 1, total_batches, user)) {
            st = vs_fail(VS_EINVAL, "training stopped at epoch %d, batch %ld", epoch + 1, bi + 1);
            break;
        }
    }
    tuner_end(&tu);
    for (int l = 0; o->chip && l < VS_MLP_MAX_LAYERS; l++) vs_mlp_set_chip(m, l, NULL, NULL);   /* back to nominal */
    out->loss = loss_sum / (double)n;
    out->train_acc = (double)correct / (double)n;
    out->seconds = wall_seconds() - t0;
    out->test_acc = NAN;
    free(perm), free(x), free(labels), free(pred), free(shift);
    return st;
}

vs_status vs_evaluate(vs_mlp *m, const vs_dataset *d, size_t n_limit, const float enc[256],
                      int batch, double *accuracy, uint32_t *confusion, uint8_t *pred_out)
{
    vs_status st = check_shapes(m, d, batch);
    if (st != VS_OK) return st;
    if (batch > vs_mlp_max_batch(m)) batch = vs_mlp_max_batch(m);
    size_t n = n_limit && n_limit < d->n ? n_limit : d->n;
    const int px = d->rows * d->cols, K = 10;
    float *x = malloc((size_t)batch * (size_t)px * sizeof *x);
    uint32_t *idx = malloc((size_t)batch * sizeof *idx);
    uint8_t *pred = malloc((size_t)batch);
    if (!x || !idx || !pred) {
        free(x), free(idx), free(pred);
        return vs_fail(VS_ENOMEM, "out of memory for a batch of %d", batch);
    }
    if (confusion) memset(confusion, 0, (size_t)(K * K) * sizeof *confusion);
    long correct = 0;
    thread_tuner tu;
    tuner_begin(&tu);
    for (size_t start = 0; start < n; start += (size_t)batch) {
        tuner_step(&tu);
        int B = (int)(n - start < (size_t)batch ? n - start : (size_t)batch);
        for (int r = 0; r < B; r++) idx[r] = (uint32_t)(start + (size_t)r);
        encode_batch(x, d, idx, B, enc, NULL, NULL, NULL);
        vs_mlp_forward(m, x, B);
        vs_mlp_classify(m, B, pred);
        for (int r = 0; r < B; r++) {
            int y = d->labels[start + (size_t)r];
            correct += pred[r] == y;
            if (confusion) confusion[y * K + pred[r]]++;
            if (pred_out) pred_out[start + (size_t)r] = pred[r];
        }
    }
    tuner_end(&tu);
    *accuracy = (double)correct / (double)n;
    free(x), free(idx), free(pred);
    return VS_OK;
}

double vs_lr_cosine(double base, int epoch, int total)
{
    if (total <= 1) return base;
    return base * 0.5 * (1.0 + cos(3.14159265358979323846 * epoch / total));
}

void vs_output_rates(vs_mlp *m, const uint8_t *image, const float enc[256], float *out)
{
    const vs_mlp_config *c = vs_mlp_get_config(m);
    float *x = malloc((size_t)c->sizes[0] * sizeof *x);
    if (!x) return;
    for (int i = 0; i < c->sizes[0]; i++) x[i] = enc[image[i]];
    const float *o = vs_mlp_forward(m, x, 1);
    memcpy(out, o, (size_t)c->sizes[c->n_layers] * sizeof *out);
    free(x);
}

/* ---- checkpoint ------------------------------------------------------------------------- */

#define CK_MAGIC "VO2SNNCK"
#define CK_VERSION 2u   /* 1: the vo2x parameters in a fixed order; 2: model and table, integrator settings */

typedef struct buf {
    unsigned char *p;
    size_t n, cap, pos;
    int bad;
} buf;

static void put(buf *b, const void *src, size_t n)
{
    if (b->bad) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->bad = 1;
            return;
        }
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);   /* x86-64 and every supported target are little-endian */
    b->n += n;
}
static void put_u32(buf *b, uint32_t v) { put(b, &v, 4); }
static void put_u64(buf *b, uint64_t v) { put(b, &v, 8); }
static void put_f64(buf *b, double v) { put(b, &v, 8); }
static void put_f32(buf *b, float v) { put(b, &v, 4); }

static void get(buf *b, void *dst, size_t n)
{
    if (b->bad || b->pos + n > b->n) {
        b->bad = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, b->p + b->pos, n);
    b->pos += n;
}
static uint32_t get_u32(buf *b) { uint32_t v; get(b, &v, 4); return v; }
static uint64_t get_u64(buf *b) { uint64_t v; get(b, &v, 8); return v; }
static double get_f64(buf *b) { double v; get(b, &v, 8); return v; }
static float get_f32(buf *b) { float v; get(b, &v, 4); return v; }

/* A short string: u32 length (< VS_NAME_MAX), then the bytes. */
static void put_str(buf *b, const char *s)
{
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    put(b, s, n);
}

static void get_str(buf *b, char *dst)
{
    uint32_t n = get_u32(b);
    if (n >= VS_NAME_MAX) b->bad = 1, n = 0;
    get(b, dst, n);
    dst[n] = '\0';
}

/* The device: its model's name, every (key, value) of its table, provenance and name. */
static void put_device(buf *b, const vs_device_params *d)
{
    put_str(b, d->model->name);
    put_u32(b, (uint32_t)d->model->n_params);
    for (int i = 0; i < d->model->n_params; i++) {
        put_str(b, d->model->params[i].key);
        put_f64(b, d->v[i]);
    }
    put_f64(b, d->vacancy_x);
    put_u32(b, (uint32_t)d->preset);
    put_str(b, d->name);
}

/* Version 1 stored the vo2x parameters in this order, then vacancy_x. */
static void get_device_v1(buf *b, vs_device_params *d)
{
    static const char *const keys[] = {"r_ins0", "r_met", "g_th", "tau_th", "e_a", "t_c",
                                       "dt_hyst", "w_t", "t_0", "t_amb", "sigma_lnr", "sigma_tc"};
    vs_device_params_defaults(vs_model_default(), d);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        d->v[vs_model_param_index(d->model, keys[i])] = get_f64(b);
    d->vacancy_x = get_f64(b);
    d->preset = 0;
}

/* Parameters the table has and the file lacks keep their defaults (a newer table). */
static vs_status get_device(buf *b, const char *path, vs_device_params *d)
{
    char name[VS_NAME_MAX], key[VS_NAME_MAX];
    get_str(b, name);
    const vs_model *m = b->bad ? NULL : vs_model_find(name);
    if (!m) return b->bad ? vs_fail(VS_EFORMAT, "%s: checkpoint header is truncated", path)
                          : vs_fail(VS_EFORMAT, "%s: checkpoint device: %s", path, vs_last_error());
    vs_device_params_defaults(m, d);
    uint32_t n = get_u32(b);
    for (uint32_t k = 0; k < n && k < VS_MAX_PARAMS && !b->bad; k++) {
        get_str(b, key);
        double v = get_f64(b);
        int i = vs_model_param_index(m, key);
        if (i < 0 && !b->bad)
            return vs_fail(VS_EFORMAT, "%s: checkpoint device parameter '%s' is not a parameter of model %s",
                           path, key, m->name);
        if (i >= 0) d->v[i] = v;
    }
    if (n > VS_MAX_PARAMS) b->bad = 1;
    d->vacancy_x = get_f64(b);
    d->preset = (int)get_u32(b);
    get_str(b, d->name);
    if (b->bad) return vs_fail(VS_EFORMAT, "%s: checkpoint header is truncated", path);
    return VS_OK;
}

/* The integrator settings the transfer function was measured with (what else determines
   it -- device, circuit, grid, classification -- is stored beside them). */
static void put_sim(buf *b, const vs_sim_opts *o)
{
    put_u32(b, (uint32_t)o->method);
    const double ds[] = {o->rtol, o->atol_v, o->atol_temp_k, o->h_max_s, o->dt_s};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) put_f64(b, ds[i]);
    put_u64(b, o->seed);
}

static void get_sim(buf *b, vs_sim_opts *o)
{
    o->method = (vs_ode_method)get_u32(b);
    double *ds[] = {&o->rtol, &o->atol_v, &o->atol_temp_k, &o->h_max_s, &o->dt_s};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) *ds[i] = get_f64(b);
    o->seed = get_u64(b);
}

static void put_header(buf *b, const vs_checkpoint_info *in)
{
    const vs_mlp_config *c = &in->cfg;
    put_u32(b, (uint32_t)c->n_layers);
    for (int l = 0; l <= VS_MLP_MAX_LAYERS; l++) put_u32(b, (uint32_t)c->sizes[l]);
    const float fs[] = {c->rail_v, c->init_w_v, c->init_b_v, c->init_out_b_v, c->ce_scale,
                        c->target_on, c->lr, c->momentum, c->beta1, c->beta2, c->eps,
                        c->weight_decay};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) put_f32(b, fs[i]);
    put_u32(b, (uint32_t)c->loss);
    put_u32(b, (uint32_t)c->optim);
    put_device(b, &in->device);
    vs_transfer_opts t = in->transfer;   /* a grid end left to the device is stored as derived */
    if (vs_transfer_resolve_range(&in->device, &in->circuit, &t) != VS_OK) t.v_max_v = NAN;
    const double ds[] = {in->circuit.r_series_ohm, in->circuit.c_f, in->circuit.r_sense_ohm,
                         t.v_max_v, t.dv_v, t.surrogate_v, t.classify.t_run_s, t.classify.settle_frac};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) put_f64(b, ds[i]);
    put_u32(b, (uint32_t)in->transfer.classify.min_spikes);
    put_sim(b, &in->transfer.classify.sim);
    put_u32(b, (uint32_t)in->epoch);
    put_u64(b, (uint64_t)in->steps);
    put_u64(b, in->seed);
    put_u32(b, (uint32_t)in->batch);
    put_u32(b, (uint32_t)in->epochs_planned);
    put_u32(b, (uint32_t)in->shift_px);
    put_u32(b, (uint32_t)in->cosine);
    for (int e = 0; e < in->epoch; e++) {
        const vs_epoch_metrics *h = &in->history[e];
        put_f64(b, h->loss), put_f64(b, h->train_acc), put_f64(b, h->test_acc), put_f64(b, h->seconds);
    }
}

/* Parse the header fields (no judgement yet, except what sizes the history read). */
static vs_status get_header(buf *b, const char *path, uint32_t version, vs_checkpoint_info *in)
{
    memset(in, 0, sizeof *in);
    vs_mlp_config *c = &in->cfg;
    c->n_layers = (int)get_u32(b);
    for (int l = 0; l <= VS_MLP_MAX_LAYERS; l++) c->sizes[l] = (int)get_u32(b);
    float *fs[] = {&c->rail_v, &c->init_w_v, &c->init_b_v, &c->init_out_b_v, &c->ce_scale,
                   &c->target_on, &c->lr, &c->momentum, &c->beta1, &c->beta2, &c->eps,
                   &c->weight_decay};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) *fs[i] = get_f32(b);
    c->loss = (vs_loss_kind)get_u32(b);
    c->optim = (vs_optim_kind)get_u32(b);
    in->transfer = vs_transfer_opts_default();
    if (version == 1) get_device_v1(b, &in->device);
    else {
        vs_status st = get_device(b, path, &in->device);
        if (st != VS_OK) return st;
    }
    double *ds[] = {&in->circuit.r_series_ohm, &in->circuit.c_f, &in->circuit.r_sense_ohm,
                    &in->transfer.v_max_v, &in->transfer.dv_v, &in->transfer.surrogate_v,
                    &in->transfer.classify.t_run_s, &in->transfer.classify.settle_frac};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) *ds[i] = get_f64(b);
    in->transfer.classify.min_spikes = (int)get_u32(b);
    if (version >= 2) get_sim(b, &in->transfer.classify.sim);   /* format 1: the defaults */
    uint32_t epoch = get_u32(b);
    uint64_t steps = get_u64(b);
    in->seed = get_u64(b);
    uint32_t batch = get_u32(b), planned = get_u32(b), shift = get_u32(b), cosine = get_u32(b);
    if (b->bad) return vs_fail(VS_EFORMAT, "%s: checkpoint header is truncated", path);
    if (epoch > VS_MAX_EPOCHS || planned < 1 || planned > VS_MAX_EPOCHS || epoch > planned ||
        steps > (uint64_t)1 << 40 || batch < 1 || batch > VS_CHECKPOINT_MAX_BATCH || shift > 8 || cosine > 1)
        return vs_fail(VS_EFORMAT,
                       "%s: checkpoint header is malformed (epoch %u of %u, %llu steps, batch %u, shift %u, schedule %u)",
                       path, epoch, planned, (unsigned long long)steps, batch, shift, cosine);
    in->epoch = (int)epoch, in->steps = (long)steps, in->batch = (int)batch;
    in->epochs_planned = (int)planned, in->shift_px = (int)shift, in->cosine = (int)cosine;
    for (int e = 0; e < in->epoch; e++) {
        vs_epoch_metrics *h = &in->history[e];
        h->loss = get_f64(b), h->train_acc = get_f64(b), h->test_acc = get_f64(b), h->seconds = get_f64(b);
    }
    if (b->bad) return vs_fail(VS_EFORMAT, "%s: checkpoint header is truncated", path);
    return VS_OK;
}

/* The stored transfer-function settings rebuild a table in seconds, not hours. */
static vs_status check_transfer_opts(const vs_transfer_opts *t)
{
    const vs_classify_opts *c = &t->classify;
    if (!(t->dv_v >= 1e-4 && t->v_max_v > t->dv_v && t->v_max_v <= 1e3 && t->v_max_v / t->dv_v <= 1e4))
        return vs_fail(VS_EINVAL, "grid 0..%g V in steps of %g V (at most 1e4 steps up to 1 kV)", t->v_max_v, t->dv_v);
    if (!(t->surrogate_v >= 0 && t->surrogate_v <= 10))
        return vs_fail(VS_EINVAL, "surrogate width %g V is outside [0, 10] V", t->surrogate_v);
    if (!(c->t_run_s > 0 && c->t_run_s <= 1e-3))
        return vs_fail(VS_EINVAL, "run time %g s per point is outside (0, 1 ms]", c->t_run_s);
    if (!(c->settle_frac >= 0 && c->settle_frac < 1))
        return vs_fail(VS_EINVAL, "settle fraction %g is outside [0, 1)", c->settle_frac);
    if (c->min_spikes < 2 || c->min_spikes > 1000000)
        return vs_fail(VS_EINVAL, "minimum spike count %d is outside [2, 1e6]", c->min_spikes);
    const vs_sim_opts *o = &c->sim;
    if (o->method != VS_ODE_DP54 && o->method != VS_ODE_RK4)
        return vs_fail(VS_EINVAL, "integrator method %d is not dp54 (0) or rk4 (1)", (int)o->method);
    if (!(o->rtol > 0 && o->rtol < 1) || !(o->atol_v > 0 && o->atol_v < 1) ||
        !(o->atol_temp_k > 0 && o->atol_temp_k < 100) || !(o->h_max_s > 0 && o->h_max_s <= 1e-5) ||
        !(o->dt_s > 0 && o->dt_s <= 1e-6))
        return vs_fail(VS_EINVAL, "integrator settings (rtol %g, atol %g V / %g K, h_max %g s, dt %g s) "
                                  "are not valid", o->rtol, o->atol_v, o->atol_temp_k, o->h_max_s, o->dt_s);
    return VS_OK;
}

static vs_status check_history(const vs_checkpoint_info *in)
{
    for (int e = 0; e < in->epoch; e++) {
        const vs_epoch_metrics *h = &in->history[e];
        int acc_ok = !(h->train_acc < 0 || h->train_acc > 1 || h->test_acc < 0 || h->test_acc > 1);
        if (!(h->loss >= 0 && isfinite(h->loss)) || !acc_ok || !(h->seconds >= 0 && isfinite(h->seconds)))
            return vs_fail(VS_EINVAL, "epoch %d metrics (loss %g, accuracies %g and %g, %g s) are not valid", e + 1,
                           h->loss, h->train_acc, h->test_acc, h->seconds);
    }
    return VS_OK;
}

/* Judge every stored setting; the message names the checkpoint and the part at fault. */
static vs_status check_info(const char *path, const vs_checkpoint_info *in)
{
    const char *part = "network";
    vs_status st = vs_mlp_config_validate(&in->cfg);
    if (st == VS_OK) part = "device", st = vs_device_validate(&in->device);
    if (st == VS_OK) part = "circuit", st = vs_circuit_validate(&in->circuit);
    if (st == VS_OK) part = "transfer function", st = check_transfer_opts(&in->transfer);
    if (st == VS_OK) part = "history", st = check_history(in);
    if (st == VS_OK) return VS_OK;
    char msg[300];
    snprintf(msg, sizeof msg, "%s", vs_last_error());
    return vs_fail(VS_EFORMAT, "%s: checkpoint %s: %s", path, part, msg);
}

vs_status vs_checkpoint_save(const char *path, const vs_checkpoint_info *info, vs_mlp *m)
{
    buf h = {0}, b = {0};
    put_header(&h, info);
    size_t n = vs_mlp_num_params(m);
    put(&b, CK_MAGIC, 8);
    put_u32(&b, CK_VERSION);
    put_u32(&b, (uint32_t)h.n);
    put(&b, h.p, h.n);
    put_u64(&b, (uint64_t)n);
    put(&b, vs_mlp_params(m), n * sizeof(float));
    put(&b, vs_mlp_moments(m), 2 * n * sizeof(float));
    uLong crc = crc32(0L, Z_NULL, 0);
    if (!b.bad) crc = crc32(crc, b.p, (uInt)b.n);
    put_u32(&b, (uint32_t)crc);
    free(h.p);
    if (h.bad || b.bad) {
        free(b.p);
        return vs_fail(VS_ENOMEM, "out of memory writing checkpoint %s", path);
    }
    vs_status st = vs_write_file_atomic(path, b.p, b.n);
    free(b.p);
    return st;
}

/* Smallest possible file: magic, version, header size, a 1-1 network, the crc. */
#define CK_MIN_BYTES (8 + 4 + 4 + 4 + 8 + 4)

/* Read the whole file into b. Refuses, before reading, anything but a regular file of
   CK_MIN_BYTES to VS_CHECKPOINT_MAX_BYTES (a directory, /dev/zero, a FIFO, ...). */
static vs_status read_all(const char *path, buf *b)
{
    memset(b, 0, sizeof *b);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);   /* a FIFO must not block */
    if (fd < 0) return vs_fail(VS_EIO, "cannot read checkpoint '%s': %s", path, strerror(errno));
    struct stat sb;
    vs_status st = VS_OK;
    if (fstat(fd, &sb) != 0) st = vs_fail(VS_EIO, "cannot read checkpoint '%s': %s", path, strerror(errno));
    else if (S_ISDIR(sb.st_mode)) st = vs_fail(VS_EIO, "checkpoint '%s' is a directory, not a file", path);
    else if (!S_ISREG(sb.st_mode)) st = vs_fail(VS_EIO, "checkpoint '%s' is not a regular file", path);
    else if (sb.st_size > (off_t)VS_CHECKPOINT_MAX_BYTES)
        st = vs_fail(VS_EFORMAT, "checkpoint '%s' is %lld bytes, more than any checkpoint (%lld)", path,
                     (long long)sb.st_size, (long long)VS_CHECKPOINT_MAX_BYTES);
    else if (sb.st_size < CK_MIN_BYTES)
        st = vs_fail(VS_EFORMAT, "%s: not a vo2snn checkpoint (%lld bytes, too short)", path, (long long)sb.st_size);
    else if (!(b->p = malloc((size_t)sb.st_size + 1)))
        st = vs_fail(VS_ENOMEM, "out of memory reading checkpoint '%s' (%lld bytes)", path, (long long)sb.st_size);
    /* read one byte past the size seen: a file that grew meanwhile is not trusted */
    for (size_t want = (size_t)sb.st_size + 1; st == VS_OK && b->n < want;) {
        ssize_t k = read(fd, b->p + b->n, want - b->n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) st = vs_fail(VS_EIO, "cannot read checkpoint '%s': %s", path, strerror(errno));
        if (k <= 0) break;
        b->n += (size_t)k;
    }
    if (st == VS_OK && b->n != (size_t)sb.st_size)
        st = vs_fail(VS_EIO, "checkpoint '%s' changed while it was read", path);
    close(fd);
    if (st != VS_OK) free(b->p), b->p = NULL;
    b->cap = b->n;
    return st;
}

/* Validate framing and CRC; leaves b->pos at the header start and *version set. */
static vs_status check_frame(buf *b, const char *path, uint32_t *version_out)
{
    if (b->n < 8 + 4 + 4 + 4 || memcmp(b->p, CK_MAGIC, 8) != 0)
        return vs_fail(VS_EFORMAT, "%s: not a vo2snn checkpoint (bad magic)", path);
    uint32_t stored;
    memcpy(&stored, b->p + b->n - 4, 4);
    uLong crc = crc32(crc32(0L, Z_NULL, 0), b->p, (uInt)(b->n - 4));
    if ((uint32_t)crc != stored)
        return vs_fail(VS_EFORMAT, "%s: checkpoint is corrupt (checksum mismatch)", path);
    b->pos = 8;
    uint32_t version = get_u32(b);
    if (version != CK_VERSION && version != 1)
        return vs_fail(VS_EFORMAT, "%s: checkpoint version %u is not supported (expected 1 or %u)", path, version, CK_VERSION);
    *version_out = version;
    b->pos += 4;   /* header bytes: informational */
    return VS_OK;
}

/* Read, frame, parse and judge the header; on success b holds the file, at the payload, and
   *info is filled (left untouched on failure). */
static vs_status read_header(const char *path, buf *b, vs_checkpoint_info *info)
{
    vs_status st = read_all(path, b);
    if (st != VS_OK) return st;
    vs_checkpoint_info in;   /* 32 kB: the history */
    uint32_t version = 0;
    if ((st = check_frame(b, path, &version)) == VS_OK && (st = get_header(b, path, version, &in)) == VS_OK &&
        (st = check_info(path, &in)) == VS_OK)
        *info = in;
    if (st != VS_OK) free(b->p), b->p = NULL;
    return st;
}

vs_status vs_checkpoint_load_info(const char *path, vs_checkpoint_info *info)
{
    buf b;
    vs_status st = read_header(path, &b, info);
    free(b.p);
    return st;
}

/* The payload: n_header parameters and their two moment blocks, then the crc. */
static vs_status check_payload_size(const char *path, buf *b, const vs_mlp_config *c, uint64_t *n_out)
{
    uint64_t n_header = 0;
    for (int l = 0; l < c->n_layers; l++) n_header += (uint64_t)c->sizes[l + 1] * (uint64_t)(c->sizes[l] + 1);
    uint64_t stored_n = get_u64(b);
    if (stored_n != n_header || b->pos + 3 * n_header * sizeof(float) + 4 != b->n)
        return vs_fail(VS_EFORMAT, "%s: checkpoint holds %llu parameters, its header describes %llu", path,
                       (unsigned long long)stored_n, (unsigned long long)n_header);
    *n_out = n_header;
    return VS_OK;
}

vs_status vs_checkpoint_load(const char *path, const vs_transfer *t, int max_batch,
                             vs_checkpoint_info *info, vs_mlp **out)
{
    buf b;
    vs_status st = read_header(path, &b, info);
    if (st != VS_OK) return st;
    /* the header's layer sizes must describe exactly the arrays stored, before anything is
       allocated for them (a corrupt header could otherwise ask for gigabytes) */
    uint64_t n = 0;
    vs_mlp *m = NULL;
    st = check_payload_size(path, &b, &info->cfg, &n);
    if (st == VS_OK) {
        vs_rng rng;
        vs_rng_seed(&rng, 0, 0);
        m = vs_mlp_new(&info->cfg, t, max_batch, &rng);
        if (!m) st = vs_fail(VS_EFORMAT, "%s: %s", path, vs_last_error());
    }
    if (st == VS_OK) {
        get(&b, vs_mlp_params(m), n * sizeof(float));
        get(&b, vs_mlp_moments(m), 2 * n * sizeof(float));
        vs_mlp_set_step_count(m, info->steps);
        if (vs_mlp_state_validate(m) != VS_OK) {
            char msg[300];
            snprintf(msg, sizeof msg, "%s", vs_last_error());
            st = vs_fail(VS_EFORMAT, "%s: checkpoint holds invalid values: %s", path, msg);
        }
    }
    free(b.p);
    if (st != VS_OK) {
        vs_mlp_free(m);
        return st;
    }
    *out = m;
    return VS_OK;
}
