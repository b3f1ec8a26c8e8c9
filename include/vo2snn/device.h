/*
 * device.h -- the two-terminal VO2-x compact model (docs/vo2-model.md sections 1-2).
 *
 * Lumped electro-thermal model: temperature T with Newton cooling, an activated
 * insulating resistance and a hysteretic insulator-metal transition held in a
 * rate-independent play operator on the metallic fraction m:
 *
 *   R(T, m)  = R_ins0 exp((E_a/k_B)(1/T - 1/T_0)) (1 - m) + R_met
 *   m_heat/cool(T) = (1 + tanh((T - T_c -/+ dT_h/2)/w_T))/2
 *   C_th dT/dt = I^2 R - G_th (T - T_amb)
 *   m <- clamp(m, m_heat(T), m_cool(T))          after every accepted step
 *
 * Devices 1..5 of the paper are nodes of the oxygen-vacancy coordinate
 * x = (d-1)/4 in [0, 1]; parameters for any x are interpolated piecewise
 * linearly in ln R_ins0, ln R_met and ln G_th.
 *
 * Units: SI throughout (ohm, W/K, s, K), except the activation energy in eV.
 * vs_device_params is a plain value type; vs_device_model is its precomputed,
 * per-cycle form used by the integrators' hot loops (functions below are inline).
 */
#ifndef VO2SNN_DEVICE_H
#define VO2SNN_DEVICE_H

#include <math.h>
#include <stdint.h>

#include "vo2snn/rng.h"
#include "vo2snn/status.h"

#define VS_K_B_EV_PER_K 8.617333262e-5
#define VS_DEVICE_COUNT 5

typedef struct vs_device_params {
    double r_ins0_ohm;      /* insulating resistance at t_0_k */
    double r_met_ohm;       /* metallic (filament + contact) resistance */
    double g_th_w_per_k;    /* thermal conductance to ambient */
    double tau_th_s;        /* thermal time constant; C_th = tau_th * G_th */
    double e_a_ev;          /* activation energy of the insulating phase */
    double t_c_k;           /* centre of the hysteresis loop */
    double dt_hyst_k;       /* loop width: heating centre t_c + dt/2, cooling t_c - dt/2 */
    double w_t_k;           /* tanh width of each branch */
    double t_0_k;           /* reference temperature of r_ins0 */
    double t_amb_k;         /* ambient temperature */
    double sigma_ln_r;      /* cycle-to-cycle jitter of ln R_ins0 (0 = off) */
    double sigma_t_c_k;     /* cycle-to-cycle jitter of T_c (0 = off) */
    double vacancy_x;       /* vacancy coordinate it was built from; NAN if edited */
} vs_device_params;

/* Parameters of paper device `number` (1..5). */
vs_status vs_device_preset(int number, vs_device_params *out);

/* Parameters at vacancy coordinate x in [0, 1] (device d sits at (d-1)/4). */
vs_status vs_device_from_vacancy(double x, vs_device_params *out);

/* Check every parameter is finite and physical; message names the first bad one. */
vs_status vs_device_validate(const vs_device_params *p);

/*
 * Set one parameter from text, e.g. ("r_ins0", "24.1 kOhm"), ("tau_th", "100ns"),
 * ("c_th", "2.4e-11 J/K") (sets tau_th from the current g_th), ("e_a", "0.45 eV"),
 * ("preset", "3") or ("vacancy", "0.3") (replace all parameters). On failure p is
 * unchanged. vs_device_keys() lists the accepted keys with units, one per line.
 */
vs_status vs_device_set(vs_device_params *p, const char *key, const char *value);
const char *vs_device_keys(void);

/*
 * Apply a device file of `key = value` lines over p. The result does not depend on
 * the order of the lines: "preset" or "vacancy" applies first (replacing every
 * parameter), then the parameters, then the derived "c_th" (tau_th = c_th / g_th of
 * the final g_th); each parameter is checked against its own range as it is set and
 * the whole device (e.g. t_amb below the loop) at the end. Rejected, naming file:line:
 * an unknown key (reading stops there), a key given twice, both preset and vacancy,
 * both c_th and tau_th. A UTF-8 byte-order mark at the start of the file is skipped.
 * On failure p is unchanged.
 */
vs_status vs_device_load_file(const char *path, vs_device_params *p);

/*
 * Apply a comma-separated "key=value,key=value" list over p (CLI --param), by the
 * same rules as a device file; messages start with "--param: ". Blank items are
 * skipped. On failure p is unchanged.
 */
vs_status vs_device_apply_list(vs_device_params *p, const char *list);

/*
 * The key by which a device file or a --param list replaces the whole device,
 * "preset" or "vacancy", or NULL if it only edits parameters (or is invalid: the
 * load itself says why). Lets a caller refuse two choices of device, such as
 * --device 3 with a file that says "preset = 1".
 */
const char *vs_device_file_base(const char *path);
const char *vs_device_list_base(const char *list);

/* Film-level display model (spec 1.4): R_f,ins scaled from 10 kOhm at x = 0, R_met = 10 ohm. */
void vs_device_film(const vs_device_params *p, vs_device_params *film);

/* ---- quasi-static characteristics ---------------------------------------------------- */

typedef struct vs_fold {
    double v_v, i_a, t_k, r_ohm, p_w;
} vs_fold;

typedef enum vs_branch { VS_BRANCH_HEAT = 0, VS_BRANCH_COOL = 1 } vs_branch;

/* Steady state of the device alone on a branch at temperature t_k: V, I, R. */
void vs_device_steady(const vs_device_params *p, vs_branch b, double t_k, double *v_v,
                      double *i_a, double *r_ohm);

/*
 * Threshold (first local maximum of V_heat(T) above T_amb) and hold point (last
 * local minimum of V_cool(T)), located to 1e-9 K. VS_ENOTFOUND if the S-curve
 * has no fold (e.g. a device with no negative differential resistance).
 */
vs_status vs_device_folds(const vs_device_params *p, vs_fold *threshold, vs_fold *hold);

/* ---- hot-loop form ------------------------------------------------------------------- */

typedef struct vs_device_model {
    double r_ins0_ohm, r_met_ohm;
    double ea_over_kb_k, inv_t0;
    double g_th_w_per_k, inv_c_th;
    double t_amb_k;
    double t_heat_k, t_cool_k, inv_w_t;   /* branch centres and 1/width */
} vs_device_model;

/*
 * Precompute the model for one switching cycle. xi_ln_r and xi_t_c are standard
 * normal draws scaled by the params' sigmas (pass 0, 0 for the nominal device).
 */
void vs_device_model_init(vs_device_model *d, const vs_device_params *p, double xi_ln_r,
                          double xi_t_c);

/* 1 if p has cycle-to-cycle jitter (sigma_ln_r or sigma_t_c_k > 0). */
int vs_device_has_jitter(const vs_device_params *p);

/*
 * Start a new switching cycle: the nominal model without jitter, else R_ins0 and
 * T_c drawn from rng (two standard normal deviates per cycle, in that order).
 */
void vs_device_model_draw(vs_device_model *d, const vs_device_params *p, vs_rng *rng);

/* (1 + tanh(x))/2 written as the logistic 1/(1 + exp(-2x)): one exp, same function;
   below x = -20 it is under 5e-18, which no sum with 1 in double precision can see. */
static inline double vs_half_tanh_step(double x)
{
    if (x < -20.0) return 0.0;
    return 1.0 / (1.0 + exp(-2.0 * x));
}

static inline double vs_m_heat(const vs_device_model *d, double t_k)
{
    return vs_half_tanh_step((t_k - d->t_heat_k) * d->inv_w_t);
}

static inline double vs_m_cool(const vs_device_model *d, double t_k)
{
    return vs_half_tanh_step((t_k - d->t_cool_k) * d->inv_w_t);
}

/* The play operator: m clamped between the heating and cooling branches at t_k
   (m_heat <= m_cool, so m_cool is needed only when m lies above m_heat). */
static inline double vs_m_project(const vs_device_model *d, double m, double t_k)
{
    double lo = vs_m_heat(d, t_k);
    if (m <= lo) return lo;
    double hi = vs_m_cool(d, t_k);
    return m > hi ? hi : m;
}

static inline double vs_r_insulating(const vs_device_model *d, double t_k)
{
    return d->r_ins0_ohm * exp(d->ea_over_kb_k * (1.0 / t_k - d->inv_t0));
}

static inline double vs_r_device(const vs_device_model *d, double t_k, double m)
{
    return vs_r_insulating(d, t_k) * (1.0 - m) + d->r_met_ohm;
}

/* dT/dt for dissipated power p_w. */
static inline double vs_dtemp_dt(const vs_device_model *d, double p_w, double t_k)
{
    return (p_w - d->g_th_w_per_k * (t_k - d->t_amb_k)) * d->inv_c_th;
}

#endif
