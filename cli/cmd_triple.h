/* cmd_triple.h -- `vo2snn triple` as a function: settings in, files and results out. The
   command and `vo2snn paper` both run it; the paper's report reads the result struct. */
#ifndef VO2SNN_CLI_CMD_TRIPLE_H
#define VO2SNN_CLI_CMD_TRIPLE_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/sweep.h"

typedef struct triple_args {
    cli_devices_args da;
    vs_circuit circ;
    vs_classify_opts co;
    double tol_r, tol_v;
    const char *out;   /* CSV; the plot is <out>.png (and .svg with CLI_PLOT_PNG_SVG) */
    int json, plot;
} triple_args;

typedef struct triple_result {
    cli_device_list list;
    vs_triple tp[CLI_MAX_DEVICES], chord[CLI_MAX_DEVICES];   /* bisection, chord estimate */
} triple_result;

/* What `vo2snn triple` runs with no options. */
void triple_defaults(triple_args *a);
/* Resolve the devices, find their triple points, write the CSV and the plot (as a->plot
   asks); nothing on stdout. 1 after one line on stderr. */
int triple_exec(const char *prog, const triple_args *a, triple_result *r);
/* The summary `--json` prints. */
void triple_json(FILE *f, const triple_result *r);

#endif
