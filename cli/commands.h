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
#include <stdint.h>
#include <stdio.h>
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

#endif
