/* cmd_osc.h -- `vo2snn osc` as a function: settings in, files and results out. The command
   and `vo2snn paper` (Fig 2R, 3B-D) both run it; the paper's report reads the result struct.

   Setting the input from C as the flags do: start from osc_defaults, then set the
   cli_input_args field AND its given_* flag, since the defaults a kind falls back to (square
   12.5 V high, pulse 4 us period, ...) are taken only where given_* is 0. --t-end likewise
   needs given_t_end, else the input's default time is used. For example
       osc_args a;
       osc_defaults(&a);
       a.in.kind = "pulse";                          --input pulse   (one of cli_input_choices)
       a.in.v_hi = 15;    a.in.given_v_hi = 1;       --v-hi 15
       a.in.v_in = 12.5;  a.in.given_v_in = 1;       --v-in 12.5
       a.t_end = 100e-6;  a.given_t_end = 1;         --t-end 100us
       a.out = "fig3c/pulse.csv";  a.plot = CLI_PLOT_PNG_SVG;
   Current levels (i_in, i_lo, ...) have no given_* flag: a level that is not NAN is given.
   --window-start/--window-end are w0/w1 with given_w0/given_w1. */
#ifndef VO2SNN_CLI_CMD_OSC_H
#define VO2SNN_CLI_CMD_OSC_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/neuron.h"

typedef struct osc_args {
    cli_device_args dev;
    vs_circuit circ;
    cli_solver_args solver;
    cli_input_args in;
    const char *out;   /* trace CSV; also <out>_spikes.csv and <out>.png (.svg with PNG_SVG) */
    int given_t_end, given_w0, given_w1;
    double t_end, w0, w1, dt_out;   /* as given; the run's values are in osc_result */
    long seed;
    int json, plot;
    const char *measured;   /* --measured: a waveform drawn over the panels (implies a plot), or NULL */
} osc_args;

typedef struct osc_result {
    char label[64];          /* the device, as the JSON's "device" */
    char input_desc[160];    /* the input, as the JSON's "input" */
    vs_input_source source;  /* voltage or current input */
    double t_end, w0, w1;    /* simulated time and statistics window (defaults resolved) */
    char spikes_csv[4096], png[4096];   /* <out>_spikes.csv, <out>.png (written if a->plot) */
    vs_neuron_result sim;    /* spikes and statistics; owns memory (osc_result_free) */
    char measured_csv[4096];        /* with a->measured: <out>_measured.csv, the points plotted */
    size_t measured_points;         /* with a->measured: samples read from it */
    const char *measured_response;  /* with a->measured: its response column (static text) */
} osc_result;

/* What `vo2snn osc` runs with no options. */
void osc_defaults(osc_args *a);
/* Resolve the device, circuit and input, read a->measured (before simulating; its input column
   must be a voltage or a current as the run's input is), simulate, write the trace CSV, the
   spike CSV, the measured waveform and the plot (as a->plot asks, or a->measured); nothing on
   stdout. 1 after one line on stderr; either way r is
   osc_result_free's to release. */
int osc_exec(const char *prog, const osc_args *a, osc_result *r);
/* The summary `--json` prints. */
void osc_json(FILE *f, const osc_args *a, const osc_result *r);
/* Free the spike lists in r->sim; r may be freed again. */
void osc_result_free(osc_result *r);

#endif
