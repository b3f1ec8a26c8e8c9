/* test_sweep.c -- classification, phase diagrams, windows (A5), triple points (A6), V-f (A7). */
#include <math.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "check.h"
#include "vo2snn/sweep.h"

static vs_device_params device(int d)
{
    vs_device_params p;
    vs_device_preset(d, &p);
    return p;
}

/* docs/models/vo2x.md 3.2: device 1 coarse diagram (200 us runs, >= 2 spikes in [100, 200] us), exactly. */
static void test_spec_coarse_diagram(void)
{
    static const double v_rows[] = {16.0, 14.0, 12.5, 11.0, 10.0, 9.0, 8.0, 7.5, 7.0, 6.5};
    static const char *const expect[] = {
        "FFFFFFFFFFFFFOOOOOOOOOOO", "FFFFFFFFFFFOOOOOOOOOOOOO", "FFFFFFFFFFOOOOOOOOOOOOOO",
        "FFFFFFFFOOOOOOOOOOOOO...", "FFFFFFFOOOOOOOOO........", "FFFFFFOOOOO.............",
        "FFFFFO..................", "FFFF....................", "FF......................",
        "........................"};
    vs_device_params p = device(1);
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    o.t_run_s = 200e-6;
    vs_grid rg = {250, 6000, 24, 0};
    static vs_point pts[24];
    int mismatches = 0;
    for (int row = 0; row < 10; row++) {
        vs_grid vg = {v_rows[row], v_rows[row], 1, 0};
        CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, NULL, NULL, pts) == VS_OK);
        char got[25];
        for (int k = 0; k < 24; k++) got[k] = ".OF"[pts[k].regime];
        got[24] = '\0';
        if (strcmp(got, expect[row]) != 0) {
            mismatches++;
            CHECK_FAIL_MSG("V_in %.1f: got %s, spec %s", v_rows[row], got, expect[row]);
        }
    }
    CHECK(mismatches == 0);
}

/* Away from the analytic chord boundaries the class is the load-line one. */
static void test_load_line_agreement(void)
{
    vs_device_params p = device(2);
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    vs_grid rg = {500, 6000, 12, 0}, vg = {4, 16, 13, 0};
    static vs_point pts[12 * 13];
    CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, NULL, NULL, pts) == VS_OK);
    const double margin = 0.7;   /* chord vs simulated edges differ by < 0.6 V (docs/models/vo2x.md 3.2) */
    int checked = 0;
    for (long iv = 0; iv < vg.n; iv++)
        for (long ir = 0; ir < rg.n; ir++) {
            vs_circuit ck = c;
            ck.r_series_ohm = vs_grid_at(&rg, ir);
            double v = vs_grid_at(&vg, iv), v_a, v_b;
            vs_load_line(&p, &ck, &v_a, &v_b, NULL);
            vs_regime r = pts[iv * rg.n + ir].regime, want;
            if (v < v_a - margin) want = VS_UNFIRING;
            else if (v > v_a + margin && v > v_b + margin) want = VS_FIRING;
            else if (v > v_a + margin && v < v_b - margin) want = VS_OSCILLATING;
            else continue;
            checked++;
            if (r != want)
                CHECK_FAIL_MSG("R_s %g V_in %g: %s, load line says %s", ck.r_series_ohm, v,
                               vs_regime_name(r), vs_regime_name(want));
        }
    CHECK(checked > 100);
}

/* A5: windows at 3 kOhm, edges by bisection to 5 mV, +-0.15 V. */
static void test_a5_windows(void)
{
    const double lo[] = {9.05, 8.20, 7.65, 7.48, 7.87}, hi[] = {14.13, 13.82, 13.51, 12.84, 11.61};
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    for (int d = 1; d <= 5; d++) {
        vs_device_params p = device(d);
        double v_a, v_b;
        int nonempty;
        CHECK(vs_window_edges(&p, &c, &o, 5e-3, &v_a, &v_b, &nonempty) == VS_OK);
        CHECK(nonempty);
        CHECK_NEAR(v_a, lo[d - 1], 0, 0.15);
        CHECK_NEAR(v_b, hi[d - 1], 0, 0.15);
    }
    /* device 5 latches at the common 12.5 V drive, yet oscillates inside its window */
    vs_device_params p5 = device(5);
    vs_point pt;
    CHECK(vs_classify(&p5, &c, 12.5, &o, &pt) == VS_OK && pt.regime == VS_FIRING);
    CHECK(vs_classify(&p5, &c, 9.5, &o, &pt) == VS_OK && pt.regime == VS_OSCILLATING);
    for (int d = 1; d <= 4; d++) {
        vs_device_params p = device(d);
        CHECK(vs_classify(&p, &c, 12.5, &o, &pt) == VS_OK && pt.regime == VS_OSCILLATING);
    }
}

/* A6: triple points +-5 % in R_s*, +-3 % in V_in*, both strictly decreasing 1 -> 5. */
static void test_a6_triple_points(void)
{
    const double r_star[] = {1287, 1026, 774, 562, 403}, v_star[] = {7.64, 6.35, 5.09, 3.88, 2.73};
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    double prev_r = INFINITY, prev_v = INFINITY;
    for (int d = 1; d <= 5; d++) {
        vs_device_params p = device(d);
        vs_triple t;
        CHECK(vs_triple_point(&p, &c, &o, 1e-3, 5e-3, &t) == VS_OK);
        CHECK_NEAR(t.r_s_ohm, r_star[d - 1], 0.05, 0);
        CHECK_NEAR(t.v_in_v, v_star[d - 1], 0.03, 0);
        CHECK(t.r_s_ohm < prev_r && t.v_in_v < prev_v);
        prev_r = t.r_s_ohm, prev_v = t.v_in_v;
    }
}

static double freq_at(int d, double v)
{
    vs_device_params p = device(d);
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    vs_point pt;
    CHECK(vs_classify(&p, &c, v, &o, &pt) == VS_OK);
    CHECK(pt.regime == VS_OSCILLATING);
    return pt.freq_hz;
}

/* A7: V-f at 3 kOhm (+-3 %), peak frequencies, and power at equal frequency. */
static void test_a7_vf(void)
{
    CHECK_NEAR(freq_at(1, 9.5), 101.8e3, 0.03, 0);
    CHECK_NEAR(freq_at(1, 11.0), 135.2e3, 0.03, 0);
    CHECK_NEAR(freq_at(1, 12.5), 146.8e3, 0.03, 0);
    CHECK_NEAR(freq_at(4, 8.0), 275.4e3, 0.03, 0);
    CHECK_NEAR(freq_at(4, 10.0), 329.1e3, 0.03, 0);

    const double peak[] = {147e3, 183e3, 240e3, 330e3, 493e3};
    const double lo[] = {9.1, 8.3, 7.7, 7.5, 7.9}, hi[] = {14.1, 13.8, 13.5, 12.8, 11.6};
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    static vs_point pts[5][80];
    long n[5];
    for (int d = 1; d <= 5; d++) {
        vs_device_params p = device(d);
        vs_grid rg = {3000, 3000, 1, 0};
        n[d - 1] = (long)((hi[d - 1] - lo[d - 1]) / 0.1 + 0.5);
        vs_grid vg = {lo[d - 1] + 0.05, lo[d - 1] + 0.05 + 0.1 * (double)(n[d - 1] - 1), n[d - 1], 0};
        CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, NULL, NULL, pts[d - 1]) == VS_OK);
        double f_max = 0;
        long i_max = 0;
        for (long k = 0; k < n[d - 1]; k++)
            if (pts[d - 1][k].freq_hz > f_max) f_max = pts[d - 1][k].freq_hz, i_max = k;
        CHECK_NEAR(f_max, peak[d - 1], 0.03, 0);
        /* dome: rises from the lower edge to the peak, falls after it */
        CHECK(i_max > 0 && i_max < n[d - 1] - 1);
        CHECK(pts[d - 1][0].freq_hz < f_max && pts[d - 1][n[d - 1] - 1].freq_hz < f_max);
    }
    /* At equal frequency on the rising branches, device d+1 needs less power than d (1..3). */
    for (int d = 0; d < 2; d++) {
        double f_lo = fmax(pts[d][0].freq_hz, pts[d + 1][0].freq_hz);
        double f_hi = fmin(peak[d], peak[d + 1]) * 0.97;
        CHECK(f_hi > f_lo);
        double f = 0.5 * (f_lo + f_hi), p[2];
        for (int k = 0; k < 2; k++) {
            p[k] = NAN;
            const vs_point *q = pts[d + k];
            for (long i = 1; i < n[d + k]; i++)
                if (q[i - 1].freq_hz <= f && q[i].freq_hz >= f) {
                    p[k] = q[i - 1].p_in_w + (q[i].p_in_w - q[i - 1].p_in_w) *
                                                 (f - q[i - 1].freq_hz) / (q[i].freq_hz - q[i - 1].freq_hz);
                    break;
                }
        }
        CHECK(p[1] < p[0]);
    }
}

#ifdef _OPENMP
/* Sweeps are bit-identical for 1 and 2 threads (jitter on, so per-point RNG streams matter). */
static void test_thread_determinism(void)
{
    vs_device_params p = device(3);
    vs_device_set_value(&p, "sigma_lnr", 0.04);
    vs_device_set_value(&p, "sigma_tc", 0.5);
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    o.t_run_s = 100e-6;
    vs_grid rg = {400, 5000, 9, 1}, vg = {5, 15, 9, 0};
    static vs_point a[81], b[81];
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, NULL, NULL, a) == VS_OK);
    omp_set_num_threads(2);
    CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, NULL, NULL, b) == VS_OK);
    omp_set_num_threads(saved);
    CHECK(memcmp(a, b, sizeof a) == 0);
    int osc = 0;
    for (int k = 0; k < 81; k++) osc += a[k].regime == VS_OSCILLATING;
    CHECK(osc > 10);
}
#endif

static int cancel_after_3(long done, long total, void *user)
{
    (void)total, (void)user;
    return done >= 3;
}

static void test_bad_sweeps(void)
{
    vs_device_params p = device(1);
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    static vs_point pts[100];
    vs_grid rg = {1000, 500, 3, 0}, vg = {5, 10, 3, 0};
    CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, NULL, NULL, pts) == VS_EINVAL);
    rg = (vs_grid){0, 500, 3, 1};
    CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, NULL, NULL, pts) == VS_EINVAL);
    rg = (vs_grid){1000, 2000, 0, 0};
    CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, NULL, NULL, pts) == VS_EINVAL);
    rg = (vs_grid){1000, 2000, 10, 0};
    vg = (vs_grid){5, 10, 10, 0};
    CHECK(vs_phase_sweep(&p, &c, &rg, &vg, &o, cancel_after_3, NULL, pts) != VS_OK);
    CHECK(strstr(vs_last_error(), "cancel") != NULL);
    o.settle_frac = 1.0;
    vs_point pt;
    CHECK(vs_classify(&p, &c, 10, &o, &pt) == VS_EINVAL);
}

int main(void)
{
    RUN(test_spec_coarse_diagram);
    RUN(test_load_line_agreement);
    RUN(test_a5_windows);
    RUN(test_a6_triple_points);
    RUN(test_a7_vf);
#ifdef _OPENMP
    RUN(test_thread_determinism);
#endif
    RUN(test_bad_sweeps);
    return CHECK_DONE();
}
