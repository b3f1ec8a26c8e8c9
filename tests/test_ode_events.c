/* test_ode_events.c -- state events: an accepted hook returning VS_ODE_REDO has its step redone
   so that it ends exactly on the system's redo_at() time (src/ode.c), for DP54 and RK4. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "vo2snn/ode.h"

static const char *method_name[] = {"DP54", "RK4"};

static vs_ode_opts opts_for(int method, double tol, double h)
{
    static double atol[4];
    for (int i = 0; i < 4; i++) atol[i] = tol * 1e-2;
    if (method == VS_ODE_RK4)
        return (vs_ode_opts){.method = VS_ODE_RK4, .h_max = h, .max_steps = 10000000};
    return (vs_ode_opts){.method = VS_ODE_DP54, .rtol = tol, .atol = atol, .h_max = h,
                         .h_min = 1e-18, .max_steps = 10000000};
}

/* Bisection on one dense-output component for c(t) = level inside the last step; returns the
   first time at which the sign of c - level has changed (> t0; t1 if only there). */
static double dense_crossing(const vs_ode *ode, double t0, double t1, size_t i, double level)
{
    double s0 = vs_ode_dense_component(ode, t0, i) - level;
    double lo = t0, hi = t1;
    for (int it = 0; it < 200 && hi > lo; it++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        double s = vs_ode_dense_component(ode, mid, i) - level;
        if ((s < 0) == (s0 < 0) && s != 0) lo = mid;
        else hi = mid;
    }
    return hi;
}

/* ---- y' = 1 with an event at 0.37 ----------------------------------------------------- */

typedef struct ramp {
    double t_event;        /* 0.37 */
    double requested;      /* what redo_at returns */
    double last_t1;        /* end of the last kept step */
    int redos, landed, gaps, crossed_after, calls;
    double y_at_event;
} ramp;

static int ramp_rhs(double t, const double *y, double *dy, void *ctx)
{
    (void)t, (void)y, (void)ctx;
    dy[0] = 1.0;
    return 0;
}

static double ramp_redo_at(void *ctx) { return ((ramp *)ctx)->requested; }

static int ramp_accepted(const vs_ode *ode, double t0, const double *y0, double t1, double *y1,
                         void *ctx)
{
    ramp *r = ctx;
    (void)ode, (void)y0;
    r->calls++;
    if (t0 != r->last_t1) r->gaps++;            /* kept steps must be contiguous */
    if (t0 < r->t_event && t1 > r->t_event) {
        if (r->landed) r->crossed_after++;
        r->redos++;
        r->requested = r->t_event;
        return VS_ODE_REDO;                      /* nothing kept changed */
    }
    if (t1 == r->t_event) r->landed++, r->y_at_event = y1[0];
    r->last_t1 = t1;
    return 0;
}

/* A breakpoint at 0.5 as well, so the event and a break share the step logic. */
static double ramp_break(double t, void *ctx)
{
    (void)ctx;
    return t < 0.5 ? 0.5 : (double)INFINITY;
}

static void test_redo_lands_exactly(void)
{
    for (int method = 0; method < 2; method++) {
        ramp r = {.t_event = 0.37};
        vs_ode_system sys = {.dim = 1, .n_err = 1, .rhs = ramp_rhs, .accepted = ramp_accepted,
                             .next_break = ramp_break, .redo_at = ramp_redo_at, .ctx = &r};
        vs_ode_opts o = opts_for(method, 1e-8, 0.1);
        vs_ode *ode = vs_ode_new(&sys, &o);
        double y = 0.0, t;
        CHECK(vs_ode_integrate(ode, 0.0, 1.0, &y, &t) == VS_OK);
        if (r.redos != 1 || r.landed != 1)
            CHECK_FAIL_MSG("%s: %d redos, landed %d times on 0.37", method_name[method], r.redos,
                           r.landed);
        CHECK(r.gaps == 0);
        CHECK(r.crossed_after == 0);
        CHECK_NEAR(r.y_at_event, 0.37, 1e-14, 0);
        CHECK_NEAR(y, 1.0, 1e-13, 0);
        CHECK_NEAR(t, 1.0, 0, 0);
        vs_ode_stats st = vs_ode_get_stats(ode);
        /* the redone step is counted as rejected, never as accepted */
        CHECK(st.n_rejected >= 1);
        CHECK(st.n_accepted == r.calls - r.redos);
        vs_ode_free(ode);
    }
}

/* ---- a relay oscillator: y' = u - y, u switching between +1 and -1 at y = +-a ---------- */
/*
 * The switch takes effect d after the threshold crossing (y keeps moving meanwhile), the
 * way the switch model's ON delay works. With d = 0 the hook asks for the step to be redone
 * to end on the crossing; with d > 0 it records the switching time, which the system's
 * next_break returns, so the integrator must land on a break that was not known when the
 * last one was passed (or, d shorter than the step, it asks for a redo to it).
 * Closed form from y(0) = 0, u = +1: the first crossing at ln(1/(1 - a)); each switch at
 * crossing + d, where |y| = 1 - (1 - a) e^-d =: y_pk; each later crossing
 * ln((1 + y_pk)/(1 - a)) after the previous switch. With a = 1/2 and d = 0: ln 2 + k ln 3.
 */
typedef struct relay {
    double u, a, d;
    double pending;        /* scheduled switching time, INFINITY if none */
    double event;          /* event time asked for, NAN if none */
    double times[64];      /* switching times */
    int n_switch, redos, late, bad_landing;
} relay;

static int relay_rhs(double t, const double *y, double *dy, void *ctx)
{
    (void)t;
    dy[0] = ((relay *)ctx)->u - y[0];
    return 0;
}

static double relay_redo_at(void *ctx) { return ((relay *)ctx)->event; }

static double relay_break(double t, void *ctx)
{
    relay *r = ctx;
    return r->pending > t ? r->pending : (double)INFINITY;
}

static int relay_accepted(const vs_ode *ode, double t0, const double *y0, double t1, double *y1,
                          void *ctx)
{
    relay *r = ctx;
    (void)y0;
    int at_event = t1 == r->event;
    r->event = NAN;
    double level = r->u > 0 ? r->a : -r->a;
    if (isfinite(r->pending) || at_event) {
        if (!at_event && t1 < r->pending) return 0;
        if (!at_event && t1 > r->pending) r->late++;   /* the break was not landed on */
        /* without a delay the landing step ends on the threshold to the integrator's accuracy */
        if (r->d == 0 && fabs(y1[0] - level) > 1e-8) r->bad_landing++;
        if (r->n_switch < 64) r->times[r->n_switch] = t1;
        r->n_switch++;
        r->u = -r->u;
        r->pending = INFINITY;
        return 1;
    }
    if (!(r->u > 0 ? y1[0] >= level : y1[0] <= level)) return 0;
    double t_sw = dense_crossing(ode, t0, t1, 0, level) + r->d;
    if (t_sw < t1) {                               /* switches inside this step: redo */
        r->event = t_sw;
        r->redos++;
        return VS_ODE_REDO;
    }
    r->pending = t_sw;                             /* later (or at t1): a break */
    return 0;
}

static void test_relay_switch_times(void)
{
    const double a = 0.5;
    const double delays[3] = {0.0, 1e-4, 0.3};     /* redos; redos (d < the steps); breaks */
    for (int run = 0; run < 6; run++) {
        int method = run % 2;
        double d = delays[run / 2];
        relay r = {.u = 1.0, .a = a, .d = d, .pending = INFINITY, .event = NAN};
        vs_ode_system sys = {.dim = 1, .n_err = 1, .rhs = relay_rhs, .accepted = relay_accepted,
                             .next_break = relay_break, .redo_at = relay_redo_at, .ctx = &r};
        vs_ode_opts o = method == 0 ? opts_for(0, 1e-12, 1.0) : opts_for(1, 0, 1e-3);
        vs_ode *ode = vs_ode_new(&sys, &o);
        double y = 0.0, t;
        CHECK(vs_ode_integrate(ode, 0.0, 20.0, &y, &t) == VS_OK);
        double y_pk = 1 - (1 - a) * exp(-d), half = d + log((1 + y_pk) / (1 - a));
        double t_sw = log(1 / (1 - a)) + d, worst = 0;
        int expect = 0;
        for (; t_sw < 20.0; t_sw += half) {
            if (expect < r.n_switch && expect < 64)
                worst = fmax(worst, fabs(r.times[expect] - t_sw));
            expect++;
        }
        CHECK(r.n_switch == expect);
        if (d < 1e-3) CHECK(r.redos == r.n_switch);   /* no step happened to end on a switch */
        else CHECK(r.redos == 0);
        CHECK(r.late == 0);
        CHECK(r.bad_landing == 0);
        if (!(worst <= 1e-9))
            CHECK_FAIL_MSG("%s, delay %g: switching times off by %.3g (limit 1e-9)",
                           method_name[method], d, worst);
        vs_ode_free(ode);
    }
}

/* ---- a bouncing ball: x'' = -g, v -> -e v at x = 0 --------------------------------------- */
/*
 * Dropped from height H at rest: first impact at sqrt(2H/g) with speed v0 = sqrt(2gH); the
 * k-th flight after that lasts 2 e^k v0 / g. The hook changes y1 in place at the impact
 * (a guard-style modification) and returns 1. The trajectory is quadratic, so both methods
 * and their dense outputs are exact up to rounding: this checks the event bookkeeping.
 */
typedef struct ball {
    double g, e, pending;
    double times[32];
    int n;
} ball;

static int ball_rhs(double t, const double *y, double *dy, void *ctx)
{
    (void)t;
    dy[0] = y[1];
    dy[1] = -((ball *)ctx)->g;
    return 0;
}

static double ball_redo_at(void *ctx) { return ((ball *)ctx)->pending; }

static int ball_accepted(const vs_ode *ode, double t0, const double *y0, double t1, double *y1,
                         void *ctx)
{
    ball *b = ctx;
    (void)y0;
    int at_event = t1 == b->pending;
    b->pending = NAN;
    if (!at_event) {
        if (!(y1[0] < 0)) return 0;
        double tc = dense_crossing(ode, t0, t1, 0, 0.0);
        if (tc < t1) {
            b->pending = tc;
            return VS_ODE_REDO;
        }
    }
    if (b->n < 32) b->times[b->n] = t1;
    b->n++;
    y1[0] = 0.0;
    y1[1] = -b->e * y1[1];
    return 1;
}

static void test_bouncing_ball(void)
{
    const double H = 1.0, g = 9.81, e = 0.8;
    for (int method = 0; method < 2; method++) {
        ball b = {.g = g, .e = e, .pending = NAN};
        vs_ode_system sys = {.dim = 2, .n_err = 2, .rhs = ball_rhs, .accepted = ball_accepted,
                             .redo_at = ball_redo_at, .ctx = &b};
        vs_ode_opts o = method == 0 ? opts_for(0, 1e-10, 0.05) : opts_for(1, 0, 0.01);
        vs_ode *ode = vs_ode_new(&sys, &o);
        double y[2] = {H, 0}, t;
        CHECK(vs_ode_integrate(ode, 0.0, 3.0, y, &t) == VS_OK);
        double v0 = sqrt(2 * g * H), tk = sqrt(2 * H / g), worst = 0;
        int expect = 0;
        for (int k = 0; tk < 3.0; k++) {
            if (k < b.n && k < 32) worst = fmax(worst, fabs(b.times[k] - tk));
            expect++;
            tk += 2 * pow(e, k + 1) * v0 / g;
        }
        CHECK(b.n == expect);
        if (!(worst <= 1e-9))
            CHECK_FAIL_MSG("%s: impact times off by %.3g (limit 1e-9)", method_name[method], worst);
        vs_ode_free(ode);
    }
}

/* ---- a redo without a valid time fails cleanly --------------------------------------------- */

typedef struct bad_redo {
    int mode;              /* 0: time after t1, 1: time == t0, 2: NAN */
    double t0, t1, y0;
} bad_redo;

static double bad_redo_at(void *ctx)
{
    bad_redo *b = ctx;
    return b->mode == 0 ? b->t1 + 0.01 : b->mode == 1 ? b->t0 : (double)NAN;
}

static int bad_accepted(const vs_ode *ode, double t0, const double *y0, double t1, double *y1,
                        void *ctx)
{
    bad_redo *b = ctx;
    (void)ode, (void)y1;
    if (t1 > 0.5) {
        b->t0 = t0, b->t1 = t1, b->y0 = y0[0];
        return VS_ODE_REDO;
    }
    return 0;
}

static void test_redo_bad_time(void)
{
    for (int method = 0; method < 2; method++) {
        for (int mode = 0; mode < 4; mode++) {
            bad_redo b = {.mode = mode};
            vs_ode_system sys = {.dim = 1, .n_err = 1, .rhs = ramp_rhs, .accepted = bad_accepted,
                                 .redo_at = mode < 3 ? bad_redo_at : NULL, .ctx = &b};
            vs_ode_opts o = opts_for(method, 1e-8, 0.1);
            vs_ode *ode = vs_ode_new(&sys, &o);
            double y = 0.0, t = -1;
            vs_status s = vs_ode_integrate(ode, 0.0, 1.0, &y, &t);
            CHECK(s == VS_EINVAL);
            /* y and t hold the last accepted step: the state before the refused redo */
            CHECK(t == b.t0);
            CHECK(y == b.y0);
            CHECK(strstr(vs_last_error(), mode < 3 ? "redo time" : "redo_at") != NULL);
            vs_ode_free(ode);
        }
    }
}

int main(void)
{
    RUN(test_redo_lands_exactly);
    RUN(test_relay_switch_times);
    RUN(test_bouncing_ball);
    RUN(test_redo_bad_time);
    return CHECK_DONE();
}
