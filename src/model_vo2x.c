/* model_vo2x.c -- the VO2-x electro-thermal model with a play-operator hysteresis
   (docs/models/vo2x.md sections 1-2): parameter table, presets, vacancy interpolation,
   hot-loop functions and the ngspice form. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "models.h"
#include "vo2snn/device.h"
#include "vo2snn/units.h"

/* Parameter indices: the order of the table below. */
enum {
    R_INS0, R_MET, R_CONTACT, G_TH, TAU_TH, E_A, T_C, DT_HYST, W_T, T_0, T_AMB, SIGMA_LNR,
    SIGMA_TC, N_VO2X
};

static const vs_param_def vo2x_params[N_VO2X] = {
    [R_INS0] = {"r_ins0", "Ohm", 24113.79, 1e-3, 1e12, "insulating resistance at t_0", 0},
    [R_MET] = {"r_met", "Ohm", 668.2381, 1e-6, 1e12, "metallic (filament) resistance", 0},
    [R_CONTACT] = {"r_contact", "Ohm", 0.0, 0.0, 1e12,
                   "series contact resistance (not heated; 0 = none)", VS_PARAM_OPTIONAL},
    [G_TH] = {"g_th", "W/K", 2.397370e-4, 1e-12, 1.0, "thermal conductance", 0},
    [TAU_TH] = {"tau_th", "s", 100e-9, 1e-15, 1.0, "thermal time constant C_th/G_th", 0},
    [E_A] = {"e_a", "eV", 0.45, 0.0, 5.0, "activation energy", 0},
    [T_C] = {"t_c", "K", 340.0, 1.0, 2000.0, "transition (loop centre) temperature", 0},
    [DT_HYST] = {"dt_hyst", "K", 8.0, 0.0, 500.0, "thermal hysteresis width", 0},
    [W_T] = {"w_t", "K", 2.0, 1e-3, 500.0, "tanh width of each branch", 0},
    [T_0] = {"t_0", "K", 300.0, 1.0, 2000.0, "reference temperature of r_ins0", VS_PARAM_SETTING},
    [T_AMB] = {"t_amb", "K", 300.0, 1.0, 2000.0, "ambient temperature", VS_PARAM_SETTING},
    [SIGMA_LNR] = {"sigma_lnr", "", 0.0, 0.0, 2.0, "cycle-to-cycle std of ln r_ins0",
                   VS_PARAM_JITTER},
    [SIGMA_TC] = {"sigma_tc", "K", 0.0, 0.0, 50.0, "cycle-to-cycle std of t_c", VS_PARAM_JITTER},
};

static const vs_param_alias vo2x_aliases[] = {
    {"c_th", "J/K", "thermal capacitance (sets tau_th = c_th/g_th)", TAU_TH, G_TH},
};

/* ---- presets: the vacancy table (docs/models/vo2x.md 2.2) ------------------------------- */

static const double node_r_ins0_ohm[VS_DEVICE_COUNT] = {24113.79, 17747.05, 11763.45, 6828.429,
                                                        3092.758};
static const double node_r_met_ohm[VS_DEVICE_COUNT] = {668.2381, 591.0568, 513.8576, 435.2526,
                                                       339.2984};
static const double node_g_th_w_per_k[VS_DEVICE_COUNT] = {2.397370e-4, 2.130172e-4, 1.864585e-4,
                                                          1.511823e-4, 1.039370e-4};

static double lerp_log(const double *nodes, int i, double frac)
{
    if (frac == 0.0) return nodes[i];
    return exp((1.0 - frac) * log(nodes[i]) + frac * log(nodes[i + 1]));
}

static vs_status vo2x_from_vacancy(double x, vs_device_params *out)
{
    if (!(x >= 0.0 && x <= 1.0)) {
        char xs[32];
        vs_format_exact(xs, sizeof xs, x);
        return vs_fail(VS_EINVAL, "vacancy level %s is outside [0, 1]", xs);
    }
    double pos = x * (VS_DEVICE_COUNT - 1);
    int i = (int)floor(pos);
    if (i >= VS_DEVICE_COUNT - 1) i = VS_DEVICE_COUNT - 2;
    double frac = pos - i;
    if (frac < 1e-12) frac = 0.0;
    if (frac == 0.0 && x == 1.0) i = VS_DEVICE_COUNT - 1;  /* the last node, exactly */

    vs_device_params p;
    vs_device_params_defaults(&vs_model_vo2x, &p);
    p.v[R_INS0] = i == VS_DEVICE_COUNT - 1 ? node_r_ins0_ohm[i] : lerp_log(node_r_ins0_ohm, i, frac);
    p.v[R_MET] = i == VS_DEVICE_COUNT - 1 ? node_r_met_ohm[i] : lerp_log(node_r_met_ohm, i, frac);
    p.v[G_TH] = i == VS_DEVICE_COUNT - 1 ? node_g_th_w_per_k[i]
                                         : lerp_log(node_g_th_w_per_k, i, frac);
    p.vacancy_x = x;
    p.preset = frac == 0.0 ? i + 1 : 0;
    *out = p;
    return VS_OK;
}

static vs_status vo2x_preset(int n, vs_device_params *out)
{
    if (n < 1 || n > VS_DEVICE_COUNT)
        return vs_fail(VS_EINVAL, "device %d does not exist (devices are 1 to %d)", n,
                       VS_DEVICE_COUNT);
    return vo2x_from_vacancy((n - 1) / (double)(VS_DEVICE_COUNT - 1), out);
}

static vs_status vo2x_validate(const vs_device_params *p)
{
    double t_cool = p->v[T_C] - p->v[DT_HYST] / 2;
    if (p->v[T_AMB] >= t_cool)
        return vs_fail(VS_EINVAL,
                       "ambient %g K must lie below the cooling branch centre %g K (t_c - dt_hyst/2)",
                       p->v[T_AMB], t_cool);
    return VS_OK;
}

static double vo2x_ambient(const vs_device_params *p) { return p->v[T_AMB]; }

static int vo2x_has_jitter(const vs_device_params *p)
{
    return p->v[SIGMA_LNR] > 0 || p->v[SIGMA_TC] > 0;
}

void vs_device_film(const vs_device_params *p, vs_device_params *film)
{
    *film = *p;
    if (p->model != &vs_model_vo2x) return;
    film->v[R_INS0] = 1e4 * p->v[R_INS0] / node_r_ins0_ohm[0];
    film->v[R_MET] = 10.0;
    film->v[R_CONTACT] = 0.0;
}

/* ---- hot loop -------------------------------------------------------------------------- */

/* Constants of one switching cycle, in d->c. */
enum { C_R_INS0, C_R_MET, C_R_CONTACT, C_EA_KB, C_INV_T0, C_G_TH, C_INV_C_TH, C_T_AMB, C_T_HEAT,
       C_T_COOL, C_INV_W_T };
enum { M_FRACTION };   /* d->mem: the stored metallic fraction m */

static void vo2x_init(vs_dev *d, const vs_device_params *p, const double *xi)
{
    double xi_ln_r = xi ? xi[0] : 0.0, xi_t_c = xi ? xi[1] : 0.0;
    double t_c = p->v[T_C] + p->v[SIGMA_TC] * xi_t_c;
    d->c[C_R_INS0] = p->v[R_INS0] * exp(p->v[SIGMA_LNR] * xi_ln_r);
    d->c[C_R_MET] = p->v[R_MET];
    d->c[C_R_CONTACT] = p->v[R_CONTACT];
    d->c[C_EA_KB] = p->v[E_A] / VS_K_B_EV_PER_K;
    d->c[C_INV_T0] = 1.0 / p->v[T_0];
    d->c[C_G_TH] = p->v[G_TH];
    d->c[C_INV_C_TH] = 1.0 / (p->v[TAU_TH] * p->v[G_TH]);
    d->c[C_T_AMB] = p->v[T_AMB];
    d->c[C_T_HEAT] = t_c + p->v[DT_HYST] / 2;
    d->c[C_T_COOL] = t_c - p->v[DT_HYST] / 2;
    d->c[C_INV_W_T] = 1.0 / p->v[W_T];
}

/* (1 + tanh(x))/2 written as the logistic 1/(1 + exp(-2x)): one exp, same function;
   below x = -20 it is under 5e-18, which no sum with 1 in double precision can see. */
static inline double half_tanh_step(double x)
{
    if (x < -20.0) return 0.0;
    return 1.0 / (1.0 + exp(-2.0 * x));
}

static inline double m_heat(const vs_dev *d, double t_k)
{
    return half_tanh_step((t_k - d->c[C_T_HEAT]) * d->c[C_INV_W_T]);
}

static inline double m_cool(const vs_dev *d, double t_k)
{
    return half_tanh_step((t_k - d->c[C_T_COOL]) * d->c[C_INV_W_T]);
}

/* The play operator: m clamped between the heating and cooling branches at t_k
   (m_heat <= m_cool, so m_cool is needed only when m lies above m_heat). */
static inline double m_project(const vs_dev *d, double m, double t_k)
{
    double lo = m_heat(d, t_k);
    if (m <= lo) return lo;
    double hi = m_cool(d, t_k);
    return m > hi ? hi : m;
}

static inline double r_core(const vs_dev *d, double t_k, double m)
{
    double r_ins = d->c[C_R_INS0] * exp(d->c[C_EA_KB] * (1.0 / t_k - d->c[C_INV_T0]));
    return r_ins * (1.0 - m) + d->c[C_R_MET];
}

static void vo2x_reset(vs_dev *d, double t_k, double s0)
{
    d->mem[M_FRACTION] = m_project(d, s0, t_k);
}

static double vo2x_resistance(const vs_dev *d, double t_k, double *r_heat_ohm)
{
    double r = r_core(d, t_k, m_project(d, d->mem[M_FRACTION], t_k));
    *r_heat_ohm = r;
    return r + d->c[C_R_CONTACT];
}

static double vo2x_dtemp_dt(const vs_dev *d, double p_w, double t_k)
{
    return (p_w - d->c[C_G_TH] * (t_k - d->c[C_T_AMB])) * d->c[C_INV_C_TH];
}

static double vo2x_switched(const vs_dev *d, double t_k)
{
    return m_project(d, d->mem[M_FRACTION], t_k);
}

static int vo2x_after_step(vs_dev *d, const vs_step_view *s, double *t_event)
{
    (void)t_event;
    d->mem[M_FRACTION] = m_project(d, d->mem[M_FRACTION], s->temp1_k);
    return VS_STEP_KEEP;
}

/* ---- quasi-static branches ------------------------------------------------------------- */

static double vo2x_branch_resistance(const vs_device_params *p, int branch, double t_k,
                                     double *r_heat_ohm)
{
    vs_dev d = {.model = &vs_model_vo2x, .params = p};
    vo2x_init(&d, p, NULL);
    double m = branch == VS_BRANCH_HEAT ? m_heat(&d, t_k) : m_cool(&d, t_k);
    *r_heat_ohm = r_core(&d, t_k, m);
    return *r_heat_ohm + d.c[C_R_CONTACT];
}

/* The S-curve is searched up to well past the loop (its own width scale). */
static vs_status vo2x_folds(const vs_device_params *p, vs_fold *threshold, vs_fold *hold)
{
    double t_hi = p->v[T_C] + p->v[DT_HYST] + 40.0 * p->v[W_T] + 200.0;
    return vs_thermal_folds_in(p, t_hi, threshold, hold);
}

/* ---- ngspice form ---------------------------------------------------------------------- */

static vs_status vo2x_write_netlist(FILE *f, const vs_device_params *p, double tau_m_s)
{
    (void)p;
    fprintf(f, "* derived constants\n");
    fprintf(f, ".param c_th = {tau_th*g_th}  $ thermal capacitance (J/K)\n");
    fprintf(f, ".param ea_kb = {e_a/%.10g}  $ E_a/k_B (K)\n", VS_K_B_EV_PER_K);
    fprintf(f, ".param t_heat = {t_c + dt_hyst/2}  $ heating-branch centre (K)\n");
    fprintf(f, ".param t_cool = {t_c - dt_hyst/2}  $ cooling-branch centre (K)\n");
    fprintf(f, "* tau_m: relaxation time of the memory node, a numerical stand-in for the\n"
               "* rate-independent play operator, small against every circuit time scale\n");
    fprintf(f, ".param tau_m = %.10g  $ (s)\n", tau_m_s);
    fprintf(f, "*\n* Model functions. tk() guards the temperature as the library does (T >= 200 K),\n"
               "* which also bounds the exp() argument to [-ea_kb/t_0, ea_kb*(1/200 - 1/t_0)], so\n"
               "* exp() cannot overflow even on wild Newton iterates.\n");
    fprintf(f, ".func tk(t) {max(t, 200)}\n");
    fprintf(f, "* insulating resistance R_ins(T) = r_ins0 exp(ea_kb (1/T - 1/t_0))\n");
    fprintf(f, ".func rins(t) {r_ins0*exp(min(ea_kb*(1/tk(t) - 1/t_0), 700))}\n");
    fprintf(f, "* major-loop branches of the metallic fraction\n");
    fprintf(f, ".func mheat(t) {0.5*(1 + tanh((t - t_heat)/w_t))}\n");
    fprintf(f, ".func mcool(t) {0.5*(1 + tanh((t - t_cool)/w_t))}\n");
    fprintf(f, "* play operator: memory m clamped between the branches at temperature T\n");
    fprintf(f, ".func mplay(m, t) {min(max(m, mheat(t)), mcool(t))}\n");
    fprintf(f, "* heated resistance R(T, m) = R_ins(T) (1 - m) + r_met, with m already clamped\n");
    fprintf(f, ".func rcore(t, m) {rins(t)*(1 - mplay(m, t)) + r_met}\n");
    fprintf(f, "*\n* ---- the VO2-x device: ports a b (terminals), temp (1 V = 1 K), m (memory) ----\n");
    fprintf(f, ".subckt vsdevice a b temp m\n");
    fprintf(f, "* I = V(a,b)/(R(T, m) + r_contact)\n");
    fprintf(f, "Bdev a b I = V(a,b)/(rcore(V(temp), V(m)) + r_contact)\n");
    fprintf(f, "* -- thermal node: C_th dT/dt = I^2 R - g_th (T - t_amb) (the contact is not heated) --\n");
    fprintf(f, "Cth temp 0 {c_th} IC={t_amb}\n");
    fprintf(f, "Bheat 0 temp I = (V(a,b)/(rcore(V(temp), V(m)) + r_contact))**2*rcore(V(temp), V(m))\n");
    fprintf(f, "* Newton cooling: thermal resistance 1/g_th to the ambient source\n");
    fprintf(f, "Rth temp amb {1/g_th}\n");
    fprintf(f, "Vamb amb 0 DC {t_amb}\n");
    fprintf(f, "* -- hysteresis memory: 1 F * dm/dt = (mplay(m, T) - m)/tau_m --\n");
    fprintf(f, "Cm m 0 1 IC=0\n");
    fprintf(f, "Bm 0 m I = (mplay(V(m), V(temp)) - V(m))/tau_m\n");
    fprintf(f, ".ends vsdevice\n");
    return ferror(f) ? vs_fail(VS_EIO, "cannot write the netlist") : VS_OK;
}

const vs_model vs_model_vo2x = {
    .name = "vo2x",
    .title = "VO2-x electro-thermal model, play-operator hysteresis (Li et al. devices 1-5)",
    .doc = "docs/models/vo2x.md",
    .params = vo2x_params,
    .n_params = N_VO2X,
    .aliases = vo2x_aliases,
    .n_aliases = (int)(sizeof vo2x_aliases / sizeof vo2x_aliases[0]),
    .n_presets = VS_DEVICE_COUNT,
    .coord_key = "vacancy",
    .coord_meaning = "oxygen-vacancy level x in [0, 1] (device d sits at (d-1)/4)",
    .n_jitter_draws = 2,
    .thermal = 1,
    .preset = vo2x_preset,
    .from_coord = vo2x_from_vacancy,
    .validate = vo2x_validate,
    .ambient_k = vo2x_ambient,
    .has_jitter = vo2x_has_jitter,
    .init = vo2x_init,
    .reset = vo2x_reset,
    .resistance = vo2x_resistance,
    .dtemp_dt = vo2x_dtemp_dt,
    .switched = vo2x_switched,
    .after_step = vo2x_after_step,
    .next_break = NULL,
    .folds = vo2x_folds,
    .branch_resistance = vo2x_branch_resistance,
    .write_netlist = vo2x_write_netlist,
};
