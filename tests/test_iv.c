/* test_iv.c -- swept I-V loops (docs/models/vo2x.md A2) and cycle-to-cycle variability (docs/models/vo2x.md A11). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "vo2snn/iv.h"
#include "vo2snn/neuron.h"

/* A2: 2 ms triangle on the device alone: ON jump in [V_th, 1.015 V_th], OFF jump at V_h +-0.5 %. */
static void test_a2_triangle(void)
{
    const double ref_on[] = {6.539, 5.332, 4.125, 2.918, 1.759};
    const double ref_off[] = {2.592, 2.294, 1.995, 1.646, 1.198};
    for (int d = 1; d <= 5; d++) {
        vs_device_params p;
        vs_fold th, ho;
        vs_device_preset(d, &p);
        vs_device_folds(&p, &th, &ho);
        vs_iv_opts o = vs_iv_opts_default();
        vs_iv_result r;
        CHECK(vs_iv_sweep(&p, &o, NULL, NULL, &r) == VS_OK);
        CHECK(r.v_on_v[0] >= th.v_v && r.v_on_v[0] <= 1.015 * th.v_v);
        CHECK_NEAR(r.v_off_v[0], ho.v_v, 0.005, 0);
        CHECK_NEAR(r.v_on_v[0], ref_on[d - 1], 0.003, 0);
        CHECK_NEAR(r.v_off_v[0], ref_off[d - 1], 0.003, 0);
        vs_iv_result_free(&r);
    }
}

/* A slower sweep lags less: the ON jump approaches the quasi-static fold. */
static void test_sweep_rate(void)
{
    vs_device_params p;
    vs_fold th, ho;
    vs_device_preset(1, &p);
    vs_device_folds(&p, &th, &ho);
    double prev = INFINITY;
    double periods[] = {0.2e-3, 2e-3, 20e-3};
    for (int i = 0; i < 3; i++) {
        vs_iv_opts o = vs_iv_opts_default();
        o.period_s = periods[i];
        vs_iv_result r;
        CHECK(vs_iv_sweep(&p, &o, NULL, NULL, &r) == VS_OK);
        CHECK(r.v_on_v[0] > th.v_v && r.v_on_v[0] < prev);
        prev = r.v_on_v[0];
        vs_iv_result_free(&r);
    }
}

static vs_stats threshold_stats(int d, long cycles, uint64_t seed, vs_stats *off)
{
    vs_device_params p;
    vs_device_preset(d, &p);
    vs_device_set_value(&p, "sigma_lnr", 0.04);
    vs_device_set_value(&p, "sigma_tc", 0.5);
    vs_iv_opts o = vs_iv_opts_default();
    o.period_s = 1e-3;
    o.n_cycles = cycles;
    o.seed = seed;
    vs_iv_result r;
    CHECK(vs_iv_sweep(&p, &o, NULL, NULL, &r) == VS_OK);
    vs_stats on = vs_stats_of(r.v_on_v, r.n_cycles);
    if (off) *off = vs_stats_of(r.v_off_v, r.n_cycles);
    vs_iv_result_free(&r);
    return on;
}

/* A11: 1000 cycles with sigma_lnR = 0.04, sigma_Tc = 0.5 K. */
static void test_a11_thresholds(void)
{
    vs_stats off;
    vs_stats on = threshold_stats(1, 1000, 11, &off);
    CHECK(on.n == 1000 && off.n == 1000);
    CHECK_NEAR(100 * on.std / on.mean, 1.8, 0, 0.3);
    CHECK_NEAR(off.std, 0.015, 0, 0.004);
    CHECK_NEAR(on.mean, 6.560, 0.01, 0);
    on = threshold_stats(5, 1000, 12, NULL);
    CHECK_NEAR(100 * on.std / on.mean, 1.2, 0, 0.3);
}

static double isi_cv(int d, uint64_t seed)
{
    vs_device_params p;
    vs_device_preset(d, &p);
    vs_device_set_value(&p, "sigma_lnr", 0.04);
    vs_device_set_value(&p, "sigma_tc", 0.5);
    vs_circuit c = vs_circuit_default();
    vs_input in = vs_input_dc(12.5);
    vs_sim_opts o = vs_sim_opts_default();
    o.t_end_s = 5e-3;
    o.seed = seed;
    vs_neuron_result r;
    CHECK(vs_neuron_simulate(&p, &c, &in, &o, NULL, NULL, &r) == VS_OK);
    double s1 = 0, s2 = 0;
    long n = 0;
    for (size_t k = 2; k < r.n_spikes; k++) {   /* skip the first (from rest) interval */
        double isi = r.spike_t_s[k] - r.spike_t_s[k - 1];
        s1 += isi, s2 += isi * isi, n++;
    }
    vs_neuron_result_free(&r);
    CHECK(n > 500);
    double mean = s1 / n;
    return sqrt(s2 / n - mean * mean) / mean;
}

static void test_a11_isi(void)
{
    CHECK_NEAR(100 * isi_cv(1, 5), 2.1, 0, 1.0);
    CHECK_NEAR(100 * isi_cv(4, 6), 3.4, 0, 1.0);
}

/* Same seed, same result; another seed, another sample of the same statistics. */
static void test_seed_reproducible(void)
{
    vs_stats a = threshold_stats(3, 50, 42, NULL), b = threshold_stats(3, 50, 42, NULL);
    vs_stats c = threshold_stats(3, 50, 43, NULL);
    CHECK(a.mean == b.mean && a.std == b.std && a.min == b.min);
    CHECK(a.mean != c.mean);
    CHECK_NEAR(c.mean, a.mean, 0.02, 0);
}

static void test_bad_sweeps(void)
{
    vs_device_params p;
    vs_device_preset(1, &p);
    vs_iv_opts o = vs_iv_opts_default();
    vs_iv_result r;
    o.period_s = 0;
    CHECK(vs_iv_sweep(&p, &o, NULL, NULL, &r) == VS_EINVAL);
    o = vs_iv_opts_default();
    o.n_cycles = 0;
    CHECK(vs_iv_sweep(&p, &o, NULL, NULL, &r) == VS_EINVAL);
    o = vs_iv_opts_default();
    o.v_max_v = INFINITY;
    CHECK(vs_iv_sweep(&p, &o, NULL, NULL, &r) == VS_EINVAL);
    double t[2], h[2], c[2];
    CHECK(vs_rt_loop(&p, 350, 300, 2, t, h, c) == VS_EINVAL);
    CHECK(vs_rt_loop(&p, 300, 350, 1, t, h, c) == VS_EINVAL);
}

/* The film map of Fig 1F-G: each row is the R-T loop of that vacancy level's film (twin:
   vs_rt_loop called directly); at 290 K on heating the film is insulating, so R - R_met
   falls by the spec's factor 7.8 from x = 0 to x = 1 (docs/models/vo2x.md: R_ins0 falls
   7.8x), and at 370 K it is metallic: R_met = 10 Ohm (the film display model). */
static void test_film_map(void)
{
    vs_rt_map m;
    CHECK(vs_rt_map_film(3, 41, 290, 370, &m) == VS_OK);
    CHECK(m.x[0] == 0.0 && m.x[1] == 0.5 && m.x[2] == 1.0);
    for (int i = 0; i < 3; i++) {
        vs_device_params d, film;
        vs_device_from_vacancy(m.x[i], &d);
        vs_device_film(&d, &film);
        double t[41], h[41], c[41];
        CHECK(vs_rt_loop(&film, 290, 370, 41, t, h, c) == VS_OK);
        CHECK(memcmp(h, m.r_heat_ohm + 41 * i, sizeof h) == 0);
        CHECK(memcmp(c, m.r_cool_ohm + 41 * i, sizeof c) == 0);
        CHECK_NEAR(m.r_heat_ohm[41 * i + 40], 10.0, 0.01, 0);
    }
    CHECK(m.t_k[0] == 290 && m.t_k[40] == 370);
    CHECK_NEAR((m.r_heat_ohm[0] - 10) / (m.r_heat_ohm[2 * 41] - 10), 7.8, 0.02, 0);
    CHECK(m.centre_k[0] > 290 && m.centre_k[0] < 370);
    vs_rt_map_free(&m);
    CHECK(vs_rt_map_film(1, 41, 290, 370, &m) == VS_EINVAL);
    vs_rt_map_free(&m);
}

int main(void)
{
    RUN(test_a2_triangle);
    RUN(test_sweep_rate);
    RUN(test_a11_thresholds);
    RUN(test_a11_isi);
    RUN(test_seed_reproducible);
    RUN(test_bad_sweeps);
    RUN(test_film_map);
    return CHECK_DONE();
}
