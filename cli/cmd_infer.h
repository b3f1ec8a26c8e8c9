/* cmd_infer.h -- `vo2snn infer` as a function: a trained checkpoint run as circuit neurons,
   settings in, tables, plots and summary.json out, and the scores and energies as a struct.
   The command and `vo2snn paper` both run it; the paper's report reads the result (spiking
   accuracy, agreement, energy per inference, and the accuracy per window of --windows). */
#ifndef VO2SNN_CLI_CMD_INFER_H
#define VO2SNN_CLI_CMD_INFER_H

#include <stdio.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/idx.h"
#include "vo2snn/infer.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"

typedef struct infer_args {
    const char *checkpoint;   /* written by vo2snn train */
    const char *data;         /* IDX directory; NULL: $VO2SNN_DATA */
    const char *dataset;      /* "mnist" or "fashion" */
    const char *cache;        /* transfer-function cache; NULL: the default, "none": off */
    const char *opamp;        /* "ideal" or "nonideal" (cli_opamp_choices) */
    cli_opamp_args opamp_p;   /* its supply, quiescent current, input offset and (nonideal) gain */
    train_deploy_args deploy; /* the device and circuit to run on (default: the checkpoint's) */
    const char *windows;      /* NULL: the one window io.window_s; else a list as --windows
                                 takes it, e.g. "25us,50us,100us" (then windows.csv/.png) */
    const char *engine;       /* "fast" or "reference" (infer_engine_choices) */
    vs_infer_opts io;         /* window_s, dt_s, tau_syn_s, r_tolerance, sim.h_max_s; its opamp,
                                 seed, sim.rtol and engine come from opamp, seed, rtol, engine */
    long limit;               /* test images run (0: all) */
    long image;               /* the detail image; -1: the first 8, else image 0 */
    long threads, seed;
    double rtol;
    int given_window;         /* --window was given (it excludes --windows) */
    const char *out;          /* output directory */
    int json, plot;           /* json: no per-window lines on stderr; plot: CLI_PLOT_NONE,
                                 CLI_PLOT_PNG or CLI_PLOT_PNG_SVG */
} infer_args;

/* The test images through the circuit network at one presentation window. */
typedef struct infer_window {
    double window_s;
    long n;                        /* images */
    double accuracy;               /* spiking network */
    double rate_accuracy;          /* the rate model on the same images */
    double agreement;              /* fraction where the two give the same class */
    double seconds;                /* wall time */
    vs_infer_energy energy;        /* mean per inference (J); energy.total_j is JSON "total" */
    double neurons_j;              /* of which the neurons' sources (input + hidden + output) */
    double opamp_quiescent_j;      /* of which the op-amps' quiescent draw (part of synapse_j):
                                      n_opamps 2 V_supply I_q over the window's grid */
    double spikes[3];              /* mean spikes per image: input, hidden, output layer */
    double energy_per_spike_j;
} infer_window;

typedef struct infer_result {
    vs_checkpoint_info info;  /* what the network was trained through */
    train_deploy dep;         /* what it runs on: device, circuit, transfer function dep.t, and
                                 the trained one (owned) */
    vs_dataset test;          /* the test files read and their shape (owned); pixels released */
    vs_infer_opts io;         /* the adders and integrator run (opamp, seed, rtol applied) */
    int n_windows;            /* windows run, in order (1 without a->windows) */
    double *windows_s;        /* (n_windows, owned) */
    infer_window *windows;    /* (n_windows, owned); windows.csv holds one row each */
    infer_window summary;     /* the last window: what summary.json and the text report */
    long image;               /* the detail image */
    int detail_label, detail_predicted;
    int engine;               /* the engine the network ran on (vs_infer_net_engine) */
} infer_result;

/* What `vo2snn infer` runs with no options. */
void infer_defaults(infer_args *a);
/* Check the windows, checkpoint, data and detail image; run the test images at each window
   (the detail image with the last); write the CSVs, the plots (as a->plot asks) and
   <out>/summary.json. Progress (and without a->json one line per window) on stderr only.
   1 after one line on stderr, with nothing held. r is overwritten: free an earlier one. */
int infer_exec(const char *prog, const infer_args *a, infer_result *r);
/* The summary `--json` prints (and <out>/summary.json holds). */
void infer_json(FILE *f, const infer_args *a, const infer_result *r);
/* Release what r holds (also fine on a zeroed or already freed result). */
void infer_result_free(infer_result *r);

#endif
