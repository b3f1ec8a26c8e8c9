/* device.c -- devices of any model: defaults, presets, text keys from files and --param
   lists, validation, device files and keys, folds of thermal models, the hot-loop form. */
#include "vo2snn/device.h"

#include <float.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"
#include "text.h"
#include "vo2snn/json.h"
#include "vo2snn/kvfile.h"
#include "vo2snn/units.h"

void vs_device_params_defaults(const vs_model *m, vs_device_params *p)
{
    memset(p, 0, sizeof *p);
    p->model = m;
    for (int i = 0; i < m->n_params; i++) p->v[i] = m->params[i].def;
    p->preset = 1;
    p->vacancy_x = NAN;
}

vs_status vs_device_model_preset(const vs_model *m, int n, vs_device_params *out)
{
    if (!m) m = vs_model_default();
    if (n < 1 || n > m->n_presets)
        return vs_fail(VS_EINVAL, "%s preset %d does not exist (presets are 1 to %d)", m->name, n,
                       m->n_presets);
    return m->preset(n, out);
}

vs_device_params vs_device_default(void)
{
    vs_device_params p;
    vs_device_model_preset(NULL, 1, &p);
    return p;
}

vs_status vs_device_preset(int number, vs_device_params *out)
{
    return vs_model_vo2x.preset(number, out);
}

vs_status vs_device_from_vacancy(double x, vs_device_params *out)
{
    return vs_model_vo2x.from_coord(x, out);
}

double vs_device_get(const vs_device_params *p, const char *key)
{
    int i = vs_model_param_index(p->model, key);
    return i < 0 ? (double)NAN : p->v[i];
}

double vs_device_ambient(const vs_device_params *p) { return p->model->ambient_k(p); }

/* ---- validation ------------------------------------------------------------------------- */

/* "device parameter r_met = -5 Ohm is outside [1e-06, 1e+12] Ohm" (exact numbers). */
static vs_status param_out_of_range(const vs_param_def *d, double v)
{
    const char *sp = d->unit[0] ? " " : "";
    char val[32], lo[32], hi[32];
    vs_format_exact(val, sizeof val, v);
    vs_format_exact(lo, sizeof lo, d->min);
    vs_format_exact(hi, sizeof hi, d->max);
    return vs_fail(VS_EINVAL, "device parameter %s = %s%s%s is outside [%s, %s]%s%s", d->key, val,
                   sp, d->unit, lo, hi, sp, d->unit);
}

static vs_status check_param(const vs_param_def *d, double v)
{
    if (!isfinite(v))
        return vs_fail(VS_EINVAL, "device parameter %s is not a finite number", d->key);
    if (v < d->min || v > d->max) return param_out_of_range(d, v);
    return VS_OK;
}

vs_status vs_device_validate(const vs_device_params *p)
{
    if (!p || !p->model) return vs_fail(VS_EINVAL, "device has no model");
    for (int i = 0; i < p->model->n_params; i++) {
        vs_status s = check_param(&p->model->params[i], p->v[i]);
        if (s != VS_OK) return s;
    }
    return p->model->validate ? p->model->validate(p) : VS_OK;
}

vs_status vs_device_set_value(vs_device_params *p, const char *key, double value)
{
    int i = vs_model_param_index(p->model, key);
    if (i < 0) return vs_fail(VS_EINVAL, "model %s has no parameter '%.64s'", p->model->name, key);
    vs_status s = check_param(&p->model->params[i], value);
    if (s != VS_OK) return s;
    p->v[i] = value;
    if (!(p->model->params[i].flags & VS_PARAM_JITTER)) p->preset = 0, p->vacancy_x = NAN;
    return VS_OK;
}

/* ---- the keys of a model ----------------------------------------------------------------- */

const char *vs_device_keys(const vs_model *m)
{
    enum { MAX_MODELS = VS_MAX_MODELS };
    static char text[MAX_MODELS][4096];
    if (!m) m = vs_model_default();
    int slot = 0;
    while (slot < MAX_MODELS - 1 && vs_model_at(slot) && vs_model_at(slot) != m) slot++;
    char *t = text[slot];
    size_t cap = sizeof text[slot], n = 0;
    if (t[0]) return t;
    n += (size_t)snprintf(t + n, cap - n, "Model %s: %s (%s)\n", m->name, m->title, m->doc);
    n += (size_t)snprintf(t + n, cap - n, "  %-10s %-7s %s\n", "model", "-",
                          "the device model (choose first)");
    n += (size_t)snprintf(t + n, cap - n, "  %-10s (1..%d)  replace all parameters by preset N\n",
                          "preset", m->n_presets);
    if (m->coord_key && n < cap)
        n += (size_t)snprintf(t + n, cap - n, "  %-10s %-7s replace all parameters: %s\n",
                              m->coord_key, "-", m->coord_meaning);
    for (int i = 0; i < m->n_params && n < cap; i++)
        n += (size_t)snprintf(t + n, cap - n, "  %-10s %-7s %s\n", m->params[i].key,
                              m->params[i].unit[0] ? m->params[i].unit : "-", m->params[i].meaning);
    for (int i = 0; i < m->n_aliases && n < cap; i++)
        n += (size_t)snprintf(t + n, cap - n, "  %-10s %-7s %s\n", m->aliases[i].key,
                              m->aliases[i].unit, m->aliases[i].meaning);
    if (n < cap)
        n += (size_t)snprintf(t + n, cap - n, "  %-10s %-7s %s\n", "name", "-",
                              "a label for tables and plots");
    if (n < cap)
        snprintf(t + n, cap - n,
                 "Whatever their order, model applies first, then preset%s%s, then the\n"
                 "parameters, then derived keys; each key at most once.\n",
                 m->coord_key ? " or " : "", m->coord_key ? m->coord_key : "");
    return t;
}

/* ---- device edits: key = value pairs from vs_device_set, a file or a --param list -------- */

#define MAX_EDITS 64

typedef struct edit {
    const char *key, *value;
    int where;      /* file line or list item, 1-based */
    char *owned;    /* key and value copied out of a file's line buffer ("key\0value") */
} edit;

/* The edits, at most one per key, and where they came from (for messages). */
typedef struct edit_set {
    edit e[MAX_EDITS];
    int n;
    const char *source;        /* file path, "--param", or NULL (vs_device_set) */
    int is_file;
} edit_set;

static void edit_set_free(edit_set *s)
{
    for (int i = 0; i < s->n; i++) free(s->e[i].owned);
    s->n = 0;
}

static const edit *find_edit(const edit_set *s, const char *key)
{
    for (int i = 0; key && i < s->n; i++)
        if (strcmp(s->e[i].key, key) == 0) return &s->e[i];
    return NULL;
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

/* A failure at edit e: "<prefix><why>". */
static vs_status edit_fail(const edit_set *s, const edit *e, const char *why)
{
    char pre[600], msg[768];
    snprintf(msg, sizeof msg, "%s", why);
    edit_prefix(s, e ? e->where : 0, pre, sizeof pre);
    return vs_fail(VS_EINVAL, "%s%s", pre, msg);
}

static int alias_index(const vs_model *m, const char *key);
static int is_structural_key(const vs_model *m, const char *key);
static vs_status unknown_key(const edit_set *s, const edit *e, const vs_model *m);

/* 1 if some model knows key (which model the edits choose is known only at the end). */
static int key_of_any_model(const char *key)
{
    for (int i = 0; i < vs_model_count(); i++) {
        const vs_model *m = vs_model_at(i);
        if (is_structural_key(m, key) || vs_model_param_index(m, key) >= 0 || alias_index(m, key) >= 0)
            return 1;
    }
    return 0;
}

/* Record key = value; fails at once on a key no model has (reading stops there) or a
   repeated key; whether the chosen model has it is checked once the model is known. */
static vs_status edit_add(edit_set *s, const char *key, const char *value, int where, char *owned)
{
    if (!key_of_any_model(key)) {
        edit e = {key, value, where, NULL};
        vs_status st = unknown_key(s, &e, vs_model_default());
        free(owned);
        return st;
    }
    const edit *old = find_edit(s, key);
    if (old || s->n == MAX_EDITS) {
        char pre[600], place[32];
        edit_prefix(s, where, pre, sizeof pre);
        vs_status st;
        if (!old) st = vs_fail(VS_EINVAL, "%smore than %d keys", pre, MAX_EDITS);
        else {
            edit_place(s, old->where, place, sizeof place);
            st = vs_fail(VS_EINVAL, "%s'%s' is given twice (first at %s)", pre, key, place);
        }
        free(owned);   /* key may point into it */
        return st;
    }
    s->e[s->n++] = (edit){key, value, where, owned};
    return VS_OK;
}

/* Two keys that set the same thing: "'vacancy' and 'preset' (line 2) both choose the device". */
static vs_status conflicting(const edit_set *s, const edit *a, const edit *b, const char *what)
{
    if (a->where < b->where) {
        const edit *t = a;
        a = b, b = t;
    }
    char place[32], why[400];
    edit_place(s, b->where, place, sizeof place);
    snprintf(why, sizeof why, "'%s' and '%s' (%s) both %s: give one", a->key, b->key, place, what);
    return edit_fail(s, a, why);
}

/* "'c_th' sets tau_th = c_th/g_th: give it or 'tau_th' (line 1), not both", at the later one. */
static vs_status alias_with_target(const edit_set *s, const edit *al, const edit *target,
                                   const vs_param_alias *a, const vs_model *m)
{
    const edit *later = al->where >= target->where ? al : target;
    const edit *earlier = later == al ? target : al;
    char place[32], why[400];
    edit_place(s, earlier->where, place, sizeof place);
    snprintf(why, sizeof why, "'%s' sets %s = %s/%s: give it or '%s', not both (%s has '%s')",
             a->key, m->params[a->target].key, a->key, m->params[a->per].key,
             m->params[a->target].key, place, earlier->key);
    return edit_fail(s, later, why);
}

static int alias_index(const vs_model *m, const char *key)
{
    for (int i = 0; i < m->n_aliases; i++)
        if (strcmp(key, m->aliases[i].key) == 0) return i;
    return -1;
}

static int is_structural_key(const vs_model *m, const char *key)
{
    return strcmp(key, "model") == 0 || strcmp(key, "preset") == 0 || strcmp(key, "name") == 0 ||
           (m->coord_key && strcmp(key, m->coord_key) == 0);
}

/* "unknown device parameter 'x' for model vo2x (keys: ...)". */
static vs_status unknown_key(const edit_set *s, const edit *e, const vs_model *m)
{
    char why[1400];
    if (vs_starts_with_bom(e->key)) {
        snprintf(why, sizeof why,
                 "key '%.100s' starts with an invisible byte-order mark (U+FEFF); remove it",
                 e->key + 3);
        return edit_fail(s, e, why);
    }
    size_t n = (size_t)snprintf(why, sizeof why,
                                "unknown device parameter '%.100s' for model %s (known: model, "
                                "preset, ", e->key, m->name);
    if (m->coord_key) n += (size_t)snprintf(why + n, sizeof why - n, "%s, ", m->coord_key);
    for (int i = 0; i < m->n_params && n < sizeof why; i++)
        n += (size_t)snprintf(why + n, sizeof why - n, "%s, ", m->params[i].key);
    for (int i = 0; i < m->n_aliases && n < sizeof why; i++)
        n += (size_t)snprintf(why + n, sizeof why - n, "%s, ", m->aliases[i].key);
    if (n < sizeof why) snprintf(why + n, sizeof why - n, "name)");
    return edit_fail(s, e, why);
}

/* Every key is one the model has, and no two keys set the same thing. */
static vs_status check_keys(const edit_set *s, const vs_model *m)
{
    for (int i = 0; i < s->n; i++) {
        const char *k = s->e[i].key;
        if (!is_structural_key(m, k) && vs_model_param_index(m, k) < 0 && alias_index(m, k) < 0)
            return unknown_key(s, &s->e[i], m);
    }
    const edit *pre = find_edit(s, "preset"), *coord = find_edit(s, m->coord_key);
    if (pre && coord) return conflicting(s, pre, coord, "choose the device");
    for (int a = 0; a < m->n_aliases; a++) {
        const edit *al = find_edit(s, m->aliases[a].key);
        const edit *target = find_edit(s, m->params[m->aliases[a].target].key);
        if (al && target) return alias_with_target(s, al, target, &m->aliases[a], m);
    }
    return VS_OK;
}

/* Rank 0: a model key naming another model replaces the device by that model's preset 1. */
static vs_status apply_model(const edit_set *s, vs_device_params *q)
{
    const edit *e = find_edit(s, "model");
    if (!e) return VS_OK;
    const vs_model *m = vs_model_find(e->value);
    if (!m) return edit_fail(s, e, vs_last_error());
    if (m != q->model) return m->preset(1, q);
    return VS_OK;
}

/* Rank 1: preset or the coordinate replaces every parameter. */
static vs_status apply_base(const edit_set *s, vs_device_params *q)
{
    const vs_model *m = q->model;
    const edit *e = find_edit(s, "preset");
    char why[700];
    if (e) {
        long n;
        snprintf(why, sizeof why, "preset: '%.100s' is not a %s preset number 1 to %d", e->value,
                 m->name, m->n_presets);
        if (vs_parse_long(e->value, 1, m->n_presets, &n) != VS_OK) return edit_fail(s, e, why);
        return m->preset((int)n, q);
    }
    if ((e = find_edit(s, m->coord_key))) {
        double x;
        if (vs_parse_quantity(e->value, "", &x) != VS_OK) {
            snprintf(why, sizeof why, "%s: %s", m->coord_key, vs_last_error());
            return edit_fail(s, e, why);
        }
        if (m->from_coord(x, q) != VS_OK) return edit_fail(s, e, vs_last_error());
    }
    return VS_OK;
}

/* Rank 2: one numeric parameter, checked against its own range. */
static vs_status apply_param(const edit_set *s, const edit *e, int i, vs_device_params *q)
{
    const vs_param_def *d = &q->model->params[i];
    double v;
    char why[700];
    if (vs_parse_quantity(e->value, d->unit, &v) != VS_OK) {
        snprintf(why, sizeof why, "%s: %s", d->key, vs_last_error());
        return edit_fail(s, e, why);
    }
    if (check_param(d, v) != VS_OK) {
        snprintf(why, sizeof why, "%s%s", vs_last_error(), vs_quantity_note(e->value, d->unit));
        return edit_fail(s, e, why);
    }
    q->v[i] = v;
    if (!(d->flags & VS_PARAM_JITTER)) q->preset = 0, q->vacancy_x = NAN;
    return VS_OK;
}

/* Rank 3: an alias, derived through the final value of its divisor (c_th -> tau_th). */
static vs_status apply_alias(const edit_set *s, const edit *e, int a, vs_device_params *q)
{
    const vs_param_alias *al = &q->model->aliases[a];
    const vs_param_def *target = &q->model->params[al->target];
    double x;
    char why[700];
    if (vs_parse_quantity(e->value, al->unit, &x) != VS_OK) {
        snprintf(why, sizeof why, "%s: %s", al->key, vs_last_error());
        return edit_fail(s, e, why);
    }
    double t = x / q->v[al->per];
    if (!(x > 0) || check_param(target, t) != VS_OK) {
        char xs[32], ts[32], lo[32], hi[32];
        vs_format_exact(xs, sizeof xs, x);
        vs_format_exact(ts, sizeof ts, t);
        vs_format_exact(lo, sizeof lo, target->min);
        vs_format_exact(hi, sizeof hi, target->max);
        snprintf(why, sizeof why,
                 "%s = %s %s must be positive and give %s = %s/%s in [%s, %s] %s (it gives %s %s)",
                 al->key, xs, al->unit, target->key, al->key, q->model->params[al->per].key, lo, hi,
                 target->unit, ts, target->unit);
        return edit_fail(s, e, why);
    }
    q->v[al->target] = t;
    q->preset = 0, q->vacancy_x = NAN;
    return VS_OK;
}

static vs_status apply_name(const edit_set *s, vs_device_params *q)
{
    const edit *e = find_edit(s, "name");
    if (!e) return VS_OK;
    size_t len = strlen(e->value);
    if (len == 0 || len >= VS_NAME_MAX) {
        char why[128];
        snprintf(why, sizeof why, "name must have 1 to %d characters", VS_NAME_MAX - 1);
        return edit_fail(s, e, why);
    }
    for (const char *c = e->value; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == ',' || *c == '"')
            return edit_fail(s, e, "name may not contain control characters, commas or quotes");
    memcpy(q->name, e->value, len + 1);
    return VS_OK;
}

/* The numeric parameters and aliases, in table order (never the order given). */
static vs_status apply_values(const edit_set *s, vs_device_params *q)
{
    const vs_model *m = q->model;
    for (int i = 0; i < m->n_params; i++) {
        const edit *e = find_edit(s, m->params[i].key);
        vs_status st = e ? apply_param(s, e, i, q) : VS_OK;
        if (st != VS_OK) return st;
    }
    for (int a = 0; a < m->n_aliases; a++) {
        const edit *e = find_edit(s, m->aliases[a].key);
        vs_status st = e ? apply_alias(s, e, a, q) : VS_OK;
        if (st != VS_OK) return st;
    }
    return VS_OK;
}

/* Apply every edit over *p in rank order; *p unchanged on failure. */
static vs_status apply_edits(const edit_set *s, vs_device_params *p)
{
    vs_device_params q = *p;
    vs_status st = apply_model(s, &q);
    if (st == VS_OK) st = check_keys(s, q.model);
    if (st == VS_OK) st = apply_base(s, &q);
    if (st == VS_OK) st = apply_values(s, &q);
    if (st == VS_OK) st = apply_name(s, &q);
    if (st == VS_OK && vs_device_validate(&q) != VS_OK) st = edit_fail(s, NULL, vs_last_error());
    if (st == VS_OK) *p = q;
    return st;
}

vs_status vs_device_set(vs_device_params *p, const char *key, const char *value)
{
    edit_set s = {.source = NULL};
    vs_status st = edit_add(&s, key, value, 1, NULL);
    if (st == VS_OK) st = apply_edits(&s, p);
    return st;
}

/* vs_kv_scan visitor: keep a copy of each key and value (the line buffer is reused). */
static vs_status collect_file_entry(void *ctx, const char *key, const char *value, int line)
{
    edit_set *s = ctx;
    size_t nk = strlen(key) + 1, nv = strlen(value) + 1;
    char *copy = malloc(nk + nv);
    if (!copy) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", s->source);
    memcpy(copy, key, nk);
    memcpy(copy + nk, value, nv);
    return edit_add(s, copy, copy + nk, line, copy);
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
        char *value = eq + 1;
        while (*value == ' ') value++;
        vs_status st = edit_add(s, item, value, item_no, NULL);
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

/* The model the edits choose (or the default) and their base key, as static strings. */
static vs_status choice_of(const edit_set *s, vs_device_choice *c)
{
    c->model = NULL;
    c->base_key = NULL;
    const edit *e = find_edit(s, "model");
    if (e && !(c->model = vs_model_find(e->value))) return edit_fail(s, e, vs_last_error());
    const vs_model *m = c->model ? c->model : vs_model_default();
    if (find_edit(s, "preset")) c->base_key = "preset";
    else if (m->coord_key && find_edit(s, m->coord_key)) c->base_key = m->coord_key;
    return VS_OK;
}

vs_status vs_device_file_choice(const char *path, vs_device_choice *c)
{
    edit_set s;
    vs_status st = collect_file(path, &s);
    if (st == VS_OK) st = choice_of(&s, c);
    edit_set_free(&s);
    return st;
}

vs_status vs_device_list_choice(const char *list, vs_device_choice *c)
{
    char *copy = strdup(list ? list : "");
    if (!copy) return vs_fail(VS_ENOMEM, "out of memory");
    edit_set s;
    vs_status st = collect_list(copy, &s);
    if (st == VS_OK) st = choice_of(&s, c);
    free(copy);
    return st;
}

/* ---- writing a device ------------------------------------------------------------------ */

vs_status vs_device_write(FILE *f, const vs_device_params *p)
{
    const vs_model *m = p->model;
    fprintf(f, "# %s (%s)\nmodel = %s\n", m->title, m->doc, m->name);
    if (p->name[0]) fprintf(f, "name = %s\n", p->name);
    for (int i = 0; i < m->n_params; i++) {
        char val[32];
        vs_format_exact(val, sizeof val, p->v[i]);
        fprintf(f, "%-10s = %s%s%s  # %s\n", m->params[i].key, val, m->params[i].unit[0] ? " " : "",
                m->params[i].unit, m->params[i].meaning);
    }
    return ferror(f) ? vs_fail(VS_EIO, "cannot write the device file") : VS_OK;
}

void vs_device_json(vs_json *j, const char *key, const vs_device_params *p)
{
    const vs_model *m = p->model;
    vs_json_object(j, key);
    vs_json_str(j, "model", m->name);
    vs_json_str(j, "name", p->name[0] ? p->name : NULL);
    vs_json_int(j, "preset", p->preset);
    vs_json_num(j, "vacancy_x", p->vacancy_x);
    vs_json_object(j, "params");
    for (int i = 0; i < m->n_params; i++) vs_json_num(j, m->params[i].key, p->v[i]);
    for (int a = 0; a < m->n_aliases; a++)
        vs_json_num(j, m->aliases[a].key, p->v[m->aliases[a].target] * p->v[m->aliases[a].per]);
    vs_json_close(j);
    vs_json_object(j, "units");
    for (int i = 0; i < m->n_params; i++) vs_json_str(j, m->params[i].key, m->params[i].unit);
    for (int a = 0; a < m->n_aliases; a++) vs_json_str(j, m->aliases[a].key, m->aliases[a].unit);
    vs_json_close(j);
    vs_json_close(j);
}

void vs_device_key(const vs_device_params *p, char *buf, size_t n)
{
    const vs_model *m = p->model;
    size_t k = (size_t)snprintf(buf, n, "model=%s", m->name);
    for (int i = 0; i < m->n_params && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, " %s=%.17g", m->params[i].key, p->v[i]);
}

/* ---- hot-loop form ---------------------------------------------------------------------- */

void vs_dev_init(vs_dev *d, const vs_device_params *p, const double *xi)
{
    d->model = p->model;
    d->params = p;
    p->model->init(d, p, xi);
}

int vs_device_has_jitter(const vs_device_params *p)
{
    return p->model->has_jitter ? p->model->has_jitter(p) : 0;
}

vs_device_params vs_device_nominal(const vs_device_params *p)
{
    vs_device_params q = *p;
    for (int j = 0; j < q.model->n_params; j++)
        if (q.model->params[j].flags & VS_PARAM_JITTER) q.v[j] = 0;
    return q;
}

void vs_dev_draw(vs_dev *d, const vs_device_params *p, vs_rng *rng)
{
    double xi[8] = {0};
    int n = p->model->n_jitter_draws;
    if (!vs_device_has_jitter(p) || n <= 0) {
        vs_dev_init(d, p, NULL);
        return;
    }
    for (int i = 0; i < n && i < 8; i++) xi[i] = vs_rng_normal(rng);
    vs_dev_init(d, p, xi);
}

/* ---- quasi-static S-curve of thermal models and its folds -------------------------------- */

/* Steady state on a branch: I^2 R_heat = G (T - T_amb), V = I R, so V^2 = G (T - T_amb) R^2/R_heat. */
static double branch_v2(const vs_device_params *p, vs_branch b, double t_k, double g_th,
                        double t_amb, double *r_ohm)
{
    double r_heat;
    double r = p->model->branch_resistance(p, (int)b, t_k, &r_heat);
    if (r_ohm) *r_ohm = r;
    return g_th * (t_k - t_amb) * r * r / r_heat;
}

typedef struct scurve {
    const vs_device_params *p;
    double g_th, t_amb;
} scurve;

static double v2_at(const scurve *c, vs_branch b, double t_k)
{
    return branch_v2(c->p, b, t_k, c->g_th, c->t_amb, NULL);
}

vs_status vs_device_steady(const vs_device_params *p, vs_branch b, double t_k, double *v_v,
                           double *i_a, double *r_ohm)
{
    if (!p->model->thermal || !p->model->branch_resistance)
        return vs_fail(VS_EINVAL, "model %s has no temperature", p->model->name);
    double r;
    double v2 = branch_v2(p, b, t_k, vs_device_get(p, "g_th"), vs_device_ambient(p), &r);
    *v_v = sqrt(fmax(v2, 0.0));
    *i_a = *v_v / r;
    *r_ohm = r;
    return VS_OK;
}

/* Golden-section search for an extremum of V^2 on [a, b]; sign = +1 max, -1 min. */
static double golden_extremum(const scurve *c, vs_branch br, double a, double b, double sign)
{
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = sign * v2_at(c, br, x1), f2 = sign * v2_at(c, br, x2);
    while (b - a > 1e-9) {
        if (f1 > f2) {
            b = x2; x2 = x1; f2 = f1;
            x1 = b - g * (b - a); f1 = sign * v2_at(c, br, x1);
        } else {
            a = x1; x1 = x2; f1 = f2;
            x2 = a + g * (b - a); f2 = sign * v2_at(c, br, x2);
        }
    }
    return 0.5 * (a + b);
}

static void fill_fold(const scurve *c, vs_branch b, double t_k, vs_fold *f)
{
    double r;
    f->t_k = t_k;
    f->v_v = sqrt(branch_v2(c->p, b, t_k, c->g_th, c->t_amb, &r));
    f->r_ohm = r;
    f->i_a = f->v_v / r;
    f->p_w = f->v_v * f->i_a;
}

/* First local maximum of V_heat above ambient; NAN if none below t_hi. */
static double first_max(const scurve *c, double t_hi, double step)
{
    double prev = v2_at(c, VS_BRANCH_HEAT, c->t_amb + step);
    for (double t = c->t_amb + 2 * step; t < t_hi; t += step) {
        double cur = v2_at(c, VS_BRANCH_HEAT, t);
        if (cur < prev) return golden_extremum(c, VS_BRANCH_HEAT, t - 2 * step, t, +1.0);
        prev = cur;
    }
    return NAN;
}

/* Last local minimum of V_cool below t_hi; NAN if none. */
static double last_min(const scurve *c, double t_hi, double step)
{
    double prev = v2_at(c, VS_BRANCH_COOL, c->t_amb + step), t_min = NAN;
    int falling = 0;
    for (double t = c->t_amb + 2 * step; t < t_hi; t += step) {
        double cur = v2_at(c, VS_BRANCH_COOL, t);
        if (cur < prev) falling = 1;
        else if (falling && cur > prev) {
            t_min = golden_extremum(c, VS_BRANCH_COOL, t - 2 * step, t, -1.0);
            falling = 0;
        }
        prev = cur;
    }
    return t_min;
}

vs_status vs_thermal_folds_in(const vs_device_params *p, double t_hi, vs_fold *threshold,
                              vs_fold *hold)
{
    scurve c = {p, vs_device_get(p, "g_th"), vs_device_ambient(p)};
    if (!p->model->branch_resistance || !(c.g_th > 0))
        return vs_fail(VS_ENOTFOUND, "model %s has no thermal S-curve", p->model->name);
    const double step = 0.01;
    double t_max = first_max(&c, t_hi, step), t_min = last_min(&c, t_hi, step);
    if (isnan(t_max) || isnan(t_min))
        return vs_fail(VS_ENOTFOUND, "the device's S-curve has no %s fold between %g and %g K",
                       isnan(t_max) ? "threshold" : "hold", c.t_amb, t_hi);
    fill_fold(&c, VS_BRANCH_HEAT, t_max, threshold);
    fill_fold(&c, VS_BRANCH_COOL, t_min, hold);
    return VS_OK;
}

vs_status vs_thermal_folds(const vs_device_params *p, vs_fold *threshold, vs_fold *hold)
{
    return vs_thermal_folds_in(p, vs_device_ambient(p) + 300.0, threshold, hold);
}

vs_status vs_device_folds(const vs_device_params *p, vs_fold *threshold, vs_fold *hold)
{
    vs_status s = vs_device_validate(p);
    if (s != VS_OK) return s;
    if (!p->model->folds)
        return vs_fail(VS_ENOTFOUND, "model %s has no quasi-static folds", p->model->name);
    return p->model->folds(p, threshold, hold);
}
