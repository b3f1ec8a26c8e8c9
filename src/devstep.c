/* devstep.c -- a device inside an integrated circuit, step by step. */
#include "devstep.h"

#include <math.h>
#include <string.h>

void vs_devstep_init(vs_devstep *st, const vs_device_params *p, double temp0_k, double s0,
                     uint64_t seed)
{
    st->params = p;
    st->t_event = NAN;
    st->jitter = vs_device_has_jitter(p);
    vs_rng_seed(&st->rng, seed, 0);
    vs_dev_draw(&st->dev, p, &st->rng);
    p->model->reset(&st->dev, temp0_k, s0);
    st->old = st->dev;
    vs_detector_init(&st->det, p->model->switched(&st->dev, temp0_k));
}

double vs_devstep_r_old(const vs_devstep *st, double temp_k)
{
    double r_heat;
    return st->old.model->resistance(&st->old, temp_k, &r_heat);
}

double vs_devstep_r(const vs_devstep *st, double temp_k)
{
    double r_heat;
    return st->dev.model->resistance(&st->dev, temp_k, &r_heat);
}

double vs_devstep_switched(const vs_devstep *st, double temp_k)
{
    return st->dev.model->switched(&st->dev, temp_k);
}

/* Dense-output views of the step being accepted. */
static double temp_at(double t, const void *ctx)
{
    const vs_devstep *st = ctx;
    return vs_ode_dense_component(st->ode, t, st->temp_index);
}

static double v_dev_at(double t, const void *ctx)
{
    const vs_devstep *st = ctx;
    double r = vs_devstep_r_old(st, temp_at(t, ctx));
    return st->drive_at(t, st->drive_ctx) * r / (r + st->r_ext);
}

static double switched_at(double t, const void *ctx)
{
    const vs_devstep *st = ctx;
    return st->old.model->switched(&st->old, temp_at(t, ctx));
}

/* The model's memory update; VS_STEP_EVENT leaves the device as it was. */
static int update_memory(vs_devstep *st, double t0, double t1, double temp1_k)
{
    vs_step_view view = {.t0 = t0, .t1 = t1, .temp1_k = temp1_k, .at_event = t1 == st->t_event,
                         .temp_at = temp_at, .v_dev_at = v_dev_at, .ctx = st};
    double t_event = NAN;
    int code = st->dev.model->after_step(&st->dev, &view, &t_event);
    if (code == VS_STEP_EVENT) {
        st->dev = st->old;
        st->t_event = t_event;
        return VS_ODE_REDO;
    }
    if (!(t1 < st->t_event)) st->t_event = NAN;   /* landed (or none pending) */
    return code == VS_STEP_CHANGED;
}

/* A new switching cycle at t1: redraw the jitter, keep the memory, project it again. */
static void new_cycle(vs_devstep *st, double t1, double temp1_k)
{
    double mem[VS_DEV_MEMORY];
    memcpy(mem, st->dev.mem, sizeof mem);
    vs_dev_draw(&st->dev, st->params, &st->rng);
    memcpy(st->dev.mem, mem, sizeof mem);
    /* an empty step: only make the memory consistent with the new constants at temp1_k */
    vs_step_view view = {.t0 = t1, .t1 = t1, .temp1_k = temp1_k, .at_event = 0,
                         .temp_at = temp_at, .v_dev_at = v_dev_at, .ctx = st};
    double ignored;
    st->dev.model->after_step(&st->dev, &view, &ignored);
}

int vs_devstep_accept(vs_devstep *st, const vs_ode *ode, double t0, double t1, double *y1,
                      vs_switch_events *ev)
{
    if (y1[st->temp_index] < VS_DEVSTEP_TEMP_FLOOR_K) y1[st->temp_index] = VS_DEVSTEP_TEMP_FLOOR_K;
    double temp1_k = y1[st->temp_index];
    st->ode = ode;
    st->old = st->dev;
    ev->n = 0;
    int changed = update_memory(st, t0, t1, temp1_k);
    if (changed == VS_ODE_REDO) return VS_ODE_REDO;
    double s1 = st->dev.model->switched(&st->dev, temp1_k);
    vs_detector_step(&st->det, t0, t1, s1, switched_at, st, ev);
    for (int k = 0; k < ev->n; k++)
        if (ev->kind[k] == VS_EV_REARM && st->jitter) {
            new_cycle(st, t1, temp1_k);
            changed = 1;
        }
    return changed;
}

double vs_devstep_redo_at(void *st)
{
    return ((const vs_devstep *)st)->t_event;
}
