/* test_mlp.c -- network kernels: BLAS vs naive twins, gradients vs finite differences, transfer table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vo2snn/mlp.h"

static void fill(float *v, size_t n, vs_rng *r, float scale)
{
    for (size_t i = 0; i < n; i++) v[i] = scale * (float)(2 * vs_rng_uniform(r) - 1);
}

static float max_abs_diff(const float *a, const float *b, size_t n)
{
    float m = 0;
    for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(a[i] - b[i]));
    return m;
}

static void test_blas_vs_naive(void)
{
    enum { B = 7, C = 33, OC = 5 };
    vs_rng r;
    vs_rng_seed(&r, 3, 0);
    static float in[B * C], w[OC * C], b[OC], out1[B * OC], out2[B * OC], dout[B * OC];
    static float din1[B * C], din2[B * C], dw1[OC * C], dw2[OC * C], db1[OC], db2[OC];
    fill(in, B * C, &r, 1), fill(w, OC * C, &r, 1), fill(b, OC, &r, 1), fill(dout, B * OC, &r, 1);
    vs_linear_forward(out1, in, w, b, B, C, OC);
    vs_linear_forward_naive(out2, in, w, b, B, C, OC);
    CHECK(max_abs_diff(out1, out2, B * OC) < 1e-5f);
    /* backward accumulates: start both from the same non-zero values */
    fill(din1, B * C, &r, 1), memcpy(din2, din1, sizeof din1);
    fill(dw1, OC * C, &r, 1), memcpy(dw2, dw1, sizeof dw1);
    fill(db1, OC, &r, 1), memcpy(db2, db1, sizeof db1);
    vs_linear_backward(din1, dw1, db1, dout, in, w, B, C, OC);
    vs_linear_backward_naive(din2, dw2, db2, dout, in, w, B, C, OC);
    CHECK(max_abs_diff(din1, din2, B * C) < 1e-5f);
    CHECK(max_abs_diff(dw1, dw2, OC * C) < 1e-5f);
    CHECK(max_abs_diff(db1, db2, OC) < 1e-5f);
}

/* A smooth synthetic transfer table (f ~ V^2 exp(-V/4)) so finite differences are meaningful. */
static vs_transfer smooth_transfer(void)
{
    enum { N = 1001 };
    static double f[N];
    for (int i = 0; i < N; i++) {
        double v = 0.02 * i;
        f[i] = 1e5 * v * v * exp(-v / 4);
    }
    vs_transfer t;
    vs_status s = vs_transfer_from_table(f, NULL, N, 0.02, 0.0, &t);
    CHECK(s == VS_OK);
    return t;
}

static void test_transfer_interpolation(void)
{
    vs_transfer t = smooth_transfer();
    CHECK_NEAR(t.v_peak_v, 8.0, 0, 0.02);
    CHECK_NEAR((double)vs_transfer_rate(&t, 8.0f), 1.0, 1e-5, 0);
    for (float v = 0.013f; v < 19.9f; v += 0.37f) {
        double vd = v, exact = vd * vd * exp(-vd / 4.0) / (64 * exp(-2.0));
        CHECK_NEAR((double)vs_transfer_rate(&t, v), exact, 0, 2e-4);
        CHECK_NEAR((double)vs_transfer_rate(&t, -v), -exact, 0, 2e-4);   /* odd */
        double slope = (2 * vd - vd * vd / 4.0) * exp(-vd / 4.0) / (64 * exp(-2.0));
        CHECK_NEAR((double)vs_transfer_slope(&t, v), slope, 0, 2e-3);
        CHECK_NEAR((double)vs_transfer_slope(&t, -v), slope, 0, 2e-3);   /* even */
    }
    vs_transfer_free(&t);
    /* a silent region stays exactly silent (no PCHIP overshoot at a jump) */
    double g[6] = {0, 0, 0, 5e4, 1e5, 1e5};
    CHECK(vs_transfer_from_table(g, NULL, 6, 1.0, 0.0, &t) == VS_OK);
    for (float v = 0; v <= 2.0f; v += 0.01f) CHECK(vs_transfer_rate(&t, v) == 0.0f);
    CHECK_NEAR(t.v_on_v, 3.0, 0, 0);
    vs_transfer_free(&t);
    double z[3] = {0, 0, 0};
    CHECK(vs_transfer_from_table(z, NULL, 3, 1.0, 0.0, &t) == VS_ENOTFOUND);
}

/* Every parameter's gradient matches central finite differences of the loss. */
static void gradient_check(vs_loss_kind loss)
{
    vs_transfer t = smooth_transfer();
    vs_mlp_config cfg = vs_mlp_config_default();
    cfg.sizes[0] = 12, cfg.sizes[1] = 6, cfg.sizes[2] = 10;
    cfg.loss = loss;
    cfg.rail_v = 100.0f;      /* keep away from the clip for the check */
    cfg.init_w_v = 6.0f;
    cfg.init_b_v = 6.0f;
    vs_rng r;
    vs_rng_seed(&r, 11, 0);
    enum { B = 4 };
    vs_mlp *m = vs_mlp_new(&cfg, &t, B, &r);
    CHECK(m != NULL);
    float x[B * 12];
    uint8_t y[B] = {3, 0, 9, 3};
    fill(x, B * 12, &r, 1);
    vs_mlp_forward(m, x, B);
    vs_mlp_loss(m, y, B);
    vs_mlp_zero_grad(m);
    vs_mlp_backward(m, B);
    size_t n = vs_mlp_num_params(m);
    float *p = vs_mlp_params(m), *g = vs_mlp_grads(m);
    float *saved = malloc(n * sizeof *saved);
    memcpy(saved, g, n * sizeof *g);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        float keep = p[i], h = 3e-3f;
        p[i] = keep + h;
        vs_mlp_forward(m, x, B);
        double lp = (double)vs_mlp_loss(m, y, B);
        p[i] = keep - h;
        vs_mlp_forward(m, x, B);
        double lm = (double)vs_mlp_loss(m, y, B);
        p[i] = keep;
        double fd = (lp - lm) / (2 * (double)h);
        /* float losses resolve ~1e-4 in the difference quotient */
        double err = fabs(fd - (double)saved[i]) / (2e-4 + 2e-2 * fabs(fd));
        if (err > worst) worst = err;
        if (err > 1) fprintf(stderr, "  param %zu: backprop %g, finite difference %g\n", i, (double)saved[i], fd);
    }
    if (!(worst <= 1)) CHECK_FAIL_MSG("gradient error %g x the tolerance", worst);
    free(saved);
    vs_mlp_free(m);
    vs_transfer_free(&t);
}

static void test_gradients_mse(void) { gradient_check(VS_LOSS_MSE); }
static void test_gradients_ce(void) { gradient_check(VS_LOSS_CE); }

/* The rails clip the adder output: beyond them the rate is constant and the slope zero. */
static void test_rails(void)
{
    vs_transfer t = smooth_transfer();
    float u[4] = {-30, -5, 5, 30}, out[4], d[4];
    vs_act_forward(out, d, u, &t.rate, 10.0f, 4);
    CHECK(out[3] == vs_transfer_rate(&t, 10.0f) && d[3] == 0.0f);
    CHECK(out[0] == -vs_transfer_rate(&t, 10.0f) && d[0] == 0.0f);
    CHECK(d[1] > 0 && d[2] > 0);
    vs_transfer_free(&t);
}

/*
 * The surrogate's leak (transfer.h): with a surrogate width, below onset the slope is at least
 * the chord from the origin to the onset point, leak = r(V_on)/V_on, and beyond a rail the
 * clipped adder passes that leak back. A table silent below 4 V that jumps to 5e4 Hz and rises
 * by 1e4 Hz/V to 1.1e5 Hz at 10 V: r(V_on) = 5/11, so leak = 5/44 per volt.
 */
static void test_surrogate_leak(void)
{
    enum { N = 201 };   /* 0..10 V by 0.05 V */
    double f[N];
    for (int i = 0; i < N; i++) f[i] = i < 80 ? 0.0 : 5e4 + 1e4 * (0.05 * i - 4.0);
    vs_transfer t;
    CHECK(vs_transfer_from_table(f, NULL, N, 0.05, 0.25, &t) == VS_OK);
    const double leak = (5.0 / 11.0) / 4.0;
    CHECK_NEAR(t.v_on_v, 4.0, 0, 1e-12);
    CHECK_NEAR((double)t.rate.leak, leak, 1e-6, 0);
    /* far below onset (more than 4 widths) the smoothed derivative is 0: the floor is the slope */
    for (float v = 0.0f; v <= 2.9f; v += 0.1f) {
        CHECK(vs_transfer_rate(&t, v) == 0.0f);   /* the forward pass stays silent */
        CHECK_NEAR((double)vs_transfer_slope(&t, v), leak, 1e-6, 0);
        CHECK_NEAR((double)vs_transfer_slope(&t, -v), leak, 1e-6, 0);
    }
    /* near the onset the smoothed jump is steeper than the floor */
    CHECK((double)vs_transfer_slope(&t, 3.9f) > 2 * leak);
    /* clipped at a rail of 8 V: the value of the rail, and the leak as the slope */
    float u[5] = {-30.0f, -9.0f, 1.0f, 6.0f, 8.5f}, out[5], d[5], dout[5] = {1, 2, 3, 4, 5}, du[5];
    vs_act_forward(out, d, u, &t.rate, 8.0f, 5);
    CHECK_NEAR((double)out[0], -(5e4 + 4e4) / 1.1e5, 1e-6, 0);
    CHECK_NEAR((double)out[4], (5e4 + 4e4) / 1.1e5, 1e-6, 0);
    CHECK_NEAR((double)d[0], leak, 1e-6, 0);
    CHECK_NEAR((double)d[1], leak, 1e-6, 0);
    CHECK_NEAR((double)d[4], leak, 1e-6, 0);
    CHECK(out[2] == 0.0f);
    CHECK_NEAR((double)d[2], leak, 1e-6, 0);                 /* silent, yet carries error back */
    CHECK_NEAR((double)d[3], 1e4 / 1.1e5, 1e-3, 0);          /* inside: the smoothed slope, 1/11 per V */
    vs_act_backward(du, dout, d, 5);
    CHECK_NEAR((double)du[0], 1 * leak, 1e-6, 0);
    CHECK_NEAR((double)du[2], 3 * leak, 1e-6, 0);
    CHECK_NEAR((double)du[4], 5 * leak, 1e-6, 0);
    vs_transfer_free(&t);
    /* no surrogate width: the exact derivative and no floor */
    CHECK(vs_transfer_from_table(f, NULL, N, 0.05, 0.0, &t) == VS_OK);
    CHECK(t.rate.leak == 0.0f && vs_transfer_slope(&t, 1.0f) == 0.0f);
    vs_transfer_free(&t);
}

int main(void)
{
    RUN(test_blas_vs_naive);
    RUN(test_transfer_interpolation);
    RUN(test_gradients_mse);
    RUN(test_gradients_ce);
    RUN(test_rails);
    RUN(test_surrogate_leak);
    return CHECK_DONE();
}
