/* cmd_iv.h -- `vo2snn iv` as a function: settings in, files and results out. The command
   and `vo2snn paper` both run it; the paper's report reads the result struct. */
#ifndef VO2SNN_CLI_CMD_IV_H
#define VO2SNN_CLI_CMD_IV_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/device.h"
#include "vo2snn/iv.h"

typedef struct iv_args {
    cli_device_args dev;
    vs_iv_opts o;       /* as given; iv_exec resolves seed and dt_out_s into iv_result.o */
    const char *out;    /* trace CSV; also <out>_scurve.csv, <out>_cycles.csv, <out>.png */
    long seed;
    double dt_out;      /* 0 = period/2000 */
    int json, plot;     /* plot: CLI_PLOT_* (default CLI_PLOT_NONE) */
    const char *measured;   /* --measured: an I-V file drawn over the loop (implies a plot), or NULL */
    double iv_series_ohm;   /* --iv-series: series resistor of a v_src_v,i_a measured file; NAN: none */
} iv_args;

typedef struct iv_result {
    vs_device_params p;     /* the resolved device */
    char label[64];
    vs_fold th, ho;         /* quasi-static threshold and hold points */
    vs_iv_opts o;           /* the sweep as run (o.period_s, o.n_cycles, seed, dt_out_s) */
    double v_max_v;         /* the triangle's peak: --v-max, else 1.3 V_th */
    vs_iv_result iv;        /* per-cycle V_on, V_off; owns memory */
    vs_stats on, off;       /* V_on and V_off over the cycles */
    char scurve[4096], cycles[4096], png[4096];   /* output paths beside a->out; scurve is ""
                                                     when the model has no temperature (no
                                                     S-curve is written) */
    char measured_csv[4096];   /* with a->measured: <out>_measured.csv, the points plotted */
    size_t measured_points;    /* with a->measured: points read from it */
} iv_result;

/* What `vo2snn iv` runs with no options. */
void iv_defaults(iv_args *a);
/* Resolve the device and the sweep, read a->measured (before any work), write the trace,
   S-curve (models with a temperature only) and per-cycle CSVs, the measured points and the
   plot (as a->plot asks, or a->measured); nothing on stdout. 1 after one line on stderr, with nothing left in r to
   free; on success free r with iv_result_free. */
int iv_exec(const char *prog, const iv_args *a, iv_result *r);
/* The summary `--json` prints. */
void iv_json(FILE *f, const iv_args *a, const iv_result *r);
void iv_result_free(iv_result *r);

#endif
