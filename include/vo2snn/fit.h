/*
 * fit.h -- calibrate a device model to measured data: R-T loops, steady-state I-V points
 * and oscillation frequency against input voltage in a stated circuit (docs/fit.md).
 *
 * Any model of the device-model interface (model.h) can be fitted; its parameter table says
 * what is fitted by default (everything but jitter, settings such as t_amb, and optional
 * parameters such as r_contact; see VS_PARAM_*), and a caller may fix or bound any of them.
 *
 * Residuals, one per point, each set divided by its own noise level (the RMS of that set
 * fitted alone, so sets with different noise weigh fairly):
 *   R-T    ln R_model(T, branch) - ln R_meas            (the model's major branch)
 *   I-V    ln V_model(I, branch) - ln V_meas            (steady state at the measured
 *          current: the S-curve is single-valued in I; up = heating branch, down = cooling)
 *   f-V    f_model / f_meas - 1                          (simulated in the circuit; a point
 *          that does not oscillate counts as f_model = 0)
 *   trace  (y_model(t) - y_meas(t)) / max |y_meas|       (the circuit simulated from rest with
 *          the measured input as a PWL source, y the measured response column)
 * The fit runs in stages that follow the physics: each data set in the order R-T, I-V, f-V, trace
 * fits the free parameters it is sensitive to that no earlier set determined; then one joint
 * fit of every parameter the data determine. The optimiser is MINPACK's Levenberg-Marquardt
 * (cminpack lmder) on bounded parameters mapped to unbounded ones (a logistic onto [lo, hi],
 * in ln(value) for a range spanning more than 1000x; a range from 0 that spans more than
 * 1000x the start value moves in ln(value) from 1e-6 x the start value); the Jacobian is a
 * central difference, its columns evaluated in parallel (results do not depend on the thread
 * count).
 *
 * Uncertainties: stderr from the Jacobian at the solution, cov = (J^T J)^-1 with the
 * weighted residuals (their scale estimated from the fit); ci95 = value +- 1.96 stderr, or the
 * 2.5/97.5 % quantiles of --bootstrap resamples (points drawn with replacement, refitted
 * jointly). Parameters the data do not constrain are left at their start values and named
 * in a warning.
 *
 * Units: SI, parameter units as in the model's table. Errors: VS_EINVAL (bad data or
 * options, with a message), VS_ENOMEM.
 */
#ifndef VO2SNN_FIT_H
#define VO2SNN_FIT_H

#include <stdint.h>

#include "vo2snn/device.h"
#include "vo2snn/measured.h"
#include "vo2snn/neuron.h"
#include "vo2snn/status.h"

enum { VS_FIT_RT, VS_FIT_IV, VS_FIT_FV, VS_FIT_TRACE, VS_FIT_SETS };

/* The data: any of the sets may be NULL (at least one must be given). */
typedef struct vs_fit_data {
    const vs_meas_rt *rt;
    const vs_meas_iv *iv;
    const vs_meas_fv *fv;
    const vs_meas_trace *trace;   /* a measured waveform (its input drives the circuit) */
    vs_circuit circuit;        /* the circuit the f-V data and the waveform were measured in */
} vs_fit_data;

/* What a parameter does in a fit. */
typedef enum vs_fit_role {
    VS_FIT_FREE = 0,           /* fitted within [lo, hi] */
    VS_FIT_FIXED = 1           /* held at its start value */
} vs_fit_role;

typedef struct vs_fit_opts {
    vs_fit_role role[VS_MAX_PARAMS];
    double lo[VS_MAX_PARAMS], hi[VS_MAX_PARAMS];   /* bounds of free parameters */
    int bootstrap;             /* resamples for the ci95 (0: from the Jacobian) */
    uint64_t seed;             /* of the resampling */
    int max_evals;             /* residual evaluations per stage, at most */
    /* progress: called after each stage and resample; non-zero stops the fit (VS_EINVAL,
       "cancelled") */
    int (*progress)(long done, long total, void *user);
    void *user;
} vs_fit_opts;

/* Defaults for the model of start: jitter, settings and optional parameters fixed, the rest
   free within the table's bounds; no bootstrap; seed 1. */
vs_fit_opts vs_fit_opts_default(const vs_device_params *start);

/* "k=v,..." holds k at v; "k=lo:hi,..." bounds k (and frees it). VS_EINVAL naming the key. */
vs_status vs_fit_opts_fix(vs_fit_opts *o, vs_device_params *start, const char *list);
vs_status vs_fit_opts_bounds(vs_fit_opts *o, const vs_device_params *start, const char *list);

#define VS_FIT_MAX_WARNINGS 16
#define VS_FIT_WARNING_LEN 240

/* How well one data set is matched. */
typedef struct vs_fit_set {
    int used;                  /* the set was given */
    long n;                    /* points fitted (I-V points at zero current are left out) */
    double rms;                /* RMS residual at the joint solution (its residual's unit) */
    double rms_alone;          /* RMS when the set is fitted alone (every free parameter it is
                                  sensitive to); = rms when it is the only set */
    double max_abs;            /* largest |residual| at the joint solution */
} vs_fit_set;

typedef struct vs_fit_result {
    vs_device_params device;   /* the fitted device (start values where not fitted) */
    int n_free;                /* parameters fitted jointly */
    int free_idx[VS_MAX_PARAMS];   /* their table indices, in table order */
    /* per table index (NAN where not fitted) */
    double stderr_[VS_MAX_PARAMS], ci_lo[VS_MAX_PARAMS], ci_hi[VS_MAX_PARAMS];
    int at_bound[VS_MAX_PARAMS];       /* fitted value within 1e-6 of a bound */
    int undetermined[VS_MAX_PARAMS];   /* free but not constrained by the data given */
    double corr[VS_MAX_PARAMS * VS_MAX_PARAMS];   /* n_free x n_free, row-major */
    vs_fit_set set[VS_FIT_SETS];
    char warnings[VS_FIT_MAX_WARNINGS][VS_FIT_WARNING_LEN];
    int n_warnings;
    long evaluations;          /* residual evaluations (Jacobian columns included) */
    int bootstrap;             /* resamples behind the ci95 (0: Jacobian) */
} vs_fit_result;

/* Fit start's model to data. On VS_OK r is complete; on failure r->device = *start. */
vs_status vs_fit(const vs_device_params *start, const vs_fit_data *data, const vs_fit_opts *o,
                 vs_fit_result *r);

/* ---- model predictions at the data's points (overlays, residual plots, tests) ---------- */

/* R on the model's major branch at each point (thermal models). */
vs_status vs_fit_predict_rt(const vs_device_params *p, const vs_meas_rt *rt, double *r_ohm);
/* Steady-state device voltage at each point's current on its branch (thermal models); NAN
   where the current is 0. */
vs_status vs_fit_predict_iv(const vs_device_params *p, const vs_meas_iv *iv, double *v_dev_v);
/* Oscillation frequency at each point's dc input in circuit c (0 where it does not
   oscillate, NAN where the simulation failed, see vs_fit_sim_failed); points in parallel. */
/* 1 for the statuses of a simulation that gave up (step too small, step budget, a
   non-finite derivative): vs_fit scores such an evaluation as a bad fit instead of failing. */
int vs_fit_sim_failed(vs_status st);
/* The response column of a waveform (v_osc_v, v_dev_v = v_osc_v - v_spike_v, i_dev_a,
   v_spike_v) at each sample, the circuit simulated from rest at the first sample's time with
   the measured input as a PWL source. */
vs_status vs_fit_predict_trace(const vs_device_params *p, const vs_circuit *c, const vs_meas_trace *tr,
                               double *response);
/* The frequency vs_fit compares with a measured f_meas at dc input v_in_v: a run from rest
   of ten periods of f_meas (fifty if the model spikes less than 3 times in the last 60 %),
   measured over its last 60 %; 0 if it does not oscillate. */
vs_status vs_fit_frequency(const vs_device_params *p, const vs_circuit *c, double v_in_v, double f_meas_hz,
                           double *freq_hz);
vs_status vs_fit_predict_fv(const vs_device_params *p, const vs_circuit *c, const vs_meas_fv *fv,
                            double *freq_hz);

#endif
