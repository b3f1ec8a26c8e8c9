/* model.c -- the registry of device models: the only list of them. */
#include "vo2snn/model.h"

#include <stdio.h>
#include <string.h>

#include "models.h"

#define N_BUILT_IN 3
static const vs_model *registry[VS_MAX_MODELS] = {
    &vs_model_vo2x,
    &vs_model_zhang2024,
    &vs_model_switch,
};
static int n_models = N_BUILT_IN;

int vs_model_count(void) { return n_models; }

const vs_model *vs_model_at(int i) { return i >= 0 && i < n_models ? registry[i] : NULL; }

const vs_model *vs_model_default(void) { return registry[0]; }

const char *vs_model_names(void)
{
    static char names[512];
    size_t n = 0;
    names[0] = '\0';
    for (int i = 0; i < n_models && n < sizeof names; i++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", registry[i]->name);
    return names;
}

/* A model's table must be usable by every generated list: keys unique, defaults in range. */
static vs_status check_table(const vs_model *m)
{
    if (m->n_params < 1 || m->n_params > VS_MAX_PARAMS)
        return vs_fail(VS_EINVAL, "model %s has %d parameters (1 to %d allowed)", m->name, m->n_params,
                       VS_MAX_PARAMS);
    for (int i = 0; i < m->n_params; i++) {
        const vs_param_def *d = &m->params[i];
        if (!(d->def >= d->min && d->def <= d->max))
            return vs_fail(VS_EINVAL, "model %s: default of %s outside its bounds", m->name, d->key);
        if (vs_model_param_index(m, d->key) != i)
            return vs_fail(VS_EINVAL, "model %s: parameter %s appears twice", m->name, d->key);
    }
    return VS_OK;
}

vs_status vs_model_register(const vs_model *m)
{
    if (!m || !m->name || !m->params || !m->preset || !m->init || !m->reset || !m->resistance ||
        !m->dtemp_dt || !m->switched || !m->after_step || !m->ambient_k)
        return vs_fail(VS_EINVAL, "model to register lacks a name, a table or a required function");
    if (vs_model_find(m->name)) return vs_fail(VS_EINVAL, "a model called %s exists already", m->name);
    if (n_models == VS_MAX_MODELS)
        return vs_fail(VS_EINVAL, "at most %d models can be registered", VS_MAX_MODELS);
    vs_status st = check_table(m);
    if (st == VS_OK) registry[n_models++] = m;
    return st;
}

const vs_model *vs_model_find(const char *name)
{
    for (int i = 0; name && i < n_models; i++)
        if (strcmp(name, registry[i]->name) == 0) return registry[i];
    vs_fail(VS_EINVAL, "unknown device model '%.64s' (models: %s)", name ? name : "", vs_model_names());
    return NULL;
}

int vs_model_param_index(const vs_model *m, const char *key)
{
    for (int i = 0; m && key && i < m->n_params; i++)
        if (strcmp(key, m->params[i].key) == 0) return i;
    return -1;
}
