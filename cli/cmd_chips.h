/* cmd_chips.h -- `vo2snn chips` as a function: Monte Carlo chips of a trained network at
   circuit level (docs/variation.md). Each chip is the checkpoint's network with every neuron
   its own device (D2D terms of --d2d, drawn for chip k of --seed), its own C2C jitter stream
   and its synaptic resistors realised from an E series and a tolerance; it is run as `vo2snn
   infer` runs it over the first --limit test images. Settings in; chips.csv, summary.json,
   (with --sweep) sweep.csv, and their plots out; the per-chip scores as a struct. */
#ifndef VO2SNN_CLI_CMD_CHIPS_H
#define VO2SNN_CLI_CMD_CHIPS_H

#include <stdio.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/idx.h"
#include "vo2snn/infer.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"
#include "vo2snn/chiprate.h"
#include "vo2snn/variation.h"

typedef struct chips_args {
    const char *checkpoint;   /* written by vo2snn train */
    const char *data;         /* IDX directory; NULL: $VO2SNN_DATA */
    const char *dataset;      /* "mnist" or "fashion" */
    const char *cache;        /* transfer-function cache; NULL: the default, "none": off */
    long chips;               /* chips simulated (>= 1) */
    long first_chip;          /* index of the first chip; chips first_chip .. first_chip+chips-1 */
    const char *d2d;          /* "KEY=SIGMA,..." for the checkpoint's model (NULL: none) */
    double d2d_gradient;      /* [0, 1]: share of each D2D variance that is a trend across the chip */
    const char *d2d_layers;   /* "input,hidden,output" (vs_d2d_layers_parse), "all" */
    const char *e_series;     /* "E12".."E96" or "none" (NULL: exact resistors) */
    double r_spread;          /* relative sigma of each adder resistor (normal) */
    int given_r_spread;       /* without it, an E series draws uniformly within its tolerance */
    long seed;                /* of every draw (D2D, C2C, resistors) */
    long limit;               /* test images per chip (0: all) */
    double window_s;          /* presentation window per image */
    double yield_threshold;   /* a chip counts towards the yield at accuracy >= this */
    const char *sweep;        /* "KEY=s1,s2,...": the Monte Carlo once per sigma of KEY (NULL: none) */
    int rate;                 /* the rate model on each chip (chiprate.h) instead of the circuit */
    const char *opamp;        /* "ideal" or "nonideal" (cli_opamp_choices) */
    const char *engine;       /* "fast" or "reference" (cli_engine_choices) */
    cli_opamp_args opamp_p;   /* its supply, quiescent current, input offset and (nonideal) gain */
    long threads;
    const char *out;          /* output directory */
    int json, plot;           /* json: no per-chip lines on stderr; plot: CLI_PLOT_NONE or CLI_PLOT_PNG */
} chips_args;

/* One chip over the test images. */
typedef struct chips_chip {
    int chip;                 /* its index */
    double accuracy;          /* spiking network */
    vs_infer_energy energy;   /* mean per inference (J) */
    double spikes[3];         /* mean spikes per image: input, hidden, output layer */
    double seconds;           /* wall time */
} chips_chip;

typedef struct chips_stats {
    double mean, std, min, max;   /* std: the sample standard deviation (n - 1; 0 for one chip) */
} chips_stats;

/* The Monte Carlo over every chip at one setting of the variation. */
typedef struct chips_mc {
    double sigma;             /* the swept sigma (its term's unit); NAN without --sweep */
    vs_d2d d2d;               /* the terms run */
    chips_chip *chip;         /* (n_chips, owned) */
    int n_chips;
    chips_stats accuracy, energy_j;
    vs_infer_energy energy_mean;   /* each part averaged over the chips */
    double yield;             /* fraction of chips with accuracy >= yield_threshold */
} chips_mc;

typedef struct chips_result {
    vs_checkpoint_info info;  /* what the network was trained through (and runs on) */
    vs_transfer t;            /* its transfer function (owned) */
    vs_dataset test;          /* the test files read and their shape (owned); pixels released */
    vs_infer_opts io;         /* what every chip runs with (d2d and chip set per run) */
    vs_d2d d2d;               /* --d2d and --d2d-gradient */
    int e_series;             /* 0: exact resistors */
    long n_images;            /* test images per chip */
    int sweep_param;          /* table index of the swept term; -1 without --sweep */
    int n_mc;                 /* Monte Carlo runs: 1, or one per sigma of --sweep */
    chips_mc *mc;             /* (n_mc, owned) */
    double seconds;           /* wall time of every chip */
} chips_result;

/* What `vo2snn chips` runs with no options. */
void chips_defaults(chips_args *a);
/* Check every input (variation spec against the checkpoint's model, data, window) before any
   work; run each chip over the test images; write chips.csv, summary.json (and with --sweep
   sweep.csv) and the plots a->plot asks for under a->out. Progress (and without a->json one
   line per chip) on stderr only. 1 after one line on stderr, with nothing held. */
int chips_exec(const char *prog, const chips_args *a, chips_result *r);
/* The summary `--json` prints (and <out>/summary.json holds). */
void chips_json(FILE *f, const chips_args *a, const chips_result *r);
/* Release what r holds (also fine on a zeroed or already freed result). */
void chips_result_free(chips_result *r);

#endif
