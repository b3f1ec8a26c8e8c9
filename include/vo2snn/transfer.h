/*
 * transfer.h -- what a neuron circuit does with a dc input, as a function of it.
 *
 * The full simulator measures, at dc inputs V = 0, dV, ..., V_max (vs_classify: one
 * run from rest, second half measured), two curves of the chosen device in the
 * chosen circuit:
 *   rate    f(V): spikes per second (0 where it does not oscillate: silent below
 *           onset, latched metallic above the window) -- what a spike counter sees;
 *   signal  s(V): the mean of V_spike, spikes and sub-threshold leakage current
 *           together -- what the next inverting adder averages.
 * Both are normalised at the peak-rate voltage V_peak (r = f/f_peak, s^ = s/s_peak)
 * and extended as odd functions (a negative drive gives inverted spikes, the
 * paper's inhibitory signals).
 *
 * Each curve is a monotone piecewise cubic (PCHIP) through the table, so silent
 * regions stay silent. Its exact derivative has a delta at the onset jump; back-
 * propagation uses a surrogate: the derivative smoothed with a Gaussian of width
 * surrogate_v and, below onset, at least the slope of the chord from the origin to
 * the onset point (`leak`), so that a silent neuron still receives its error.
 * surrogate_v = 0 gives the exact derivative of the interpolant and no floor.
 *
 * Tables are cached on disk keyed by every parameter that affects them, each file
 * ending in a crc32 of its contents; a file that fails any check is recomputed.
 * Units: V, Hz; curves are dimensionless. Free with vs_transfer_free.
 */
#ifndef VO2SNN_TRANSFER_H
#define VO2SNN_TRANSFER_H

#include <stddef.h>

#include "vo2snn/device.h"
#include "vo2snn/neuron.h"
#include "vo2snn/status.h"
#include "vo2snn/sweep.h"

typedef struct vs_transfer_opts {
    double v_max_v;        /* grid end; 0 (default): from the device, vs_transfer_resolve_range */
    double dv_v;           /* grid step; default 0.02 V */
    double surrogate_v;    /* Gaussian width of the surrogate derivative; default 0.75 V */
    vs_classify_opts classify;
} vs_transfer_opts;

vs_transfer_opts vs_transfer_opts_default(void);

/*
 * The grid end from the device's oscillation window when o->v_max_v is 0: 1.3 times the
 * upper window edge V_B of the load-line (chord) analysis in circuit c, rounded up to a
 * whole volt (vo2x device 1, 3 kOhm: 19 V), so that the window lies inside whatever the
 * device. VS_EINVAL if the device has no folds to derive it from.
 */
vs_status vs_transfer_resolve_range(const vs_device_params *dev, const vs_circuit *c,
                                    vs_transfer_opts *o);

/* One tabulated odd curve y(V) with its surrogate slope. */
typedef struct vs_curve {
    size_t n;
    float inv_dv;
    float *coef;           /* (n-1, 4) cubic coefficients per cell, in t = (V - V_i)/dV */
    float *dsur;           /* (n) surrogate slope dy/dV at the grid points */
    float leak;            /* the slope floor below onset (0 if none) */
} vs_curve;

typedef struct vs_transfer {
    size_t n;              /* grid points */
    double dv_v;
    double *freq_hz;       /* (n) measured frequency at V = i dV */
    double *signal_v;      /* (n) measured mean V_spike at V = i dV */
    double f_peak_hz;      /* rate normalisation */
    double s_peak_v;       /* signal normalisation: mean V_spike at v_peak */
    double v_on_v;         /* first oscillating grid voltage */
    double v_peak_v;       /* voltage of the peak frequency */
    double v_off_v;        /* last oscillating grid voltage */
    vs_curve rate, signal;
    int from_cache;        /* 1 if the table was read from the cache */
    char cache_note[512];  /* "" or one line for the user about the cache: a file that failed
                              its checks and was recomputed (named, with why), a cache that could
                              not be written, or no cache directory */
} vs_transfer;

/*
 * Build (or read from cache_dir, if non-NULL) the transfer curves of dev in
 * circuit c. cache_dir is created if missing (vs_mkdir_p); "" means no cache
 * directory could be found (see vs_transfer_default_cache) and nothing is
 * cached. A cache that cannot be written is not an error (nothing is stored);
 * a cache file that exists but fails vs_transfer_cache_load() is recomputed
 * and rewritten. Either way out->cache_note says so (else it is "").
 */
vs_status vs_transfer_build(const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer_opts *o, const char *cache_dir, vs_transfer *out);

/* Build from given tables (n >= 2 points at V = i dv); signal_v may be NULL (then s = f). */
vs_status vs_transfer_from_table(const double *freq_hz, const double *signal_v, size_t n,
                                 double dv_v, double surrogate_v, vs_transfer *out);

void vs_transfer_free(vs_transfer *t);

/* Value (odd; constant beyond the grid end; NaN propagates) and surrogate slope (even). */
float vs_curve_value(const vs_curve *c, float v);
float vs_curve_slope(const vs_curve *c, float v);

/* Normalised rate r(V) and its surrogate slope. */
static inline float vs_transfer_rate(const vs_transfer *t, float v) { return vs_curve_value(&t->rate, v); }
static inline float vs_transfer_slope(const vs_transfer *t, float v) { return vs_curve_slope(&t->rate, v); }

/*
 * Default cache directory: $VO2SNN_CACHE (created if missing), else
 * $XDG_CACHE_HOME/vo2snn if XDG_CACHE_HOME is an absolute path to an existing
 * directory, else $HOME/.cache/vo2snn if HOME is an existing directory, else ""
 * (no cache: HOME is never created).
 */
void vs_transfer_default_cache(char *buf, size_t n);

/* The cache file for (dev, c, o) under dir: "<dir>/transfer-<16 hex digits>.csv". */
void vs_transfer_cache_path(const char *dir, const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer_opts *o, char *buf, size_t n);

/*
 * Read the cache file at path for (dev, c, o): n = round(v_max/dv) + 1 values
 * into freq_hz[n] and signal_v[n]. The file is "# <key of every setting>", the
 * column names, n rows "V,f,s" (V = i dv, f >= 0, all finite), then
 * "# crc32 <8 lower-case hex digits>" over every byte before that line.
 * VS_EIO if it cannot be read; VS_EFORMAT, with a message that names path and
 * says what is wrong ("checksum mismatch ...", "written for other settings",
 * "row 12 of 1001 is missing or malformed"), for anything else. On failure
 * freq_hz and signal_v may be partly written.
 */
vs_status vs_transfer_cache_load(const char *path, const vs_device_params *dev,
                                 const vs_circuit *c, const vs_transfer_opts *o, double *freq_hz,
                                 double *signal_v);

/* Write that file atomically (see atomic.h); the directory must exist. */
vs_status vs_transfer_cache_save(const char *path, const vs_device_params *dev,
                                 const vs_circuit *c, const vs_transfer_opts *o,
                                 const double *freq_hz, const double *signal_v);

#endif
