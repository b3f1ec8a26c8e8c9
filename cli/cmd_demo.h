/* cmd_demo.h -- `vo2snn demo` as a function: settings in, files and results out. The
   command and `vo2snn paper` both run it; the paper's report reads the result struct. */
#ifndef VO2SNN_CLI_CMD_DEMO_H
#define VO2SNN_CLI_CMD_DEMO_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/device.h"
#include "vo2snn/iv.h"
#include "vo2snn/neuron.h"

typedef struct demo_args {
    const char *out;        /* directory */
    double v_in, t_end;     /* dc drive and simulated time of each oscillator */
    int json;
    int plot;               /* CLI_PLOT_*: iv.png, rt.png and osc.png (default CLI_PLOT_PNG) */
} demo_args;

/* One device of the paper (1-5): its folds, swept I-V, R-T summary and oscillation. */
typedef struct demo_device_row {
    vs_fold th, ho;             /* quasi-static threshold (V_th = th.v_v) and hold (V_hold = ho.v_v) */
    double v_on, v_off;         /* first swept cycle's switching voltages */
    vs_rt_summary rt;           /* R-T summary (rt.r_ambient_ohm, rt.jump_ratio, ...) */
    vs_neuron_result osc;       /* oscillation at v_in (osc.n_spikes, osc.freq_hz, ...); owns memory */
} demo_device_row;

typedef struct demo_result {
    demo_device_row dev[VS_DEVICE_COUNT];   /* dev[d] is device d + 1 */
} demo_result;

/* What `vo2snn demo` runs with no options. */
void demo_defaults(demo_args *a);
/* Run devices 1-5, write the per-device CSVs, summary.csv and the plots (as a->plot asks)
   under a->out; nothing on stdout (progress on a terminal's stderr unless a->json). 1 after
   one line on stderr, with nothing left in r to free; on success free r with
   demo_result_free. */
int demo_exec(const char *prog, const demo_args *a, demo_result *r);
/* The summary `--json` prints. */
void demo_json(FILE *f, const demo_args *a, const demo_result *r);
/* Frees the oscillations' spike lists; safe on a zeroed or already freed result. */
void demo_result_free(demo_result *r);

#endif
