/* cmd_bom.h -- `vo2snn bom` as a function (issue 14 item 2): the resistor list of a trained
   network deployed on circuits (every resistor its two-stage adders need, from the gains
   vs_infer_net realises, rounded to an E series on request) and an ngspice netlist of a
   subset of it for one test image, with vo2snn's own spike counts of the same subset.
   Settings in; <out>/bom.csv, <out>/network.cir and <out>/summary.json out; the numbers as a
   struct. */
#ifndef VO2SNN_CLI_CMD_BOM_H
#define VO2SNN_CLI_CMD_BOM_H

#include <stdio.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/bom.h"
#include "vo2snn/idx.h"
#include "vo2snn/infer.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"

#define BOM_MAX_SUBSET VS_BOM_MAX_SUBSET

typedef struct bom_args {
    const char *checkpoint;   /* written by vo2snn train */
    const char *data;         /* IDX directory; NULL: $VO2SNN_DATA */
    const char *dataset;      /* "mnist" or "fashion" */
    const char *cache;        /* transfer-function cache; NULL: the default, "none": off */
    const char *e_series;     /* "E12".."E96" or "none" (NULL: exact values) */
    const char *hidden;       /* hidden neurons of the netlist: "0-3", "0,5,7" */
    const char *outputs;      /* output neurons of the netlist: "0-9", or "none" */
    long image;               /* test image shown to the subset */
    double window_s;          /* its presentation window (the netlist's .tran) */
    double dt_s;              /* waveform grid between layers (infer's --dt-grid) */
    double h_max_s;           /* ngspice's largest step */
    const char *wrdata;       /* the data file the netlist's .control block writes (relative to
                                 where ngspice runs) */
    const char *out;          /* output directory */
    int json;
} bom_args;

/* One role's resistors. */
typedef struct bom_role {
    const char *name;         /* synapse_exc, synapse_inh, attenuation, coupling, feedback, bias */
    long count;
} bom_role;

typedef struct bom_result {
    vs_checkpoint_info info;  /* what the network was trained through (and runs on) */
    vs_transfer t;            /* its transfer function (owned) */
    vs_dataset test;          /* the test files (owned); pixels released */
    vs_infer_opts io;         /* what the network runs with (e_series, r_tolerance 0) */
    int e_series;             /* 0: exact values */
    int n_hid;                /* hidden neurons of the whole network */
    long image;
    int label;
    /* the BOM */
    long n_resistors, n_lines;   /* resistors, and rows of bom.csv (distinct role and value) */
    bom_role roles[VS_BOM_N_ROLES];
    double r_min_ohm, r_max_ohm;
    double max_weight_error;     /* max over synapses of |g_realised/g_ideal - 1| */
    double max_half_steps;       /* max over synapses of |ln(R/R_ideal)| / (ln(step)/2), step the
                                    series step R_ideal lies in (0 without a series) */
    double max_allowed_error;    /* the largest half step of the series, relative (0: none) */
    /* the subset, as chosen, simulated by vo2snn and exported */
    int n_sub_hidden, n_sub_out;
    int sub_hidden[BOM_MAX_SUBSET], sub_out[10];
    vs_bom_subset sub;           /* spike counts, drives, adders, resistors, waveforms (owned) */
    double seconds;
} bom_result;

/* What `vo2snn bom` runs with no options. */
void bom_defaults(bom_args *a);
/* Check every input, build the network, write <out>/bom.csv, <out>/network.cir and
   <out>/summary.json. 1 after one line on stderr, with nothing held. */
int bom_exec(const char *prog, const bom_args *a, bom_result *r);
/* The summary `--json` prints (and <out>/summary.json holds). */
void bom_json(FILE *f, const bom_args *a, const bom_result *r);
void bom_result_free(bom_result *r);

#endif
