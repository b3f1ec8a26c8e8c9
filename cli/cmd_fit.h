/* cmd_fit.h -- `vo2snn fit` as a function: measured R-T, I-V, f-V and waveform files and a
   start device in; the fitted device file, per-point residual CSVs and plots out (docs/fit.md).
   The command runs it; a caller such as `vo2snn paper` can run it and read the result. */
#ifndef VO2SNN_CLI_CMD_FIT_H
#define VO2SNN_CLI_CMD_FIT_H

#include <stdio.h>

#include "common.h"
#include "vo2snn/fit.h"
#include "vo2snn/measured.h"

typedef struct fit_args {
    cli_device_args dev;        /* the start device (default: the model's preset 1) */
    const char *rt, *iv, *fv;   /* measured data files (NULL: not given; at least one of */
    const char *trace;          /* these four): a waveform, t_s, input and a response column */
    const char *fv_check;       /* f-V points predicted after the fit, not fitted (or NULL) */
    double iv_series_ohm;       /* series resistor of a v_src_v,i_a I-V file; NAN: none */
    vs_circuit circ;            /* the circuit the f-V data and the waveform were measured in */
    double t_amb_k;             /* ambient temperature of the measurements, set on the start
                                   device and held; NAN: the start device's */
    const char *fix, *bounds;   /* "k=v,..." held; "k=lo:hi,..." bounded (or NULL) */
    long bootstrap, seed, threads;   /* threads 0: OMP_NUM_THREADS or every core */
    const char *name;           /* the fitted device's name; NULL: "fit of <start label>" */
    const char *out;            /* device file; the CSVs and PNGs are <out-stem>_rt.csv, ... */
    int json, plot;             /* plot: CLI_PLOT_NONE, CLI_PLOT_PNG or CLI_PLOT_PNG_SVG */
} fit_args;

/* One data set's files: what was read, what the model says at its points. */
typedef struct fit_set_out {
    const char *file;           /* the input (a fit_args string), NULL if not given */
    char csv[4096], png[4096];  /* outputs: per-point residuals; the plot ("" if none) */
} fit_set_out;

typedef struct fit_result {
    vs_device_params start;     /* the start device, after --fix */
    char start_label[VS_NAME_MAX];
    vs_fit_opts opts;           /* roles and bounds the fit ran with */
    vs_fit_result fit;          /* fit.device is the fitted device, named */
    vs_meas_rt rt;              /* the data (zeroed when not given) */
    vs_meas_iv iv;
    vs_meas_fv fv, fv_check;
    vs_meas_trace trace;
    fit_set_out out[VS_FIT_SETS];
    /* --fv-check: the model's frequency at each point (fv_check.n, 0 where it does not
       oscillate), RMS and largest |f_model / f_meas - 1| */
    double *check_freq_hz;
    double check_rms, check_max_abs;
    char check_csv[4096];
    char device_file[4096];
    double seconds;             /* wall time of the fit itself */
} fit_result;

/* What `vo2snn fit` runs with no options (it then asks for data). */
void fit_defaults(fit_args *a);
/* Read the data, fit, write the device file, the CSVs and the plots (as a->plot asks);
   nothing on stdout, progress on stderr. 1 after one line on stderr (r then holds nothing
   to free). On success release r with fit_result_free. */
int fit_exec(const char *prog, const fit_args *a, fit_result *r);
/* The summary `--json` prints. */
void fit_json(FILE *f, const fit_args *a, const fit_result *r);
/* The data and predictions of a successful fit_exec. */
void fit_result_free(fit_result *r);

#endif
