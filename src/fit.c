/* fit.c -- fitting a device model to measured data (fit.h): the parameter mapping, the
   weighted residuals, the Levenberg-Marquardt stages (MINPACK, cminpack's lmder), the
   uncertainties and the warnings. */
#include <cminpack.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "vo2snn/fit.h"
#include "vo2snn/rng.h"
#include "vo2snn/units.h"

static const char *const set_name[VS_FIT_SETS] = {"R-T", "I-V", "f-V", "waveform"};

/* ---- options ------------------------------------------------------------------------------ */

vs_fit_opts vs_fit_opts_default(const vs_device_params *start)
{
    vs_fit_opts o = {.seed = 1, .max_evals = 3000};
    const vs_model *m = start->model;
    for (int j = 0; j < m->n_params; j++) {
        const vs_param_def *d = &m->params[j];
        unsigned held = VS_PARAM_JITTER | VS_PARAM_SETTING | VS_PARAM_OPTIONAL;
        o.role[j] = d->flags & held ? VS_FIT_FIXED : VS_FIT_FREE;
        o.lo[j] = d->min;
        o.hi[j] = d->max;
    }
    return o;
}

/* Split "key=value" at '=' into key (NUL-terminated in buf) and the value text. */
static vs_status split_item(const char *what, const char *item, size_t len, char *buf, size_t n, char **value)
{
    if (len >= n) return vs_fail(VS_EINVAL, "%s: item '%.40s...' is too long", what, item);
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *eq = strchr(buf, '=');
    if (!eq || eq == buf) return vs_fail(VS_EINVAL, "%s: '%s' is not key=value", what, buf);
    *eq = '\0';
    *value = eq + 1;
    return VS_OK;
}

/* Call item(key, value) for each comma-separated key=value of list. */
static vs_status each_item(const char *what, const char *list,
                           vs_status (*item)(const char *key, char *value, void *ctx), void *ctx)
{
    for (const char *s = list; *s;) {
        size_t len = strcspn(s, ",");
        char buf[256], *value = NULL;
        if (len > 0) {
            vs_status st = split_item(what, s, len, buf, sizeof buf, &value);
            if (st == VS_OK) st = item(buf, value, ctx);
            if (st != VS_OK) return st;
        }
        s += len + (s[len] == ',');
    }
    return VS_OK;
}

typedef struct opts_edit {
    vs_fit_opts *o;
    vs_device_params *start;
    const vs_device_params *cstart;
} opts_edit;

static vs_status fix_item(const char *key, char *value, void *ctx)
{
    opts_edit *e = ctx;
    int j = vs_model_param_index(e->start->model, key);
    if (j < 0) return vs_fail(VS_EINVAL, "--fix: model %s has no parameter '%s'", e->start->model->name, key);
    if (vs_device_set(e->start, key, value) != VS_OK) return vs_fail(VS_EINVAL, "--fix: %s", vs_last_error());
    e->o->role[j] = VS_FIT_FIXED;
    return VS_OK;
}

vs_status vs_fit_opts_fix(vs_fit_opts *o, vs_device_params *start, const char *list)
{
    opts_edit e = {o, start, start};
    return each_item("--fix", list, fix_item, &e);
}

static vs_status bounds_item(const char *key, char *value, void *ctx)
{
    opts_edit *e = ctx;
    const vs_model *m = e->cstart->model;
    int j = vs_model_param_index(m, key);
    if (j < 0) return vs_fail(VS_EINVAL, "--bounds: model %s has no parameter '%s'", m->name, key);
    char *colon = strchr(value, ':');
    if (!colon) return vs_fail(VS_EINVAL, "--bounds: %s=%s is not key=lo:hi", key, value);
    *colon = '\0';
    double lo, hi;
    const vs_param_def *d = &m->params[j];
    if (vs_parse_quantity(value, d->unit, &lo) != VS_OK || vs_parse_quantity(colon + 1, d->unit, &hi) != VS_OK)
        return vs_fail(VS_EINVAL, "--bounds: %s: %s", key, vs_last_error());
    if (!(lo < hi) || lo < d->min || hi > d->max)
        return vs_fail(VS_EINVAL, "--bounds: %s: [%g, %g] must be increasing and inside the model's range [%g, %g] %s",
                       key, lo, hi, d->min, d->max, d->unit);
    double v = e->cstart->v[j];
    if (v < lo || v > hi)
        return vs_fail(VS_EINVAL, "--bounds: %s: the start value %g %s lies outside [%g, %g]", key, v, d->unit, lo, hi);
    e->o->lo[j] = lo, e->o->hi[j] = hi, e->o->role[j] = VS_FIT_FREE;
    return VS_OK;
}

vs_status vs_fit_opts_bounds(vs_fit_opts *o, const vs_device_params *start, const char *list)
{
    opts_edit e = {o, NULL, start};
    return each_item("--bounds", list, bounds_item, &e);
}

/* A warning into the result (at most VS_FIT_MAX_WARNINGS). */
__attribute__((format(printf, 2, 3)))
static void warn(vs_fit_result *r, const char *fmt, ...)
{
    if (r->n_warnings >= VS_FIT_MAX_WARNINGS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->warnings[r->n_warnings++], VS_FIT_WARNING_LEN, fmt, ap);
    va_end(ap);
}

/* ---- the problem: which parameters move, mapped to unbounded coordinates ------------------ */

typedef struct fit_problem {
    const vs_fit_data *data;
    vs_device_params base;           /* values of everything that does not move */
    int n;                           /* parameters that move */
    int idx[VS_MAX_PARAMS];          /* their table indices */
    int log[VS_MAX_PARAMS];          /* mapped in ln(value) */
    double lo[VS_MAX_PARAMS], hi[VS_MAX_PARAMS];   /* bounds, in the mapped scale */
    unsigned sets;                   /* 1 << VS_FIT_* of the sets fitted */
    double sigma[VS_FIT_SETS];       /* each set's residuals are divided by this */
    const double *mult[VS_FIT_SETS]; /* multiplicity per point (bootstrap, 0 = left out); NULL: 1 */
    long excluded[VS_FIT_SETS];      /* points with multiplicity 0 (left out) */
    long m;                          /* residuals */
    long evals;
    vs_status st;                    /* first failure inside a residual evaluation */
    char err[256];
} fit_problem;

/* Parameters spanning decades move in ln(value); the others linearly. */
static void problem_param(fit_problem *fp, const vs_fit_opts *o, int j)
{
    int k = fp->n++;
    fp->idx[k] = j;
    fp->log[k] = o->lo[j] > 0 && o->hi[j] / o->lo[j] > 1e3;
    fp->lo[k] = fp->log[k] ? log(o->lo[j]) : o->lo[j];
    fp->hi[k] = fp->log[k] ? log(o->hi[j]) : o->hi[j];
}

/* Value of parameter k at unbounded coordinate u (a logistic onto [lo, hi]). */
static double to_value(const fit_problem *fp, int k, double u)
{
    double y = fp->lo[k] + (fp->hi[k] - fp->lo[k]) / (1.0 + exp(-u));
    return fp->log[k] ? exp(y) : y;
}

static double to_coordinate(const fit_problem *fp, int k, double value)
{
    double y = fp->log[k] ? log(value) : value;
    double s = (y - fp->lo[k]) / (fp->hi[k] - fp->lo[k]);
    s = fmin(fmax(s, 1e-12), 1 - 1e-12);
    return log(s / (1 - s));
}

static void device_at(const fit_problem *fp, const double *u, vs_device_params *p)
{
    *p = fp->base;
    for (int k = 0; k < fp->n; k++) p->v[fp->idx[k]] = to_value(fp, k, u[k]);
}

/* I-V points the fit can use: a current and a voltage, both non-zero. */
static int iv_usable(const vs_meas_iv *iv, size_t k)
{
    return iv->i_a[k] != 0 && iv->v_dev_v[k] != 0;
}

/* Points of set s as given (I-V: also those the fit leaves out). */
static long set_size(const vs_fit_data *d, int s)
{
    if (s == VS_FIT_RT) return d->rt ? (long)d->rt->n : 0;
    if (s == VS_FIT_IV) return d->iv ? (long)d->iv->n : 0;
    if (s == VS_FIT_FV) return d->fv ? (long)d->fv->n : 0;
    return d->trace ? (long)d->trace->n : 0;
}

/* Points of set s the fit uses. */
static long set_points(const vs_fit_data *d, int s)
{
    if (s != VS_FIT_IV) return set_size(d, s);
    long n = 0;
    for (size_t k = 0; d->iv && k < d->iv->n; k++) n += iv_usable(d->iv, k);
    return n;
}

static void problem_count(fit_problem *fp)
{
    fp->m = 0;
    for (int s = 0; s < VS_FIT_SETS; s++)
        if (fp->sets & (1u << s)) fp->m += set_points(fp->data, s);
}

/* ---- residuals ----------------------------------------------------------------------------- */

#define BAD_RESIDUAL 10.0   /* where the model cannot be evaluated (an invalid device) */

static double weight(const fit_problem *fp, int s, size_t k)
{
    return (fp->mult[s] ? sqrt(fp->mult[s][k]) : 1.0) / fp->sigma[s];
}

static vs_status residuals_rt(const fit_problem *fp, const vs_device_params *p, double *r)
{
    const vs_meas_rt *rt = fp->data->rt;
    double r_heat;
    for (size_t k = 0; k < rt->n; k++) {
        double model = p->model->branch_resistance(p, rt->branch[k], rt->temp_k[k], &r_heat);
        r[k] = (log(model) - log(rt->r_ohm[k])) * weight(fp, VS_FIT_RT, k);
    }
    return VS_OK;
}

static vs_status residuals_iv(const fit_problem *fp, const vs_device_params *p, double *r)
{
    const vs_meas_iv *iv = fp->data->iv;
    double *v = malloc(iv->n * sizeof *v);
    if (!v) return vs_fail(VS_ENOMEM, "out of memory for the I-V points");
    vs_status st = vs_fit_predict_iv(p, iv, v);
    long j = 0;
    for (size_t k = 0; st == VS_OK && k < iv->n; k++)
        if (iv_usable(iv, k))
            r[j++] = (isfinite(v[k]) ? log(fabs(v[k]) / fabs(iv->v_dev_v[k])) : BAD_RESIDUAL) * weight(fp, VS_FIT_IV, k);
    free(v);
    return st;
}

/* f-V residuals; the points run in parallel when parallel is set (a Jacobian column is
   itself one of several parallel items, and runs its points in turn). */
static vs_status residuals_fv(const fit_problem *fp, const vs_device_params *p, double *r, int parallel)
{
    const vs_meas_fv *fv = fp->data->fv;
    vs_status st = VS_OK;
    if (parallel) st = vs_fit_predict_fv(p, &fp->data->circuit, fv, r);
    for (size_t k = 0; !parallel && st == VS_OK && k < fv->n; k++) {
        st = vs_fit_frequency(p, &fp->data->circuit, fv->v_in_v[k], fv->freq_hz[k], &r[k]);
        if (vs_fit_sim_failed(st)) r[k] = NAN, st = VS_OK;
    }
    for (size_t k = 0; st == VS_OK && k < fv->n; k++)
        r[k] = (isfinite(r[k]) ? r[k] / fv->freq_hz[k] - 1.0 : BAD_RESIDUAL) * weight(fp, VS_FIT_FV, k);
    return st;
}

/* Waveform residuals, as fractions of the largest measured |response|. */
static vs_status residuals_trace(const fit_problem *fp, const vs_device_params *p, double *r)
{
    const vs_meas_trace *tr = fp->data->trace;
    vs_status st = vs_fit_predict_trace(p, &fp->data->circuit, tr, r);
    if (vs_fit_sim_failed(st)) {
        for (size_t k = 0; k < tr->n; k++) r[k] = BAD_RESIDUAL;
        return VS_OK;
    }
    double peak = 0;
    for (size_t k = 0; k < tr->n; k++) peak = fmax(peak, fabs(tr->response[k]));
    for (size_t k = 0; st == VS_OK && k < tr->n; k++)
        r[k] = (r[k] - tr->response[k]) / (peak > 0 ? peak : 1.0) * weight(fp, VS_FIT_TRACE, k);
    return st;
}

/* All residuals of the problem's sets at coordinates u, into r (fp->m values). */
static vs_status residuals(const fit_problem *fp, const double *u, double *r, int parallel)
{
    vs_device_params p;
    device_at(fp, u, &p);
    if (vs_device_validate(&p) != VS_OK) {
        for (long i = 0; i < fp->m; i++) r[i] = BAD_RESIDUAL;
        return VS_OK;
    }
    vs_status st = VS_OK;
    long at = 0;
    if (fp->sets & (1u << VS_FIT_RT)) st = residuals_rt(fp, &p, r), at += set_points(fp->data, VS_FIT_RT);
    if (st == VS_OK && fp->sets & (1u << VS_FIT_IV)) st = residuals_iv(fp, &p, r + at), at += set_points(fp->data, VS_FIT_IV);
    if (st == VS_OK && fp->sets & (1u << VS_FIT_FV)) st = residuals_fv(fp, &p, r + at, parallel), at += set_points(fp->data, VS_FIT_FV);
    if (st == VS_OK && fp->sets & (1u << VS_FIT_TRACE)) st = residuals_trace(fp, &p, r + at);
    return st;
}

/* ---- the Jacobian: central differences, columns in parallel ------------------------------ */

#define JAC_STEP 1e-5   /* in the unbounded coordinates */

typedef struct jac_batch {
    const fit_problem *fp;
    const double *u;
    double *jac;   /* m x n, column-major (ld m) */
    double *work;  /* 2 m per column */
} jac_batch;

static vs_status jac_column(int k, void *ctx)
{
    const jac_batch *b = ctx;
    const fit_problem *fp = b->fp;
    double u[VS_MAX_PARAMS], *plus = b->work + 2 * (size_t)k * (size_t)fp->m, *minus = plus + fp->m;
    memcpy(u, b->u, (size_t)fp->n * sizeof *u);
    u[k] = b->u[k] + JAC_STEP;
    vs_status st = residuals(fp, u, plus, 0);
    u[k] = b->u[k] - JAC_STEP;
    if (st == VS_OK) st = residuals(fp, u, minus, 0);
    for (long i = 0; st == VS_OK && i < fp->m; i++) b->jac[(size_t)k * (size_t)fp->m + (size_t)i] = (plus[i] - minus[i]) / (2 * JAC_STEP);
    return st;
}

static vs_status jacobian(fit_problem *fp, const double *u, double *jac)
{
    double *work = malloc(2 * (size_t)fp->m * (size_t)fp->n * sizeof *work);
    vs_status *st = malloc((size_t)fp->n * sizeof *st);
    if (!work || !st) return free(work), free(st), vs_fail(VS_ENOMEM, "out of memory for the Jacobian");
    jac_batch b = {fp, u, jac, work};
    vs_status s = vs_parallel_items(fp->n, "Jacobian column", jac_column, &b, st, NULL, NULL);
    fp->evals += 2L * fp->n;
    free(work);
    free(st);
    return s;
}

/* ---- Levenberg-Marquardt (cminpack lmder) --------------------------------------------------- */

static int lm_callback(void *user, int m, int n, const double *x, double *fvec, double *fjac, int ldfjac, int iflag)
{
    fit_problem *fp = user;
    (void)m, (void)n, (void)ldfjac;
    if (iflag == 0) return 0;
    vs_status st;
    if (iflag == 1) st = residuals(fp, x, fvec, 1), fp->evals++;
    else st = jacobian(fp, x, fjac);
    if (st == VS_OK) return 0;
    fp->st = st;
    snprintf(fp->err, sizeof fp->err, "%s", vs_last_error());
    return -1;
}

/* Minimise over the problem's parameters from values in fp->base; the result goes back into
   fp->base. At most max_evals residual evaluations. */
static vs_status lm_solve(fit_problem *fp, int max_evals)
{
    int n = fp->n, m = (int)fp->m;
    if (n == 0 || m == 0) return VS_OK;
    if (m < n) return vs_fail(VS_EINVAL, "%d points cannot determine %d parameters", m, n);
    double *buf = calloc((size_t)m * (size_t)n + 2 * (size_t)m + 6 * (size_t)n, sizeof *buf);
    int *ipvt = calloc((size_t)n, sizeof *ipvt);
    if (!buf || !ipvt) return free(buf), free(ipvt), vs_fail(VS_ENOMEM, "out of memory for the fit");
    double *fjac = buf, *fvec = fjac + (size_t)m * n, *wa4 = fvec + m, *x = wa4 + m, *diag = x + n, *qtf = diag + n;
    for (int k = 0; k < n; k++) x[k] = to_coordinate(fp, k, fp->base.v[fp->idx[k]]);
    int nfev = 0, njev = 0, max_calls = max_evals / (2 * n + 1) + 1;
    fp->st = VS_OK;
    int info = lmder(lm_callback, fp, m, n, x, fvec, fjac, m, 1e-10, 1e-10, 0.0, max_calls, diag, 1, 100.0, 0,
                     &nfev, &njev, ipvt, qtf, qtf + n, qtf + 2 * n, qtf + 3 * n, wa4);
    vs_status st = fp->st;
    if (st == VS_OK && info == 0) st = vs_fail(VS_EINVAL, "the fit was given bad sizes");
    if (st == VS_OK) device_at(fp, x, &fp->base);
    if (st != VS_OK && fp->err[0]) vs_fail(st, "%s", fp->err);
    free(buf);
    free(ipvt);
    return st;
}

/* ---- the linearised problem at a solution -------------------------------------------------------------------------- */

/* d value / d u of parameter k at coordinate u. */
static double value_slope(const fit_problem *fp, int k, double u)
{
    double s = 1.0 / (1.0 + exp(-u)), dy = (fp->hi[k] - fp->lo[k]) * s * (1 - s);
    return fp->log[k] ? to_value(fp, k, u) * dy : dy;
}

/* (J^T J)^-1 of the weighted Jacobian at u, from its QR factors (MINPACK qrfac + covar; a
   pseudo-inverse if J is rank-deficient), into inv (n x n); J into jac (m x n, column-major),
   the weighted residuals into r. */
static vs_status jtj_inverse(fit_problem *fp, const double *u, double *jac, double *inv, double *r)
{
    int n = fp->n, m = (int)fp->m;
    double *qr = malloc(((size_t)m * n + 4 * (size_t)n) * sizeof *qr);
    int *ipvt = malloc((size_t)n * sizeof *ipvt);
    if (!qr || !ipvt) return free(qr), free(ipvt), vs_fail(VS_ENOMEM, "out of memory for the covariance");
    double *rdiag = qr + (size_t)m * n, *acnorm = rdiag + n, *wa = acnorm + n;
    vs_status st = jacobian(fp, u, jac);
    if (st == VS_OK) st = residuals(fp, u, r, 1);
    if (st == VS_OK) {
        memcpy(qr, jac, (size_t)m * n * sizeof *qr);
        qrfac(m, n, qr, m, 1, ipvt, n, rdiag, acnorm, wa);
        for (int k = 0; k < n; k++) qr[k + (size_t)k * m] = rdiag[k];
        covar(n, qr, m, ipvt, 1e-10, wa);
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) inv[a * n + b] = qr[a + (size_t)b * m];
    }
    free(qr);
    free(ipvt);
    return st;
}

/* Everything the uncertainties and the noise levels need at the solution u. */
typedef struct fit_linear {
    double *jac, *r;                            /* m x n, m */
    double inv[VS_MAX_PARAMS * VS_MAX_PARAMS];  /* (J^T J)^-1 */
} fit_linear;

static vs_status linearise(fit_problem *fp, const double *u, fit_linear *l)
{
    l->jac = malloc(((size_t)fp->m * (size_t)fp->n + (size_t)fp->m) * sizeof *l->jac);
    if (!l->jac) return vs_fail(VS_ENOMEM, "out of memory for the covariance");
    l->r = l->jac + (size_t)fp->m * (size_t)fp->n;
    return jtj_inverse(fp, u, l->jac, l->inv, l->r);
}

/* Each set's noise level: its residual sum of squares over its points less the parameters
   they use up (the sum of their leverages h_ii = J_i (J^T J)^-1 J_i^T), so that a small set
   that the fit can follow closely is not taken for a precise one. */
static void noise_levels(const fit_problem *fp, const fit_linear *l, double *sigma)
{
    long at = 0;
    int n = fp->n;
    for (int s = 0; s < VS_FIT_SETS; s++) {
        if (!(fp->sets & (1u << s))) continue;
        long ms = set_points(fp->data, s);
        double ss = 0, lev = 0, kept = (double)(ms - fp->excluded[s]);
        for (long i = at; i < at + ms; i++) {
            double w = l->r[i] * fp->sigma[s];   /* unweighted */
            ss += w * w;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                    lev += l->jac[(size_t)a * fp->m + i] * l->inv[a * n + b] * l->jac[(size_t)b * fp->m + i];
        }
        sigma[s] = sqrt(ss / fmax(kept - lev, 1.0));
        at += ms;
    }
}

/* ---- stages ------------------------------------------------------------------------------- */

typedef struct fit_run {
    const vs_fit_data *data;
    const vs_fit_opts *o;
    vs_device_params cur;            /* the current values of every parameter */
    int determined[VS_MAX_PARAMS];   /* a data set is sensitive to it */
    double sigma[VS_FIT_SETS];       /* noise level of each set, for the joint weights */
    double *fv_keep;                 /* f-V points kept (1) or left out (0); NULL: all kept */
    long fv_dropped;
    long evals;
    vs_fit_result *r;
} fit_run;

static fit_problem problem_new(const fit_run *fr, unsigned sets)
{
    fit_problem fp = {.data = fr->data, .base = fr->cur, .sets = sets};
    for (int s = 0; s < VS_FIT_SETS; s++) fp.sigma[s] = 1.0;
    problem_count(&fp);
    return fp;
}

/* RMS of set s's unweighted residuals at device p, and the largest |residual|. */
static vs_status set_rms(fit_run *fr, int s, const vs_device_params *p, double *rms, double *max_abs)
{
    fit_problem fp = problem_new(fr, 1u << s);
    fp.base = *p;
    double *r = malloc((size_t)(fp.m ? fp.m : 1) * sizeof *r);
    if (!r) return vs_fail(VS_ENOMEM, "out of memory for the residuals");
    vs_status st = residuals(&fp, NULL, r, 1);
    double ss = 0, mx = 0;
    for (long i = 0; i < fp.m; i++) ss += r[i] * r[i], mx = fmax(mx, fabs(r[i]));
    free(r);
    fr->evals++;
    *rms = fp.m ? sqrt(ss / (double)fp.m) : (double)NAN;
    if (max_abs) *max_abs = mx;
    return st;
}

/* Of the free parameters with want[j] set, those the residuals of `sets` depend on: a
   Jacobian column that is zero to rounding means the data say nothing about it. */
static vs_status sensitive_params(fit_run *fr, unsigned sets, const int *want, int *sens)
{
    fit_problem fp = problem_new(fr, sets);
    for (int j = 0; j < fr->cur.model->n_params; j++)
        if (want[j]) problem_param(&fp, fr->o, j);
    memset(sens, 0, VS_MAX_PARAMS * sizeof *sens);
    if (fp.n == 0 || fp.m == 0) return VS_OK;
    double u[VS_MAX_PARAMS], *jac = malloc((size_t)fp.m * (size_t)fp.n * sizeof *jac);
    if (!jac) return vs_fail(VS_ENOMEM, "out of memory for the Jacobian");
    for (int k = 0; k < fp.n; k++) u[k] = to_coordinate(&fp, k, fp.base.v[fp.idx[k]]);
    vs_status st = jacobian(&fp, u, jac);
    double norm[VS_MAX_PARAMS], top = 0;
    for (int k = 0; k < fp.n; k++) {
        double ss = 0;
        for (long i = 0; i < fp.m; i++) ss += jac[(size_t)k * (size_t)fp.m + (size_t)i] * jac[(size_t)k * (size_t)fp.m + (size_t)i];
        norm[k] = sqrt(ss), top = fmax(top, norm[k]);
    }
    for (int k = 0; st == VS_OK && k < fp.n; k++) sens[fp.idx[k]] = norm[k] > 1e-7 * top && norm[k] > 1e-12;
    fr->evals += fp.evals;
    free(jac);
    return st;
}

/* Stage of set s: the free parameters it is sensitive to that no earlier set determined. */
static vs_status stage(fit_run *fr, int s)
{
    int want[VS_MAX_PARAMS] = {0}, sens[VS_MAX_PARAMS];
    for (int j = 0; j < fr->cur.model->n_params; j++) want[j] = fr->o->role[j] == VS_FIT_FREE && !fr->determined[j];
    vs_status st = sensitive_params(fr, 1u << s, want, sens);
    fit_problem fp = problem_new(fr, 1u << s);
    for (int j = 0; st == VS_OK && j < fr->cur.model->n_params; j++)
        if (sens[j]) problem_param(&fp, fr->o, j), fr->determined[j] = 1;
    if (st == VS_OK) st = lm_solve(&fp, fr->o->max_evals);
    fr->evals += fp.evals;
    if (st != VS_OK) return st;
    fr->cur = fp.base;
    return set_rms(fr, s, &fr->cur, &fr->sigma[s], NULL);
}

/* The joint problem: every determined parameter, every set, each weighted by its noise. */
static fit_problem joint_problem(const fit_run *fr, unsigned sets)
{
    fit_problem fp = problem_new(fr, sets);
    for (int s = 0; s < VS_FIT_SETS; s++) fp.sigma[s] = fmax(fr->sigma[s], 1e-6);
    for (int j = 0; j < fr->cur.model->n_params; j++)
        if (fr->o->role[j] == VS_FIT_FREE && fr->determined[j]) problem_param(&fp, fr->o, j);
    if (fr->fv_keep) fp.mult[VS_FIT_FV] = fr->fv_keep, fp.excluded[VS_FIT_FV] = fr->fv_dropped;
    return fp;
}

/* f-V points where the model at fr->cur does not oscillate add a flat residual of -1 that no
   small change of the parameters moves: they are left out of the rest of the joint fit (its
   second pass, the noise levels, the intervals) and named in a warning. */
static vs_status drop_silent_fv(fit_run *fr)
{
    const vs_meas_fv *fv = fr->data->fv;
    double *f = malloc(2 * fv->n * sizeof *f);
    if (!f) return vs_fail(VS_ENOMEM, "out of memory for the f-V points");
    vs_status st = vs_fit_predict_fv(&fr->cur, &fr->data->circuit, fv, f);
    fr->evals++;
    long dropped = 0;
    char list[120] = "";
    size_t k = 0;
    for (size_t i = 0; st == VS_OK && i < fv->n; i++) {
        f[fv->n + i] = f[i] > 0;
        if (f[i] > 0) continue;
        if (dropped++ < 6 && k < sizeof list) k += (size_t)snprintf(list + k, sizeof list - k, "%s%g", k ? ", " : "", fv->v_in_v[i]);
    }
    if (st != VS_OK || dropped == 0 || dropped == (long)fv->n) return free(f), st;
    fr->fv_keep = memmove(f, f + fv->n, fv->n * sizeof *f);
    fr->fv_dropped = dropped;
    warn(fr->r, "f-V: the fitted model does not oscillate at %ld of %zu points (V_in = %s%s V): they are left out "
                "of the joint fit's second pass, the noise estimate and the intervals", dropped, fv->n, list,
         dropped > 6 ? ", ..." : "");
    return VS_OK;
}

/* The noise level of each set at fr->cur (noise_levels) into fr->sigma. */
static vs_status update_noise(fit_run *fr, unsigned sets)
{
    fit_problem fp = joint_problem(fr, sets);
    if (fp.n == 0) return VS_OK;
    double u[VS_MAX_PARAMS];
    for (int k = 0; k < fp.n; k++) u[k] = to_coordinate(&fp, k, fp.base.v[fp.idx[k]]);
    fit_linear l = {0};
    vs_status st = linearise(&fp, u, &l);
    if (st == VS_OK) noise_levels(&fp, &l, fr->sigma);
    fr->evals += fp.evals;
    free(l.jac);
    return st;
}

/* Two joint passes: weighted by the stage RMS, then by the noise levels of the first. */
static vs_status joint(fit_run *fr, unsigned sets)
{
    vs_status st = VS_OK;
    for (int pass = 0; pass < 2 && st == VS_OK; pass++) {
        fit_problem fp = joint_problem(fr, sets);
        st = lm_solve(&fp, fr->o->max_evals);
        fr->evals += fp.evals;
        if (st == VS_OK && pass == 0 && (sets & (1u << VS_FIT_FV))) fr->cur = fp.base, st = drop_silent_fv(fr);
        if (st == VS_OK) fr->cur = fp.base, st = update_noise(fr, sets);
    }
    for (int s = 0; s < VS_FIT_SETS && st == VS_OK; s++)
        if (sets & (1u << s)) st = set_rms(fr, s, &fr->cur, &fr->r->set[s].rms, &fr->r->set[s].max_abs);
    return st;
}

/* Set s fitted alone from the joint solution, over every free parameter it is sensitive to:
   its RMS there (rms_alone) is what the model can do for that set by itself. */
static vs_status fit_alone(fit_run *fr, int s)
{
    int want[VS_MAX_PARAMS] = {0}, sens[VS_MAX_PARAMS];
    for (int j = 0; j < fr->cur.model->n_params; j++) want[j] = fr->o->role[j] == VS_FIT_FREE;
    vs_status st = sensitive_params(fr, 1u << s, want, sens);
    fit_problem fp = problem_new(fr, 1u << s);
    for (int j = 0; st == VS_OK && j < fr->cur.model->n_params; j++)
        if (sens[j]) problem_param(&fp, fr->o, j);
    if (st == VS_OK && fp.m > fp.n) st = lm_solve(&fp, fr->o->max_evals);
    fr->evals += fp.evals;
    if (st == VS_OK) st = set_rms(fr, s, &fp.base, &fr->r->set[s].rms_alone, NULL);
    return st;
}

/* ---- uncertainties ---------------------------------------------------------------------- */

/* stderr, ci95 (Jacobian), correlations and at-bound flags of the joint parameters: cov =
   s^2 (J^T J)^-1 in the coordinates, s^2 = SSR / (m - n), carried to the values. */
static vs_status uncertainties(fit_run *fr, unsigned sets)
{
    vs_fit_result *r = fr->r;
    fit_problem fp = joint_problem(fr, sets);
    double u[VS_MAX_PARAMS], cov[VS_MAX_PARAMS * VS_MAX_PARAMS];
    for (int k = 0; k < fp.n; k++) u[k] = to_coordinate(&fp, k, fp.base.v[fp.idx[k]]);
    fit_linear l = {0};
    vs_status st = fp.n ? linearise(&fp, u, &l) : VS_OK;
    fr->evals += fp.evals;
    double ss = 0;
    for (long i = 0; st == VS_OK && fp.n && i < fp.m; i++) ss += l.r[i] * l.r[i];
    long m_kept = fp.m - fp.excluded[VS_FIT_FV];
    double s2 = m_kept > fp.n ? ss / (double)(m_kept - fp.n) : (double)NAN;
    for (int k = 0; k < fp.n * fp.n; k++) cov[k] = s2 * l.inv[k];
    free(l.jac);
    r->n_free = fp.n;
    for (int k = 0; st == VS_OK && k < fp.n; k++) {
        int j = fp.idx[k];
        double x = fr->cur.v[j], d = value_slope(&fp, k, u[k]), se = d * sqrt(fmax(cov[k * fp.n + k], 0.0));
        r->free_idx[k] = j;
        r->stderr_[j] = se;
        double se_nat = fp.log[k] ? se / x : se;   /* in the natural coordinate: ln x or x */
        r->ci_lo[j] = fp.log[k] ? x * exp(-1.96 * se_nat) : x - 1.96 * se;
        r->ci_hi[j] = fp.log[k] ? x * exp(1.96 * se_nat) : x + 1.96 * se;
        double s = 1.0 / (1.0 + exp(-u[k]));
        r->at_bound[j] = s < 1e-6 || s > 1 - 1e-6;
        r->undetermined[j] = !(cov[k * fp.n + k] > 0);
        for (int m = 0; m < fp.n; m++) {
            double den = sqrt(fmax(cov[k * fp.n + k], 0) * fmax(cov[m * fp.n + m], 0));
            r->corr[k * fp.n + m] = den > 0 ? cov[k * fp.n + m] / den : (double)NAN;
        }
    }
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Multiplicities of one resample: n points drawn with replacement. */
static void resample(vs_rng *rng, long n, double *mult)
{
    for (long k = 0; k < n; k++) mult[k] = 0;
    for (long k = 0; k < n; k++) mult[(long)(vs_rng_uniform(rng) * (double)n)] += 1;
}

/* One resample: the joint fit again from the solution with points drawn with replacement;
   its values into sample[k] (k over the joint parameters). */
static vs_status bootstrap_one(fit_run *fr, unsigned sets, int b, double *mult_buf, double *sample)
{
    fit_problem fp = joint_problem(fr, sets);
    vs_rng rng;
    vs_rng_seed(&rng, fr->o->seed, (uint64_t)b + 1);
    size_t at = 0;
    for (int s = 0; s < VS_FIT_SETS; s++) {
        long n = set_size(fr->data, s);
        if (!(sets & (1u << s)) || n == 0) continue;
        resample(&rng, n, mult_buf + at);
        for (long k = 0; s == VS_FIT_FV && fr->fv_keep && k < n; k++) mult_buf[at + (size_t)k] *= fr->fv_keep[k];
        fp.mult[s] = mult_buf + at;
        at += (size_t)n;
    }
    vs_status st = lm_solve(&fp, fr->o->max_evals / 4);
    fr->evals += fp.evals;
    for (int k = 0; k < fp.n; k++) sample[k] = fp.base.v[fp.idx[k]];
    return st;
}

/* --bootstrap: the ci95 from the 2.5 and 97.5 % quantiles of the resampled fits. */
static vs_status bootstrap(fit_run *fr, unsigned sets, long *done, long total)
{
    int nb = fr->o->bootstrap, n = fr->r->n_free;
    size_t pts = 0;
    for (int s = 0; s < VS_FIT_SETS; s++) pts += (size_t)set_size(fr->data, s);
    double *samples = malloc((size_t)nb * (size_t)(n ? n : 1) * sizeof *samples), *mult = malloc((pts + 1) * sizeof *mult);
    double *col = malloc((size_t)nb * sizeof *col);
    if (!samples || !mult || !col) return free(samples), free(mult), free(col), vs_fail(VS_ENOMEM, "out of memory for the bootstrap");
    vs_status st = VS_OK;
    for (int b = 0; b < nb && st == VS_OK; b++) {
        st = bootstrap_one(fr, sets, b, mult, samples + (size_t)b * n);
        if (st == VS_OK && fr->o->progress && fr->o->progress(++*done, total, fr->o->user))
            st = vs_fail(VS_EINVAL, "fit: cancelled");
    }
    for (int k = 0; st == VS_OK && k < n; k++) {
        for (int b = 0; b < nb; b++) col[b] = samples[(size_t)b * n + k];
        qsort(col, (size_t)nb, sizeof *col, cmp_double);
        int j = fr->r->free_idx[k];
        fr->r->ci_lo[j] = col[(int)floor(0.025 * (nb - 1))];
        fr->r->ci_hi[j] = col[(int)ceil(0.975 * (nb - 1))];
    }
    fr->r->bootstrap = st == VS_OK ? nb : 0;
    free(samples), free(mult), free(col);
    return st;
}

/* ---- warnings ------------------------------------------------------------------------------- */

/* "tau_th (c_th)": a parameter with the derived keys that set it. */
static void param_label(const vs_model *m, int j, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "%s", m->params[j].key);
    for (int a = 0; a < m->n_aliases && k < n; a++)
        if (m->aliases[a].target == j) k += (size_t)snprintf(buf + k, n - k, " (%s)", m->aliases[a].key);
}

/* The sets given, as "R-T, I-V". */
static void sets_text(unsigned sets, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int s = 0; s < VS_FIT_SETS && k < n; s++)
        if (sets & (1u << s)) k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? ", " : "", set_name[s]);
}

static void warn_undetermined(fit_run *fr, unsigned sets)
{
    const vs_model *m = fr->cur.model;
    char list[VS_FIT_WARNING_LEN] = "", given[64], label[64];
    size_t k = 0;
    int count = 0;
    for (int j = 0; j < m->n_params; j++) {
        if (fr->o->role[j] != VS_FIT_FREE || (fr->determined[j] && !fr->r->undetermined[j])) continue;
        fr->r->undetermined[j] = 1;
        param_label(m, j, label, sizeof label);
        if (k < sizeof list) k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", count++ ? ", " : "", label);
    }
    sets_text(sets, given, sizeof given);
    if (count)
        warn(fr->r, "%s %s not determined by the data given (%s): held at the start value%s", list,
             count > 1 ? "are" : "is", given, count > 1 ? "s" : "");
}

static void warn_fit_quality(fit_run *fr, unsigned sets)
{
    vs_fit_result *r = fr->r;
    const vs_model *m = fr->cur.model;
    for (int k = 0; k < r->n_free; k++) {
        int j = r->free_idx[k];
        if (r->at_bound[j])
            warn(r, "%s = %g %s is at a bound of its range [%g, %g]", m->params[j].key, fr->cur.v[j], m->params[j].unit,
                 fr->o->lo[j], fr->o->hi[j]);
        for (int l = k + 1; l < r->n_free; l++)
            if (fabs(r->corr[k * r->n_free + l]) > 0.995)
                warn(r, "%s and %s are nearly interchangeable in this data (correlation %.4f)", m->params[j].key,
                     m->params[r->free_idx[l]].key, r->corr[k * r->n_free + l]);
    }
    for (int s = 0; s < VS_FIT_SETS; s++) {
        const vs_fit_set *fs = &r->set[s];
        if (!(sets & (1u << s)) || __builtin_popcount(sets) < 2) continue;
        if (fs->rms > 1.5 * fs->rms_alone && fs->rms - fs->rms_alone > 0.005)
            warn(r, "the model cannot match every data set at once: %s RMS residual %.3g jointly against %.3g when "
                    "fitted alone", set_name[s], fs->rms, fs->rms_alone);
    }
}

/* ---- the fit ---------------------------------------------------------------------------- */

static vs_status check_data(const vs_device_params *start, const vs_fit_data *d, unsigned *sets)
{
    *sets = (d->rt ? 1u << VS_FIT_RT : 0) | (d->iv ? 1u << VS_FIT_IV : 0) | (d->fv ? 1u << VS_FIT_FV : 0) |
            (d->trace ? 1u << VS_FIT_TRACE : 0);
    if (!*sets) return vs_fail(VS_EINVAL, "fit: no data given (R-T, I-V, f-V or a waveform)");
    if ((d->rt || d->iv) && !start->model->branch_resistance)
        return vs_fail(VS_EINVAL, "fit: model %s has no temperature: it can be fitted to f-V data only", start->model->name);
    if (d->iv && set_points(d, VS_FIT_IV) < 2)
        return vs_fail(VS_EINVAL, "fit: %s has fewer than 2 points with non-zero current and voltage", d->iv->path);
    if (d->fv || d->trace) return vs_circuit_validate(&d->circuit);
    return VS_OK;
}

static void result_init(vs_fit_result *r, const vs_device_params *start, unsigned sets, const vs_fit_data *d)
{
    memset(r, 0, sizeof *r);
    r->device = *start;
    for (int j = 0; j < VS_MAX_PARAMS; j++) r->stderr_[j] = r->ci_lo[j] = r->ci_hi[j] = NAN;
    for (int s = 0; s < VS_FIT_SETS; s++) {
        r->set[s] = (vs_fit_set){.used = (sets >> s) & 1, .n = set_points(d, s), .rms = NAN, .rms_alone = NAN,
                                 .max_abs = NAN};
    }
}

/* A range from 0 that spans decades beyond the start value (a delay of 0.4 us in [0, 1] s)
   would leave the value squeezed against 0 in a linear map: such a parameter moves in
   ln(value) from 1e-6 x its start value instead. */
static vs_fit_opts effective_bounds(const vs_fit_opts *o, const vs_device_params *start)
{
    vs_fit_opts e = *o;
    for (int j = 0; j < start->model->n_params; j++)
        if (e.role[j] == VS_FIT_FREE && e.lo[j] == 0 && start->v[j] > 0 && e.hi[j] / start->v[j] > 1e3)
            e.lo[j] = 1e-6 * start->v[j];
    return e;
}

static vs_status run_fit(fit_run *fr, unsigned sets)
{
    long done = 0, total = VS_FIT_SETS + 2 + fr->o->bootstrap;
    vs_status st = VS_OK;
    for (int s = 0; s < VS_FIT_SETS && st == VS_OK; s++) {
        if (sets & (1u << s)) st = stage(fr, s);
        if (st == VS_OK && fr->o->progress && fr->o->progress(++done, total, fr->o->user))
            st = vs_fail(VS_EINVAL, "fit: cancelled");
    }
    if (st == VS_OK) st = joint(fr, sets);
    if (st == VS_OK) st = uncertainties(fr, sets);
    for (int s = 0; s < VS_FIT_SETS && st == VS_OK; s++)
        if (sets & (1u << s)) st = __builtin_popcount(sets) > 1 ? fit_alone(fr, s) : (fr->r->set[s].rms_alone = fr->r->set[s].rms, VS_OK);
    if (st == VS_OK && fr->o->progress && fr->o->progress(done += 2, total, fr->o->user))
        st = vs_fail(VS_EINVAL, "fit: cancelled");
    if (st == VS_OK && fr->o->bootstrap > 0 && fr->r->n_free > 0) st = bootstrap(fr, sets, &done, total);
    return st;
}

vs_status vs_fit(const vs_device_params *start, const vs_fit_data *data, const vs_fit_opts *o, vs_fit_result *r)
{
    unsigned sets;
    vs_status st = check_data(start, data, &sets);
    if (st == VS_OK) st = vs_device_validate(start);
    if (st != VS_OK) return result_init(r, start, 0, data), st;
    result_init(r, start, sets, data);
    vs_fit_opts eff = effective_bounds(o, start);
    fit_run fr = {.data = data, .o = &eff, .cur = *start, .r = r};
    fr.cur = vs_device_nominal(&fr.cur);   /* jitter off while fitting (restored in the result) */
    st = run_fit(&fr, sets);
    free(fr.fv_keep);
    r->evaluations = fr.evals;
    if (st != VS_OK) return r->device = *start, st;
    warn_undetermined(&fr, sets);
    warn_fit_quality(&fr, sets);
    r->device = fr.cur;
    for (int j = 0; j < start->model->n_params; j++)
        if (start->model->params[j].flags & VS_PARAM_JITTER) r->device.v[j] = start->v[j];
    r->device.preset = 0;
    r->device.vacancy_x = NAN;
    return VS_OK;
}
