/*
 * synapse.h -- the paper's synapse: two inverting op-amp adders in series (Fig 3H).
 *
 * For target neuron k with excitatory inputs E and inhibitory inputs I (sense
 * voltages V_j of the presynaptic neurons, gains g_j = R_f/R_j):
 *   stage 1:  v1 = -(sum_E g_j V_j)/K                  noise gain NG1 = 1 + sum_E g_j/K
 *   stage 2:  v2 = -(K v1 + sum_I g_j V_j + V_ref),  V_ref = -B
 *                                                       noise gain NG2 = 1 + K + 1 + sum_I g_j
 *   so        V_in,k = v2 = sum_E g_j V_j - sum_I g_j V_j + B
 * K >= 1 (stage 1 attenuated, stage 2 gains it back) keeps stage 1 out of its rails
 * when the excitatory sum is large; K = 1 is the paper's plain pair.
 * Op-amp model (docs/models/vo2x.md section 5): ideal (instantaneous), or finite DC gain A0
 * (static output divided by 1 + NG/A0), single pole (tau_cl = NG/(2 pi GBW)) and
 * slew limit SR; outputs clipped to +-rail either way (stage 2 to rail_out if that is
 * lower). An input offset V_os (either model) adds NG V_os to each stage's static
 * output, times the same 1/(1 + NG/A0): stage 1 by NG1 V_os, stage 2 by NG2 V_os (and
 * stage 1's shift, through K, to stage 2); 0 leaves every output as without it. Optionally both stages have a feedback capacitor, R_f || C_f, a first-order
 * low-pass of time constant tau_syn that averages the incoming spikes before any
 * clipping (0 = the paper's plain adder).
 *
 * Energy model (stated, per op-amp): quiescent 2 V_supply I_q, plus the output stage
 * (V_supply - |v_o|) |i_o| with i_o the feedback current v_o/R_f plus the load, plus
 * the adder's resistors sum_j V_j^2/R_j + v_o^2/R_f. Input resistors are assumed
 * large against R_sense (>= 10 kOhm), so the sense nodes are not loaded.
 *
 * Units: SI.
 */
#ifndef VO2SNN_SYNAPSE_H
#define VO2SNN_SYNAPSE_H

#include <stddef.h>

typedef struct vs_opamp {
    int ideal;               /* 1: infinite gain and bandwidth (rails still apply) */
    double a0;               /* DC open-loop gain (2e5) */
    double gbw_hz;           /* gain-bandwidth product (10 MHz) */
    double slew_v_per_s;     /* slew rate (20 V/us) */
    double rail_v;           /* output limit +-rail (13.5 V) */
    double supply_v;         /* +-supply (15 V), for the energy model */
    double i_quiescent_a;    /* quiescent supply current (1 mA), for the energy model */
    double r_feedback_ohm;   /* R_f of both stages (100 kOhm); R_j = R_f/g_j */
    double offset_v;         /* input offset voltage V_os (0): a source in series with the
                                grounded + input, so each stage's output moves by +NG V_os */
} vs_opamp;

/* The non-ideal op-amp of docs/models/vo2x.md section 5: A0 2e5, GBW 10 MHz, SR 20 V/us, +-13.5 V; +-15 V, 1 mA, 100 kOhm; no offset. */
vs_opamp vs_opamp_default(void);
/* The same, ideal. */
vs_opamp vs_opamp_ideal(void);

/* One target neuron's two-stage adder, once its input sums are known. */
typedef struct vs_adder {
    double ng1, ng2;         /* noise gains of stage 1 and 2 */
    double bias_v;           /* B */
    double tau_syn_s;        /* low-pass of each stage (0 = none) */
    double k_split;          /* K: stage-1 attenuation made up by stage 2 (>= 1; 0 means 1) */
    double rail_out_v;       /* stage-2 output limit (0 = the op-amp's rail) */
} vs_adder;

/* Closed-loop static gain factor 1/(1 + NG/A0) (1 for an ideal op-amp). */
double vs_opamp_gain_factor(const vs_opamp *o, double ng);
/* Closed-loop time constant NG/(2 pi GBW) (0 for an ideal op-amp). */
double vs_opamp_tau(const vs_opamp *o, double ng);
/* Power of one op-amp stage with output v_o driving load current i_load and
   dissipating p_resistors in its resistor network. */
double vs_opamp_power(const vs_opamp *o, double v_o, double i_load, double p_resistors);

/*
 * Adder outputs on a uniform grid. s_exc and s_inh (n samples every dt; NULL = 0)
 * are the input sums sum_E g_j V_j and sum_I g_j V_j; v1 and v2 (n samples) receive
 * the stage outputs. The inputs are linear between samples; the op-amp lags and the
 * stage-2 low-pass advance in sub-steps of at most dt/4 by the exact first-order
 * update of docs/models/vo2x.md section 5, slew-limited and clipped. At t = 0 the adder is settled.
 */
void vs_adder_run(const vs_opamp *o, const vs_adder *a, const float *s_exc, const float *s_inh,
                  size_t n, double dt, float *v1, float *v2);

#endif
