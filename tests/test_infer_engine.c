/* test_infer_engine.c -- the fast inference engine (src/infer_fast.c) against its naive twin, the
   reference engine (adaptive DP54 per neuron): one neuron against a tightly integrated reference,
   a network's classes, per-neuron spike counts and energies, D2D chips, thread-count
   independence, the fall-back to the reference, and the CLI's --engine. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/infer_fast.h"
#include "check.h"
#include "cli_run.h"
#include "infer_fixture.h"
#include "vo2snn/infer.h"
#include "vo2snn/network.h"
#include "vo2snn/threads.h"
#include "vo2snn/variation.h"

enum { IMAGES = 24, HIDDEN = 24, CAP = 64 };

/* One dc-driven neuron (device 1, 12 V, 50 us) against DP54 at rtol 1e-8: every spike time
   within 30 ns + 1.5 x the error of the reference engine's own DP54 at its rtol 1e-3 (which
   drifts by 0.2 us over these 50 us), the source energy within 0.2 %. */
static void test_neuron_against_tight_reference(void)
{
    const size_t n = 501;
    static float wf[501], wr[501];
    vs_sim_opts sim = vs_infer_opts_default().sim;
    vs__fast_dev fd;
    CHECK(vs__fast_device(&dev, &fd) == 1);
    vs__fast_tol tol = vs__fast_tol_for(&sim);
    double t_fast[CAP];
    vs__fast_result fr = {.spike_t_s = t_fast, .cap = CAP};
    CHECK(vs__fast_neuron(&fd, &circ, NULL, 12.0, n, 100e-9, &tol, wf, &fr) == VS_OK);
    vs_neuron_result ref, tight;
    CHECK(vs_dc_neuron_waveform(&dev, &circ, 12.0, n, 100e-9, &sim, wr, &ref) == VS_OK);
    sim.rtol = 1e-8;
    sim.h_max_s = 100e-9;
    CHECK(vs_dc_neuron_waveform(&dev, &circ, 12.0, n, 100e-9, &sim, wr, &tight) == VS_OK);
    CHECK(fr.n_spikes == (long)tight.n_spikes && ref.n_spikes == tight.n_spikes && tight.n_spikes >= 6);
    for (size_t k = 0; k < tight.n_spikes && k < CAP; k++) {
        double t = tight.spike_t_s[k];
        CHECK_NEAR(t_fast[k], t, 0, 30e-9 + 1.5 * fabs(ref.spike_t_s[k] - t));
    }
    CHECK_NEAR(fr.e_in_j, tight.e_in_j, 2e-3, 0);
    vs_neuron_result_free(&ref);
    vs_neuron_result_free(&tight);
}

/* The fast engine's ideal adders (side by side) give what vs_adder_run gives, sample for sample,
   with and without the low-pass, offset, split and an output rail; their energy in closed form
   what vs_adder_energy sums, to rounding. */
static void test_ideal_adder_twin(void)
{
    enum { N = 300, K = 11 };   /* more adders than lanes, not a multiple of them */
    static float se[K][N], si[K][N], a1[N], a2[N], v[K][2][N];
    vs_adder adders[K];
    for (int k = 0; k < K; k++) {
        adders[k] = (vs_adder){.ng1 = 1.0 + k, .ng2 = 3.0 + 0.5 * k, .bias_v = 4.0 - k, .k_split = 1.0 + 0.3 * k,
                               .tau_syn_s = k % 3 == 0 ? 0.0 : 1e-6 * k, .rail_out_v = k % 4 == 1 ? 2.0 : 0.0};
        for (int i = 0; i < N; i++)
            se[k][i] = (float)(3.0 + 2.0 * sin(0.37 * i + k)), si[k][i] = (float)(1.5 * ((i + k) % 17 == 0));
    }
    vs_opamp op = vs_opamp_ideal();
    for (int off = 0; off < 2; off++) {
        op.offset_v = off ? 2e-3 : 0.0;
        vs__fast_adders_ideal(&op, adders, K, &se[0][0], &si[0][0], N, 100e-9, &v[0][0][0]);
        for (int k = 0; k < K; k++) {
            vs_adder_run(&op, &adders[k], se[k], si[k], N, 100e-9, a1, a2);
            int same = 1;
            for (int i = 0; i < N; i++) same &= a1[i] == v[k][0][i] && a2[i] == v[k][1][i];
            if (!same) CHECK_FAIL_MSG("adder %d, offset %d: the fast adders differ", k, off);
            double mean_a, mean_b;
            const float *p_res = k % 2 ? NULL : si[k];
            double p_sum = 0;
            for (int i = 0; p_res && i < N; i++) p_sum += (i == 0 || i == N - 1 ? 0.5 : 1.0) * (double)p_res[i];
            double ea = vs_adder_energy(&op, &adders[k], a1, a2, p_res, N, 100e-9, 2e-9, 5e-9, &mean_a);
            double eb = vs__fast_adder_energy(&op, &adders[k], a1, a2, p_sum, N, 100e-9, 2e-9, 5e-9, &mean_b);
            CHECK_NEAR(eb, ea, 1e-12, 0);
            CHECK_NEAR(mean_b, mean_a, 1e-12, 1e-15);
        }
    }
}

/* The fixture's network on both engines: per image result and the hidden raster. */
typedef struct run_out {
    vs_infer_result res[IMAGES];
    int hidden[IMAGES][HIDDEN];   /* spikes of each hidden neuron */
} run_out;

static vs_status run_engine(int engine, const vs_d2d *d2d, run_out *out)
{
    vs_infer_opts io = vs_infer_opts_default();
    io.window_s = 30e-6;
    io.engine = engine;
    io.d2d = d2d;
    io.chip = d2d ? 3 : 0;
    vs_infer_net *net;
    vs_status st = vs_infer_net_new(mlp, &tf, &dev, &circ, &io, &net);
    if (st != VS_OK) return st;
    CHECK(vs_infer_net_engine(net) == engine);
    vs_infer_work *w = vs_infer_work_new(net);
    vs_spike_list list = {0};
    for (int i = 0; st == VS_OK && i < IMAGES; i++) {
        out->res[i] = (vs_infer_result){.record = {NULL, &list, NULL}};
        list.n = 0;
        st = vs_infer_image(net, w, vs_dataset_image(&test_set, (size_t)i), &out->res[i]);
        memset(out->hidden[i], 0, sizeof out->hidden[i]);
        for (size_t s = 0; st == VS_OK && s < list.n; s++) out->hidden[i][list.neuron[s]]++;
    }
    vs_spike_list_free(&list);
    vs_infer_work_free(w);
    vs_infer_net_free(net);
    return st;
}

/* Fast against reference: classes, per-neuron spike counts (within 1 spike), energies. */
static void compare_engines(const run_out *f, const run_out *r, double min_same_class)
{
    int same = 0, close_hidden = 0, close_out = 0;
    long spikes_f = 0, spikes_r = 0;
    for (int i = 0; i < IMAGES; i++) {
        same += f->res[i].predicted == r->res[i].predicted;
        for (int k = 0; k < HIDDEN; k++) close_hidden += abs(f->hidden[i][k] - r->hidden[i][k]) <= 1;
        for (int k = 0; k < 10; k++) close_out += abs(f->res[i].counts[k] - r->res[i].counts[k]) <= 1;
        spikes_f += f->res[i].spikes[1], spikes_r += r->res[i].spikes[1];
        CHECK_NEAR(f->res[i].energy.total_j, r->res[i].energy.total_j, 0.01, 0);
        CHECK_NEAR(f->res[i].energy.hidden_j, r->res[i].energy.hidden_j, 0.02, 1e-9);
    }
    if (same < min_same_class * IMAGES) CHECK_FAIL_MSG("same class on %d of %d images", same, IMAGES);
    if (close_hidden < 0.97 * IMAGES * HIDDEN) CHECK_FAIL_MSG("hidden counts within 1: %d of %d", close_hidden, IMAGES * HIDDEN);
    if (close_out < 0.97 * IMAGES * 10) CHECK_FAIL_MSG("output counts within 1: %d of %d", close_out, IMAGES * 10);
    CHECK(spikes_r > 10 * IMAGES);   /* the hidden layer is busy enough to mean something */
    CHECK_NEAR((double)spikes_f, (double)spikes_r, 0.03, 0);
}

/* The nominal network: the fast engine agrees with the reference. */
static void test_network_against_reference(void)
{
    static run_out f, r;
    CHECK(run_engine(VS_ENGINE_FAST, NULL, &f) == VS_OK);
    CHECK(run_engine(VS_ENGINE_REFERENCE, NULL, &r) == VS_OK);
    compare_engines(&f, &r, 0.9);
}

/* A D2D chip (every neuron its own device): the fast engine runs it and agrees with the reference,
   and differs from the nominal network (it does use each neuron's device). */
static void test_d2d_chip_against_reference(void)
{
    static run_out f, r, nominal;
    vs_d2d v;
    CHECK(vs_d2d_parse(dev.model, "r_ins0=10%,t_c=2K", &v) == VS_OK);
    CHECK(run_engine(VS_ENGINE_FAST, &v, &f) == VS_OK);
    CHECK(run_engine(VS_ENGINE_REFERENCE, &v, &r) == VS_OK);
    compare_engines(&f, &r, 0.9);
    CHECK(run_engine(VS_ENGINE_FAST, NULL, &nominal) == VS_OK);
    int differ = 0;
    for (int i = 0; i < IMAGES; i++) differ |= f.res[i].energy.total_j != nominal.res[i].energy.total_j;
    CHECK(differ);
}

static int same_result(const vs_infer_result *a, const vs_infer_result *b)
{
    return a->predicted == b->predicted && memcmp(a->counts, b->counts, sizeof a->counts) == 0 &&
           memcmp(a->first_spike_s, b->first_spike_s, sizeof a->first_spike_s) == 0 &&
           memcmp(a->spikes, b->spikes, sizeof a->spikes) == 0 && memcmp(&a->energy, &b->energy, sizeof a->energy) == 0;
}

/* The fast engine's batch is bit for bit the same on 1 and 2 threads. */
static void test_threads_identical(void)
{
    static vs_infer_result a[IMAGES], b[IMAGES];
    vs_infer_opts io = vs_infer_opts_default();
    io.window_s = 30e-6;
    vs_infer_net *net;
    CHECK(vs_infer_net_new(mlp, &tf, &dev, &circ, &io, &net) == VS_OK);
    CHECK(vs_infer_net_engine(net) == VS_ENGINE_FAST);
    vs_threads_set(1, NULL, 0);
    CHECK(vs_infer_dataset_range(net, &test_set, 0, IMAGES, a, NULL, NULL) == VS_OK);
    vs_threads_set(2, NULL, 0);
    CHECK(vs_infer_dataset_range(net, &test_set, 0, IMAGES, b, NULL, NULL) == VS_OK);
    for (int i = 0; i < IMAGES; i++)
        if (!same_result(&a[i], &b[i])) CHECK_FAIL_MSG("image %d differs between 1 and 2 threads", i);
    vs_infer_net_free(net);
}

/* Jitter or another model: the network runs on the reference; a bad engine is refused. */
static void test_fallback_and_bad_engine(void)
{
    vs_infer_opts io = vs_infer_opts_default();
    io.window_s = 20e-6;
    vs_device_params jit = dev;
    jit.v[vs_model_param_index(dev.model, "sigma_tc")] = 0.5;
    vs_infer_net *net;
    CHECK(vs_infer_net_new(mlp, &tf, &jit, &circ, &io, &net) == VS_OK);
    CHECK(vs_infer_net_engine(net) == VS_ENGINE_REFERENCE);
    vs_infer_net_free(net);
    vs_device_params sw;
    CHECK(vs_device_model_preset(vs_model_find("switch"), 1, &sw) == VS_OK);
    vs__fast_dev fd;
    CHECK(vs__fast_device(&sw, &fd) == 0 && vs__fast_device(&jit, &fd) == 0 && vs__fast_device(&dev, &fd) == 1);
    io.engine = 7;
    CHECK(vs_infer_opts_check(&io) == VS_EINVAL && strstr(vs_last_error(), "engine 7") != NULL);
    CHECK(vs_infer_net_new(mlp, &tf, &dev, &circ, &io, &net) == VS_EINVAL);
}

/* --engine is in infer's help and a bad value is refused in one line before any work. */
static void test_cli_engine_flag(void)
{
    CHECK(vo2snn("infer", "--help", NULL) == 0 && strstr(out_text, "--engine") != NULL);
    CHECK(vo2snn("infer", "--engine", "turbo", "--out", tmp("o"), NULL) == 1);
    CHECK(lines(err_text) == 1 && strstr(err_text, "--engine") && strstr(err_text, "'turbo'"));
    CHECK(strstr(err_text, "fast") && strstr(err_text, "reference"));
    CHECK(!exists(tmp("o")));
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    if (infer_fixture_load(HIDDEN) != 0) {
        printf("FAIL setup: %s\n", vs_last_error());
        return 1;
    }
    RUN(test_neuron_against_tight_reference);
    RUN(test_ideal_adder_twin);
    RUN(test_network_against_reference);
    RUN(test_d2d_chip_against_reference);
    RUN(test_threads_identical);
    RUN(test_fallback_and_bad_engine);
    RUN(test_cli_engine_flag);
    vs_mlp_free(mlp);
    vs_transfer_free(&tf);
    vs_dataset_free(&test_set);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
