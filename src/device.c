/* device.c -- VO2-x parameters, presets, vacancy interpolation, folds, parameter files. */
#include "vo2snn/device.h"

#include <float.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vo2snn/kvfile.h"
#include "vo2snn/units.h"

/* Normative device table (spec 2.2): nodes at x = 0, 0.25, 0.5, 0.75, 1. */
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

vs_status vs_device_from_vacancy(double x, vs_device_params *out)
{
    if (!(x >= 0.0 && x <= 1.0))
        return vs_fail(VS_EINVAL, "vacancy level %g is outside [0, 1]", x);
    double pos = x * (VS_DEVICE_COUNT - 1);
    int i = (int)floor(pos);
    if (i >= VS_DEVICE_COUNT - 1) i = VS_DEVICE_COUNT - 2;
    double frac = pos - i;
    if (frac < 1e-12) frac = 0.0;

    vs_device_params p = {
        .r_ins0_ohm = lerp_log(node_r_ins0_ohm, i, frac),
        .r_met_ohm = lerp_log(node_r_met_ohm, i, frac),
        .g_th_w_per_k = lerp_log(node_g_th_w_per_k, i, frac),
        .tau_th_s = 100e-9,
        .e_a_ev = 0.45,
        .t_c_k = 340.0,
        .dt_hyst_k = 8.0,
        .w_t_k = 2.0,
        .t_0_k = 300.0,
        .t_amb_k = 300.0,
        .sigma_ln_r = 0.0,
        .sigma_t_c_k = 0.0,
        .vacancy_x = x,
    };
    if (frac == 0.0 && x == 1.0) {
        p.r_ins0_ohm = node_r_ins0_ohm[VS_DEVICE_COUNT - 1];
        p.r_met_ohm = node_r_met_ohm[VS_DEVICE_COUNT - 1];
        p.g_th_w_per_k = node_g_th_w_per_k[VS_DEVICE_COUNT - 1];
    }
    *out = p;
    return VS_OK;
}

vs_status vs_device_preset(int number, vs_device_params *out)
{
    if (number < 1 || number > VS_DEVICE_COUNT)
        return vs_fail(VS_EINVAL, "device %d does not exist (devices are 1 to %d)", number,
                       VS_DEVICE_COUNT);
    return vs_device_from_vacancy((number - 1) / (double)(VS_DEVICE_COUNT - 1), out);
}

/* ---- validation and text parameters ----------------------------------------------------- */

typedef struct param_desc {
    const char *key;
    const char *unit;
    size_t offset;
    double min, max;      /* allowed range, inclusive */
    const char *meaning;
} param_desc;

#define P(field) offsetof(vs_device_params, field)
static const param_desc params[] = {
    {"r_ins0", "Ohm", P(r_ins0_ohm), 1e-3, 1e12, "insulating resistance at t_0"},
    {"r_met", "Ohm", P(r_met_ohm), 1e-6, 1e12, "metallic resistance"},
    {"g_th", "W/K", P(g_th_w_per_k), 1e-12, 1.0, "thermal conductance"},
    {"tau_th", "s", P(tau_th_s), 1e-15, 1.0, "thermal time constant C_th/G_th"},
    {"e_a", "eV", P(e_a_ev), 0.0, 5.0, "activation energy"},
    {"t_c", "K", P(t_c_k), 1.0, 2000.0, "transition (loop centre) temperature"},
    {"dt_hyst", "K", P(dt_hyst_k), 0.0, 500.0, "thermal hysteresis width"},
    {"w_t", "K", P(w_t_k), 1e-3, 500.0, "tanh width of each branch"},
    {"t_0", "K", P(t_0_k), 1.0, 2000.0, "reference temperature of r_ins0"},
    {"t_amb", "K", P(t_amb_k), 1.0, 2000.0, "ambient temperature"},
    {"sigma_lnr", "", P(sigma_ln_r), 0.0, 2.0, "cycle-to-cycle std of ln r_ins0"},
    {"sigma_tc", "K", P(sigma_t_c_k), 0.0, 50.0, "cycle-to-cycle std of t_c"},
};
#undef P
#define N_PARAMS (sizeof params / sizeof params[0])

static double *field(vs_device_params *p, const param_desc *d)
{
    return (double *)((char *)p + d->offset);
}

static const double *cfield(const vs_device_params *p, const param_desc *d)
{
    return (const double *)((const char *)p + d->offset);
}

vs_status vs_device_validate(const vs_device_params *p)
{
    for (size_t i = 0; i < N_PARAMS; i++) {
        double v = *cfield(p, &params[i]);
        if (!isfinite(v))
            return vs_fail(VS_EINVAL, "device parameter %s is not a finite number", params[i].key);
        if (v < params[i].min || v > params[i].max)
            return vs_fail(VS_EINVAL, "device parameter %s = %g %s is outside [%g, %g]",
                           params[i].key, v, params[i].unit, params[i].min, params[i].max);
    }
    if (p->t_amb_k >= p->t_c_k - p->dt_hyst_k / 2)
        return vs_fail(VS_EINVAL,
                       "ambient %g K must lie below the cooling branch centre %g K (t_c - dt_hyst/2)",
                       p->t_amb_k, p->t_c_k - p->dt_hyst_k / 2);
    return VS_OK;
}

const char *vs_device_keys(void)
{
    static char text[2048];
    if (text[0]) return text;
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n,
                          "  preset    (1..5)  replace all parameters by paper device N\n"
                          "  vacancy   (0..1)  replace all parameters by vacancy level x\n"
                          "  c_th      J/K     thermal capacitance (sets tau_th = c_th/g_th)\n");
    for (size_t i = 0; i < N_PARAMS && n < sizeof text; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "  %-9s %-7s %s\n", params[i].key,
                              params[i].unit[0] ? params[i].unit : "-", params[i].meaning);
    return text;
}

vs_status vs_device_set(vs_device_params *p, const char *key, const char *value)
{
    double v;
    vs_device_params q = *p;
    if (strcmp(key, "preset") == 0) {
        long n;
        if (vs_parse_long(value, 1, VS_DEVICE_COUNT, &n) != VS_OK)
            return vs_fail(VS_EINVAL, "preset: '%s' is not a device number 1 to %d", value,
                           VS_DEVICE_COUNT);
        vs_status s = vs_device_preset((int)n, &q);
        if (s != VS_OK) return s;
    } else if (strcmp(key, "vacancy") == 0) {
        if (vs_parse_quantity(value, "", &v) != VS_OK)
            return vs_fail(VS_EINVAL, "vacancy: %s", vs_last_error());
        vs_status s = vs_device_from_vacancy(v, &q);
        if (s != VS_OK) return s;
    } else if (strcmp(key, "c_th") == 0) {
        if (vs_parse_quantity(value, "J/K", &v) != VS_OK)
            return vs_fail(VS_EINVAL, "c_th: %s", vs_last_error());
        if (!(v > 0))
            return vs_fail(VS_EINVAL, "c_th = %g J/K must be positive", v);
        q.tau_th_s = v / q.g_th_w_per_k;
        q.vacancy_x = NAN;
    } else {
        const param_desc *d = NULL;
        for (size_t i = 0; i < N_PARAMS; i++)
            if (strcmp(key, params[i].key) == 0) d = &params[i];
        if (!d)
            return vs_fail(VS_EINVAL, "unknown device parameter '%s' (known: preset, vacancy, "
                                      "r_ins0, r_met, g_th, tau_th, c_th, e_a, t_c, dt_hyst, w_t, "
                                      "t_0, t_amb, sigma_lnr, sigma_tc)", key);
        if (vs_parse_quantity(value, d->unit, &v) != VS_OK)
            return vs_fail(VS_EINVAL, "%s: %s", key, vs_last_error());
        *field(&q, d) = v;
        if (d->offset != offsetof(vs_device_params, sigma_ln_r) &&
            d->offset != offsetof(vs_device_params, sigma_t_c_k))
            q.vacancy_x = NAN;
    }
    vs_status s = vs_device_validate(&q);
    if (s != VS_OK) return s;
    *p = q;
    return VS_OK;
}

static int key_rank(const char *key)
{
    if (strcmp(key, "preset") == 0 || strcmp(key, "vacancy") == 0) return 0;
    if (strcmp(key, "c_th") == 0) return 2;
    return 1;
}

vs_status vs_device_load_file(const char *path, vs_device_params *p)
{
    vs_kv kv;
    vs_status s = vs_kv_load(path, &kv);
    if (s != VS_OK) return s;
    vs_device_params q = *p;
    int n_base = 0;
    for (int i = 0; i < kv.n; i++) n_base += key_rank(kv.entries[i].key) == 0;
    if (n_base > 1) {
        vs_kv_free(&kv);
        return vs_fail(VS_EINVAL, "%s: give at most one of 'preset' and 'vacancy'", path);
    }
    for (int rank = 0; rank <= 2 && s == VS_OK; rank++) {
        for (int i = 0; i < kv.n && s == VS_OK; i++) {
            const vs_kv_entry *e = &kv.entries[i];
            if (key_rank(e->key) != rank) continue;
            s = vs_device_set(&q, e->key, e->value);
            if (s != VS_OK) {
                char msg[400];
                snprintf(msg, sizeof msg, "%s", vs_last_error());
                s = vs_fail(s, "%s:%d: %s", path, e->line, msg);
            }
        }
    }
    vs_kv_free(&kv);
    if (s == VS_OK) *p = q;
    return s;
}

vs_status vs_device_apply_list(vs_device_params *p, const char *list)
{
    vs_device_params q = *p;
    char *copy = strdup(list);
    if (!copy) return vs_fail(VS_ENOMEM, "out of memory");
    vs_status s = VS_OK;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item && s == VS_OK;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item) {
            s = vs_fail(VS_EINVAL, "--param: '%s' is not key=value", item);
            break;
        }
        *eq = '\0';
        char *key = item, *val = eq + 1;
        while (*key == ' ') key++;
        for (char *e = eq - 1; e > key && *e == ' '; e--) *e = '\0';
        s = vs_device_set(&q, key, val);
    }
    free(copy);
    if (s == VS_OK) *p = q;
    return s;
}

void vs_device_film(const vs_device_params *p, vs_device_params *film)
{
    *film = *p;
    film->r_ins0_ohm = 1e4 * p->r_ins0_ohm / node_r_ins0_ohm[0];
    film->r_met_ohm = 10.0;
}

/* ---- hot-loop model -------------------------------------------------------------------- */

void vs_device_model_init(vs_device_model *d, const vs_device_params *p, double xi_ln_r,
                          double xi_t_c)
{
    double t_c = p->t_c_k + p->sigma_t_c_k * xi_t_c;
    d->r_ins0_ohm = p->r_ins0_ohm * exp(p->sigma_ln_r * xi_ln_r);
    d->r_met_ohm = p->r_met_ohm;
    d->ea_over_kb_k = p->e_a_ev / VS_K_B_EV_PER_K;
    d->inv_t0 = 1.0 / p->t_0_k;
    d->g_th_w_per_k = p->g_th_w_per_k;
    d->inv_c_th = 1.0 / (p->tau_th_s * p->g_th_w_per_k);
    d->t_amb_k = p->t_amb_k;
    d->t_heat_k = t_c + p->dt_hyst_k / 2;
    d->t_cool_k = t_c - p->dt_hyst_k / 2;
    d->inv_w_t = 1.0 / p->w_t_k;
}

int vs_device_has_jitter(const vs_device_params *p)
{
    return p->sigma_ln_r > 0 || p->sigma_t_c_k > 0;
}

void vs_device_model_draw(vs_device_model *d, const vs_device_params *p, vs_rng *rng)
{
    double xi_r = 0, xi_t = 0;
    if (vs_device_has_jitter(p)) {
        xi_r = vs_rng_normal(rng);
        xi_t = vs_rng_normal(rng);
    }
    vs_device_model_init(d, p, xi_r, xi_t);
}

/* ---- quasi-static S-curve and its folds ------------------------------------------------- */

static double branch_m(const vs_device_model *d, vs_branch b, double t_k)
{
    return b == VS_BRANCH_HEAT ? vs_m_heat(d, t_k) : vs_m_cool(d, t_k);
}

/* V^2 on the branch: steady state I^2 R = G (T - T_amb) with V = I R gives V^2 = G (T-T_amb) R. */
static double branch_v2(const vs_device_model *d, vs_branch b, double t_k)
{
    return d->g_th_w_per_k * (t_k - d->t_amb_k) * vs_r_device(d, t_k, branch_m(d, b, t_k));
}

void vs_device_steady(const vs_device_params *p, vs_branch b, double t_k, double *v_v,
                      double *i_a, double *r_ohm)
{
    vs_device_model d;
    vs_device_model_init(&d, p, 0, 0);
    double r = vs_r_device(&d, t_k, branch_m(&d, b, t_k));
    double v = sqrt(fmax(branch_v2(&d, b, t_k), 0.0));
    *v_v = v;
    *i_a = v / r;
    *r_ohm = r;
}

/* Golden-section search for an extremum of branch_v2 on [a, b]; sign = +1 max, -1 min. */
static double golden_extremum(const vs_device_model *d, vs_branch br, double a, double b,
                              double sign)
{
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = sign * branch_v2(d, br, x1), f2 = sign * branch_v2(d, br, x2);
    while (b - a > 1e-9) {
        if (f1 > f2) {
            b = x2; x2 = x1; f2 = f1;
            x1 = b - g * (b - a); f1 = sign * branch_v2(d, br, x1);
        } else {
            a = x1; x1 = x2; f1 = f2;
            x2 = a + g * (b - a); f2 = sign * branch_v2(d, br, x2);
        }
    }
    return 0.5 * (a + b);
}

static void fill_fold(const vs_device_model *d, vs_branch b, double t_k, vs_fold *f)
{
    double r = vs_r_device(d, t_k, branch_m(d, b, t_k));
    f->t_k = t_k;
    f->r_ohm = r;
    f->v_v = sqrt(branch_v2(d, b, t_k));
    f->i_a = f->v_v / r;
    f->p_w = f->v_v * f->i_a;
}

vs_status vs_device_folds(const vs_device_params *p, vs_fold *threshold, vs_fold *hold)
{
    vs_status s = vs_device_validate(p);
    if (s != VS_OK) return s;
    vs_device_model d;
    vs_device_model_init(&d, p, 0, 0);

    const double step = 0.01;
    const double t_hi = p->t_c_k + p->dt_hyst_k + 40.0 * p->w_t_k + 200.0;
    double t_max = NAN, t_min = NAN;

    /* First local maximum of V_heat above ambient. */
    double prev = branch_v2(&d, VS_BRANCH_HEAT, p->t_amb_k + step);
    for (double t = p->t_amb_k + 2 * step; t < t_hi; t += step) {
        double cur = branch_v2(&d, VS_BRANCH_HEAT, t);
        if (cur < prev) {
            t_max = golden_extremum(&d, VS_BRANCH_HEAT, t - 2 * step, t, +1.0);
            break;
        }
        prev = cur;
    }
    /* Last local minimum of V_cool. */
    prev = branch_v2(&d, VS_BRANCH_COOL, p->t_amb_k + step);
    int falling = 0;
    for (double t = p->t_amb_k + 2 * step; t < t_hi; t += step) {
        double cur = branch_v2(&d, VS_BRANCH_COOL, t);
        if (cur < prev) falling = 1;
        else if (falling && cur > prev) {
            t_min = golden_extremum(&d, VS_BRANCH_COOL, t - 2 * step, t, -1.0);
            falling = 0;
        }
        prev = cur;
    }
    if (isnan(t_max) || isnan(t_min))
        return vs_fail(VS_ENOTFOUND, "the device's S-curve has no %s fold between %g and %g K",
                       isnan(t_max) ? "threshold" : "hold", p->t_amb_k, t_hi);
    fill_fold(&d, VS_BRANCH_HEAT, t_max, threshold);
    fill_fold(&d, VS_BRANCH_COOL, t_min, hold);
    return VS_OK;
}
