/* model_zhang.c -- the VO2 thermal-neuristor model of Zhang et al. 2024 (docs/models/zhang2024.md):
   a tanh major loop, minor loops through the return curve P(x), and the reversal memory
   tracked in continuous time on the integrator's dense output. */
#include <float.h>
#include <math.h>

#include "models.h"
#include "vo2snn/device.h"

/* Parameter indices: the order of the table below. */
enum {
    T_C, W_HYST, BETA, R0, E_A_K, R_MET, G_TH, C_TH, T_AMB, GAMMA, T_CLAMP_LO, T_CLAMP_HI, REV_DT,
    N_ZHANG
};

/* Defaults: the published fit (their model.py and circuit, converted to SI). */
static const vs_param_def zhang_params[N_ZHANG] = {
    [T_C] = {"t_c", "K", 332.805839, 1.0, 2000.0, "loop centre temperature", 0},
    [W_HYST] = {"w_hyst", "K", 7.19357064, 0.0, 500.0,
                "loop width: heating branch centre t_c + w/2, cooling t_c - w/2", 0},
    [BETA] = {"beta", "1/K", 0.252796285, 1e-4, 100.0, "tanh slope of the branches", 0},
    [R0] = {"r0", "Ohm", 5.35882879e-3, 1e-30, 1e12,
            "insulating prefactor: R_ins = r0 exp(e_a_k/T)", 0},
    [E_A_K] = {"e_a_k", "K", 5220.47417, 0.0, 1e5, "activation temperature E_a/k_B", 0},
    [R_MET] = {"r_met", "Ohm", 262.5 * 4.90025335, 1e-6, 1e12, "metallic resistance", 0},
    [G_TH] = {"g_th", "W/K", 2.0558726e-4, 1e-12, 1.0, "thermal conductance", 0},
    [C_TH] = {"c_th", "J/K", 4.962776831e-11, 1e-24, 1.0, "thermal capacitance", 0},
    [T_AMB] = {"t_amb", "K", 325.0, 1.0, 2000.0, "base (ambient) temperature", VS_PARAM_SETTING},
    [GAMMA] = {"gamma", "", 0.956269682, 0.0, 10.0, "frequency of the return curve P(x)", 0},
    [T_CLAMP_LO] = {"t_clamp_lo", "K", 305.0, 1.0, 2000.0,
                    "lower clamp of T inside R and the memory", VS_PARAM_SETTING},
    [T_CLAMP_HI] = {"t_clamp_hi", "K", 370.0, 1.0, 2000.0,
                    "upper clamp of T inside R and the memory", VS_PARAM_SETTING},
    [REV_DT] = {"rev_dt", "K", 0.01, 1e-6, 10.0,
                "a reversal: T back by this much from its extreme since the last one", VS_PARAM_SETTING},
};

static vs_status zhang_preset(int n, vs_device_params *p)
{
    if (n != 1) return vs_fail(VS_EINVAL, "zhang2024 preset %d does not exist (presets are 1 to 1)", n);
    vs_device_params_defaults(&vs_model_zhang2024, p);
    return VS_OK;
}

static vs_status zhang_validate(const vs_device_params *p)
{
    double lo = p->v[T_CLAMP_LO], hi = p->v[T_CLAMP_HI];
    if (!(lo < hi))
        return vs_fail(VS_EINVAL, "t_clamp_lo %g K must lie below t_clamp_hi %g K", lo, hi);
    if (!(p->v[T_C] > lo && p->v[T_C] < hi))
        return vs_fail(VS_EINVAL, "loop centre t_c %g K must lie inside the clamp range [%g, %g] K",
                       p->v[T_C], lo, hi);
    return VS_OK;
}

static double zhang_ambient(const vs_device_params *p) { return p->v[T_AMB]; }

static int zhang_has_jitter(const vs_device_params *p)
{
    (void)p;
    return 0;
}

/* ---- the hysteresis ------------------------------------------------------------------------ */

/* Constants in d->c and the memory in d->mem. */
enum { C_T_C, C_HALF_W, C_BETA, C_R0, C_EA_K, C_R_MET, C_G_TH, C_INV_C_TH, C_T_AMB, C_GAMMA,
       C_T_LO, C_T_HI, C_REV_DT };
enum {
    M_DELTA,     /* +1 heating, -1 cooling */
    M_T_R,       /* temperature of the last reversal (clamped) */
    M_G_R,       /* g there, from the memory before the reversal */
    M_T_PR,      /* T_pr: the shift of the return curve at the reversal */
    M_REVERSED,  /* 0 until the first reversal: g is the major loop of direction delta */
    M_T_EXT      /* extreme of T since the last reversal: max heating, min cooling */
};

static void zhang_init(vs_dev *d, const vs_device_params *p, const double *xi)
{
    (void)xi;
    d->c[C_T_C] = p->v[T_C];
    d->c[C_HALF_W] = p->v[W_HYST] / 2;
    d->c[C_BETA] = p->v[BETA];
    d->c[C_R0] = p->v[R0];
    d->c[C_EA_K] = p->v[E_A_K];
    d->c[C_R_MET] = p->v[R_MET];
    d->c[C_G_TH] = p->v[G_TH];
    d->c[C_INV_C_TH] = 1.0 / p->v[C_TH];
    d->c[C_T_AMB] = p->v[T_AMB];
    d->c[C_GAMMA] = p->v[GAMMA];
    d->c[C_T_LO] = p->v[T_CLAMP_LO];
    d->c[C_T_HI] = p->v[T_CLAMP_HI];
    d->c[C_REV_DT] = p->v[REV_DT];
}

/* T as R and the memory see it: clamped to [t_clamp_lo, t_clamp_hi]. */
static double clamp_t(const vs_dev *d, double t_k)
{
    if (t_k < d->c[C_T_LO]) return d->c[C_T_LO];
    return t_k > d->c[C_T_HI] ? d->c[C_T_HI] : t_k;
}

/* The return curve P(x) = (1 - sin(gamma x)) (1 + tanh(pi^2 - 2 pi x)) / 2: P(0) = 1, and
   P vanishes past x ~ 3, where the minor curve has merged into the major loop. */
static double return_curve(double gamma, double x)
{
    const double pi = 3.14159265358979323846;
    if (!isfinite(x)) return x > 0 ? 0.0 : 1.0;   /* T_pr ~ 0: the shift T_pr P is nil anyway */
    return 0.5 * (1.0 - sin(gamma * x)) * (1.0 + tanh(pi * pi - 2.0 * pi * x));
}

/* T_p = T_pr P((T - T_r)/T_pr) after a reversal, 0 before the first one. */
static double return_shift(const vs_dev *d, double tc)
{
    double t_pr = d->mem[M_T_PR];
    if (d->mem[M_REVERSED] == 0.0 || t_pr == 0.0) return 0.0;
    return t_pr * return_curve(d->c[C_GAMMA], (tc - d->mem[M_T_R]) / t_pr);
}

/* The tanh argument of g at clamped tc: beta (delta w/2 + T_c - (T + T_p)). */
static double g_arg(const vs_dev *d, double tc)
{
    double centre = d->mem[M_DELTA] * d->c[C_HALF_W] + d->c[C_T_C];
    return d->c[C_BETA] * (centre - (tc + return_shift(d, tc)));
}

/* Insulating fraction g = (1 + tanh(z))/2 at clamped tc, memory held. */
static double insulating(const vs_dev *d, double tc)
{
    return 0.5 + 0.5 * tanh(g_arg(d, tc));
}

/* On the major loop of direction delta (no reversal yet) at clamped tc. */
static void set_major(vs_dev *d, double delta, double tc)
{
    d->mem[M_DELTA] = delta;
    d->mem[M_REVERSED] = 0.0;
    d->mem[M_T_R] = tc;
    d->mem[M_T_PR] = 0.0;
    d->mem[M_G_R] = insulating(d, tc);
    d->mem[M_T_EXT] = tc;
}

/*
 * The reversal of their model at clamped tc: g_r = g(tc) with the old memory, delta
 * flips, T_r = tc and T_pr = delta w/2 + T_c - atanh(2 g_r - 1)/beta - T_r. Since
 * atanh(2 g_r - 1) is the old tanh argument, T_pr = delta_new w + T_p,old(tc) exactly:
 * no atanh, which would lose g_r where it rounds to 0 or 1.
 */
static void reverse(vs_dev *d, double tc)
{
    double t_p_old = return_shift(d, tc);
    d->mem[M_G_R] = insulating(d, tc);
    d->mem[M_DELTA] = -d->mem[M_DELTA];
    d->mem[M_T_PR] = d->mem[M_DELTA] * 2.0 * d->c[C_HALF_W] + t_p_old;
    d->mem[M_T_R] = tc;
    d->mem[M_REVERSED] = 1.0;
    d->mem[M_T_EXT] = tc;
}

/*
 * Initial memory at t_k (their initialize: heating, on the major loop) for a metallic
 * fraction s0 up to the heating branch's. A larger s0 starts on the cooling branch
 * (s0 at or above it) or on the heating minor curve through (t_k, s0) in between.
 */
static void zhang_reset(vs_dev *d, double t_k, double s0)
{
    double tc = clamp_t(d, t_k);
    set_major(d, 1.0, tc);
    if (s0 <= 1.0 - d->mem[M_G_R]) return;
    set_major(d, -1.0, tc);
    if (s0 >= 1.0 - d->mem[M_G_R]) return;
    d->mem[M_DELTA] = 1.0;
    d->mem[M_REVERSED] = 1.0;
    d->mem[M_G_R] = 1.0 - s0;
    d->mem[M_T_PR] = d->c[C_HALF_W] + d->c[C_T_C] - atanh(1.0 - 2.0 * s0) / d->c[C_BETA] - tc;
}

static double r_of(const vs_dev *d, double tc)
{
    return d->c[C_R0] * exp(d->c[C_EA_K] / tc) * insulating(d, tc) + d->c[C_R_MET];
}

static double zhang_resistance(const vs_dev *d, double t_k, double *r_heat_ohm)
{
    double r = r_of(d, clamp_t(d, t_k));
    *r_heat_ohm = r;
    return r;
}

static double zhang_dtemp_dt(const vs_dev *d, double p_w, double t_k)
{
    return (p_w - d->c[C_G_TH] * (t_k - d->c[C_T_AMB])) * d->c[C_INV_C_TH];
}

static double zhang_switched(const vs_dev *d, double t_k)
{
    return 1.0 - insulating(d, clamp_t(d, t_k));
}

/* ---- reversal detection on the dense output ------------------------------------------------ */

#define SCAN_N 8                     /* samples per step (plus two close to its ends) */
#define SCAN_MAX (2 * SCAN_N + 4)
#define EVENT_TOL_S 1e-15            /* a crossing this close to t1 is at t1 */

/* Points of one step in time order: clamped T at the samples and at the extremes between. */
typedef struct scan {
    const vs_dev *d;
    const vs_step_view *s;
    double t[SCAN_MAX], temp[SCAN_MAX];
    int n;
} scan;

/* Clamped T of the step at t (the caller's guarded value at t1). */
static double scan_temp(const scan *sc, double t)
{
    if (t >= sc->s->t1) return clamp_t(sc->d, sc->s->temp1_k);
    return clamp_t(sc->d, sc->s->temp_at(t, sc->s->ctx));
}

/* Insert a point, keeping the points in time order. */
static void scan_add(scan *sc, double t, double temp)
{
    int i = sc->n++;
    while (i > 0 && sc->t[i - 1] > t) {
        sc->t[i] = sc->t[i - 1];
        sc->temp[i] = sc->temp[i - 1];
        i--;
    }
    sc->t[i] = t;
    sc->temp[i] = temp;
}

/* Golden-section search for the extreme of sign*T on [a, b]; adds it to the scan. */
static void add_extreme(scan *sc, double a, double b, double sign)
{
    const double r = 0.6180339887498949;
    double x1 = b - r * (b - a), x2 = a + r * (b - a);
    double f1 = sign * scan_temp(sc, x1), f2 = sign * scan_temp(sc, x2);
    double tol = 1e-9 * (b - a) + 1e-18;
    while (b - a > tol) {
        if (f1 >= f2) {
            b = x2;
            x2 = x1, f2 = f1;
            x1 = b - r * (b - a);
            f1 = sign * scan_temp(sc, x1);
        } else {
            a = x1;
            x1 = x2, f1 = f2;
            x2 = a + r * (b - a);
            f2 = sign * scan_temp(sc, x2);
        }
    }
    double t = f1 >= f2 ? x1 : x2;
    scan_add(sc, t, sign * (f1 >= f2 ? f1 : f2));
}

/* Samples of the step, in time order, with every local extreme between them located. */
static void scan_step(scan *sc)
{
    const vs_step_view *s = sc->s;
    double h = s->t1 - s->t0, eps = 1e-3 * h / SCAN_N;
    double t[SCAN_N + 3], temp[SCAN_N + 3];
    int m = 0;
    t[m++] = s->t0;
    t[m++] = s->t0 + eps;
    for (int k = 1; k < SCAN_N; k++) t[m++] = s->t0 + h * k / SCAN_N;
    t[m++] = s->t1 - eps;
    t[m++] = s->t1;
    sc->n = 0;
    for (int k = 0; k < m; k++) {
        temp[k] = scan_temp(sc, t[k]);
        scan_add(sc, t[k], temp[k]);
    }
    for (int k = 1; k + 1 < m; k++) {
        double up = temp[k] - temp[k - 1], next = temp[k + 1] - temp[k];
        if (up * next < 0) add_extreme(sc, t[k - 1], t[k + 1], up > 0 ? 1.0 : -1.0);
    }
}

/* First time in (a, b] where delta (t_ext - T) exceeds rev_dt (bisection; f(a) <= 0 < f(b)). */
static double crossing_time(const scan *sc, double delta, double t_ext, double a, double b)
{
    double rev_dt = sc->d->c[C_REV_DT];
    for (int it = 0; it < 200 && b - a > 1e-18; it++) {
        double mid = 0.5 * (a + b);
        if (mid <= a || mid >= b) break;
        if (delta * (t_ext - scan_temp(sc, mid)) > rev_dt) b = mid;
        else a = mid;
    }
    return b;
}

/*
 * Walk the step's samples with the running extreme. Returns 1 and the time of the first
 * crossing (T back by more than rev_dt from the extreme), else 0 with the new extreme.
 */
static int find_reversal(const scan *sc, double delta, double *t_ext, double *t_cross)
{
    double rev_dt = sc->d->c[C_REV_DT], e = *t_ext;
    for (int i = 0; i < sc->n; i++) {
        if (delta * (e - sc->temp[i]) > rev_dt) {
            /* past it already at t0 (a guard moved T): as soon as possible after t0 */
            *t_cross = i == 0 ? sc->t[1] : crossing_time(sc, delta, e, sc->t[i - 1], sc->t[i]);
            return 1;
        }
        if (delta * (sc->temp[i] - e) > 0) e = sc->temp[i];
    }
    *t_ext = e;
    return 0;
}

/* The extreme and the first crossing over [t0, t1]; a zero-length step is the point t1. */
static int scan_for_reversal(const vs_dev *d, const vs_step_view *s, double *t_ext,
                             double *t_cross)
{
    double delta = d->mem[M_DELTA];
    if (s->t1 > s->t0) {
        scan sc = {.d = d, .s = s};
        scan_step(&sc);
        return find_reversal(&sc, delta, t_ext, t_cross);
    }
    double t1_c = clamp_t(d, s->temp1_k);
    if (delta * (*t_ext - t1_c) > d->c[C_REV_DT]) return 1;
    if (delta * (t1_c - *t_ext) > 0) *t_ext = t1_c;
    return 0;
}

/*
 * Their detector in continuous time: a reversal is T coming back by more than rev_dt from
 * its extreme since the last reversal. A crossing inside the step is first landed on
 * (VS_STEP_EVENT); at the event, or for a crossing at t1, the reversal happens at T(t1).
 * On the landing step T(t1) need only be half-way there: the redone step's T differs from
 * the first one's by the error tolerance, far below rev_dt.
 */
static int zhang_after_step(vs_dev *d, const vs_step_view *s, double *t_event)
{
    double t_ext = d->mem[M_T_EXT], t_cross = s->t1;
    double t1_c = clamp_t(d, s->temp1_k);
    int found = scan_for_reversal(d, s, &t_ext, &t_cross);
    if (!found && s->at_event && s->t1 > s->t0 &&
        d->mem[M_DELTA] * (t_ext - t1_c) >= 0.5 * d->c[C_REV_DT])
        found = 1;
    double tol = fmax(EVENT_TOL_S, 4 * DBL_EPSILON * fabs(s->t1));
    if (found && !s->at_event && t_cross < s->t1 - tol) {
        *t_event = t_cross;
        return VS_STEP_EVENT;
    }
    if (found) {
        reverse(d, t1_c);
        return VS_STEP_CHANGED;
    }
    d->mem[M_T_EXT] = t_ext;
    return VS_STEP_KEEP;
}

/* ---- quasi-static branches ----------------------------------------------------------------- */

static double zhang_branch_resistance(const vs_device_params *p, int branch, double t_k,
                                      double *r_heat_ohm)
{
    vs_dev d = {.model = &vs_model_zhang2024, .params = p};
    zhang_init(&d, p, NULL);
    double tc = clamp_t(&d, t_k);
    set_major(&d, branch == VS_BRANCH_HEAT ? 1.0 : -1.0, tc);
    double r = r_of(&d, tc);
    *r_heat_ohm = r;
    return r;
}

/* ---- ngspice form ---------------------------------------------------------------------- */

/*
 * The model as ngspice behavioural sources (docs/models/zhang2024.md, "ngspice form"). The
 * reversal memory of section 3 becomes, in continuous time: a play operator y of half-width
 * rev_dt on T (T - y changes sign exactly at a reversal), the direction delta = sign(T - y)
 * as a steep tanh, and two ping-pong sample-and-hold banks of (T_r, T_pr), one per
 * direction: the bank in use holds, the other tracks what a reversal would set now, using
 * T_pr,new = T_p,old(T_r) - delta_old w_hyst (the identity of section 1.2, no atanh). Every
 * comparison is a continuous function (tanh, min, max) and every state capacitor carries its
 * own IC=, starting as the library does: at t_amb, heating on the major loop. The memory
 * nodes are stiff, so the deck asks for Gear integration (with trapezoidal integration they
 * ring undamped at small tau_m).
 */
static vs_status zhang_write_netlist(FILE *f, const vs_device_params *p, double tau_m_s)
{
    (void)p;
    fprintf(f, "* zhang2024: numerical constants of the reversal memory (not device parameters)\n");
    fprintf(f, ".param tau_m = %.10g  $ relaxation time of the reversal detector y (s)\n", tau_m_s);
    fprintf(f, ".param zh_taus = {tau_m/10}  $ tracking time of the reversal-state banks (s)\n");
    fprintf(f, ".param zh_kappa = {rev_dt/100}  $ width of the g hand-over at a reversal (K)\n");
    fprintf(f, ".param zh_kappat = {rev_dt/20}  $ width of the banks' track/hold switches (K)\n");
    fprintf(f, ".param zh_pi2 = 9.869604401  $ pi^2\n");
    fprintf(f, ".param zh_2pi = 6.283185307  $ 2 pi\n");
    fprintf(f, "* the memory nodes are stiff (they relax in 0.01-1 ns against steps of up to the max\n"
               "* step): Gear (BDF2) integration damps them, the trapezoidal rule lets them ring\n");
    fprintf(f, ".options method=gear\n");
    fprintf(f, "* temperature clamped to [t_clamp_lo, t_clamp_hi], as inside R and the memory\n");
    fprintf(f, ".func zh_tk(t) {min(max(t, t_clamp_lo), t_clamp_hi)}\n");
    fprintf(f, "* return curve P(x) = (1 - sin(gamma x))(1 + tanh(pi^2 - 2 pi x))/2 on x clamped to\n"
               "* [-2, 5] (P(5) < 1e-18; x < 0 happens only within rev_dt of a reversal)\n");
    fprintf(f, ".func zh_p(x) {0.5*(1 - sin(gamma*min(max(x, -2), 5)))*(1 + tanh(zh_pi2 - "
               "zh_2pi*min(max(x, -2), 5)))}\n");
    fprintf(f, "* shift T_p(T) = T_pr P((T - T_r)/T_pr); T_pr = 0 (before any reversal) gives 0\n");
    fprintf(f, ".func zh_tp(t, tr, tpr) {tpr*zh_p((t - tr)*tpr/(tpr*tpr + 1e-12))}\n");
    fprintf(f, "* insulating fraction g(T) on the curve of direction d (+1 heating, -1 cooling)\n");
    fprintf(f, ".func zh_g(t, d, tr, tpr) {0.5 + 0.5*tanh(beta*(d*w_hyst/2 + t_c - t - "
               "zh_tp(t, tr, tpr)))}\n");
    fprintf(f, "* insulating resistance r0 exp(e_a_k/T), T clamped\n");
    fprintf(f, ".func zh_rins(t) {r0*exp(e_a_k/zh_tk(t))}\n");
    fprintf(f, "*\n* ---- the zhang2024 device: ports a b (terminals), temp (temperature, 1 V = 1 K),\n"
               "* m (metallic fraction 1 - g, an output for observation) ----\n");
    fprintf(f, ".subckt vsdevice a b temp m\n");
    fprintf(f, "* thermal node: c_th dT/dt = I^2 R - g_th (T - t_amb), starting at t_amb\n");
    fprintf(f, "Cth temp 0 {c_th} IC={t_amb}\n");
    fprintf(f, "Bheat 0 temp I = V(a,b)*V(a,b)/(zh_rins(V(temp))*V(gi) + r_met)\n");
    fprintf(f, "* Newton cooling: thermal resistance 1/g_th to the ambient source\n");
    fprintf(f, "Rth temp amb {1/g_th}\n");
    fprintf(f, "Vamb amb 0 DC {t_amb}\n");
    fprintf(f, "* the device current I = V(a,b)/R, R = R_ins(T) g + r_met\n");
    fprintf(f, "Bdev a b I = V(a,b)/(zh_rins(V(temp))*V(gi) + r_met)\n");
    fprintf(f, "* reversal detector: play operator y (1 F) of half-width rev_dt on T. y trails the\n"
               "* running extreme by rev_dt, so T - y changes sign exactly when T has come back\n"
               "* rev_dt from its extreme; starts heating (y = t_amb - rev_dt). It plays on T itself,\n"
               "* not the clamped T: above t_clamp_hi the reversal is taken at the true peak, with\n"
               "* T_r = t_clamp_hi, instead of at t_clamp_hi - rev_dt on the way down (no kink in y's\n"
               "* drive, which Gear integration would overshoot)\n");
    fprintf(f, "Cy y 0 1 IC={t_amb - rev_dt}\n");
    fprintf(f, "By 0 y I = (min(max(V(y), V(temp) - rev_dt), V(temp) + rev_dt) - V(y))/tau_m\n");
    fprintf(f, "* direction delta = tanh((T - y)/zh_kappa): +1 heating, -1 cooling\n");
    fprintf(f, "Bdl dl 0 V = tanh((V(temp) - V(y))/zh_kappa)\n");
    fprintf(f, "* track weights: wb = 1 while T - y > rev_dt/2 (heating, away from a reversal),\n"
               "* wa = 1 while T - y < -rev_dt/2 (cooling); both ~0 around T - y = 0, so a bank\n"
               "* freezes before delta changes sign\n");
    fprintf(f, "Bwa wa 0 V = 0.5*(1 - tanh((V(temp) - V(y) + rev_dt/2)/zh_kappat))\n");
    fprintf(f, "Bwb wb 0 V = 0.5*(1 + tanh((V(temp) - V(y) - rev_dt/2)/zh_kappat))\n");
    fprintf(f, "* two banks of the reversal state (1 F each): (tra, tpa) = (T_r, T_pr) of the heating\n"
               "* curve, used while delta = +1; (trb, tpb) of the cooling curve, used while delta = -1.\n"
               "* The bank in use holds; the other tracks what a reversal at y would set:\n"
               "* T_r = tk(y), T_pr = T_p(tk(y)) - delta w_hyst (T_p of the bank in use). Start:\n"
               "* heating on the major loop (T_pr = 0); the cooling bank tracking (T_pr = -w_hyst)\n");
    fprintf(f, "Ctra tra 0 1 IC={t_amb}\n");
    fprintf(f, "Btra 0 tra I = V(wa)*(zh_tk(V(y)) - V(tra))/zh_taus\n");
    fprintf(f, "Ctpa tpa 0 1 IC=0\n");
    fprintf(f, "Btpa 0 tpa I = V(wa)*(zh_tp(zh_tk(V(y)), V(trb), V(tpb)) + w_hyst - V(tpa))/zh_taus\n");
    fprintf(f, "Ctrb trb 0 1 IC={t_amb - rev_dt}\n");
    fprintf(f, "Btrb 0 trb I = V(wb)*(zh_tk(V(y)) - V(trb))/zh_taus\n");
    fprintf(f, "Ctpb tpb 0 1 IC={-w_hyst}\n");
    fprintf(f, "Btpb 0 tpb I = V(wb)*(zh_tp(zh_tk(V(y)), V(tra), V(tpa)) - w_hyst - V(tpb))/zh_taus\n");
    fprintf(f, "* insulating fraction g: the heating bank's curve while delta = +1, the cooling bank's\n"
               "* while delta = -1, handed over across the zh_kappa-wide switch (equal there: P(0) = 1)\n");
    fprintf(f, "Bg gi 0 V = 0.5*(1 + V(dl))*zh_g(zh_tk(V(temp)), 1, V(tra), V(tpa))"
               " + 0.5*(1 - V(dl))*zh_g(zh_tk(V(temp)), -1, V(trb), V(tpb))\n");
    fprintf(f, "* metallic fraction m = 1 - g (what switched() returns), for observation\n");
    fprintf(f, "Bm m 0 V = 1 - V(gi)\n");
    fprintf(f, ".ends vsdevice\n");
    return ferror(f) ? vs_fail(VS_EIO, "cannot write the netlist") : VS_OK;
}

const vs_model vs_model_zhang2024 = {
    .name = "zhang2024",
    .title = "Zhang et al. 2024 VO2 thermal neuristor: tanh major loop, return-curve minor loops",
    .doc = "docs/models/zhang2024.md",
    .params = zhang_params,
    .n_params = N_ZHANG,
    .aliases = NULL,
    .n_aliases = 0,
    .n_presets = 1,
    .coord_key = NULL,
    .coord_meaning = NULL,
    .n_jitter_draws = 0,
    .thermal = 1,
    .preset = zhang_preset,
    .from_coord = NULL,
    .validate = zhang_validate,
    .ambient_k = zhang_ambient,
    .has_jitter = zhang_has_jitter,
    .init = zhang_init,
    .reset = zhang_reset,
    .resistance = zhang_resistance,
    .dtemp_dt = zhang_dtemp_dt,
    .switched = zhang_switched,
    .after_step = zhang_after_step,
    .next_break = NULL,
    .folds = vs_thermal_folds,
    .branch_resistance = zhang_branch_resistance,
    .write_netlist = zhang_write_netlist,
};
