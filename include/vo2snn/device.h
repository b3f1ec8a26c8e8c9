/*
 * device.h -- a device: a model (model.h) and the values of its parameter table, built
 * from presets, device files and --param lists; its quasi-static folds; its hot-loop form.
 *
 * The default model is vo2x (docs/models/vo2x.md): paper devices 1..5 are nodes of the
 * oxygen-vacancy coordinate x = (d-1)/4 in [0, 1]. zhang2024 (docs/models/zhang2024.md)
 * and switch (docs/models/switch.md) are the other models; every function here works
 * for any model through its table and function table.
 *
 * Text keys (device files, --param, vs_device_set): "model" (choose the model), "preset"
 * and the model's coordinate key (vo2x: "vacancy") replace the whole device, then the
 * table's parameters, then aliases (vo2x: c_th), and "name" sets the label. The keys of a
 * model are listed by vs_device_keys().
 *
 * Units: SI, except where a parameter's unit says otherwise. vs_device_params is a plain
 * value type; vs_dev (model.h) is its per-cycle hot-loop form (vs_dev_init).
 */
#ifndef VO2SNN_DEVICE_H
#define VO2SNN_DEVICE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vo2snn/model.h"
#include "vo2snn/rng.h"
#include "vo2snn/status.h"

#define VS_K_B_EV_PER_K 8.617333262e-5
#define VS_DEVICE_COUNT 5   /* paper devices (vo2x presets) */

typedef struct vs_device_params {
    const vs_model *model;      /* never NULL once built (vs_device_preset/_default) */
    double v[VS_MAX_PARAMS];
    int preset;                 /* the model's preset it was built from, 0 if edited */
    double vacancy_x;           /* vo2x: vacancy coordinate it was built from; NAN if edited
                                   or not a vo2x vacancy point */
    char name[VS_NAME_MAX];     /* label from a `name = ...` key; "" if none */
} vs_device_params;

/* The default device: model vo2x, paper device 1. */
vs_device_params vs_device_default(void);

/* Preset n (1..model->n_presets) of model m (NULL: the default model). */
vs_status vs_device_model_preset(const vs_model *m, int n, vs_device_params *out);

/* Value of parameter key, NAN if the device's model has no such key. */
double vs_device_get(const vs_device_params *p, const char *key);

/* Set parameter key to a number (no unit parsing); VS_EINVAL if unknown or out of range. */
vs_status vs_device_set_value(vs_device_params *p, const char *key, double value);

/* vo2x conveniences: paper device `number` (1..5); vacancy coordinate x in [0, 1]. */
vs_status vs_device_preset(int number, vs_device_params *out);
vs_status vs_device_from_vacancy(double x, vs_device_params *out);

/* Check every parameter against its table range, then the model's own checks. */
vs_status vs_device_validate(const vs_device_params *p);

/*
 * Set one key from text, e.g. ("r_ins0", "24.1 kOhm"), ("tau_th", "100ns"), ("c_th",
 * "2.4e-11 J/K"), ("preset", "3"), ("vacancy", "0.3"), ("model", "switch"), ("name",
 * "sample A"). On failure p is unchanged.
 */
vs_status vs_device_set(vs_device_params *p, const char *key, const char *value);

/* The keys accepted for model m (NULL: default model), with units and meanings. Static. */
const char *vs_device_keys(const vs_model *m);

/*
 * Apply a device file of `key = value` lines over p. The result does not depend on the
 * order of the lines: "model" applies first (a different model replaces the device by
 * its preset 1), then "preset" or the coordinate key (replacing every parameter), then
 * the parameters, then aliases (vo2x: c_th, through the final g_th), then "name"; each
 * parameter is checked against its own range as it is set and the whole device at the
 * end. Rejected, naming file:line: a key the model does not have, a key given twice,
 * both preset and coordinate, an alias with its target. A UTF-8 byte-order mark at the
 * start of the file is skipped. On failure p is unchanged.
 */
vs_status vs_device_load_file(const char *path, vs_device_params *p);

/*
 * Apply a comma-separated "key=value,key=value" list over p (CLI --param), by the
 * same rules as a device file; messages start with "--param: ". Blank items are
 * skipped. On failure p is unchanged.
 */
vs_status vs_device_apply_list(vs_device_params *p, const char *list);

/*
 * What a device file or a --param list chooses by itself: its model (NULL if it has no
 * "model" key) and the key that replaces the whole device ("preset", the coordinate key,
 * or NULL). Lets a caller refuse two choices, such as --device 3 with a file that says
 * "preset = 1". VS_OK also when the text does not name them; errors only if it cannot
 * be read or names an unknown model.
 */
typedef struct vs_device_choice {
    const vs_model *model;
    const char *base_key;
} vs_device_choice;
vs_status vs_device_file_choice(const char *path, vs_device_choice *c);
vs_status vs_device_list_choice(const char *list, vs_device_choice *c);

/*
 * Write p as a device file (model, name, every parameter with its unit), readable by
 * vs_device_load_file into the same values. VS_EIO on a write error.
 */
vs_status vs_device_write(FILE *f, const vs_device_params *p);

/*
 * p as a nested JSON object under key: "model", "name", "preset", "vacancy_x",
 * "params" {key: value, ..., aliases too} and "units" {key: unit}.
 */
struct vs_json;
void vs_device_json(struct vs_json *j, const char *key, const vs_device_params *p);

/*
 * One line naming the model and every parameter value exactly, "model=vo2x r_ins0=... ",
 * for cache keys and checkpoint provenance. Needs about 40 bytes per parameter.
 */
void vs_device_key(const vs_device_params *p, char *buf, size_t n);

/* Film-level display model (vo2x.md 1.4): R_f,ins scaled from 10 kOhm at x = 0,
   R_met = 10 ohm. Other models: a copy. */
void vs_device_film(const vs_device_params *p, vs_device_params *film);

/* ---- quasi-static characteristics ---------------------------------------------------- */

typedef struct vs_fold {
    double v_v, i_a, t_k, r_ohm, p_w;   /* t_k NAN for models without a temperature */
} vs_fold;

typedef enum vs_branch { VS_BRANCH_HEAT = 0, VS_BRANCH_COOL = 1 } vs_branch;

/* Ambient temperature of p's model. */
double vs_device_ambient(const vs_device_params *p);

/* Steady state of the device alone on a branch at temperature t_k: V, I, R (thermal
   models; VS_EINVAL otherwise). */
vs_status vs_device_steady(const vs_device_params *p, vs_branch b, double t_k, double *v_v,
                           double *i_a, double *r_ohm);

/*
 * Threshold and hold points of the quasi-static I-V curve: for thermal models the first
 * local maximum of V_heat(T) above ambient and the last local minimum of V_cool(T),
 * located to 1e-9 K. VS_ENOTFOUND if the curve has no fold (e.g. a device with no
 * negative differential resistance) or the model has no folds.
 */
vs_status vs_device_folds(const vs_device_params *p, vs_fold *threshold, vs_fold *hold);

/* ---- for model implementations --------------------------------------------------------- */

/* p = model m with every parameter at its table default, preset 1, vacancy_x NAN, no name. */
void vs_device_params_defaults(const vs_model *m, vs_device_params *p);

/* Folds of a thermal model from its branch_resistance, ambient and its "g_th" parameter,
   searched from ambient to t_hi_k (vs_thermal_folds: ambient + 300 K). */
vs_status vs_thermal_folds_in(const vs_device_params *p, double t_hi_k, vs_fold *threshold,
                              vs_fold *hold);
vs_status vs_thermal_folds(const vs_device_params *p, vs_fold *threshold, vs_fold *hold);

/* ---- hot-loop form ------------------------------------------------------------------- */

/* The device for one switching cycle: nominal (xi NULL) or with xi's jitter draws. */
void vs_dev_init(vs_dev *d, const vs_device_params *p, const double *xi);

/* 1 if p has cycle-to-cycle jitter. */
int vs_device_has_jitter(const vs_device_params *p);

/* p without its cycle-to-cycle jitter: every VS_PARAM_JITTER parameter 0 (the nominal device). */
vs_device_params vs_device_nominal(const vs_device_params *p);

/* Start a new switching cycle, keeping the memory: the nominal device without jitter,
   else with n_jitter_draws standard normal deviates drawn from rng. */
void vs_dev_draw(vs_dev *d, const vs_device_params *p, vs_rng *rng);

#endif
