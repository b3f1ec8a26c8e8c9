/*
 * model.h -- the device-model interface: what a two-terminal threshold device must
 * provide so that the neuron, the sweeps, the transfer function, networks and the
 * netlist writer can use it without knowing which device it is.
 *
 * A model is one vs_model: a declarative parameter table (key, unit, default, bounds,
 * meaning) and a table of functions. Everything that lists parameters -- CLI --param
 * keys, device files, `params --keys`, JSON, checkpoints, transfer-cache keys and the
 * netlist's .param lines -- is generated from the table; nothing else names them.
 *
 * The physics is split the same way for every model:
 *   resistance(T)        R of the device at temperature T with the memory held fixed
 *                        (the rhs of the circuit ODE calls this at every stage), and the
 *                        part of it whose Joule heat reaches the thermal node,
 *   dtemp_dt(P, T)       heat balance dT/dt for the power P heating the thermal node,
 *   switched(T)          the device's metallic ("switched") fraction in [0, 1], what the
 *                        spike detector watches,
 *   after_step(view)     the memory update after an accepted step (hysteresis projection,
 *                        reversal bookkeeping, threshold events); it may ask the caller to
 *                        land a step exactly on an event time first,
 *   next_break(t)        a scheduled switching time the integrator must step onto,
 *   folds                quasi-static threshold and hold points (NULL if the model has none),
 *   write_netlist        the model as ngspice .param/.func lines and a device subcircuit.
 *
 * Models: "vo2x" (docs/models/vo2x.md; default), "zhang2024" (docs/models/zhang2024.md),
 * "switch" (docs/models/switch.md). Units: SI throughout, except where a parameter's unit
 * says otherwise (eV for activation energies).
 */
#ifndef VO2SNN_MODEL_H
#define VO2SNN_MODEL_H

#include <stddef.h>
#include <stdio.h>

#include "vo2snn/rng.h"
#include "vo2snn/status.h"

#define VS_MAX_PARAMS 24     /* parameters of one model, at most */
#define VS_DEV_CONSTS 20     /* precomputed constants of one switching cycle */
#define VS_DEV_MEMORY 8      /* memory (hysteresis state) of one device */
#define VS_NAME_MAX 64       /* a device's label, bytes including the terminator */
#define VS_MAX_MODELS 16     /* built-in and registered models together */

struct vs_device_params;
struct vs_fold;
struct vs_dev;

/* One row of a model's parameter table. */
typedef struct vs_param_def {
    const char *key;       /* --param / device-file / JSON / netlist name, e.g. "r_ins0" */
    const char *unit;      /* unit accepted and printed, e.g. "Ohm"; "" if dimensionless */
    double def;            /* default: the model's first preset */
    double min, max;       /* allowed range, inclusive */
    const char *meaning;   /* one line for help texts and netlist comments */
    unsigned flags;        /* VS_PARAM_* */
} vs_param_def;

enum {
    VS_PARAM_JITTER = 1u << 0,   /* cycle-to-cycle spread: editing it keeps the preset's provenance;
                                    never fitted (vs_fit fits the nominal device) */
    VS_PARAM_SETTING = 1u << 1,  /* a condition or reference (ambient, a reference temperature, a
                                    numerical clamp), not a property to fit: held unless freed */
    VS_PARAM_OPTIONAL = 1u << 2  /* an optional part (e.g. a contact resistance, 0 = none): held
                                    by vs_fit unless freed */
};

/* A key computed into a table parameter: target = value / v[per] (e.g. c_th -> tau_th). */
typedef struct vs_param_alias {
    const char *key, *unit, *meaning;
    int target;            /* index of the parameter it sets */
    int per;               /* index of the parameter it is divided by */
} vs_param_alias;

/*
 * What after_step sees of an accepted step [t0, t1]. An empty step (t0 == t1, at_event 0)
 * only asks the model to make its memory consistent with temp1_k, e.g. after the constants
 * of a new switching cycle were drawn; it must not count as a crossing or a reversal.
 * At the end of a step that landed on an event time it asked for (at_event 1), the model
 * acts on its event even if its own test there is marginal (the landing step can miss the
 * threshold by the integrator's tolerance).
 */
typedef struct vs_step_view {
    double t0, t1;
    double temp1_k;        /* temperature at t1 (after the caller's guards) */
    int at_event;          /* t1 is an event time that after_step asked to land on */
    /* dense output inside the step: temperature and device voltage (V across the device) */
    double (*temp_at)(double t, const void *ctx);
    double (*v_dev_at)(double t, const void *ctx);
    const void *ctx;
} vs_step_view;

/* after_step results */
enum {
    VS_STEP_KEEP = 0,      /* memory unchanged or changed without effect on the rhs */
    VS_STEP_CHANGED = 1,   /* the rhs changed at t1: re-evaluate the derivative there */
    VS_STEP_EVENT = 3      /* *t_event in (t0, t1) set, nothing changed: redo the step so
                              that it ends at *t_event, then call after_step again */
};

typedef struct vs_model {
    const char *name;        /* "vo2x" */
    const char *title;       /* one line: what the model is */
    const char *doc;         /* the file in this repository that documents it */
    const vs_param_def *params;
    int n_params;
    const vs_param_alias *aliases;
    int n_aliases;
    int n_presets;           /* presets 1..n_presets (preset 1 = the defaults) */
    const char *coord_key;   /* a continuous preset coordinate, e.g. "vacancy"; NULL: none */
    const char *coord_meaning;
    int n_jitter_draws;      /* standard normal draws per switching cycle (0: none) */
    int thermal;             /* 1 if the device has a temperature state */

    /* Parameters of preset n (1..n_presets) into p->v; p->vacancy_x as provenance. */
    vs_status (*preset)(int n, struct vs_device_params *p);
    /* Parameters at coordinate x of coord_key (NULL if the model has none). */
    vs_status (*from_coord)(double x, struct vs_device_params *p);
    /* Checks across parameters (each one's range is checked from the table). */
    vs_status (*validate)(const struct vs_device_params *p);
    /* Ambient / base temperature: where a run starts and what the device cools to. */
    double (*ambient_k)(const struct vs_device_params *p);
    /* 1 if p has cycle-to-cycle jitter switched on. */
    int (*has_jitter)(const struct vs_device_params *p);

    /* Constants of one switching cycle; xi holds n_jitter_draws standard normals or is NULL. */
    void (*init)(struct vs_dev *d, const struct vs_device_params *p, const double *xi);
    /* Memory at the initial state: temperature t_k, metallic fraction s0 in [0, 1]. */
    void (*reset)(struct vs_dev *d, double t_k, double s0);
    /* R at t_k with the memory held; *r_heat_ohm = the part of R whose I^2 R heats the
       thermal node (R itself unless the model has an unheated series part). */
    double (*resistance)(const struct vs_dev *d, double t_k, double *r_heat_ohm);
    double (*dtemp_dt)(const struct vs_dev *d, double p_w, double t_k);
    double (*switched)(const struct vs_dev *d, double t_k);
    int (*after_step)(struct vs_dev *d, const vs_step_view *s, double *t_event);
    double (*next_break)(const struct vs_dev *d, double t);   /* NULL: none */

    /* Quasi-static threshold and hold folds; NULL if the model has none. */
    vs_status (*folds)(const struct vs_device_params *p, struct vs_fold *threshold,
                       struct vs_fold *hold);
    /* R on the heating (branch 0) or cooling (1) major branch at t_k, for R-T and
       S-curves, and *r_heat_ohm its heated part (see resistance); NULL for models
       without a temperature. */
    double (*branch_resistance)(const struct vs_device_params *p, int branch, double t_k,
                                double *r_heat_ohm);

    /* The model functions (.func), any .options it needs and the device subcircuit
       `vsdevice` with ports (a b temp m) for ngspice; the .param lines come from the table. */
    vs_status (*write_netlist)(FILE *f, const struct vs_device_params *p, double tau_m_s);
} vs_model;

/* Hot-loop form of one device: its model, constants of the current cycle, memory. */
typedef struct vs_dev {
    const vs_model *model;
    const struct vs_device_params *params;
    double c[VS_DEV_CONSTS];
    double mem[VS_DEV_MEMORY];
} vs_dev;

/* ---- the model registry ------------------------------------------------------------- */

/* Number of models and model i (0 = the default, vo2x). */
int vs_model_count(void);
const vs_model *vs_model_at(int i);

/* The model called name, or NULL (vs_last_error names the known models). */
const vs_model *vs_model_find(const char *name);
const vs_model *vs_model_default(void);

/* "vo2x, zhang2024, switch": for help texts. */
const char *vs_model_names(void);

/*
 * Add a model defined outside the library (e.g. a user's own, or a test's) so that every
 * device file, --param list, checkpoint and netlist can use it by name. Not thread-safe:
 * register at start-up. m must outlive its use. VS_EINVAL if its name is taken, a required
 * function is missing, or its table is unusable (duplicate keys, a default out of bounds).
 */
vs_status vs_model_register(const vs_model *m);

/* Index of key in m's parameter table, or -1. */
int vs_model_param_index(const vs_model *m, const char *key);

#endif
