/* cmd_phase.h -- `vo2snn phase` as a function: settings in, files and results out. The
   command and `vo2snn paper` (Fig 3F-G) both run it; phase_exec writes every file the command
   writes (grid CSV, the <out>.partial.csv of an unfinished sweep, waveforms CSV, plots). */
#ifndef VO2SNN_CLI_CMD_PHASE_H
#define VO2SNN_CLI_CMD_PHASE_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/sweep.h"

typedef struct phase_args {
    cli_device_args dev_args;
    vs_circuit circ;           /* r_series_ohm: the R_s of --waveforms */
    cli_solver_args solver;
    vs_classify_opts co;       /* t_run_s (--t-end), settle_frac; min_spikes comes from below */
    vs_grid rg, vg;            /* R_s and V_in grids; NAN ends: from the device */
    long min_spikes, seed;
    const char *out;           /* grid CSV; <out>.png, <out>_waveforms.csv/.png, <out>.partial.csv */
    int json, plot, no_triple, waveforms, resume;
} phase_args;

typedef struct phase_result {
    char label[64];            /* the device, as the JSON's "device" */
    vs_grid rg, vg;            /* the grids swept (unset ends resolved) */
    long total, resumed, count[3];   /* points, of them reused by --resume, per regime (0 1 2) */
    double sweep_s;            /* wall time of the sweep */
    vs_triple tp, chord;       /* triple point by bisection (NAN with no_triple), chord estimate */
    double v_pick[3];          /* V_in of the un-firing, oscillating, firing waveforms (NAN
                                  without waveforms) */
    char png[4096], wave_csv[4096], wave_png[4096], partial[4096];   /* the outputs' paths */
} phase_result;

/* What `vo2snn phase` runs with no options. */
void phase_defaults(phase_args *a);
/* Resolve the device and grids, sweep (resumable through <out>.partial.csv, removed once the
   grid CSV is written), locate the triple point, write the waveforms and the plots (as
   a->plot asks); nothing on stdout. 1 after one line on stderr. */
int phase_exec(const char *prog, const phase_args *a, phase_result *r);
/* The summary `--json` prints. */
void phase_json(FILE *f, const phase_args *a, const phase_result *r);

#endif
