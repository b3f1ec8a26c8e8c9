/* cmd_cycles.h -- `vo2snn cycles` as a function: settings in, files and results out. The
   command and `vo2snn paper` both run it; the paper's report reads the result struct. */
#ifndef VO2SNN_CLI_CMD_CYCLES_H
#define VO2SNN_CLI_CMD_CYCLES_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/iv.h"

typedef struct cycles_args {
    cli_devices_args da;
    vs_iv_opts io;              /* io.n_cycles: sweeps per device (--cycles) */
    double sigma_lnr, sigma_tc; /* jitter for devices that have none */
    long seed;
    const char *out;            /* per-cycle CSV; also <out>_stats.csv and <out>.png */
    int json, plot;             /* plot: CLI_PLOT_* (default CLI_PLOT_NONE) */
} cycles_args;

/* One device's threshold statistics over the cycles. */
typedef struct cycles_device {
    double sigma_lnr, sigma_tc_k;   /* the jitter applied (the device's own, else --sigma-*) */
    vs_stats v_th;                  /* V_on per cycle: n = cycles that switched, mean, std, ... */
    vs_stats v_hold;                /* V_off per cycle */
    double v_th_cv;                 /* v_th.std / v_th.mean */
} cycles_device;

typedef struct cycles_result {
    cli_device_list list;           /* the devices, jitter applied */
    long n_cycles;                  /* sweeps per device */
    cycles_device dev[CLI_MAX_DEVICES];   /* dev[i] is list.p[i] */
    char stats_csv[4096], png[4096];      /* output paths beside a->out */
} cycles_result;

/* What `vo2snn cycles` runs with no options. */
void cycles_defaults(cycles_args *a);
/* Resolve the devices and their jitter, sweep them, write the per-cycle and statistics CSVs
   and the plot (as a->plot asks); nothing on stdout. 1 after one line on stderr. */
int cycles_exec(const char *prog, const cycles_args *a, cycles_result *r);
/* The summary `--json` prints. */
void cycles_json(FILE *f, const cycles_result *r);

#endif
