/*
 * input.h -- the neuron's input: a voltage V_in(t) behind R_s, or a current I_in(t).
 *
 * Source: a voltage source (the default, VS_SOURCE_VOLTAGE) drives node N through the
 * series resistor R_s. A current source (VS_SOURCE_CURRENT, vs_input_current()) injects
 * I_in(t) straight into node N, with no R_s in the path, as in transimpedance
 * measurements of VO2 oscillators: C dV/dt = I_in - I, the source delivers P = V I_in and
 * R_s carries nothing. Every kind below exists for both; a current input's levels (the
 * fields named _v) hold amperes.
 *
 * Kinds: dc, a pulse train (low/high level, period, width, delay), a sine
 * (offset, amplitude, period, delay), a single square pulse (low/high level,
 * delay, width) and a piecewise-linear waveform (knots read from a CSV file).
 * Inputs are piecewise smooth; vs_input_next_break() lists the discontinuities
 * so that integrators can step exactly onto them, and the value inside a step
 * comes from the piece the step started in (vs_input_piece_at), so a step that
 * ends on an edge sees the left limit.
 *
 * Units: s, and V or A (see above). A vs_input owns its PWL knots (vs_input_free releases
 * them).
 */
#ifndef VO2SNN_INPUT_H
#define VO2SNN_INPUT_H

#include <math.h>
#include <stddef.h>

#include "vo2snn/status.h"

typedef enum vs_input_kind {
    VS_INPUT_DC = 0,
    VS_INPUT_PULSE,    /* v_hi for t-delay in [k*period, k*period + width), else v_lo */
    VS_INPUT_SINE,     /* offset + amplitude * sin(2 pi (t - delay) / period) for t >= delay, else offset */
    VS_INPUT_SQUARE,   /* v_hi for t in [delay, delay + width), else v_lo */
    VS_INPUT_PWL,      /* linear between knots, constant outside */
    VS_INPUT_SAMPLED   /* uniformly sampled waveform (borrowed), linear between samples */
} vs_input_kind;

typedef enum vs_input_source {
    VS_SOURCE_VOLTAGE = 0, /* V_in(t) in V, through R_s into node N */
    VS_SOURCE_CURRENT      /* I_in(t) in A, straight into node N (R_s not in the path) */
} vs_input_source;

typedef struct vs_input {
    vs_input_kind kind;
    double v_dc_v;
    double v_lo_v, v_hi_v;        /* pulse, square */
    double period_s, width_s;     /* pulse (period), pulse and square (width); sine uses period */
    double delay_s;               /* pulse, sine, square */
    double offset_v, amplitude_v; /* sine */
    size_t n_knots;               /* pwl */
    double *knot_t_s, *knot_v_v;  /* pwl, owned */
    const float *samples;         /* sampled: n_samples values at t = i dt_sample_s, borrowed */
    size_t n_samples;
    double dt_sample_s;
    vs_input_source source;       /* 0 (voltage) unless made by vs_input_current or a PWL
                                     file whose header names an i_a column */
} vs_input;

/* Constructors for the common kinds (no allocation). */
vs_input vs_input_dc(double v);
vs_input vs_input_pulse(double v_lo, double v_hi, double period_s, double width_s, double delay_s);
vs_input vs_input_sine(double offset_v, double amplitude_v, double period_s, double delay_s);
vs_input vs_input_square(double v_lo, double v_hi, double delay_s, double width_s);
/* A sampled waveform (e.g. an adder output); the samples are borrowed, not copied. */
vs_input vs_input_sampled(const float *samples, size_t n, double dt_s);

/* The same waveform as a current source: its levels are read in A, e.g.
   vs_input_current(vs_input_dc(2e-3)) injects 2 mA into node N. */
vs_input vs_input_current(vs_input in);

/* "A" for a current input, "V" for a voltage. */
const char *vs_input_unit(const vs_input *in);

/* Read PWL knots from a CSV with two numeric columns (t_s, v_v; header optional). A
   header whose second column is named i_a makes it a current input (knots in A). Times
   must be >= 0 and strictly increasing. */
vs_status vs_input_load_pwl(const char *path, vs_input *out);

/* Build a PWL input from arrays (copied). */
vs_status vs_input_pwl(const double *t_s, const double *v_v, size_t n, vs_input *out);

void vs_input_free(vs_input *in);

/* Check every field used by the kind is finite and consistent; a current input's levels
   must also lie within +-1 kA (a voltage PWL's within +-1 MV). */
vs_status vs_input_validate(const vs_input *in);

/* V_in(t) (I_in(t) for a current input), right-continuous at edges. */
double vs_input_value(const vs_input *in, double t);

/* The smallest discontinuity (of value or slope) strictly after t; INFINITY if none.
   O(log n) for n PWL knots. */
double vs_input_next_break(const vs_input *in, double t);

/*
 * PWL inputs: the index of the first knot strictly after t (beyond the edge
 * tolerance), or n_knots if none; knots must be strictly increasing (as
 * vs_input_validate requires). Binary search; _naive is the linear scan it
 * is tested against.
 */
size_t vs_input_pwl_next_knot(const vs_input *in, double t);
size_t vs_input_pwl_next_knot_naive(const vs_input *in, double t);

/*
 * The smooth piece that starts at t_ref: value(t) = v0 + slope*(t - t0), or for
 * a sine, offset + amplitude*sin(omega*(t - delay)).
 */
typedef struct vs_input_piece {
    double t0, v0, slope;
    double omega, offset, amplitude, delay; /* sine pieces (omega > 0) */
    const float *samples;                   /* sampled inputs: interpolate anywhere */
    size_t n_samples;
    double inv_dt;
} vs_input_piece;

void vs_input_piece_at(const vs_input *in, double t_ref, vs_input_piece *p);

static inline double vs_input_piece_value(const vs_input_piece *p, double t)
{
    if (p->samples) {
        double a = t * p->inv_dt;
        if (!(a > 0)) return (double)p->samples[0];
        size_t i = (size_t)a;
        if (i + 1 >= p->n_samples) return (double)p->samples[p->n_samples - 1];
        double f = a - (double)i;
        return (double)p->samples[i] + f * (double)(p->samples[i + 1] - p->samples[i]);
    }
    if (p->omega > 0) return p->offset + p->amplitude * sin(p->omega * (t - p->delay));
    return p->v0 + p->slope * (t - p->t0);
}

/* Short description, e.g. "pulse train 0/15 V, period 4e-06 s, width 2e-06 s, delay 0 s";
   current inputs say so: "dc current 0.002 A". */
void vs_input_describe(const vs_input *in, char *buf, size_t n);

#endif
