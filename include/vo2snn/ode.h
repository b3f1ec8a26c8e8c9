/*
 * ode.h -- explicit integrators for small circuit ODEs with a memory projection.
 *
 * Two methods behind one interface:
 *   VS_ODE_DP54  Dormand-Prince 5(4), error-controlled, FSAL, with Hairer's
 *                4th-order continuous extension for dense output;
 *   VS_ODE_RK4   classical fixed-step Runge-Kutta (cubic Hermite dense output).
 * Both step exactly onto breakpoints (input discontinuities, window edges)
 * supplied by the system, and after every accepted step call the system's
 * `accepted` hook, which may update memory held outside y (the VO2 metallic
 * fraction) and observe the step through vs_ode_dense().
 *
 * Knows nothing about VO2: the physics arrives through callbacks.
 * Units: whatever the system uses (SI in this project). y is `dim` contiguous
 * doubles; only the first `n_err` enter the error norm (the rest are
 * quadratures such as energies, integrated but not error-controlled).
 * Ownership: vs_ode_new returns a workspace freed by vs_ode_free; the system and
 * its ctx are borrowed and must outlive it. One workspace per thread.
 */
#ifndef VO2SNN_ODE_H
#define VO2SNN_ODE_H

#include <stddef.h>

#include "vo2snn/status.h"

typedef struct vs_ode vs_ode;

/* dy/dt at (t, y). Return 0, or non-zero if the value cannot be computed here. */
typedef int (*vs_ode_rhs_fn)(double t, const double *y, double *dydt, void *ctx);

/* Called before each step attempt that starts at t0 (select the input piece, ...). */
typedef void (*vs_ode_begin_fn)(double t0, void *ctx);

/*
 * Called after each accepted step [t0, t1]; y1 may be modified in place (guards).
 * Return 0 to go on, 1 if the right-hand side changed (the solver then
 * re-evaluates the derivative at t1), 2 to stop successfully now, < 0 to abort,
 * or VS_ODE_REDO to have the step redone so that it ends exactly at the system's
 * redo_at() time in (t0, t1) (a state event: a threshold crossed inside the step).
 * The solver then restores y(t0), lands a step on that time (in several steps if
 * the error control asks for it) and calls the hook for each of them again. A hook
 * that returns VS_ODE_REDO must not have changed anything it keeps.
 */
#define VS_ODE_REDO 3
typedef int (*vs_ode_accepted_fn)(const vs_ode *ode, double t0, const double *y0, double t1,
                                  double *y1, void *ctx);

/* Next discontinuity strictly after t (INFINITY if none). */
typedef double (*vs_ode_break_fn)(double t, void *ctx);

typedef struct vs_ode_system {
    size_t dim, n_err;
    size_t n_rhs;                 /* components the rhs reads (the rest are quadratures it
                                     only writes); stage states are formed for these alone.
                                     0 means dim */
    vs_ode_rhs_fn rhs;
    vs_ode_begin_fn begin;        /* optional */
    vs_ode_accepted_fn accepted;  /* optional */
    vs_ode_break_fn next_break;   /* optional */
    double (*redo_at)(void *ctx); /* optional: the time a VS_ODE_REDO step must end at */
    void *ctx;
} vs_ode_system;

typedef enum vs_ode_method { VS_ODE_DP54 = 0, VS_ODE_RK4 = 1 } vs_ode_method;

typedef struct vs_ode_opts {
    vs_ode_method method;
    double rtol;           /* DP54 relative tolerance */
    const double *atol;    /* DP54 absolute tolerance per error component (n_err values) */
    double h_max;          /* largest step (DP54), the step (RK4) */
    double h_min;          /* DP54: smaller accepted steps are an error (VS_ESTEP) */
    double h0;             /* DP54 first step (0 = automatic) */
    long max_steps;        /* accepted + rejected steps before VS_EMAXSTEPS */
} vs_ode_opts;

typedef struct vs_ode_stats {
    long n_accepted, n_rejected, n_rhs;
} vs_ode_stats;

vs_ode *vs_ode_new(const vs_ode_system *sys, const vs_ode_opts *opts);
void vs_ode_free(vs_ode *ode);

/*
 * Integrate y from t0 to t_end (y holds y(t0) on entry). On success y = y(t_end)
 * (or the state where `accepted` asked to stop, with *t_stop set). On failure y
 * and *t_stop hold the last accepted step and vs_last_error() names the time
 * and the state there.
 */
vs_status vs_ode_integrate(vs_ode *ode, double t0, double t_end, double *y, double *t_stop);

/* Dense output inside the last accepted step: y(t) for t in [t0, t1] into out, for the
   components the rhs reads (n_rhs; all of them if n_rhs is 0). */
void vs_ode_dense(const vs_ode *ode, double t, double *out);

/* One component i (< n_rhs) of the dense output at t (cheaper than vs_ode_dense). */
double vs_ode_dense_component(const vs_ode *ode, double t, size_t i);

/* Derivative at the end of the last accepted step (valid inside `accepted`). */
const double *vs_ode_end_derivative(const vs_ode *ode);

vs_ode_stats vs_ode_get_stats(const vs_ode *ode);

/* ---- work budgets, checked before a run starts ------------------------------------------ */

#define VS_MAX_STEPS 1e9           /* steps of one run: t_end / h (RK4 step, or DP54 largest
                                      step, a lower bound); about 2.5 min of a neuron run */
#define VS_MAX_TRACE_SAMPLES 1e7   /* samples of one sampled trace: about 1.5 GB of CSV */

/*
 * The one budget guard: VS_OK if span_s / dt_s is at most max, else VS_EINVAL with
 * "<what> <dt_s> s over <span_s> s is <n> <items>, above the budget of <max>" (what names
 * the interval, e.g. "--dt-out"; items the things counted, e.g. "trace samples").
 */
vs_status vs_ode_check_budget(const char *what, double dt_s, double span_s, double max,
                              const char *items);

#endif
