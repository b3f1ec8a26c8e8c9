/* cmd_rt.h -- `vo2snn rt` as a function: settings in, files and results out. The command
   and `vo2snn report` both run it; the report reads the result struct. */
#ifndef VO2SNN_CLI_CMD_RT_H
#define VO2SNN_CLI_CMD_RT_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/device.h"
#include "vo2snn/iv.h"

typedef struct rt_args {
    cli_device_args dev;
    double t_lo, t_hi;   /* K */
    long points;         /* temperatures per branch */
    const char *out;     /* CSV; the plot is <out>.png (and .svg with CLI_PLOT_PNG_SVG) */
    int film, json, plot;   /* plot: CLI_PLOT_* (default CLI_PLOT_NONE) */
    const char *measured;   /* --measured: an R-T file drawn over the loop (implies a plot), or NULL */
} rt_args;

typedef struct rt_result {
    vs_device_params p;  /* the resolved device (its film model with a->film) */
    char label[96];      /* the device, as the JSON's "device" */
    vs_rt_summary s;     /* R at ambient, transition edges, jump, half-transition temperatures */
    char png[4096];      /* <out>.png (written if a->plot or a->measured) */
    char measured_csv[4096];   /* with a->measured: <out>_measured.csv, the points plotted */
    size_t measured_points;    /* with a->measured: points read from it */
} rt_result;

/* What `vo2snn rt` runs with no options. */
void rt_defaults(rt_args *a);
/* Check the range, resolve the device, read a->measured (before any work), write the CSV, the
   measured points and the plot (as a->plot asks, or a->measured); nothing on stdout. 1 after
   one line on stderr (a model without temperature: "no R-T loop"; a bad measured file). */
int rt_exec(const char *prog, const rt_args *a, rt_result *r);
/* The summary `--json` prints. */
void rt_json(FILE *f, const rt_args *a, const rt_result *r);

#endif
