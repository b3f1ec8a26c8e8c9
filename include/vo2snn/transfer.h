/*
 * transfer.h -- the neuron's rate transfer function r(V_in), as the circuit makes it.
 *
 * The firing frequency of the neuron (device + circuit) at dc input V is measured by
 * the full simulator (vs_classify: one run from rest, second half measured) on a
 * uniform grid V = 0, dV, ..., V_max; non-oscillating points (below onset, or
 * latched metallic above the window) fire at 0. The normalised rate is
 * r(V) = f(|V|)/f_peak * sign(V): odd, because a negative input gives the same
 * dynamics with inverted spikes (the paper's inhibitory signals).
 *
 * Between grid points r is a monotone piecewise-cubic (PCHIP) interpolant, so it
 * stays exactly 0 where the circuit is silent. Its exact derivative has a spike at
 * the onset jump; for back-propagation a surrogate derivative is offered: the
 * derivative of r smoothed with a Gaussian of width surrogate_v, and, below onset
 * where the circuit is silent, at least the slope of the chord from the origin to
 * the onset point (`leak`), so that a silent neuron still receives its error
 * (a straight-through estimate of the jump). surrogate_v = 0 gives the exact
 * derivative of the interpolant and no leak.
 *
 * Tables are cached on disk keyed by every parameter that affects them (device,
 * circuit, classification, grid) in a text file whose first line holds the key.
 *
 * Units: V, Hz; rates are dimensionless (f/f_peak). Free with vs_transfer_free.
 */
#ifndef VO2SNN_TRANSFER_H
#define VO2SNN_TRANSFER_H

#include <stddef.h>

#include "vo2snn/device.h"
#include "vo2snn/neuron.h"
#include "vo2snn/status.h"
#include "vo2snn/sweep.h"

typedef struct vs_transfer_opts {
    double v_max_v;        /* grid end; default 20 V */
    double dv_v;           /* grid step; default 0.02 V */
    double surrogate_v;    /* Gaussian width of the surrogate derivative; default 0.75 V */
    vs_classify_opts classify;
} vs_transfer_opts;

vs_transfer_opts vs_transfer_opts_default(void);

typedef struct vs_transfer {
    size_t n;              /* grid points */
    double dv_v;
    double *freq_hz;       /* (n) measured frequency at V = i dV */
    double f_peak_hz;      /* normalisation */
    double v_on_v;         /* first oscillating grid voltage */
    double v_peak_v;       /* voltage of the peak frequency */
    double v_off_v;        /* last oscillating grid voltage */
    float inv_dv;
    float *coef;           /* (n-1, 4) cubic coefficients of r per cell, in t = (V - V_i)/dV */
    float *dsur;           /* (n) surrogate derivative dr/dV at the grid points */
    float leak;            /* surrogate slope where the circuit gives none: r(V_on)/V_on */
    int from_cache;        /* 1 if the table was read from the cache */
} vs_transfer;

/*
 * Build (or read from cache_dir, if non-NULL) the transfer function of dev in
 * circuit c. A cache that cannot be written is not an error (from_cache = 0 and
 * nothing is stored); a cache file that exists but is corrupt is recomputed.
 */
vs_status vs_transfer_build(const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer_opts *o, const char *cache_dir, vs_transfer *out);

/* Build from a given frequency table (n >= 2 points, f[i] at V = i dv). */
vs_status vs_transfer_from_table(const double *freq_hz, size_t n, double dv_v, double surrogate_v,
                                 vs_transfer *out);

void vs_transfer_free(vs_transfer *t);

/* Normalised rate r(V) (odd; constant beyond the grid end). */
float vs_transfer_rate(const vs_transfer *t, float v);

/* Surrogate derivative dr/dV (even). */
float vs_transfer_slope(const vs_transfer *t, float v);

/* Default cache directory: $VO2SNN_CACHE, else $XDG_CACHE_HOME/vo2snn, else $HOME/.cache/vo2snn. */
void vs_transfer_default_cache(char *buf, size_t n);

#endif
