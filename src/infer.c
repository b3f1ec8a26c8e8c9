/* infer.c -- the trained network as circuit neurons and adders, one image at a time. */
#include "vo2snn/infer.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer_fast.h"
#include "vo2snn/rng.h"
#include "vo2snn/variation.h"

enum { N_LEVELS = 256 };

struct vs_infer_net {
    vs_infer_opts o;
    vs_device_params dev;
    vs_circuit circ;
    int n_in, n_hid, n_out;
    size_t n_t;                  /* grid points over the window */
    float *level_wave;           /* (256, n_t) V_spike of an input neuron per grey level */
    float *level_wave2;          /* (256, n_t) its square, for the adder resistor power (same block) */
    double level_energy[N_LEVELS];
    long level_spikes[N_LEVELS];
    float *level_spike_t;        /* (256, max_level_spikes) spike times per level */
    int max_level_spikes;
    /* gains: excitatory (>= 0) and inhibitory magnitudes, (n_out_layer, n_in_layer) */
    float *g1e, *g1i, *g2e, *g2i;
    vs_adder *adder1, *adder2;   /* per hidden / output neuron */
    const vs_transfer *t;        /* borrowed: the pixel voltages */
    vs_device_params *devs;      /* (n_in + n_hid + n_out) each neuron's device on this chip */
    int per_input;               /* input neurons differ (D2D or jitter): simulated one by one */
    vs__fast_dev *fdevs;         /* (n_in + n_hid + n_out) the same devices for the fast engine, */
    int fast;                    /* which runs them when 1 (infer_fast.h) */
    vs__fast_tol tol;
};

struct vs_infer_work {
    float *s_k, *s2_k;           /* (n_levels_present, n_t) gathered level waveforms */
    float *a_e, *a_i, *a_r;      /* (n_levels_present, n_hid) summed gains */
    float *se, *si, *pr;         /* (max(n_hid, n_out), n_t) a layer's input sums and resistor power */
    float *h, *h2;               /* (n_hid, n_t) hidden V_spike and its square */
    float *scratch;              /* 3 n_t */
    double *spike_t;             /* (max_level_spikes) a fast-engine neuron's spike times */
    vs__fast_layer_work fl;      /* the fast engine's layer (max(n_hid, n_out) targets) */
    double *power_sum;           /* (max(source rows, n_hid)) sum over the grid of each source's V^2 */
    double *fl_spike_t;          /* (max(n_hid, n_out), max_level_spikes) their spike times */
    vs__fast_job *in_jobs;       /* (n_in) a chip's lit input neurons on the fast engine, */
    vs__fast_result *in_res;     /* their results, */
    int *in_index;               /* which neuron each is, */
    double *in_spike_t;          /* (n_in, max_level_spikes) and their spike times */
};

vs_infer_opts vs_infer_opts_default(void)
{
    vs_infer_opts o = {.window_s = 50e-6, .dt_s = 100e-9, .tau_syn_s = 3e-6,
                       .opamp = vs_opamp_ideal(), .r_tolerance = 0, .seed = 1,
                       .sim = vs_sim_opts_default()};
    o.sim.h_max_s = 3e-6;
    o.sim.rtol = 1e-3;
    return o;
}

vs_status vs_infer_opts_check(const vs_infer_opts *o)
{
    double samples = o->window_s / o->dt_s;
    if (!(o->window_s > 0) || !(o->dt_s > 0) || !(samples >= 10 && samples <= 1e7))
        return vs_fail(VS_EINVAL, "window %g s and grid %g s give %.3g samples; they must give 10 to 1e7",
                       o->window_s, o->dt_s, samples);
    if (!(o->tau_syn_s >= 0) || !((o->r_tolerance >= 0 && o->r_tolerance < 0.5) || isnan(o->r_tolerance)))
        return vs_fail(VS_EINVAL, "synaptic time constant must be >= 0 and resistor tolerance in [0, 0.5)");
    if (o->e_series != 0 && o->e_series != 12 && o->e_series != 24 && o->e_series != 48 && o->e_series != 96)
        return vs_fail(VS_EINVAL, "E series %d is not one of 12, 24, 48, 96", o->e_series);
    if (o->chip < 0) return vs_fail(VS_EINVAL, "chip %d must be >= 0", o->chip);
    if (o->engine != VS_ENGINE_FAST && o->engine != VS_ENGINE_REFERENCE)
        return vs_fail(VS_EINVAL, "engine %d is neither fast (%d) nor reference (%d)", o->engine, VS_ENGINE_FAST,
                       VS_ENGINE_REFERENCE);
    return VS_OK;
}

void vs_infer_net_free(vs_infer_net *n)
{
    if (!n) return;
    free(n->level_wave);   /* level_wave2 lives in the same block */
    free(n->level_spike_t);
    free(n->g1e);
    free(n->adder1);
    free(n->devs);
    free(n->fdevs);
    free(n);
}

void vs_spike_list_free(vs_spike_list *l)
{
    if (!l) return;
    free(l->neuron);
    free(l->t_s);
    memset(l, 0, sizeof *l);
}

static int record_spike(vs_spike_list *l, int neuron, double t)
{
    if (!l) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        uint16_t *a = realloc(l->neuron, cap * sizeof *a);
        if (!a) return -1;
        l->neuron = a;
        float *b = realloc(l->t_s, cap * sizeof *b);
        if (!b) return -1;
        l->t_s = b;
        l->cap = cap;
    }
    l->neuron[l->n] = (uint16_t)neuron;
    l->t_s[l->n] = (float)t;
    l->n++;
    return 0;
}

/* The gain g = R_f/R a synaptic resistor realises: R rounded to the E series, then drawn
   with relative sigma r_tolerance, or uniformly within the series' tolerance when
   r_tolerance is NAN (0: the nominal value). */
static double realise_gain(double g, const vs_infer_opts *o, vs_rng *rng)
{
    if (g == 0) return 0;
    double rf = o->opamp.r_feedback_ohm, r = vs_eseries_round(o->e_series, rf / fabs(g));
    if (o->r_tolerance > 0) r *= 1.0 + o->r_tolerance * vs_rng_normal(rng);
    else if (isnan(o->r_tolerance)) r *= 1.0 + vs_eseries_tolerance(o->e_series) * (2 * vs_rng_uniform(rng) - 1);
    return copysign(rf / r, g);
}

/* Split weights w (OC, C) into excitatory and inhibitory gains |w|/s_peak, as realised. */
static void split_gains(const float *w, int OC, int C, double s_peak, const vs_infer_opts *o, vs_rng *rng,
                        float *ge, float *gi)
{
    int exact = o->r_tolerance == 0 && o->e_series == 0;
    for (size_t i = 0; i < (size_t)OC * (size_t)C; i++) {
        double g = (double)w[i] / s_peak;
        if (!exact) g = realise_gain(g, o, rng);
        ge[i] = g > 0 ? (float)g : 0.0f;
        gi[i] = g < 0 ? (float)-g : 0.0f;
    }
}

/* Adders of a layer: stage 1 attenuated by K so that even all excitatory inputs at 1.2 x
   s_peak stay within half the op-amp rail; stage 2 limited to the network's rail. */
static void make_adders(vs_adder *a, const float *ge, const float *gi, const float *bias, int OC,
                        int C, double tau_syn, double s_peak, double op_rail, double rail_out)
{
    for (int k = 0; k < OC; k++) {
        double se = 0, si = 0;
        for (int j = 0; j < C; j++) se += (double)ge[(size_t)k * C + j], si += (double)gi[(size_t)k * C + j];
        double ks = fmax(1.0, 1.2 * s_peak * se / (0.5 * op_rail));
        a[k] = (vs_adder){.ng1 = 1 + se / ks, .ng2 = 2 + ks + si, .bias_v = (double)bias[k],
                          .tau_syn_s = tau_syn, .k_split = ks, .rail_out_v = rail_out};
    }
}

/* Every neuron's device on this chip (layers 0, 1, 2 of variation.h), and whether input
   neurons differ from one another (then each is simulated on its own). */
static void draw_devices(vs_infer_net *n, const vs_device_params *dev)
{
    const int count[3] = {n->n_in, n->n_hid, n->n_out};
    int differ = vs_device_has_jitter(dev);
    for (int layer = 0, at = 0; layer < 3; at += count[layer], layer++)
        for (int k = 0; k < count[layer]; k++) {
            vs_d2d_draw(n->o.d2d, dev, n->o.seed, n->o.chip, layer, k, count[layer], &n->devs[at + k]);
            if (layer == 0) differ |= memcmp(n->devs[k].v, dev->v, sizeof dev->v) != 0;
        }
    n->per_input = differ || n->o.per_neuron_inputs;
}

/* The fast engine when asked for and every neuron's device is one it runs (infer_fast.h). */
static void choose_engine(vs_infer_net *n)
{
    const size_t count = (size_t)n->n_in + (size_t)n->n_hid + (size_t)n->n_out;
    n->fast = 0;
    if (n->o.engine != VS_ENGINE_FAST || !(n->fdevs = malloc(count * sizeof *n->fdevs))) return;
    int all = 1;
    for (size_t k = 0; k < count && all; k++) all = vs__fast_device(&n->devs[k], &n->fdevs[k]);
    n->fast = all;
    n->tol = vs__fast_tol_for(&n->o.sim);
}

/* Input neuron of level lv (device dev, fdev for the fast engine; jitter from seed): V_spike on
   the grid into wave, spikes (the first max_level_spikes times into spike_t) and energy. */
static vs_status input_wave(const vs_infer_net *n, const vs_device_params *dev, const vs__fast_dev *fdev,
                            uint64_t seed, int lv, float *wave, double *spike_t, long *spikes, double *energy)
{
    double v = vs_pixel_voltage(n->t, lv);
    if (n->fast) {
        vs__fast_result r = {.spike_t_s = spike_t, .cap = (size_t)n->max_level_spikes};
        vs_status st = vs__fast_neuron(fdev, &n->circ, NULL, v, n->n_t, n->o.dt_s, &n->tol, wave, &r);
        *spikes = r.n_spikes, *energy = r.e_in_j;
        return st;
    }
    vs_sim_opts sim = n->o.sim;
    sim.seed = seed;
    vs_neuron_result r;
    vs_status st = vs_dc_neuron_waveform(dev, &n->circ, v, n->n_t, n->o.dt_s, &sim, wave, &r);
    *spikes = (long)r.n_spikes, *energy = r.e_in_j;
    for (size_t k = 0; st == VS_OK && k < r.n_spikes && k < (size_t)n->max_level_spikes; k++) spike_t[k] = r.spike_t_s[k];
    vs_neuron_result_free(&r);
    return st;
}

/* The arrays of n (sizes set), the gain blocks and adders carved out of one allocation each. */
static vs_status net_alloc(vs_infer_net *n)
{
    size_t nt = n->n_t, nin = (size_t)n->n_in, nh = (size_t)n->n_hid, no = (size_t)n->n_out;
    n->level_wave = malloc(2 * N_LEVELS * nt * sizeof(float));
    n->level_spike_t = malloc((size_t)N_LEVELS * (size_t)n->max_level_spikes * sizeof(float));
    n->g1e = malloc((2 * nh * nin + 2 * no * nh) * sizeof(float));
    n->adder1 = malloc((nh + no) * sizeof(vs_adder));
    n->devs = malloc((nin + nh + no) * sizeof *n->devs);
    if (!n->level_wave || !n->level_spike_t || !n->g1e || !n->adder1 || !n->devs)
        return vs_fail(VS_ENOMEM, "out of memory for the circuit network");
    n->level_wave2 = NULL;
    n->g1i = n->g1e + nh * nin;
    n->g2e = n->g1i + nh * nin;
    n->g2i = n->g2e + no * nh;
    n->adder2 = n->adder1 + nh;
    return VS_OK;
}

/* Input neurons alike: one dc run per grey level (its V_spike waveform, squared, spike times
   and energy), in parallel; the lowest failing level's status. */
static vs_status grey_level_waves(vs_infer_net *n, const vs_device_params *dev)
{
    const size_t nt = n->n_t;
    float *lw2 = n->level_wave + N_LEVELS * nt;
    vs_status st = VS_OK;
#pragma omp parallel for schedule(dynamic, 4)
    for (int lv = 0; lv < N_LEVELS; lv++) {
        float *wave = n->level_wave + (size_t)lv * nt;
        double *spike_t = malloc((size_t)n->max_level_spikes * sizeof *spike_t);
        vs_status s = !spike_t ? vs_fail(VS_ENOMEM, "out of memory")
                               : input_wave(n, dev, n->fdevs, n->o.sim.seed, lv, wave, spike_t, &n->level_spikes[lv],
                                            &n->level_energy[lv]);
        if (s == VS_OK) {
            for (long k = 0; k < n->level_spikes[lv] && k < n->max_level_spikes; k++)
                n->level_spike_t[(size_t)lv * n->max_level_spikes + k] = (float)spike_t[k];
            for (size_t i = 0; i < nt; i++) lw2[(size_t)lv * nt + i] = wave[i] * wave[i];
        }
        free(spike_t);
#pragma omp critical(infer_levels)
        if (s != VS_OK && st == VS_OK) st = s;
    }
    n->level_wave2 = lw2;
    return st == VS_OK ? VS_OK : vs_fail(st, "input neuron: %s", vs_last_error());
}

vs_status vs_infer_net_new(vs_mlp *m, const vs_transfer *t, const vs_device_params *dev,
                           const vs_circuit *c, const vs_infer_opts *o, vs_infer_net **out)
{
    const vs_mlp_config *cfg = vs_mlp_get_config(m);
    if (cfg->n_layers != 2 || cfg->sizes[2] != 10)
        return vs_fail(VS_EINVAL, "circuit inference needs an input-hidden-10 network");
    if (cfg->sizes[0] < 1 || cfg->sizes[0] > UINT16_MAX || cfg->sizes[1] < 1 || cfg->sizes[1] > UINT16_MAX)
        return vs_fail(VS_EINVAL, "circuit inference takes 1 to %d neurons per layer, not %d-%d-10",
                       UINT16_MAX, cfg->sizes[0], cfg->sizes[1]);
    vs_status st = vs_infer_opts_check(o);
    if (st != VS_OK) return st;
    vs_infer_net *n = calloc(1, sizeof *n);
    if (!n) return vs_fail(VS_ENOMEM, "out of memory");
    n->o = *o;
    n->t = t;
    n->dev = *dev;
    n->circ = *c;
    n->n_in = cfg->sizes[0], n->n_hid = cfg->sizes[1], n->n_out = cfg->sizes[2];
    n->n_t = (size_t)floor(o->window_s / o->dt_s + 0.5) + 1;
    n->max_level_spikes = (int)(o->window_s * 1e6) + 8;   /* < 1 spike per us */
    if ((st = net_alloc(n)) != VS_OK) {
        vs_infer_net_free(n);
        return st;
    }
    vs_rng rng;
    vs_rng_seed(&rng, o->seed, 77 + 1000003 * (uint64_t)o->chip);   /* chip 0: the stream it always had */
    split_gains(vs_mlp_weights(m, 0), n->n_hid, n->n_in, t->s_peak_v, o, &rng, n->g1e, n->g1i);
    split_gains(vs_mlp_weights(m, 1), n->n_out, n->n_hid, t->s_peak_v, o, &rng, n->g2e, n->g2i);
    draw_devices(n, dev);
    choose_engine(n);
    /* the adders' outputs saturate where the trained network's rails are */
    make_adders(n->adder1, n->g1e, n->g1i, vs_mlp_bias(m, 0), n->n_hid, n->n_in, o->tau_syn_s,
                t->s_peak_v, o->opamp.rail_v, (double)cfg->rail_v);
    make_adders(n->adder2, n->g2e, n->g2i, vs_mlp_bias(m, 1), n->n_out, n->n_hid, o->tau_syn_s,
                t->s_peak_v, o->opamp.rail_v, (double)cfg->rail_v);
    if (n->per_input) n->level_wave2 = n->level_wave + N_LEVELS * n->n_t;   /* input neurons differ */
    else if ((st = grey_level_waves(n, dev)) != VS_OK) {
        vs_infer_net_free(n);
        return st;
    }
    *out = n;
    return VS_OK;
}

/* Rows of the input sources: grey levels, or every input neuron when they differ. */
static size_t source_rows(const vs_infer_net *n)
{
    return n->per_input && (size_t)n->n_in > N_LEVELS ? (size_t)n->n_in : N_LEVELS;
}

/* The fast engine's layer workspace for up to count targets: 0, or -1 (out of memory). */
static int fast_work_new(const vs_infer_net *n, vs_infer_work *w, size_t count)
{
    const size_t cap = (size_t)n->max_level_spikes;
    vs__fast_layer_work *fl = &w->fl;
    fl->adder_v = malloc(2 * count * n->n_t * sizeof *fl->adder_v);
    fl->jobs = malloc(count * sizeof *fl->jobs);
    fl->res = malloc(count * sizeof *fl->res);
    fl->e_opamp_j = malloc(3 * count * sizeof *fl->e_opamp_j);
    w->fl_spike_t = malloc(count * cap * sizeof *w->fl_spike_t);
    const size_t rows = source_rows(n) > (size_t)n->n_hid ? source_rows(n) : (size_t)n->n_hid;
    w->power_sum = malloc(rows * sizeof *w->power_sum);
    if (!fl->adder_v || !fl->jobs || !fl->res || !fl->e_opamp_j || !w->fl_spike_t || !w->power_sum) return -1;
    if (n->per_input) {
        const size_t nin = (size_t)n->n_in;
        w->in_jobs = malloc(nin * sizeof *w->in_jobs);
        w->in_res = malloc(nin * sizeof *w->in_res);
        w->in_index = malloc(nin * sizeof *w->in_index);
        w->in_spike_t = malloc(nin * cap * sizeof *w->in_spike_t);
        if (!w->in_jobs || !w->in_res || !w->in_index || !w->in_spike_t) return -1;
    }
    fl->v_in_mean_v = fl->e_opamp_j + count;
    fl->p_res_sum = fl->v_in_mean_v + count;
    for (size_t k = 0; k < count; k++) fl->res[k] = (vs__fast_result){.spike_t_s = w->fl_spike_t + k * cap, .cap = cap};
    return 0;
}

vs_infer_work *vs_infer_work_new(const vs_infer_net *n)
{
    vs_infer_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    size_t nt = n->n_t, nh = (size_t)n->n_hid, no = (size_t)n->n_out;
    size_t ns = nh > no ? nh : no;   /* rows of the sums: the hidden, then the output layer's */
    size_t rows = source_rows(n);
    w->s_k = malloc(2 * rows * nt * sizeof(float));
    w->a_e = malloc(3 * rows * nh * sizeof(float));
    w->se = malloc((3 * ns + 2 * nh) * nt * sizeof(float));
    w->scratch = malloc(3 * nt * sizeof(float));
    w->spike_t = malloc((size_t)n->max_level_spikes * sizeof(double));
    if (!w->s_k || !w->a_e || !w->se || !w->scratch || !w->spike_t || (n->fast && fast_work_new(n, w, ns) != 0)) {
        vs_infer_work_free(w);
        return NULL;
    }
    w->s2_k = w->s_k + rows * nt;
    w->a_i = w->a_e + rows * nh;
    w->a_r = w->a_i + rows * nh;
    w->si = w->se + ns * nt;
    w->pr = w->si + ns * nt;
    w->h = w->pr + ns * nt;
    w->h2 = w->h + nh * nt;
    return w;
}

void vs_infer_work_free(vs_infer_work *w)
{
    if (!w) return;
    free(w->s_k);
    free(w->a_e);
    free(w->se);
    free(w->scratch);
    free(w->spike_t);
    free(w->fl.adder_v);
    free(w->fl.jobs);
    free(w->fl.res);
    free(w->fl.e_opamp_j);
    free(w->fl_spike_t);
    free(w->power_sum);
    free(w->in_jobs);
    free(w->in_res);
    free(w->in_index);
    free(w->in_spike_t);
    free(w);
}

/* C (M, N) = A^T (M, K) B (K, N) with A stored (K, M). */
static void gemm_tn(float *c, const float *a, const float *b, int M, int N, int K)
{
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, K, 1.0f, a, M, b, N, 0.0f, c, N);
}

/* C (M, N) = A (M, K) B (K, N). */
static void gemm_nn(float *c, const float *a, const float *b, int M, int N, int K)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N, 0.0f, c, N);
}

/* What a layer needs of one target neuron's run, from either engine. */
typedef struct target_out {
    long n_spikes;
    const double *spike_t_s;   /* the first n_kept spike times */
    size_t n_kept;
    double e_in_j, e_opamp_j, v_in_mean_v;
} target_out;

/* Target k of layer (1 hidden, 2 output): on the fast engine, what vs__fast_layer left in w;
   else simulated now through its adder, with *ref holding the reference's result (free it
   after using *out). */
static vs_status run_target(const vs_infer_net *n, vs_infer_work *w, int layer, int k, const vs_adder *adder,
                            const float *se, const float *si, const float *pr, float *v_out, vs_target_result *ref,
                            target_out *out)
{
    memset(ref, 0, sizeof *ref);
    if (n->fast) {
        const vs__fast_result *r = &w->fl.res[k];
        *out = (target_out){.n_spikes = r->n_spikes, .spike_t_s = r->spike_t_s, .e_in_j = r->e_in_j,
                            .e_opamp_j = w->fl.e_opamp_j[k], .v_in_mean_v = w->fl.v_in_mean_v[k],
                            .n_kept = r->n_spikes < (long)r->cap ? (size_t)r->n_spikes : r->cap};
        return VS_OK;
    }
    const size_t at = (size_t)(layer == 1 ? n->n_in : n->n_in + n->n_hid) + (size_t)k;
    vs_sim_opts sim = n->o.sim;
    sim.seed = vs_c2c_seed(n->o.seed, n->o.chip, layer, k);
    vs_status st = vs_target_simulate(&n->devs[at], &n->circ, &n->o.opamp, adder, se, si, pr, n->n_t, n->o.dt_s,
                                      &sim, v_out, w->scratch, ref);
    *out = (target_out){.n_spikes = (long)ref->neuron.n_spikes, .spike_t_s = ref->neuron.spike_t_s,
                        .n_kept = ref->neuron.n_spikes, .e_in_j = ref->neuron.e_in_j, .e_opamp_j = ref->e_opamp_j,
                        .v_in_mean_v = ref->v_in_mean_v};
    return st;
}

/* Simulate layer targets k = 0..n-1 from their input sums; spikes, energies, optional V_spike. */
static vs_status run_layer(const vs_infer_net *n, vs_infer_work *w, int layer, const vs_adder *adders, int count,
                           const float *se, const float *si, const float *pr, float *v_out,
                           vs_spike_list *rec, int *counts, double *first, double *drive,
                           long *spikes, double *e_neurons, double *e_syn)
{
    const size_t nt = n->n_t;
    if (n->fast) {   /* the whole layer side by side, then its targets one by one below */
        const vs__fast_dev *devs = n->fdevs + (layer == 1 ? n->n_in : n->n_in + n->n_hid);
        vs_status st = vs__fast_layer(devs, &n->circ, &n->o.opamp, adders, count, se, si, nt, n->o.dt_s, &n->tol,
                                      v_out, &w->fl);
        if (st != VS_OK) return st;
    }
    for (int k = 0; k < count; k++) {
        vs_target_result ref;
        target_out r;
        size_t off = (size_t)k * nt;
        vs_status st = run_target(n, w, layer, k, &adders[k], se + off, si + off, pr + off, v_out ? v_out + off : NULL,
                                  &ref, &r);
        for (size_t s = 0; st == VS_OK && s < r.n_kept; s++)
            if (record_spike(rec, k, r.spike_t_s[s]) != 0) st = vs_fail(VS_ENOMEM, "out of memory recording spikes");
        if (st == VS_OK && counts) {   /* r.spike_t_s may point into ref: read before it is freed */
            counts[k] = (int)r.n_spikes;
            first[k] = r.n_spikes ? r.spike_t_s[0] : (double)INFINITY;
            drive[k] = r.v_in_mean_v;
        }
        vs_neuron_result_free(&ref.neuron);
        if (st != VS_OK) return st;
        *spikes += r.n_spikes;
        *e_neurons += r.e_in_j;
        *e_syn += r.e_opamp_j;
    }
    return VS_OK;
}

/* Input sources shared by grey level: rows of w->s_k per level present, gains summed per level. */
static vs_status input_levels(const vs_infer_net *n, vs_infer_work *w, const uint8_t *image, vs_infer_result *res,
                              vs_spike_list *rec, int *n_rows)
{
    const size_t nt = n->n_t;
    const int nin = n->n_in, nh = n->n_hid;
    const double rf = n->o.opamp.r_feedback_ohm;
    int level_of[N_LEVELS], nk = 0;
    for (int lv = 0; lv < N_LEVELS; lv++) level_of[lv] = -1;
    for (int j = 0; j < nin; j++) {
        int lv = image[j];
        res->energy.input_j += n->level_energy[lv];
        res->spikes[0] += n->level_spikes[lv];
        for (long s = 0; rec && s < n->level_spikes[lv] && s < n->max_level_spikes; s++)
            if (record_spike(rec, j, n->level_spike_t[(size_t)lv * n->max_level_spikes + s]) != 0)
                return vs_fail(VS_ENOMEM, "out of memory recording spikes");
        if (lv == 0 || level_of[lv] >= 0) continue;
        level_of[lv] = nk;
        memcpy(w->s_k + (size_t)nk * nt, n->level_wave + (size_t)lv * nt, nt * sizeof(float));
        if (!n->fast)   /* the fast engine sums the resistor power without the squares' matrix */
            memcpy(w->s2_k + (size_t)nk * nt, n->level_wave2 + (size_t)lv * nt, nt * sizeof(float));
        nk++;
    }
    memset(w->a_e, 0, 3 * N_LEVELS * (size_t)nh * sizeof(float));
    for (int j = 0; j < nin; j++) {
        int k = level_of[image[j]];
        if (k < 0) continue;   /* black pixels: silent input neurons */
        float *ae = w->a_e + (size_t)k * nh, *ai = w->a_i + (size_t)k * nh, *ar = w->a_r + (size_t)k * nh;
        for (int h = 0; h < nh; h++) {
            float ge = n->g1e[(size_t)h * nin + j], gi = n->g1i[(size_t)h * nin + j];
            ae[h] += ge;
            ai[h] += gi;
            ar[h] += (ge + gi) / (float)rf;
        }
    }
    *n_rows = nk;
    return VS_OK;
}

/* Source row k from lit input neuron j, whose V_spike is in row k of w->s_k: its square and gains. */
static void source_row(const vs_infer_net *n, vs_infer_work *w, int j, int k)
{
    const size_t nt = n->n_t;
    const int nin = n->n_in, nh = n->n_hid;
    const float *wave = w->s_k + (size_t)k * nt;
    float *wave2 = w->s2_k + (size_t)k * nt;
    for (size_t i = 0; !n->fast && i < nt; i++) wave2[i] = wave[i] * wave[i];
    float *ae = w->a_e + (size_t)k * nh, *ai = w->a_i + (size_t)k * nh, *ar = w->a_r + (size_t)k * nh;
    for (int h = 0; h < nh; h++) {
        float ge = n->g1e[(size_t)h * nin + j], gi = n->g1i[(size_t)h * nin + j];
        ae[h] = ge, ai[h] = gi, ar[h] = (ge + gi) / (float)n->o.opamp.r_feedback_ohm;
    }
}

/* Input neuron j's spikes and energy into res (and its raster). */
static vs_status input_tally(const vs_infer_net *n, int j, const double *spike_t, long spikes, double energy,
                             vs_infer_result *res, vs_spike_list *rec)
{
    res->energy.input_j += energy;
    res->spikes[0] += spikes;
    for (long s = 0; s < spikes && s < n->max_level_spikes; s++)
        if (record_spike(rec, j, spike_t[s]) != 0) return vs_fail(VS_ENOMEM, "out of memory recording spikes");
    return VS_OK;
}

/* The lit input neurons of a chip on the fast engine, all in one batch of lanes. */
static vs_status fast_input_neurons(const vs_infer_net *n, vs_infer_work *w, const uint8_t *image,
                                    vs_infer_result *res, vs_spike_list *rec, int *n_rows)
{
    const size_t nt = n->n_t, cap = (size_t)n->max_level_spikes;
    int nk = 0;
    for (int j = 0; j < n->n_in; j++) {
        if (image[j] == 0) continue;   /* black pixels: silent input neurons */
        w->in_res[nk] = (vs__fast_result){.spike_t_s = w->in_spike_t + (size_t)nk * cap, .cap = cap};
        w->in_jobs[nk] = (vs__fast_job){.dev = &n->fdevs[j], .v_dc = vs_pixel_voltage(n->t, image[j]),
                                        .v_spike_out = w->s_k + (size_t)nk * nt, .res = &w->in_res[nk]};
        w->in_index[nk++] = j;
    }
    vs_status st = vs__fast_run(w->in_jobs, nk, &n->circ, nt, n->o.dt_s, &n->tol);
    if (st != VS_OK) return vs_fail(st, "input neurons: %s", vs_last_error());
    for (int k = 0; k < nk && st == VS_OK; k++) {
        const vs__fast_result *r = &w->in_res[k];
        st = input_tally(n, w->in_index[k], r->spike_t_s, r->n_spikes, r->e_in_j, res, rec);
        source_row(n, w, w->in_index[k], k);
    }
    *n_rows = nk;
    return st;
}

/* Input sources one per lit neuron, each simulated with its own device (a chip). */
static vs_status input_neurons(const vs_infer_net *n, vs_infer_work *w, const uint8_t *image, vs_infer_result *res,
                               vs_spike_list *rec, int *n_rows)
{
    if (n->fast) return fast_input_neurons(n, w, image, res, rec, n_rows);
    int nk = 0;
    for (int j = 0; j < n->n_in; j++) {
        if (image[j] == 0) continue;   /* black pixels: silent input neurons */
        long spikes = 0;
        double energy = 0;
        vs_status st = input_wave(n, &n->devs[j], NULL, vs_c2c_seed(n->o.seed, n->o.chip, 0, j), image[j],
                                  w->s_k + (size_t)nk * n->n_t, w->spike_t, &spikes, &energy);
        if (st == VS_OK) st = input_tally(n, j, w->spike_t, spikes, energy, res, rec);
        source_row(n, w, j, nk++);
        if (st != VS_OK) return vs_fail(st, "input neuron %d: %s", j, vs_last_error());
    }
    *n_rows = nk;
    return VS_OK;
}

/*
 * The fast engine's input-resistor power of count targets (w->fl.p_res_sum): what the
 * reference's pr matrix holds, sum_j g_r[j, k] V_j(t)^2, summed over the grid (trapezoid)
 * before over the rows j of waves (rows, nt); g_r[j, k] is g_r[j * stride_j + k * stride_k].
 */
static void resistor_sums(const vs_infer_net *n, vs_infer_work *w, const float *waves, int rows, const float *g_r,
                          size_t stride_j, size_t stride_k, int count)
{
    const size_t nt = n->n_t;
    for (int j = 0; j < rows; j++) {
        const float *v = waves + (size_t)j * nt;
        double s = 0.5 * ((double)v[0] * (double)v[0] + (double)v[nt - 1] * (double)v[nt - 1]);
        for (size_t i = 1; i + 1 < nt; i++) s += (double)v[i] * (double)v[i];
        w->power_sum[j] = s;
    }
    for (int k = 0; k < count; k++) {
        double s = 0;
        for (int j = 0; j < rows; j++) s += (double)g_r[(size_t)j * stride_j + (size_t)k * stride_k] * w->power_sum[j];
        w->fl.p_res_sum[k] = s;
    }
}

vs_status vs_infer_image(const vs_infer_net *n, vs_infer_work *w, const uint8_t *image,
                         vs_infer_result *res)
{
    const size_t nt = n->n_t;
    const int nh = n->n_hid, no = n->n_out;
    const double rf = n->o.opamp.r_feedback_ohm;
    vs_spike_list *rec[3] = {res->record[0], res->record[1], res->record[2]};
    memset(res, 0, sizeof *res);
    for (int i = 0; i < 3; i++) res->record[i] = rec[i];

    /* input layer: the waveforms of the sources (grey levels, or lit neurons) and the gains
       summed per source */
    int nk = 0;
    vs_status st0 = n->per_input ? input_neurons(n, w, image, res, rec[0], &nk)
                                 : input_levels(n, w, image, res, rec[0], &nk);
    if (st0 != VS_OK) return st0;
    if (nk > 0) {
        gemm_tn(w->se, w->a_e, w->s_k, nh, (int)nt, nk);
        gemm_tn(w->si, w->a_i, w->s_k, nh, (int)nt, nk);
        if (n->fast) resistor_sums(n, w, w->s_k, nk, w->a_r, (size_t)nh, 1, nh);   /* no pr matrix */
        else gemm_tn(w->pr, w->a_r, w->s2_k, nh, (int)nt, nk);
    } else {
        memset(w->se, 0, (size_t)nh * nt * sizeof(float));
        memset(w->si, 0, (size_t)nh * nt * sizeof(float));
        memset(w->pr, 0, (size_t)nh * nt * sizeof(float));
        if (n->fast) memset(w->fl.p_res_sum, 0, (size_t)nh * sizeof *w->fl.p_res_sum);
    }

    /* hidden layer */
    vs_status st = run_layer(n, w, 1, n->adder1, nh, w->se, w->si, w->pr, w->h, rec[1], NULL, NULL, NULL,
                             &res->spikes[1], &res->energy.hidden_j, &res->energy.synapse_j);
    if (st != VS_OK) return st;

    /* output layer: sums of hidden V_spike through the output adders */
    float *se = w->se, *si = w->si, *pr = w->pr, *g2r = w->a_r;
    for (size_t i = 0; i < (size_t)no * nh; i++) g2r[i] = (n->g2e[i] + n->g2i[i]) / (float)rf;
    gemm_nn(se, n->g2e, w->h, no, (int)nt, nh);
    gemm_nn(si, n->g2i, w->h, no, (int)nt, nh);
    if (n->fast) {
        resistor_sums(n, w, w->h, nh, g2r, 1, (size_t)nh, no);   /* no pr matrix */
    } else {
        for (size_t i = 0; i < (size_t)nh * nt; i++) w->h2[i] = w->h[i] * w->h[i];
        gemm_nn(pr, g2r, w->h2, no, (int)nt, nh);
    }
    double drive[10];
    st = run_layer(n, w, 2, n->adder2, no, se, si, pr, NULL, rec[2], res->counts, res->first_spike_s, drive,
                   &res->spikes[2], &res->energy.output_j, &res->energy.synapse_j);
    if (st != VS_OK) return st;

    /* most spikes; equal counts go to the harder-driven neuron (higher mean adder output,
       as the rate model's tie rule), then to the lowest index */
    int best = 0;
    for (int k = 1; k < no; k++) {
        int better = res->counts[k] > res->counts[best] ||
                     (res->counts[k] == res->counts[best] && drive[k] > drive[best]);
        if (better) best = k;
    }
    res->predicted = best;
    res->energy.total_j = res->energy.input_j + res->energy.hidden_j + res->energy.output_j + res->energy.synapse_j;
    return VS_OK;
}

const float *vs_infer_net_gains(const vs_infer_net *n, int layer, const float **inhibitory)
{
    *inhibitory = layer == 0 ? n->g1i : n->g2i;
    return layer == 0 ? n->g1e : n->g2e;
}

const vs_adder *vs_infer_net_adders(const vs_infer_net *n, int layer)
{
    return layer == 0 ? n->adder1 : n->adder2;
}

int vs_infer_net_engine(const vs_infer_net *n)
{
    return n->fast ? VS_ENGINE_FAST : VS_ENGINE_REFERENCE;
}

int vs_infer_net_inputs(const vs_infer_net *n)
{
    return n->n_in;
}

vs_status vs_infer_dataset_image(const vs_infer_net *n, vs_infer_work *w, const vs_dataset *d,
                                 size_t index, vs_infer_result *res)
{
    vs_status st = vs_dataset_check_inputs(d, n->n_in, "the network");
    if (st != VS_OK) return st;
    if (index >= d->n)
        return vs_fail(VS_EINVAL, "image %zu of '%s', which has %zu images", index,
                       d->images_path ? d->images_path : "the images", d->n);
    return vs_infer_image(n, w, vs_dataset_image(d, index), res);
}

/* One image of a batch on this thread's work (NULL when it could not be allocated). */
static vs_status batch_image(const vs_infer_net *n, vs_infer_work *w, const vs_dataset *d, size_t index,
                             vs_infer_result *res)
{
    *res = (vs_infer_result){0};
    if (!w) return vs_fail(VS_ENOMEM, "out of memory");
    return vs_infer_dataset_image(n, w, d, index, res);
}

vs_status vs_infer_dataset_range(const vs_infer_net *n, const vs_dataset *d, size_t first, size_t count,
                                 vs_infer_result *res, vs_infer_progress_fn progress, void *user)
{
    vs_status st = vs_dataset_check_inputs(d, n->n_in, "the network");
    if (st != VS_OK) return st;
    if (first > d->n || count > d->n - first)
        return vs_fail(VS_EINVAL, "images %zu to %zu of '%s', which has %zu images", first, first + count,
                       d->images_path ? d->images_path : "the images", d->n);
    long done = 0;
    int stop = 0;
    char msg[512] = "";
#pragma omp parallel
    {
        vs_infer_work *w = vs_infer_work_new(n);
#pragma omp for schedule(dynamic, 4)
        for (long i = 0; i < (long)count; i++) {
            int stopped;
#pragma omp atomic read
            stopped = stop;
            if (stopped) continue;
            vs_status s = batch_image(n, w, d, first + (size_t)i, &res[i]);
#pragma omp critical(vs_infer_batch)
            {
                if (s != VS_OK && st == VS_OK) {
                    st = s;
                    snprintf(msg, sizeof msg, "image %zu: %s", first + (size_t)i, vs_last_error());
                }
                ++done;
                if (st == VS_OK && progress && progress(done, (long)count, user) != 0) {
                    st = VS_EINVAL;
                    snprintf(msg, sizeof msg, "stopped after %ld of %zu images", done, count);
                }
                if (st != VS_OK) {
#pragma omp atomic write
                    stop = 1;
                }
            }
        }
        vs_infer_work_free(w);
    }
    return st == VS_OK ? VS_OK : vs_fail(st, "%s", msg);
}
