/* test_ode.c -- integrators against closed-form solutions; breakpoints, dense output, failures. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "vo2snn/ode.h"

/* y' = -k y, y(0) = 1 -> exp(-k t) */
static int rhs_decay(double t, const double *y, double *dy, void *ctx)
{
    (void)t;
    dy[0] = -*(double *)ctx * y[0];
    return 0;
}

/* y0' = y1, y1' = -y0 (harmonic oscillator): y0 = cos t */
static int rhs_harmonic(double t, const double *y, double *dy, void *ctx)
{
    (void)t, (void)ctx;
    dy[0] = y[1];
    dy[1] = -y[0];
    return 0;
}

static vs_ode_opts dp_opts(double rtol, double atol_val, double h_max)
{
    static double atol[4];
    for (int i = 0; i < 4; i++) atol[i] = atol_val;
    return (vs_ode_opts){.method = VS_ODE_DP54, .rtol = rtol, .atol = atol, .h_max = h_max,
                         .h_min = 1e-18, .max_steps = 10000000};
}

static void test_dp54_decay(void)
{
    double k = 3.0;
    vs_ode_system sys = {.dim = 1, .n_err = 1, .rhs = rhs_decay, .ctx = &k};
    double rtols[] = {1e-4, 1e-7, 1e-10};
    for (int i = 0; i < 3; i++) {
        vs_ode_opts o = dp_opts(rtols[i], rtols[i] * 1e-3, 1.0);
        vs_ode *ode = vs_ode_new(&sys, &o);
        double y = 1.0, t;
        CHECK(vs_ode_integrate(ode, 0.0, 2.0, &y, &t) == VS_OK);
        CHECK_NEAR(t, 2.0, 0, 0);
        /* global error a modest multiple of the local tolerance */
        CHECK_NEAR(y, exp(-6.0), 50 * rtols[i], 0);
        vs_ode_free(ode);
    }
}

/* Dense output: 4th-order interpolant inside each accepted step. */
typedef struct dense_probe {
    double max_err;
    long checks;
} dense_probe;

static int probe_dense(const vs_ode *ode, double t0, const double *y0, double t1, double *y1, void *ctx)
{
    dense_probe *p = ctx;
    (void)y0, (void)y1;
    double out[2];
    for (int k = 1; k < 4; k++) {
        double t = t0 + (t1 - t0) * k / 4.0;
        vs_ode_dense(ode, t, out);
        double e = fabs(out[0] - cos(t));
        if (e > p->max_err) p->max_err = e;
        double c = vs_ode_dense_component(ode, t, 1);
        if (fabs(c - out[1]) > 1e-15) p->max_err = 1;
        p->checks++;
    }
    return 0;
}

static int rhs_harmonic_ctx(double t, const double *y, double *dy, void *ctx)
{
    return rhs_harmonic(t, y, dy, ctx);
}

static void test_dense_output(void)
{
    for (int method = 0; method < 2; method++) {
        dense_probe probe = {0, 0};
        vs_ode_system sys = {.dim = 2, .n_err = 2, .rhs = rhs_harmonic_ctx, .accepted = probe_dense, .ctx = &probe};
        vs_ode_opts o = dp_opts(1e-8, 1e-10, 0.5);
        if (method == 1) o = (vs_ode_opts){.method = VS_ODE_RK4, .h_max = 0.01, .max_steps = 100000};
        vs_ode *ode = vs_ode_new(&sys, &o);
        double y[2] = {1, 0}, t;
        CHECK(vs_ode_integrate(ode, 0, 10, y, &t) == VS_OK);
        CHECK(probe.checks > 10);
        CHECK(probe.max_err < (method == 0 ? 1e-6 : 1e-7));
        CHECK_NEAR(y[0], cos(10.0), 0, method == 0 ? 1e-6 : 1e-8);
        vs_ode_free(ode);
    }
}

/* RK4 converges at 4th order: halving the step cuts the error ~16x. */
static void test_rk4_order(void)
{
    double err[3];
    double steps[3] = {0.1, 0.05, 0.025};
    for (int i = 0; i < 3; i++) {
        vs_ode_system sys = {.dim = 2, .n_err = 2, .rhs = rhs_harmonic};
        vs_ode_opts o = {.method = VS_ODE_RK4, .h_max = steps[i], .max_steps = 1000000};
        vs_ode *ode = vs_ode_new(&sys, &o);
        double y[2] = {1, 0}, t;
        CHECK(vs_ode_integrate(ode, 0, 5, y, &t) == VS_OK);
        err[i] = fabs(y[0] - cos(5.0));
        vs_ode_free(ode);
    }
    CHECK_NEAR(err[0] / err[1], 16.0, 0.1, 0);
    CHECK_NEAR(err[1] / err[2], 16.0, 0.1, 0);
}

/* Breakpoints: steps land exactly on them; the piece selected at the step start is used. */
typedef struct square_wave {
    double level;       /* current piece */
    double breaks[3];
    int landed[3];
} square_wave;

static void sq_begin(double t0, void *ctx)
{
    square_wave *s = ctx;
    s->level = (t0 >= 1.0 && t0 < 2.0) ? 1.0 : 0.0;
}
static int sq_rhs(double t, const double *y, double *dy, void *ctx)
{
    (void)t, (void)y;
    dy[0] = ((square_wave *)ctx)->level;   /* y = integral of the square wave */
    return 0;
}
static double sq_break(double t, void *ctx)
{
    square_wave *s = ctx;
    for (int i = 0; i < 3; i++)
        if (s->breaks[i] > t) return s->breaks[i];
    return INFINITY;
}
static int sq_accepted(const vs_ode *ode, double t0, const double *y0, double t1, double *y1, void *ctx)
{
    square_wave *s = ctx;
    (void)ode, (void)t0, (void)y0, (void)y1;
    for (int i = 0; i < 3; i++)
        if (t1 == s->breaks[i]) s->landed[i] = 1;
    return 0;
}

static void test_breakpoints(void)
{
    for (int method = 0; method < 2; method++) {
        square_wave sw = {.breaks = {1.0, 2.0, 2.5}};
        vs_ode_system sys = {.dim = 1, .n_err = 1, .rhs = sq_rhs, .begin = sq_begin,
                             .accepted = sq_accepted, .next_break = sq_break, .ctx = &sw};
        vs_ode_opts o = method == 0 ? dp_opts(1e-8, 1e-10, 0.3)
                                    : (vs_ode_opts){.method = VS_ODE_RK4, .h_max = 0.3, .max_steps = 1000};
        vs_ode *ode = vs_ode_new(&sys, &o);
        double y = 0, t;
        CHECK(vs_ode_integrate(ode, 0, 3.0, &y, &t) == VS_OK);
        CHECK_NEAR(y, 1.0, 0, 1e-12);   /* exact: the pulse integrates to its width */
        CHECK(sw.landed[0] && sw.landed[1] && sw.landed[2]);
        vs_ode_free(ode);
    }
}

/* Failures are reported with time and state, never hidden. */
static int rhs_blowup(double t, const double *y, double *dy, void *ctx)
{
    (void)ctx;
    dy[0] = t > 1.0 ? (double)NAN : y[0];
    return 0;
}

static void test_failures(void)
{
    vs_ode_system sys = {.dim = 1, .n_err = 1, .rhs = rhs_blowup};
    vs_ode_opts o = dp_opts(1e-6, 1e-9, 0.1);
    o.h_min = 1e-6;
    vs_ode *ode = vs_ode_new(&sys, &o);
    double y = 1, t;
    vs_status s = vs_ode_integrate(ode, 0, 2.0, &y, &t);
    CHECK(s == VS_ESTEP);
    CHECK(t <= 1.0 && t > 0.99);
    CHECK(strstr(vs_last_error(), "t =") != NULL);
    CHECK_NEAR(y, exp(t), 1e-5, 0);     /* y holds the last accepted state */
    vs_ode_free(ode);

    double k = 1.0;
    vs_ode_system sys2 = {.dim = 1, .n_err = 1, .rhs = rhs_decay, .ctx = &k};
    o = dp_opts(1e-10, 1e-14, 1e-3);
    o.max_steps = 50;
    ode = vs_ode_new(&sys2, &o);
    y = 1;
    CHECK(vs_ode_integrate(ode, 0, 10.0, &y, &t) == VS_EMAXSTEPS);
    CHECK(t > 0 && t < 10.0);
    CHECK(strstr(vs_last_error(), "step budget") != NULL);
    vs_ode_free(ode);

    y = NAN;
    ode = vs_ode_new(&sys2, &o);
    CHECK(vs_ode_integrate(ode, 0, 1.0, &y, &t) == VS_EINVAL);
    vs_ode_free(ode);
    vs_ode_system bad = {.dim = 0, .rhs = rhs_decay};
    CHECK(vs_ode_new(&bad, &o) == NULL);
}

int main(void)
{
    RUN(test_dp54_decay);
    RUN(test_dense_output);
    RUN(test_rk4_order);
    RUN(test_breakpoints);
    RUN(test_failures);
    return CHECK_DONE();
}
