/*
 * ode.c -- Dormand-Prince 5(4) and fixed-step RK4 with breakpoints and an accepted-step hook.
 *
 * State events (VS_ODE_REDO): when the accepted hook returns VS_ODE_REDO for the step
 * [t0, t1], the step is taken back -- y(t0) is restored from o->ystage, where accept_step
 * kept it, and the step is counted in stats.n_rejected instead of n_accepted -- and the
 * integration goes on from t0 with one more landing target, t_event = sys.redo_at(ctx),
 * which must lie in (t0, t1). Steps are clipped to min(t_end, t_break, t_event) exactly as
 * for a breakpoint, so DP54 lands on t_event in as many steps as its error control needs
 * (usually one) and RK4 in one short step; the hook is called for each of them as usual
 * and sees t1 == t_event exactly on the landing step. The target is cleared once landed,
 * or when a hook on the way returns 1 (the rhs changed, so the crossing it predicted no
 * longer holds; the hook asks again if it still happens). The derivative at t0 (k[0]) is
 * still valid and is reused. A redo counts against max_steps like a rejected step.
 *
 * Breaks: next_break is asked again after every accepted step, so a hook may schedule a
 * new one (a switch that takes effect a fixed delay after a threshold crossing); the
 * earlier answer is kept unless the new one is sooner, so a pure next_break(t) gives the
 * same steps as asking only after each break.
 */
#include "vo2snn/ode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vs_ode {
    vs_ode_system sys;
    vs_ode_opts opts;
    double *atol;                           /* copy, n_err values */
    double *k[7];                           /* stage derivatives */
    double *ystage, *ynew;
    double *r[5];                           /* dense-output coefficients of the last step */
    double dense_t0, dense_h;
    vs_ode_stats stats;
};

/* Dormand-Prince 5(4) tableau. */
static const double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
static const double a21 = 1.0 / 5;
static const double a31 = 3.0 / 40, a32 = 9.0 / 40;
static const double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
static const double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561,
                    a54 = -212.0 / 729;
static const double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247,
                    a64 = 49.0 / 176, a65 = -5103.0 / 18656;
static const double a71 = 35.0 / 384, a73 = 500.0 / 1113, a74 = 125.0 / 192,
                    a75 = -2187.0 / 6784, a76 = 11.0 / 84;
static const double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920,
                    e5 = -17253.0 / 339200, e6 = 22.0 / 525, e7 = -1.0 / 40;
/* Hairer's continuous extension (DOPRI5 contd5). */
static const double dc1 = -12715105075.0 / 11282082432, dc3 = 87487479700.0 / 32700410799,
                    dc4 = -10690763975.0 / 1880347072, dc5 = 701980252875.0 / 199316789632,
                    dc6 = -1453857185.0 / 822651844, dc7 = 69997945.0 / 29380423;

vs_ode *vs_ode_new(const vs_ode_system *sys, const vs_ode_opts *opts)
{
    if (!sys || !opts || sys->dim == 0 || sys->n_err > sys->dim || sys->n_rhs > sys->dim || !sys->rhs) {
        vs_fail(VS_EINVAL, "vs_ode_new: invalid system");
        return NULL;
    }
    if (!(opts->h_max > 0) || (opts->method == VS_ODE_DP54 && !(opts->rtol > 0))) {
        vs_fail(VS_EINVAL, "vs_ode_new: h_max and rtol must be positive");
        return NULL;
    }
    vs_ode *o = calloc(1, sizeof *o);
    if (!o) goto oom;
    o->sys = *sys;
    o->opts = *opts;
    size_t n = sys->dim;
    double *block = calloc(n * 14 + sys->n_err + 1, sizeof *block);
    if (!block) goto oom;
    for (int i = 0; i < 7; i++) o->k[i] = block + (size_t)i * n;
    o->ystage = block + 7 * n;
    o->ynew = block + 8 * n;
    for (int i = 0; i < 5; i++) o->r[i] = block + (size_t)(9 + i) * n;
    o->atol = block + 14 * n;
    for (size_t i = 0; i < sys->n_err; i++) o->atol[i] = opts->atol ? opts->atol[i] : 1e-9;
    o->opts.atol = o->atol;
    return o;
oom:
    free(o);
    vs_fail(VS_ENOMEM, "out of memory allocating the ODE workspace");
    return NULL;
}

void vs_ode_free(vs_ode *o)
{
    if (!o) return;
    free(o->k[0]);
    free(o);
}

vs_ode_stats vs_ode_get_stats(const vs_ode *o) { return o->stats; }

vs_status vs_ode_check_budget(const char *what, double dt_s, double span_s, double max,
                              const char *items)
{
    double n = span_s / dt_s;
    if (!(dt_s > 0) || !(n <= max))   /* also catches NaN */
        return vs_fail(VS_EINVAL, "%s %g s over %g s is %.3g %s, above the budget of %.3g", what,
                       dt_s, span_s, n, items, max);
    return VS_OK;
}

const double *vs_ode_end_derivative(const vs_ode *o)
{
    return o->opts.method == VS_ODE_DP54 ? o->k[6] : o->k[4];
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* One right-hand side evaluation; non-zero if the system refused. Non-finite values are
   caught once per step (the error norm, or the new state), not per evaluation. */
static int eval(vs_ode *o, double t, const double *y, double *dydt)
{
    o->stats.n_rhs++;
    return o->sys.rhs(t, y, dydt, o->sys.ctx) != 0 ? -1 : 0;
}

/* eval that also rejects a non-finite derivative (step starts). */
static int eval_checked(vs_ode *o, double t, const double *y, double *dydt)
{
    if (eval(o, t, y, dydt) != 0) return -1;
    return all_finite(dydt, o->sys.dim) ? 0 : -1;
}

static void begin_step(vs_ode *o, double t0)
{
    if (o->sys.begin) o->sys.begin(t0, o->sys.ctx);
}

static double next_break(const vs_ode *o, double t)
{
    return o->sys.next_break ? o->sys.next_break(t, o->sys.ctx) : (double)INFINITY;
}

static vs_status fail_at(vs_status code, const char *what, double t, const double *y, size_t n)
{
    char state[160];
    size_t len = 0;
    state[0] = '\0';
    for (size_t i = 0; i < n && i < 4 && len < sizeof state; i++)
        len += (size_t)snprintf(state + len, sizeof state - len, "%s%.6g", i ? ", " : "", y[i]);
    return vs_fail(code, "%s at t = %.9g s (state %s)", what, t, state);
}

void vs_ode_dense(const vs_ode *o, double t, double *out)
{
    size_t n = o->sys.n_rhs ? o->sys.n_rhs : o->sys.dim;
    double h = o->dense_h;
    double th = h > 0 ? (t - o->dense_t0) / h : 1.0;
    double th1 = 1.0 - th;
    if (o->opts.method == VS_ODE_DP54) {
        for (size_t i = 0; i < n; i++)
            out[i] = o->r[0][i] +
                     th * (o->r[1][i] + th1 * (o->r[2][i] + th * (o->r[3][i] + th1 * o->r[4][i])));
    } else {
        /* Cubic Hermite from y0 = r0, y1 = r1, f0 = r2, f1 = r3. */
        double h00 = (1 + 2 * th) * th1 * th1, h10 = th * th1 * th1;
        double h01 = th * th * (3 - 2 * th), h11 = -th * th * th1;
        for (size_t i = 0; i < n; i++)
            out[i] = h00 * o->r[0][i] + h10 * h * o->r[2][i] + h01 * o->r[1][i] +
                     h11 * h * o->r[3][i];
    }
}

double vs_ode_dense_component(const vs_ode *o, double t, size_t i)
{
    double h = o->dense_h;
    double th = h > 0 ? (t - o->dense_t0) / h : 1.0;
    double th1 = 1.0 - th;
    if (o->opts.method == VS_ODE_DP54)
        return o->r[0][i] +
               th * (o->r[1][i] + th1 * (o->r[2][i] + th * (o->r[3][i] + th1 * o->r[4][i])));
    double h00 = (1 + 2 * th) * th1 * th1, h10 = th * th1 * th1;
    double h01 = th * th * (3 - 2 * th), h11 = -th * th * th1;
    return h00 * o->r[0][i] + h10 * h * o->r[2][i] + h01 * o->r[1][i] + h11 * h * o->r[3][i];
}

/* Step-size target for the next attempt, landing exactly on t_target when close. */
static double clip_step(double t, double h, double t_target, int *lands)
{
    *lands = 0;
    if (t + h >= t_target || t + 1.01 * h >= t_target) {
        *lands = 1;
        return t_target - t;
    }
    /* Avoid leaving a sliver shorter than a fifth of a step before the target. */
    if (t + 1.2 * h > t_target) return 0.5 * (t_target - t);
    return h;
}

static double error_norm(const vs_ode *o, const double *y0, const double *y1, const double *e,
                         double h)
{
    size_t n = o->sys.n_err;
    if (n == 0) return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double sc = o->atol[i] + o->opts.rtol * fmax(fabs(y0[i]), fabs(y1[i]));
        double r = h * e[i] / sc;
        sum += r * r;
    }
    return sqrt(sum / (double)n);
}

static double initial_step(vs_ode *o, double t, const double *y, const double *f)
{
    if (o->opts.h0 > 0) return fmin(o->opts.h0, o->opts.h_max);
    double d0 = 0, d1 = 0;
    for (size_t i = 0; i < o->sys.n_err; i++) {
        double sc = o->atol[i] + o->opts.rtol * fabs(y[i]);
        d0 += (y[i] / sc) * (y[i] / sc);
        d1 += (f[i] / sc) * (f[i] / sc);
    }
    (void)t;
    double h = (d0 < 1e-10 || d1 < 1e-10) ? 1e-9 : 0.01 * sqrt(d0 / d1);
    return fmin(h, o->opts.h_max);
}

/* Move y to the accepted o->ynew and run the accepted hook (with y0 kept in o->ystage); returns its code. */
static int accept_step(vs_ode *o, double t0, double t1, double *y)
{
    size_t n = o->sys.dim;
    memcpy(o->ystage, y, n * sizeof *y);
    memcpy(y, o->ynew, n * sizeof *y);
    return o->sys.accepted ? o->sys.accepted(o, t0, o->ystage, t1, y, o->sys.ctx) : 0;
}

/*
 * The hook asked for the step [t0, t1] to be redone (VS_ODE_REDO): restore y(t0), count
 * the step as rejected, and return the time it must end at, or NAN (with the error set)
 * if the system gives none in (t0, t1).
 */
static double redo_step(vs_ode *o, double t0, double t1, double *y)
{
    memcpy(y, o->ystage, o->sys.dim * sizeof *y);
    o->stats.n_accepted--;
    o->stats.n_rejected++;
    if (!o->sys.redo_at) {
        vs_fail(VS_EINVAL, "integration: the accepted hook asked to redo the step [%.9g, %.9g] s "
                           "but the system has no redo_at", t0, t1);
        return NAN;
    }
    double t_event = o->sys.redo_at(o->sys.ctx);
    if (!(t_event > t0 && t_event < t1)) {
        vs_fail(VS_EINVAL, "integration: redo time %.17g s is not inside the step (%.17g, %.17g) s",
                t_event, t0, t1);
        return NAN;
    }
    return t_event;
}

/* Derivative for the next step: re-evaluated after an input edge or a changed right-hand
   side, else the end derivative of the accepted step (FSAL). Returns non-zero on failure. */
static int next_derivative(vs_ode *o, double t, const double *y, const double *f_end, int reevaluate)
{
    if (!reevaluate) {
        memcpy(o->k[0], f_end, o->sys.dim * sizeof *y);
        return 0;
    }
    begin_step(o, t);
    return eval_checked(o, t, y, o->k[0]);
}

static vs_status integrate_dp54(vs_ode *o, double t0, double t_end, double *y, double *t_stop)
{
    const size_t n = o->sys.dim, ns = o->sys.n_rhs ? o->sys.n_rhs : n;
    double **k = o->k, *ys = o->ystage, *yn = o->ynew;
    double t = t0, h, h_min = o->opts.h_min > 0 ? o->opts.h_min : 1e-18;
    int last_rejected = 0;

    begin_step(o, t);
    if (eval_checked(o, t, y, k[0]) != 0) return fail_at(VS_ERHS, "non-finite derivative", t, y, n);
    h = initial_step(o, t, y, k[0]);
    double t_break = next_break(o, t), t_event = INFINITY;

    while (t < t_end) {
        if (o->stats.n_accepted + o->stats.n_rejected >= o->opts.max_steps)
            return *t_stop = t,
                   fail_at(VS_EMAXSTEPS, "step budget exhausted", t, y, n);
        double t_target = fmin(fmin(t_end, t_break), t_event);
        int lands;
        double hs = clip_step(t, fmin(h, o->opts.h_max), t_target, &lands);

        begin_step(o, t);
        int bad = 0;
        for (size_t i = 0; i < ns; i++) ys[i] = y[i] + hs * a21 * k[0][i];
        bad |= eval(o, t + c2 * hs, ys, k[1]);
        for (size_t i = 0; i < ns; i++) ys[i] = y[i] + hs * (a31 * k[0][i] + a32 * k[1][i]);
        bad |= eval(o, t + c3 * hs, ys, k[2]);
        for (size_t i = 0; i < ns; i++)
            ys[i] = y[i] + hs * (a41 * k[0][i] + a42 * k[1][i] + a43 * k[2][i]);
        bad |= eval(o, t + c4 * hs, ys, k[3]);
        for (size_t i = 0; i < ns; i++)
            ys[i] = y[i] + hs * (a51 * k[0][i] + a52 * k[1][i] + a53 * k[2][i] + a54 * k[3][i]);
        bad |= eval(o, t + c5 * hs, ys, k[4]);
        for (size_t i = 0; i < ns; i++)
            ys[i] = y[i] + hs * (a61 * k[0][i] + a62 * k[1][i] + a63 * k[2][i] + a64 * k[3][i] +
                                 a65 * k[4][i]);
        bad |= eval(o, t + hs, ys, k[5]);
        for (size_t i = 0; i < n; i++)
            yn[i] = y[i] + hs * (a71 * k[0][i] + a73 * k[2][i] + a74 * k[3][i] + a75 * k[4][i] +
                                 a76 * k[5][i]);
        bad |= eval(o, t + hs, yn, k[6]);

        bad |= !all_finite(yn, n) || !all_finite(k[6], n);
        double err = HUGE_VAL;
        if (!bad) {
            for (size_t i = 0; i < n; i++)
                ys[i] = e1 * k[0][i] + e3 * k[2][i] + e4 * k[3][i] + e5 * k[4][i] +
                        e6 * k[5][i] + e7 * k[6][i];
            err = error_norm(o, y, yn, ys, hs);
        }

        if (!(err <= 1.0)) {
            o->stats.n_rejected++;
            double fac = bad ? 0.25 : fmax(0.2, 0.9 * pow(err, -0.2));
            h = hs * fac;
            last_rejected = 1;
            if (h < h_min)
                return *t_stop = t,
                       fail_at(VS_ESTEP, "step size underflow", t, y, n);
            continue;
        }

        /* Accept: dense coefficients (for the components the rhs reads), then advance. */
        o->stats.n_accepted++;
        for (size_t i = 0; i < ns; i++) {
            double ydiff = yn[i] - y[i];
            double bspl = hs * k[0][i] - ydiff;
            o->r[0][i] = y[i];
            o->r[1][i] = ydiff;
            o->r[2][i] = bspl;
            o->r[3][i] = ydiff - hs * k[6][i] - bspl;
            o->r[4][i] = hs * (dc1 * k[0][i] + dc3 * k[2][i] + dc4 * k[3][i] + dc5 * k[4][i] +
                               dc6 * k[5][i] + dc7 * k[6][i]);
        }
        o->dense_t0 = t;
        o->dense_h = hs;
        double t_new = lands ? t_target : t + hs;
        int hook = accept_step(o, t, t_new, y);
        if (hook == VS_ODE_REDO) {
            t_event = redo_step(o, t, t_new, y);
            if (isnan(t_event)) return *t_stop = t, VS_EINVAL;
            h = hs;           /* the error control accepted hs: the landing step is shorter */
            continue;         /* k[0] = f(t0, y0) is unchanged */
        }
        t = t_new;
        if (hook < 0) return *t_stop = t, vs_fail(VS_ERHS, "integration aborted at t = %.9g s", t);
        if (lands && t_target == t_event) t_event = INFINITY;

        double fac = err == 0.0 ? 5.0 : fmin(5.0, fmax(0.2, 0.9 * pow(err, -0.2)));
        if (last_rejected) fac = fmin(fac, 1.0);
        h = lands && hs < h ? h : hs * fac;  /* a shortened landing step does not shrink h */
        last_rejected = 0;
        if (hook == 2) break;
        if (hook == 1) t_event = INFINITY;

        int crossed_break = lands && t_target == t_break;
        t_break = crossed_break ? next_break(o, t) : fmin(t_break, next_break(o, t));
        if (next_derivative(o, t, y, k[6], hook == 1 || crossed_break) != 0)
            return *t_stop = t, fail_at(VS_ERHS, "non-finite derivative", t, y, n);
    }
    *t_stop = t;
    return VS_OK;
}

static vs_status integrate_rk4(vs_ode *o, double t0, double t_end, double *y, double *t_stop)
{
    const size_t n = o->sys.dim, ns = o->sys.n_rhs ? o->sys.n_rhs : n;
    double **k = o->k, *ys = o->ystage, *yn = o->ynew;
    const double dt = o->opts.h_max;
    double t = t0;

    begin_step(o, t);
    if (eval_checked(o, t, y, k[0]) != 0) return fail_at(VS_ERHS, "non-finite derivative", t, y, n);
    double t_break = next_break(o, t), t_event = INFINITY;

    while (t < t_end) {
        if (o->stats.n_accepted + o->stats.n_rejected >= o->opts.max_steps)
            return *t_stop = t, fail_at(VS_EMAXSTEPS, "step budget exhausted", t, y, n);
        double t_target = fmin(fmin(t_end, t_break), t_event);
        int lands = 0;
        double h = dt;
        if (t + h >= t_target - 1e-6 * dt) {
            h = t_target - t;
            lands = 1;
        }
        begin_step(o, t);
        int bad = 0;
        for (size_t i = 0; i < ns; i++) ys[i] = y[i] + 0.5 * h * k[0][i];
        bad |= eval(o, t + 0.5 * h, ys, k[1]);
        for (size_t i = 0; i < ns; i++) ys[i] = y[i] + 0.5 * h * k[1][i];
        bad |= eval(o, t + 0.5 * h, ys, k[2]);
        for (size_t i = 0; i < ns; i++) ys[i] = y[i] + h * k[2][i];
        bad |= eval(o, t + h, ys, k[3]);
        for (size_t i = 0; i < n; i++)
            yn[i] = y[i] + h / 6.0 * (k[0][i] + 2 * k[1][i] + 2 * k[2][i] + k[3][i]);
        bad |= eval(o, t + h, yn, k[4]);   /* f(t1): Hermite dense output and next k1 */
        bad |= !all_finite(yn, n) || !all_finite(k[4], n);
        if (bad) return *t_stop = t, fail_at(VS_ERHS, "non-finite derivative in RK4 step", t, y, n);

        o->stats.n_accepted++;
        memcpy(o->r[0], y, ns * sizeof *y);
        memcpy(o->r[1], yn, ns * sizeof *y);
        memcpy(o->r[2], k[0], ns * sizeof *y);
        memcpy(o->r[3], k[4], ns * sizeof *y);
        o->dense_t0 = t;
        o->dense_h = h;
        double t_new = lands ? t_target : t + h;
        int hook = accept_step(o, t, t_new, y);
        if (hook == VS_ODE_REDO) {
            t_event = redo_step(o, t, t_new, y);
            if (isnan(t_event)) return *t_stop = t, VS_EINVAL;
            continue;         /* k[0] = f(t0, y0) is unchanged */
        }
        t = t_new;
        if (hook < 0) return *t_stop = t, vs_fail(VS_ERHS, "integration aborted at t = %.9g s", t);
        if (lands && t_target == t_event) t_event = INFINITY;
        if (hook == 2) break;
        if (hook == 1) t_event = INFINITY;
        int crossed_break = lands && t_target == t_break;
        t_break = crossed_break ? next_break(o, t) : fmin(t_break, next_break(o, t));
        if (next_derivative(o, t, y, k[4], hook == 1 || crossed_break) != 0)
            return *t_stop = t, fail_at(VS_ERHS, "non-finite derivative", t, y, n);
    }
    *t_stop = t;
    return VS_OK;
}

vs_status vs_ode_integrate(vs_ode *o, double t0, double t_end, double *y, double *t_stop)
{
    double t_dummy;
    if (!t_stop) t_stop = &t_dummy;
    *t_stop = t0;
    if (!(t_end >= t0)) return vs_fail(VS_EINVAL, "integration end %g s is before start %g s", t_end, t0);
    if (!all_finite(y, o->sys.dim)) return fail_at(VS_EINVAL, "non-finite initial state", t0, y, o->sys.dim);
    o->stats = (vs_ode_stats){0, 0, 0};
    return o->opts.method == VS_ODE_DP54 ? integrate_dp54(o, t0, t_end, y, t_stop)
                                         : integrate_rk4(o, t0, t_end, y, t_stop);
}
