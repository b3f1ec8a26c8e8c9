/*
 * measured.h -- read measured device data (CSV) for model fitting.
 *
 * Four kinds of measurement, each a CSV file with a header row whose columns are found by
 * name in any order (extra columns are ignored, units are in the names as in the tool's own
 * outputs); '#' comment lines and blank lines are skipped. The files `vo2snn rt`, `vo2snn iv`
 * (trace and _scurve.csv), `vo2snn vf` and `vo2snn osc` write are accepted as they are.
 * docs/measured-data.md describes every layout.
 *
 *   R-T    temp_k, r_ohm, branch (heating/cooling)   or  temp_k, r_heat_ohm, r_cool_ohm
 *   I-V    v_dev_v, i_a [, branch (up/down)]         or  the iv trace / S-curve, or
 *          v_src_v, i_a through a known series resistor (v_dev = v_src - i_a * R)
 *   f-V    v_in_v, freq_hz                           (vf output: one device per file)
 *   trace  t_s, v_in_v or i_in_a, and a response: v_osc_v, v_dev_v, i_dev_a or v_spike_v
 *
 * Points come back in file order (a fitter sorts what it needs). Every value is finite;
 * resistances, temperatures and frequencies are positive; no two points share their x value
 * on the same branch; a file holds at least 2 points and at most VS_MEAS_MAX_ROWS data rows.
 *
 * Units: SI, as the column names say (K, ohm, V, A, Hz, s).
 * Errors: VS_EIO (cannot read the file), VS_EFORMAT (the file is wrong), VS_EINVAL (a bad
 * argument), VS_ENOMEM. The message names the file, the line and the column at fault:
 * "rt.csv:7: column r_ohm: -3 is not a positive resistance".
 * Ownership: a successful vs_meas_read_*() fills *out with arrays released by the matching
 * vs_meas_*_free(). On failure *out is zeroed and nothing is left to free (freeing it is
 * harmless). The free functions accept NULL and zeroed structs.
 */
#ifndef VO2SNN_MEASURED_H
#define VO2SNN_MEASURED_H

#include <stddef.h>

#include "vo2snn/status.h"

#define VS_MEAS_MAX_ROWS 10000000L /* data rows per file: larger files are refused */
#define VS_MEAS_PATH_MAX 512       /* bytes kept of the file's path (for labels) */

/* Branch of an I-V point: the rising sweep (heating side) or the falling one. The values
   match VS_BRANCH_HEAT and VS_BRANCH_COOL of device.h. */
typedef enum vs_meas_sweep { VS_MEAS_UP = 0, VS_MEAS_DOWN = 1 } vs_meas_sweep;

/* Points of a measured resistance-temperature loop. */
typedef struct vs_meas_rt {
    size_t n;
    double *temp_k; /* (n) */
    double *r_ohm;  /* (n) */
    int *branch;    /* (n) VS_BRANCH_HEAT (0) or VS_BRANCH_COOL (1) */
    const char *layout; /* static text: "temp_k,r_ohm,branch" or "temp_k,r_heat_ohm,r_cool_ohm" */
    char path[VS_MEAS_PATH_MAX];
} vs_meas_rt;

/*
 * Read an R-T file: columns temp_k, r_ohm and branch ("heating" or "cooling", any case),
 * one point per row; or the layout of `vo2snn rt`, temp_k, r_heat_ohm, r_cool_ohm, where
 * each row gives a heating point and then a cooling point. Refused: temp_k <= 0, a
 * resistance <= 0, two points at the same temperature on the same branch.
 */
vs_status vs_meas_read_rt(const char *path, vs_meas_rt *out);
void vs_meas_rt_free(vs_meas_rt *m);

/* Steady-state points of the device's I-V characteristic. */
typedef struct vs_meas_iv {
    size_t n;
    double *v_dev_v; /* (n) voltage across the device */
    double *i_a;     /* (n) current through it */
    int *branch;     /* (n) VS_MEAS_UP (0) or VS_MEAS_DOWN (1) */
    const char *layout;      /* static text: "v_dev_v,i_a" or "v_src_v - i_a * r_series, i_a" */
    const char *branch_from; /* static text: "branch column", "branch_name column",
                                "v_src_v sweep direction" or "none (every point up)" */
    char path[VS_MEAS_PATH_MAX];
} vs_meas_iv;

/*
 * Read an I-V file. The device voltage is the v_dev_v column; without one, v_src_v minus
 * i_a * r_series_ohm (a voltage sweep through a known series resistor; r_series_ohm NAN
 * means none was given, and such a file is then refused with a message asking for it).
 * r_series_ohm is ignored when the file has v_dev_v.
 * The branch comes from, in this order: a branch_name column (the S-curve of `vo2snn iv`:
 * heating = up, cooling = down), a branch column ("up"/"down", also "heating"/"cooling"),
 * the direction of a v_src_v sweep (rising = up, falling = down; a row where v_src_v does
 * not change keeps the direction before it, rows before the first change take the first
 * direction), else every point is up. Refused: two points at the same device voltage on
 * the same branch; a cycle column (the iv trace's) holding more than one sweep cycle (the
 * last row alone may carry the next cycle: the end point of a one-period sweep).
 * VS_EINVAL for an r_series_ohm that is neither NAN nor positive and finite.
 */
vs_status vs_meas_read_iv(const char *path, double r_series_ohm, vs_meas_iv *out);
void vs_meas_iv_free(vs_meas_iv *m);

/* Oscillation frequency against dc input voltage. */
typedef struct vs_meas_fv {
    size_t n;
    double *v_in_v;  /* (n) */
    double *freq_hz; /* (n) > 0 */
    char path[VS_MEAS_PATH_MAX];
} vs_meas_fv;

/*
 * Read an f-V file: columns v_in_v and freq_hz. A point that does not oscillate has no
 * frequency: leave it out (freq_hz <= 0 is refused). The output of `vo2snn vf` (columns
 * index and vacancy_x besides) is accepted when its index column names one device; a file
 * with several is refused, naming the indices found. Refused: two points at the same v_in_v.
 */
vs_status vs_meas_read_fv(const char *path, vs_meas_fv *out);
void vs_meas_fv_free(vs_meas_fv *m);

/* A measured waveform: time, the input, one measured response. */
typedef struct vs_meas_trace {
    size_t n;
    double *t_s;      /* (n) strictly increasing */
    double *input;    /* (n) V (v_in_v) or A (i_in_a) */
    double *response; /* (n) in the unit of response_col */
    int input_is_current;     /* 1: the input column is i_in_a */
    const char *response_col; /* static text: "v_osc_v", "v_dev_v", "i_dev_a" or "v_spike_v" */
    char path[VS_MEAS_PATH_MAX];
} vs_meas_trace;

/*
 * Read a waveform: t_s, exactly one input column (v_in_v or i_in_a) and the first of
 * v_osc_v, v_dev_v, i_dev_a, v_spike_v found as the response (`vo2snn osc` output gives
 * v_osc_v). Times may start anywhere but must increase strictly.
 */
vs_status vs_meas_read_trace(const char *path, vs_meas_trace *out);
void vs_meas_trace_free(vs_meas_trace *m);

#endif
