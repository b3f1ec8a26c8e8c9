/* devstep.h -- one device inside an integrated circuit, step by step (internal): the
   memory update after each accepted step (with event landing), switching detection and
   cycle-to-cycle jitter. Shared by the neuron (neuron.c) and the sweeps (iv.c). */
#ifndef VO2SNN_DEVSTEP_H
#define VO2SNN_DEVSTEP_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/device.h"
#include "vo2snn/ode.h"
#include "vo2snn/rng.h"
#include "vo2snn/spikes.h"

typedef struct vs_devstep {
    const vs_device_params *params;
    vs_dev dev;          /* the device now */
    vs_dev old;          /* the device at the start of the step being accepted */
    const vs_ode *ode;   /* that step's dense output */
    size_t temp_index;   /* the component of y holding the temperature */
    double r_ext;        /* resistance in series with the device, inside the drive */
    /* the voltage across the device and r_ext at time t inside the step */
    double (*drive_at)(double t, const void *ctx);
    const void *drive_ctx;
    vs_switch_detector det;
    double t_event;      /* the time the device asked a step to end at, or NAN */
    int jitter;
    vs_rng rng;
} vs_devstep;

/* The device of p at temperature temp0_k with switched fraction s0; jitter seeded by seed
   (the first cycle is drawn here). */
void vs_devstep_init(vs_devstep *st, const vs_device_params *p, double temp0_k, double s0,
                     uint64_t seed);

/*
 * After the accepted step [t0, t1] with state y1 at t1: hold the temperature y1[temp_index]
 * at or above VS_DEVSTEP_TEMP_FLOOR_K (a guard against wild iterates), update the device's
 * memory, detect its switching events into ev and start a new switching cycle at each
 * re-arm. Returns VS_ODE_REDO (nothing changed; vs_devstep_redo_at gives the time), 1 if
 * the right-hand side changed at t1, else 0.
 */
#define VS_DEVSTEP_TEMP_FLOOR_K 200.0
int vs_devstep_accept(vs_devstep *st, const vs_ode *ode, double t0, double t1, double *y1,
                      vs_switch_events *ev);

/* The redo_at callback of vs_ode_system, for ctx = the vs_devstep. */
double vs_devstep_redo_at(void *st);

/* R and its switched fraction inside the step being accepted (memory at its start). */
double vs_devstep_r_old(const vs_devstep *st, double temp_k);

/* R now, and its switched fraction now. */
double vs_devstep_r(const vs_devstep *st, double temp_k);
double vs_devstep_switched(const vs_devstep *st, double temp_k);

#endif
