/* test_variation.c -- chips: D2D draws against their distributions, per-neuron streams, E series
   against IEC 60063 (variation.h). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "vo2snn/variation.h"

/* IEC 60063 E24 mantissas (E12: every other one). */
static const double e24_ref[24] = {1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3, 3.6, 3.9, 4.3, 4.7, 5.1, 5.6, 6.2, 6.8, 7.5, 8.2, 9.1};

/* The members of a series over 1 Ohm .. 1e8 Ohm, walked up with vs_eseries_step. */
static int members(int series, double *out, int max)
{
    int n = 0;
    for (double v = 1.0; v < 0.999e8 && n < max; v = vs_eseries_round(series, v * vs_eseries_step(series, v))) out[n++] = v;
    return n;
}

/* E12/E24 are the IEC values; E48/E96 rise by about 10^(1/n) a step, n a decade; every value
   of a dense grid rounds to the member nearest in ln R. */
static void test_eseries(void)
{
    static const int series[4] = {12, 24, 48, 96};
    static double m[1000];
    for (int s = 0; s < 4; s++) {
        int n = members(series[s], m, 1000);
        CHECK(n == 8 * series[s]);
        for (int k = 0; k < n; k++) {
            if (series[s] <= 24) CHECK_NEAR(m[k] / pow(10.0, floor(log10(m[k]) + 1e-9)), e24_ref[(k % series[s]) * (24 / series[s])], 1e-12, 0);
            if (k > 0 && series[s] >= 48) CHECK_NEAR(log(m[k] / m[k - 1]), log(10.0) / series[s], 0.5, 0);
        }
        for (double r = 10.0; r < 1e7; r *= 1.0037) {
            double v = vs_eseries_round(series[s], r), best = INFINITY;
            for (int k = 0; k < n; k++) best = fmin(best, fabs(log(m[k] / r)));
            CHECK_NEAR(fabs(log(v / r)), best, 0, 1e-12);
        }
    }
    CHECK(vs_eseries_round(24, 4650) == 4700 && vs_eseries_round(24, 5400) == 5600 && vs_eseries_round(96, 100e3) == 100e3);
    CHECK(vs_eseries_round(0, 1234.5) == 1234.5);
    CHECK(vs_eseries_parse("E24") == 24 && vs_eseries_parse("e96") == 96 && vs_eseries_parse("none") == 0 &&
          vs_eseries_parse("E7") == -1);
    CHECK(vs_eseries_tolerance(24) == 0.05 && vs_eseries_tolerance(96) == 0.01);
}

static void test_d2d_distribution(void)
{
    vs_device_params p, q;
    vs_device_preset(1, &p);
    vs_d2d v;
    CHECK(vs_d2d_parse(p.model, "r_ins0=10%,t_c=2K", &v) == VS_OK);
    CHECK(v.n == 2 && v.lognormal[0] && !v.lognormal[1] && v.sigma[0] == 0.1 && v.sigma[1] == 2.0);
    int ri = v.param[0], tc = v.param[1];
    const int n = 20000;
    double s1 = 0, s2 = 0, t1 = 0, t2 = 0, cross = 0;
    for (int i = 0; i < n; i++) {
        vs_d2d_draw(&v, &p, 7, 0, 1, i, n, &q);
        double a = log(q.v[ri] / p.v[ri]), b = q.v[tc] - p.v[tc];
        s1 += a, s2 += a * a, t1 += b, t2 += b * b, cross += a * b;
    }
    double ma = s1 / n, sa = sqrt(s2 / n - ma * ma), mb = t1 / n, sb = sqrt(t2 / n - mb * mb);
    CHECK_NEAR(ma, 0, 0, 3 * 0.1 / sqrt(n));
    CHECK_NEAR(sa, 0.1, 0.03, 0);
    CHECK_NEAR(mb, 0, 0, 3 * 2.0 / sqrt(n));
    CHECK_NEAR(sb, 2.0, 0.03, 0);
    CHECK_NEAR((cross / n - ma * mb) / (sa * sb), 0, 0, 0.03);   /* independent terms */
}

/* Same (seed, chip, layer, index): same device; any other: another; sigma 0: the nominal. */
static void test_streams(void)
{
    vs_device_params p, a, b;
    vs_device_preset(2, &p);
    vs_d2d v;
    CHECK(vs_d2d_parse(p.model, "r_ins0=5%", &v) == VS_OK);
    vs_d2d_draw(&v, &p, 1, 3, 1, 17, 128, &a);
    vs_d2d_draw(&v, &p, 1, 3, 1, 17, 128, &b);
    CHECK(memcmp(a.v, b.v, sizeof a.v) == 0);
    int j = v.param[0];
    vs_d2d_draw(&v, &p, 1, 4, 1, 17, 128, &b);
    CHECK(a.v[j] != b.v[j]);
    vs_d2d_draw(&v, &p, 1, 3, 2, 17, 128, &b);
    CHECK(a.v[j] != b.v[j]);
    vs_d2d_draw(&v, &p, 2, 3, 1, 17, 128, &b);
    CHECK(a.v[j] != b.v[j]);
    CHECK(vs_c2c_seed(1, 3, 1, 17) != vs_c2c_seed(1, 3, 1, 18) && vs_c2c_seed(1, 3, 1, 17) == vs_c2c_seed(1, 3, 1, 17));
    vs_d2d zero;
    CHECK(vs_d2d_parse(p.model, "r_ins0=0", &zero) == VS_OK);
    vs_d2d_draw(&zero, &p, 1, 3, 1, 17, 128, &b);
    CHECK(memcmp(b.v, p.v, sizeof p.v) == 0);
}

/* gradient 1: the draws are one line across the chip (a trend, no scatter). */
static void test_gradient(void)
{
    vs_device_params p, q[3];
    vs_device_preset(1, &p);
    vs_d2d v;
    CHECK(vs_d2d_parse(p.model, "t_c=1K", &v) == VS_OK);
    v.gradient = 1;
    for (int i = 0; i < 3; i++) vs_d2d_draw(&v, &p, 5, 2, 1, 4 * i, 9, &q[i]);
    int tc = v.param[0];
    CHECK_NEAR(q[1].v[tc], p.v[tc], 0, 1e-9);                                   /* the middle */
    CHECK_NEAR(q[0].v[tc] - p.v[tc], -(q[2].v[tc] - p.v[tc]), 0, 1e-9);        /* symmetric ends */
}

/* --d2d-layers: only the chosen layers vary, and they vary exactly as with every layer on. */
static void test_layers(void)
{
    vs_device_params p, all[3], some[3];
    vs_device_preset(1, &p);
    vs_d2d v;
    CHECK(vs_d2d_parse(p.model, "r_ins0=20%", &v) == VS_OK);
    int j = v.param[0];
    for (int l = 0; l < 3; l++) vs_d2d_draw(&v, &p, 7, 1, l, 3, 10, &all[l]);
    CHECK(vs_d2d_layers_parse("hidden,output", &v.layers) == VS_OK && v.layers == 6u);
    for (int l = 0; l < 3; l++) vs_d2d_draw(&v, &p, 7, 1, l, 3, 10, &some[l]);
    CHECK(some[0].v[j] == p.v[j] && all[0].v[j] != p.v[j]);
    CHECK(some[1].v[j] == all[1].v[j] && some[2].v[j] == all[2].v[j] && some[2].v[j] != p.v[j]);
    CHECK(vs_d2d_layers_parse("all", &v.layers) == VS_OK && v.layers == 0);
    CHECK(vs_d2d_layers_parse("outputs", &v.layers) == VS_EINVAL && strstr(vs_last_error(), "outputs"));
    CHECK(vs_d2d_layers_parse("input,", &v.layers) == VS_EINVAL);
    char text[24];   /* the names the parser reads, back: every set of layers round-trips */
    for (unsigned bits = 0; bits < 8; bits++) {
        unsigned back = 99;
        CHECK(vs_d2d_layers_parse(vs_d2d_layers_text(bits, text, sizeof text), &back) == VS_OK && back == bits);
    }
    CHECK(strcmp(vs_d2d_layers_text(5, text, sizeof text), "input,output") == 0);
}

static void test_parse_errors(void)
{
    vs_device_params p;
    vs_device_preset(1, &p);
    vs_d2d v;
    CHECK(vs_d2d_parse(p.model, "nope=1", &v) == VS_EINVAL && strstr(vs_last_error(), "nope"));
    CHECK(vs_d2d_parse(p.model, "t_c=1K,t_c=2K", &v) == VS_EINVAL && strstr(vs_last_error(), "twice"));
    CHECK(vs_d2d_parse(p.model, "r_ins0=-5%", &v) == VS_EINVAL);
    CHECK(vs_d2d_parse(p.model, "r_ins0=abc", &v) == VS_EINVAL);
    CHECK(vs_d2d_parse(p.model, "sigma_lnr=0.1", &v) == VS_EINVAL && strstr(vs_last_error(), "jitter"));
    CHECK(vs_d2d_parse(p.model, "t_c", &v) == VS_EINVAL);
    CHECK(vs_d2d_parse(p.model, "", &v) == VS_OK && v.n == 0);
}

int main(void)
{
    RUN(test_eseries);
    RUN(test_d2d_distribution);
    RUN(test_streams);
    RUN(test_gradient);
    RUN(test_layers);
    RUN(test_parse_errors);
    return CHECK_DONE();
}
