/* device.c -- VO2-x parameters, presets, vacancy interpolation, folds, parameter files. */
#include "vo2snn/device.h"

#include <float.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
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

/* "device parameter r_met = -5 Ohm is outside [1e-06, 1e+12] Ohm" (exact numbers). */
static vs_status param_out_of_range(const param_desc *d, double v)
{
    const char *sp = d->unit[0] ? " " : "";
    char val[32], lo[32], hi[32];
    vs_format_exact(val, sizeof val, v);
    vs_format_exact(lo, sizeof lo, d->min);
    vs_format_exact(hi, sizeof hi, d->max);
    return vs_fail(VS_EINVAL, "device parameter %s = %s%s%s is outside [%s, %s]%s%s", d->key, val,
                   sp, d->unit, lo, hi, sp, d->unit);
}

static vs_status check_param(const param_desc *d, double v)
{
    if (!isfinite(v))
        return vs_fail(VS_EINVAL, "device parameter %s is not a finite number", d->key);
    if (v < d->min || v > d->max) return param_out_of_range(d, v);
    return VS_OK;
}

vs_status vs_device_validate(const vs_device_params *p)
{
    for (size_t i = 0; i < N_PARAMS; i++) {
        vs_status s = check_param(&params[i], *cfield(p, &params[i]));
        if (s != VS_OK) return s;
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
    if (n < sizeof text)
        snprintf(text + n, sizeof text - n,
                 "Whatever their order, preset or vacancy applies first, then the parameters,\n"
                 "then c_th; each key at most once, preset and vacancy not together, nor c_th\n"
                 "and tau_th.\n");
    return text;
}

/* ---- device edits: key = value pairs from vs_device_set, a file or a --param list -------- */


/* Keys beyond the numeric parameters, by rank: the base device first, the derived c_th last. */
enum { KEY_PRESET = N_PARAMS, KEY_VACANCY, KEY_C_TH, N_KEYS };

static const char *key_name(int id)
{
    if (id < KEY_PRESET) return params[id].key;
    return id == KEY_PRESET ? "preset" : id == KEY_VACANCY ? "vacancy" : "c_th";
}

static int key_id(const char *key)
{
    for (int id = 0; id < N_KEYS; id++)
        if (strcmp(key, key_name(id)) == 0) return id;
    return -1;
}

static int key_id_of_field(size_t offset)
{
    for (int id = 0; id < KEY_PRESET; id++)
        if (params[id].offset == offset) return id;
    return -1;
}

/* The edits, at most one per key, and where each came from (for messages). */
typedef struct edit_set {
    const char *value[N_KEYS]; /* NULL: not given */
    int where[N_KEYS];         /* file line or list item, 1-based */
    char *owned[N_KEYS];       /* values copied out of a file's line buffer */
    const char *source;        /* file path, "--param", or NULL (vs_device_set) */
    int is_file;
} edit_set;

static void edit_set_free(edit_set *s)
{
    for (int id = 0; id < N_KEYS; id++) free(s->owned[id]);
}

/* Message prefix for an edit made at `where`: "dev.txt:3: ", "--param: " or "". */
static void edit_prefix(const edit_set *s, int where, char *buf, size_t n)
{
    if (!s->source) buf[0] = '\0';
    else if (s->is_file && where > 0) snprintf(buf, n, "%s:%d: ", s->source, where);
    else snprintf(buf, n, "%s: ", s->source);
}

/* "line 3" or "item 2", for pointing at the earlier of two conflicting keys. */
static void edit_place(const edit_set *s, int where, char *buf, size_t n)
{
    snprintf(buf, n, "%s %d", s->is_file ? "line" : "item", where);
}

static vs_status unknown_key(const edit_set *s, const char *key, int where)
{
    char pre[600];
    edit_prefix(s, where, pre, sizeof pre);
    if (vs_starts_with_bom(key))
        return vs_fail(VS_EINVAL,
                       "%skey '%.100s' starts with an invisible byte-order mark (U+FEFF); remove it",
                       pre, key + 3);
    return vs_fail(VS_EINVAL, "%sunknown device parameter '%.100s' (known: preset, vacancy, "
                              "r_ins0, r_met, g_th, tau_th, c_th, e_a, t_c, dt_hyst, w_t, "
                              "t_0, t_amb, sigma_lnr, sigma_tc)", pre, key);
}

/* Two keys that set the same thing: "'vacancy' and 'preset' (line 2) both choose the device". */
static vs_status conflicting_keys(const edit_set *s, int id, int other, const char *what)
{
    char pre[600], place[32];
    edit_prefix(s, s->where[id], pre, sizeof pre);
    edit_place(s, s->where[other], place, sizeof place);
    return vs_fail(VS_EINVAL, "%s'%s' and '%s' (%s) both %s: give one", pre, key_name(id),
                   key_name(other), place, what);
}

/* Record key = value; fails at once on an unknown key, a repeated key or a conflict. */
static vs_status edit_add(edit_set *s, const char *key, const char *value, int where)
{
    int id = key_id(key);
    if (id < 0) return unknown_key(s, key, where);
    if (s->value[id]) {
        char pre[600], place[32];
        edit_prefix(s, where, pre, sizeof pre);
        edit_place(s, s->where[id], place, sizeof place);
        return vs_fail(VS_EINVAL, "%s'%s' is given twice (first at %s)", pre, key, place);
    }
    s->value[id] = value;
    s->where[id] = where;
    int tau = key_id_of_field(offsetof(vs_device_params, tau_th_s));
    if (id == KEY_PRESET || id == KEY_VACANCY) {
        int other = id == KEY_PRESET ? KEY_VACANCY : KEY_PRESET;
        if (s->value[other]) return conflicting_keys(s, id, other, "choose the device");
    }
    if ((id == KEY_C_TH || id == tau) && s->value[id == tau ? KEY_C_TH : tau])
        return conflicting_keys(s, id, id == tau ? KEY_C_TH : tau, "set the thermal time constant");
    return VS_OK;
}

/* A failure while applying key `id`: "<prefix><key>: <why>". */
static vs_status edit_fail(const edit_set *s, int id, const char *why)
{
    char pre[600], msg[512];
    snprintf(msg, sizeof msg, "%s", why);
    edit_prefix(s, s->where[id], pre, sizeof pre);
    return vs_fail(VS_EINVAL, "%s%s", pre, msg);
}

/* Rank 0: preset or vacancy replaces every parameter. */
static vs_status apply_base(const edit_set *s, vs_device_params *q)
{
    const char *v = s->value[KEY_PRESET];
    if (v) {
        long n;
        char why[300];
        snprintf(why, sizeof why, "preset: '%.100s' is not a device number 1 to %d", v,
                 VS_DEVICE_COUNT);
        if (vs_parse_long(v, 1, VS_DEVICE_COUNT, &n) != VS_OK) return edit_fail(s, KEY_PRESET, why);
        return vs_device_preset((int)n, q);
    }
    if ((v = s->value[KEY_VACANCY])) {
        double x;
        if (vs_parse_quantity(v, "", &x) != VS_OK) {
            char why[600];
            snprintf(why, sizeof why, "vacancy: %s", vs_last_error());
            return edit_fail(s, KEY_VACANCY, why);
        }
        if (vs_device_from_vacancy(x, q) != VS_OK) return edit_fail(s, KEY_VACANCY, vs_last_error());
    }
    return VS_OK;
}

/* Rank 1: one numeric parameter, checked against its own range. */
static vs_status apply_param(const edit_set *s, int id, vs_device_params *q)
{
    const param_desc *d = &params[id];
    double v;
    char why[600];
    if (vs_parse_quantity(s->value[id], d->unit, &v) != VS_OK) {
        snprintf(why, sizeof why, "%s: %s", d->key, vs_last_error());
        return edit_fail(s, id, why);
    }
    if (check_param(d, v) != VS_OK) {
        snprintf(why, sizeof why, "%s%s", vs_last_error(), vs_quantity_note(s->value[id], d->unit));
        return edit_fail(s, id, why);
    }
    *field(q, d) = v;
    if (d->offset != offsetof(vs_device_params, sigma_ln_r) &&
        d->offset != offsetof(vs_device_params, sigma_t_c_k))
        q->vacancy_x = NAN;
    return VS_OK;
}

/* Rank 2: c_th, derived through the final g_th: tau_th = c_th / g_th. */
static vs_status apply_c_th(const edit_set *s, vs_device_params *q)
{
    double c;
    char why[600];
    if (vs_parse_quantity(s->value[KEY_C_TH], "J/K", &c) != VS_OK) {
        snprintf(why, sizeof why, "c_th: %s", vs_last_error());
        return edit_fail(s, KEY_C_TH, why);
    }
    const param_desc *tau = &params[key_id_of_field(offsetof(vs_device_params, tau_th_s))];
    double t = c / q->g_th_w_per_k;
    if (!(c > 0) || check_param(tau, t) != VS_OK) {
        char cs[32], ts[32];
        vs_format_exact(cs, sizeof cs, c);
        vs_format_exact(ts, sizeof ts, t);
        snprintf(why, sizeof why,
                 "c_th = %s J/K must be positive and give tau_th = c_th/g_th in [1e-15, 1] s "
                 "(it gives %s s)", cs, ts);
        return edit_fail(s, KEY_C_TH, why);
    }
    q->tau_th_s = t;
    q->vacancy_x = NAN;
    return VS_OK;
}

/* Apply every edit over *p in rank order (never the order given); *p unchanged on failure. */
static vs_status apply_edits(const edit_set *s, vs_device_params *p)
{
    vs_device_params q = *p;
    vs_status st = apply_base(s, &q);
    for (int id = 0; id < KEY_PRESET && st == VS_OK; id++)
        if (s->value[id]) st = apply_param(s, id, &q);
    if (st == VS_OK && s->value[KEY_C_TH]) st = apply_c_th(s, &q);
    if (st == VS_OK && vs_device_validate(&q) != VS_OK) {
        char pre[600], msg[512];
        snprintf(msg, sizeof msg, "%s", vs_last_error());
        edit_prefix(s, 0, pre, sizeof pre);
        st = vs_fail(VS_EINVAL, "%s%s", pre, msg);
    }
    if (st == VS_OK) *p = q;
    return st;
}

vs_status vs_device_set(vs_device_params *p, const char *key, const char *value)
{
    edit_set s = {.source = NULL};
    vs_status st = edit_add(&s, key, value, 1);
    if (st == VS_OK) st = apply_edits(&s, p);
    return st;
}

/* vs_kv_scan visitor: keep a copy of each value (the line buffer is reused). */
static vs_status collect_file_entry(void *ctx, const char *key, const char *value, int line)
{
    edit_set *s = ctx;
    char *copy = strdup(value);
    if (!copy) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", s->source);
    vs_status st = edit_add(s, key, copy, line);
    int id = key_id(key);
    if (st == VS_OK) s->owned[id] = copy;
    else free(copy);
    return st;
}

static vs_status collect_file(const char *path, edit_set *s)
{
    memset(s, 0, sizeof *s);
    s->source = path;
    s->is_file = 1;
    return vs_kv_scan(path, collect_file_entry, s);
}

/* Split the list (a writable copy) into key=value items; blank items are skipped. */
static vs_status collect_list(char *list, edit_set *s)
{
    memset(s, 0, sizeof *s);
    s->source = "--param";
    char *save = NULL;
    int item_no = 0;
    for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        item_no++;
        while (*item == ' ') item++;
        if (!*item) continue;
        char *eq = strchr(item, '=');
        if (!eq || eq == item) return vs_fail(VS_EINVAL, "--param: '%s' is not key=value", item);
        *eq = '\0';
        for (char *e = eq - 1; e > item && *e == ' '; e--) *e = '\0';
        vs_status st = edit_add(s, item, eq + 1, item_no);
        if (st != VS_OK) return st;
    }
    return VS_OK;
}

vs_status vs_device_load_file(const char *path, vs_device_params *p)
{
    if (!path) return vs_fail(VS_EINVAL, "vs_device_load_file: path is NULL");
    edit_set s;
    vs_status st = collect_file(path, &s);
    if (st == VS_OK) st = apply_edits(&s, p);
    edit_set_free(&s);
    return st;
}

vs_status vs_device_apply_list(vs_device_params *p, const char *list)
{
    char *copy = strdup(list ? list : "");
    if (!copy) return vs_fail(VS_ENOMEM, "out of memory");
    edit_set s;
    vs_status st = collect_list(copy, &s);
    if (st == VS_OK) st = apply_edits(&s, p);
    free(copy);
    return st;
}

static const char *base_key(const edit_set *s)
{
    return s->value[KEY_PRESET] ? "preset" : s->value[KEY_VACANCY] ? "vacancy" : NULL;
}

const char *vs_device_file_base(const char *path)
{
    edit_set s;
    const char *base = path && collect_file(path, &s) == VS_OK ? base_key(&s) : NULL;
    if (path) edit_set_free(&s);
    return base;
}

const char *vs_device_list_base(const char *list)
{
    char *copy = list ? strdup(list) : NULL;
    edit_set s;
    const char *base = copy && collect_list(copy, &s) == VS_OK ? base_key(&s) : NULL;
    free(copy);
    return base;
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
