/* cmd_vf.h -- `vo2snn vf` as a function: settings in, files and results out. The command
   and `vo2snn paper` both run it; the paper's report reads the result struct. */
#ifndef VO2SNN_CLI_CMD_VF_H
#define VO2SNN_CLI_CMD_VF_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/sweep.h"

typedef struct vf_args {
    cli_devices_args da;
    vs_circuit circ;                /* circ.r_series_ohm: the series resistance of every sweep */
    vs_classify_opts co;
    double v_step, v_min, v_max;    /* v_min/v_max NAN: that end at the window edge */
    double f_ref;                   /* Hz; powers are compared at this frequency */
    const char *out;   /* CSV; plots <out>.png (f vs V) and <out>_pf.png (P vs f), and .svg
                          of each with CLI_PLOT_PNG_SVG */
    int json, plot;
    const char *measured;   /* --measured: an f-V file drawn over the f-V plot (implies a plot), or NULL */
} vf_args;

/* One device's curve, named as in the JSON. The f and P ranges are NAN when points == 0. */
typedef struct vf_summary {
    double window_low_v, window_high_v;   /* swept range: the window edges unless fixed */
    double f_min_hz, f_max_hz, v_at_f_max_v, p_min_w, p_max_w;
    double p_at_f_ref_w;                  /* source power at f_ref on the rising branch, or NAN */
    long points;                          /* oscillating points */
} vf_summary;

typedef struct vf_result {
    double r_series_ohm, f_ref_hz;        /* the settings the curves were run with */
    cli_device_list list;
    vf_summary sum[CLI_MAX_DEVICES];      /* one per list entry */
    char measured_csv[4096];              /* with a->measured: <out>_measured.csv, the points plotted */
    size_t measured_points;               /* with a->measured: points read from it */
} vf_result;

/* What `vo2snn vf` runs with no options. */
void vf_defaults(vf_args *a);
/* Check the settings, resolve the devices, read a->measured (before any sweep), sweep each
   device across its window, write the CSV, the measured points and the plots (as a->plot
   asks, or a->measured; a device with no oscillating point is named in the legend as such,
   and a plot without any says so); nothing on stdout. 1 after one line on stderr. */
int vf_exec(const char *prog, const vf_args *a, vf_result *r);
/* The summary `--json` prints. */
void vf_json(FILE *f, const vf_args *a, const vf_result *r);

#endif
