/* cmd_train.h -- `vo2snn train` as a function: settings in, the checkpoint, tables, plots and
   summary.json out, and what the summary says as a struct. The command and `vo2snn paper`
   both run it; the paper's report reads the result (final test accuracy, epochs). */
#ifndef VO2SNN_CLI_CMD_TRAIN_H
#define VO2SNN_CLI_CMD_TRAIN_H

#include <stddef.h>
#include <stdio.h>

#include "common.h"
#include "vo2snn/idx.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"

typedef struct train_args {
    cli_device_args dev;
    vs_circuit circ;
    const char *data;          /* IDX directory; NULL: $VO2SNN_DATA */
    const char *dataset;       /* "mnist" or "fashion" */
    const char *checkpoint;    /* NULL: <out>/checkpoint.vsck */
    const char *cache;         /* transfer-function cache; NULL: the default, "none": off */
    const char *loss, *optim, *schedule;   /* "mse"/"ce", "adam"/"sgd", "cosine"/"constant" */
    long hidden, epochs, batch, seed, threads, shift;
    long train_limit, test_limit;          /* images used (0: all) */
    long image;                            /* output-rate histogram image; -1: the first 8 */
    double lr, momentum, rail, surrogate, target, ce_scale;
    int resume, given_rail;
    const char *d2d;           /* noise-aware training: a fresh chip per mini-batch (NULL: none) */
    double d2d_gradient;
    int c2c;                   /* also the device's cycle-to-cycle jitter, as per-batch draws */
    FILE *log;                 /* the data, setup and epoch lines as they happen (not NULL):
                                  stderr by default, stdout for the command's text summary */
    const char *out;           /* output directory */
    int json, plot;            /* plot: CLI_PLOT_NONE, CLI_PLOT_PNG or CLI_PLOT_PNG_SVG */
} train_args;

typedef struct train_result {
    vs_checkpoint_info info;   /* settings and per-epoch metrics; info.epoch = epochs trained */
    vs_transfer t;             /* the transfer function trained through (owned) */
    vs_dataset train, test;    /* the files read and their shape (owned); pixels released */
    size_t n_train, n_test;    /* images used of each split */
    long image;                /* the output-rate histogram's test image */
    double test_accuracy;      /* final, on the n_test test images */
    int finished;              /* 1 once every epoch ran and the figures are written */
    char ck[4096], metrics[4096], table[4096], summary[4096];   /* files written */
} train_result;

/* What `vo2snn train` runs with no options. */
void train_defaults(train_args *a);
/* Load the data, measure the transfer function, train epoch by epoch (after each: the
   checkpoint, <out>/metrics.csv and <out>/summary.json), then the figures (as a->plot asks)
   and the finished summary.json. Progress and a->log lines only; nothing else on stdout.
   1 after one line on stderr, with nothing held. r is overwritten: free an earlier one. */
int train_exec(const char *prog, const train_args *a, train_result *r);
/* The summary `--json` prints (and <out>/summary.json holds). */
void train_json(FILE *f, const train_args *a, const train_result *r);
/* Release what r holds (also fine on a zeroed or already freed result). */
void train_result_free(train_result *r);

#endif
