/*
 * commands.h -- the vo2snn subcommands. Each takes the arguments after its
 * name and returns the process exit status (0 ok, 1 error, after one line on
 * stderr).
 */
#ifndef VO2SNN_CLI_COMMANDS_H
#define VO2SNN_CLI_COMMANDS_H

int cmd_demo(int argc, char **argv);
int cmd_iv(int argc, char **argv);
int cmd_rt(int argc, char **argv);
int cmd_osc(int argc, char **argv);
int cmd_netlist(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_phase(int argc, char **argv);
int cmd_triple(int argc, char **argv);
int cmd_vf(int argc, char **argv);
int cmd_cycles(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_net2x2(int argc, char **argv);
int cmd_infer(int argc, char **argv);
int cmd_chips(int argc, char **argv);
int cmd_bom(int argc, char **argv);
int cmd_paper(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* ---- pieces shared between commands (demo reuses them) ---- */
#include <stddef.h>
#include "vo2snn/device.h"
#include "vo2snn/iv.h"

int rt_run(const char *prog, const vs_device_params *p, double t_lo, double t_hi, size_t n,
           const char *path, vs_rt_summary *out);
void rt_plot_script(char *buf, size_t n, const char *csv, const char *title);
int iv_run(const char *prog, const vs_device_params *p, const vs_iv_opts *o,
           const char *trace_path, vs_iv_result *r);
int iv_write_scurve(const char *prog, const vs_device_params *p, const char *path);
void iv_plot_script(char *buf, size_t n, const char *trace, const char *scurve, const char *title);

/* Shared by train, eval and infer. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include "common.h"
#include "vo2snn/idx.h"
#include "vo2snn/json.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"
int train_load_split(const char *prog, const char *data, const char *dataset, const char *prefix,
                     vs_dataset *out);
int train_write_confusion(const char *prog, const char *path, const uint32_t *cm);
/* The confusion-matrix PNG of a CSV from train_write_confusion (plot: CLI_PLOT_PNG or
   CLI_PLOT_PNG_SVG; CLI_PLOT_NONE writes nothing). */
int train_plot_confusion(const char *prog, int plot, const char *csv, const char *png, const char *title);
/* The transfer-function cache a --cache value names: "none" NULL (no cache), NULL the default
   (vs_transfer_default_cache, into buf), else itself. */
const char *train_cache_dir(const char *cache, char *buf, size_t n);
int train_build_transfer(const char *prog, const vs_device_params *dev, const vs_circuit *c,
                         const vs_transfer_opts *to, const char *cache, vs_transfer *t);
/* Refuse a checkpoint whose input layer does not fit the images of d (names both). */
int train_check_checkpoint_fits(const char *prog, const char *path, const vs_checkpoint_info *info,
                                const vs_dataset *d);
/* The detail image: --image N if given (>= 0), else the first 8, else image 0; checked. */
int train_resolve_image(const char *prog, const vs_dataset *test, long requested, long *image);
/* Free d's pixels and labels once a run is done with them (NULL after); its files, count and
   shape stay for the summary, and vs_dataset_free still releases the rest. */
void train_release_pixels(vs_dataset *d);
/* "data: FILE, FILE[, FILE, FILE] (R x C images)" and its JSON twin ("dataset", "data"). */
void train_print_data(FILE *f, const vs_dataset *a, const vs_dataset *b);
void train_json_data(vs_json *j, const char *dataset, const vs_dataset *a, const vs_dataset *b);
/* What a checkpoint's network was trained through, as JSON keys of the open object j:
   "device" (label), "device_params" (vs_device_json), "circuit" (R_s, C, R_sense),
   "transfer_v_on_v", "transfer_v_peak_v", "transfer_f_peak_hz" (measured), "transfer" (every
   setting that determined it) and "network" (layers, loss, optimiser, schedule, ...); and as
   text lines "device: ...", "circuit: ...", "transfer: ...", "network: ...". */
void train_json_checkpoint(vs_json *j, const vs_checkpoint_info *info, const vs_transfer *t);
void train_print_checkpoint(FILE *f, const vs_checkpoint_info *info, const vs_transfer *t);
/* "circuit": {"r_series_ohm", "c_f", "r_sense_ohm"} (also net2x2). */
void train_json_circuit(vs_json *j, const vs_circuit *c);

/* ---- a checkpoint deployed on another device or circuit (eval, infer) ----
   The trained weights stay; the neurons change. The network is run exactly as on the device
   it was trained with, calibrated to the deployed one: pixels drive its V_on..V_peak, and
   the synaptic gains are w/s_peak with its s_peak, so each weight means the same fraction of
   its spike signal; biases and adder rails stay in volts. The rate model (eval's score,
   infer's rate_accuracy) then runs through the deployed transfer function. */
typedef struct train_deploy_args {
    cli_device_args dev;   /* any option given: the device to run on */
    vs_circuit circ;       /* NAN: the checkpoint's value */
} train_deploy_args;
#define TRAIN_DEPLOY_DEFAULTS {.dev = CLI_DEVICE_DEFAULTS, .circ = {.r_series_ohm = NAN, .c_f = NAN, .r_sense_ohm = NAN}}
#define TRAIN_DEPLOY_NOTE " (default: the checkpoint's)"
#define TRAIN_DEPLOY_OPTS(a)                                                                       \
    CLI_DEVICE_OPTS_NOTE((a).dev, "; runs the network on it" TRAIN_DEPLOY_NOTE),                   \
    {.name = "r-series", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R",                     \
     .help = "series resistor R_s of every neuron" TRAIN_DEPLOY_NOTE, .dest = &(a).circ.r_series_ohm, \
     .min = 1e-3, .max = CLI_R_MAX_OHM},                                                           \
    {.name = "cap", .alias = "c", .kind = OPT_QUANTITY, .unit = "F", .metavar = "C",               \
     .help = "parallel capacitor of every neuron" TRAIN_DEPLOY_NOTE, .dest = &(a).circ.c_f,        \
     .min = 1e-18, .max = CLI_C_MAX_F},                                                            \
    {.name = "r-sense", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R",                       \
     .help = "sense resistor of every neuron" TRAIN_DEPLOY_NOTE, .dest = &(a).circ.r_sense_ohm,    \
     .min = 0, .max = CLI_R_MAX_OHM}
#define TRAIN_DEPLOY_HELP                                                                          \
    "Deploying: the device and circuit options run the trained weights on other neurons\n"        \
    "(e.g. a device file from vo2snn fit); without them, the checkpoint's. --param alone\n"       \
    "edits the checkpoint's device. The deployed transfer function is measured with the\n"        \
    "checkpoint's settings, and the network is calibrated to it as it was to its own: pixels\n"   \
    "drive V_on..V_peak of the deployed device and the synaptic gains are w/s_peak with its\n"    \
    "s_peak; the biases and adder rails stay in volts. The rate model runs through the\n"        \
    "deployed transfer function. Both the trained and the deployed device are reported.\n"

/* What a checkpoint runs on: device, circuit, and their transfer function. */
typedef struct train_deploy {
    vs_device_params dev;
    vs_circuit circ;
    vs_transfer t;           /* the transfer function run through (owned) */
    vs_transfer t_trained;   /* the checkpoint's own (owned) when elsewhere, else unused */
    int elsewhere;           /* 1: the device or circuit differs from the checkpoint's */
} train_deploy;

/* The device and circuit of a over the checkpoint's (info), then their transfer functions
   (deployed, and the trained one when they differ). 1 after one line, nothing held. */
int train_deploy_build(const char *prog, const train_deploy_args *a, const vs_checkpoint_info *info,
                       const char *cache, train_deploy *out);
/* The checkpoint's own transfer function. */
const vs_transfer *train_deploy_trained(const train_deploy *d);
void train_deploy_free(train_deploy *d);
/* "trained_with" and "deployed_on": {"device", "device_params", "circuit", "transfer_v_on_v",
   "transfer_v_peak_v", "transfer_s_peak_v", "transfer_f_peak_hz"}; as text "trained with: ..."
   and "deployed on: ..." lines. */
void train_json_deploy(vs_json *j, const vs_checkpoint_info *info, const train_deploy *d);
void train_print_deploy(FILE *f, const vs_checkpoint_info *info, const train_deploy *d);

#endif
