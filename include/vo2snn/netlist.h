/*
 * netlist.h -- export the neuron circuit, or the paper's 2x2 network, as a
 * self-contained ngspice netlist, for any device model (include/vo2snn/model.h).
 *
 * The neuron is the circuit of docs/models/vo2x.md 3.1 (V_in -- R_s -- N, C from N to ground, the
 * device from N to S, R_sense from S to ground), written as the subcircuit vo2neuron
 * (ports in n s temp m). A deck is laid out as:
 *
 *   provenance comment, then `.param KEY = VALUE` for every row of the model's
 *     parameter table (the .param names are the table keys);
 *   the model's write_netlist output: its derived .param lines (model-specific names
 *     carry a prefix, e.g. zh_, sw_), its .func lines, any .options it needs (zhang2024
 *     and switch ask for `.options method=gear`: their memory nodes are stiff), and the
 *     device subcircuit `vsdevice a b temp m` as behavioural (B) sources: a, b the
 *     terminals, temp the temperature (1 V = 1 K; a model without a thermal state holds
 *     it at t_amb with a source), m the switched (metallic) fraction (1 V = fully
 *     metallic). Every state capacitor inside carries its own IC=. The models:
 *       vo2x       temp on C_th, heated by I^2 R, cooled through 1/G_th to t_amb; m a
 *                  play-operator memory relaxing onto clamp(V(m), m_heat(T), m_cool(T))
 *                  within tau_m (docs/models/vo2x.md),
 *       zhang2024  the same thermal node; the reversal memory as a play operator on T
 *                  plus two sample-and-hold banks of (T_r, T_pr); m = 1 - g
 *                  (docs/models/zhang2024.md, "ngspice form"),
 *       switch     ON timer, OFF latch and a decision flip-flop as smooth-step state
 *                  nodes; m the resistance state (docs/models/switch.md, "ngspice form");
 *   vo2neuron: R_s, C, `Xdev n s temp m vsdevice`, and the 0 V source Vsense in series
 *     with R_sense (Vsense from s to ground when R_sense = 0), so that the device current
 *     is i(v.x1.vsense) at the top level;
 *   the source, the neuron instance X1, .ic (V = 0, T = ambient, m = 0), .tran ... uic and
 *     the optional .control block.
 *
 * tau_m (vs_netlist_opts) is each model's numerical relaxation time: of vo2x's memory
 * node, of zhang2024's reversal detector, of the switch's resistance change.
 *
 * It is the reference against which the library's own integrator is checked
 * (tests/test_ngspice.c for vo2x, tests/test_ngspice_models.c for zhang2024 and switch)
 * and benchmarked (bench/bench_osc.c). Device jitter (vo2x's sigma_ln_r, sigma_t_c_k)
 * has no SPICE form: the nominal device is written and a comment says so.
 *
 * Units: SI (s, V, ohm, F, W/K, K).
 */
#ifndef VO2SNN_NETLIST_H
#define VO2SNN_NETLIST_H

#include <stdio.h>

#include "vo2snn/device.h"
#include "vo2snn/input.h"
#include "vo2snn/network.h"
#include "vo2snn/neuron.h"
#include "vo2snn/status.h"
#include "vo2snn/synapse.h"

typedef struct vs_netlist_opts {
    double t_end_s;          /* .tran stop time (default 200 us; the 2x2 network uses p->t_end_s) */
    double t_max_step_s;     /* .tran max step (default 5 ns) */
    double tau_m_s;          /* the model's numerical relaxation time (above; default 1 ns) */
    const char *wrdata_path; /* if non-NULL: add a .control block that runs the transient in
                                batch mode, writes the columns time, V(n), V(temp), V(m),
                                V_spike = V(s), V_in = V(in), I_dev = i(v.x1.vsense) (one
                                time column, a header row) with wrdata to this path, then
                                quits; with a current input the source current i(vimeas)
                                takes the place of V(in). The 2x2 network writes time,
                                V(m11), V(m12), V(m21), V(m22), plus V(in21), V(in22) with a
                                non-ideal op-amp. The path must not contain white space or
                                quotes */
} vs_netlist_opts;

/* t_end 200 us, max step 5 ns, tau_m 1 ns, no wrdata. */
vs_netlist_opts vs_netlist_opts_default(void);

/*
 * Write a self-contained ngspice netlist of the neuron (docs/models/vo2x.md 3.1) with dev's model as
 * behavioural sources (above), starting from V = 0, T = ambient, m = 0 (.ic + uic, and
 * each model's own IC=). Every input kind is exported: dc as DC, pulse train and square
 * pulse as PULSE with ~1 ps edges, sine as SIN with delay, PWL and sampled waveforms as
 * PWL. A voltage input is the source Vin into node in, then R_s (subcircuit vo2neuron);
 * a current input is the source Iin into node in, carried on to node n by the 0 V
 * ammeter Vimeas, with no R_s in its path (subcircuit vo2neuron_i, ports n s temp m), and
 * wrdata writes i(vimeas) in place of v(in). Validates dev, c, in and o first
 * (VS_EINVAL, also if dev's model has no ngspice form); VS_EIO if f cannot be written.
 * On failure f may hold a partial netlist.
 */
vs_status vs_netlist_write(FILE *f, const vs_device_params *dev, const vs_circuit *c,
                           const vs_input *in, const vs_netlist_opts *o);

/*
 * Write the paper's 2x2 network (docs/models/vo2x.md section 5, Fig 3H; what vs_net2x2_simulate computes with the
 * same op-amp op) as one netlist: four vo2neuron instances of device dev in circuit c,
 * X11 and X12 driven by DC p->v_drive_v, X21 and X22 by two-stage inverting adders,
 * B = p->bias_v, w = p->weight. op NULL means vs_opamp_ideal().
 *
 * Ideal op-amp (op->ideal): behavioural voltage sources clipped at the rails +-op->rail_v,
 *   V_in21 = clamp(B + w (V(s11) + V(s12))),  V_in22 = clamp(B - w (V(s11) + V(s12)))
 * (stage 1 of (2,1) clips too, as in the library); with vs_opamp_ideal() the netlist is
 * the same, byte for byte, as before the op-amp argument existed.
 *
 * Non-ideal op-amp: a behavioural macro-model of vs_adder_run, one state node per stage
 * (aIJ stage 1, oIJ stage 2, a 1 F capacitor each) charged by the current
 *   I = limit((k V_static - V(x))/tau_cl, +-SR),  k = 1/(1 + NG/A0), tau_cl = NG/(2 pi GBW),
 * V_static the ideal stage output (stage 2 fed by stage 1's state), and held within
 * +-op->rail_v: the outward current is capped by (rail -+ V(x))/tau_rail, tau_rail =
 * o->tau_m_s, so the state stops at a rail within ~tau_rail, and it is read through a clamp
 * to the rails (the trapezoidal step may ring a few mV past a rail). Noise gains as in
 * vs_net2x2_simulate: (2,1) NG1 = 1 + 2w, NG2 = 3; (2,2) NG1 = 1 (no inputs), NG2 = 3 + 2w.
 * op->slew_v_per_s = 0 means no slew limit. The states start settled (.ic): stage 1 at 0,
 * stage 2 at k2 B clipped to the rails. inIJ buffers the clamped oIJ (no load on the state).
 *
 * Node names: inIJ, nIJ, sIJ, tempIJ, mIJ for neuron (I,J); its device current is
 * i(v.xIJ.vsense). The device subcircuit is dev's model's, shared by the four neurons
 * (nodes inside it are local to each instance). Every neuron starts from rest;
 * .tran runs to p->t_end_s with max step o->t_max_step_s (o->t_end_s is not used);
 * p->dt_s (the library's waveform grid) is not used. wrdata (o->wrdata_path) writes time,
 * V(m11), V(m12), V(m21), V(m22), and with a non-ideal op-amp also the adder outputs
 * V(in21), V(in22). VS_EINVAL if dev, c, o, op or p is invalid (weight < 0, non-finite
 * drive or bias, max step beyond t_end; rail <= 0, and when non-ideal A0, GBW <= 0 or
 * SR < 0) or if p->tau_syn_s != 0 (the adder low-pass is not exported); VS_EIO if f
 * cannot be written. On failure f may hold a partial netlist.
 */
vs_status vs_netlist_write_2x2(FILE *f, const vs_device_params *dev, const vs_circuit *c,
                               const vs_opamp *op, const vs_net2x2_params *p,
                               const vs_netlist_opts *o);

/*
 * A subset of a trained network deployed on circuits (vo2snn bom; infer.h): hidden neurons
 * driven through their two-stage adders by the input layer's summed drive, and output neurons
 * driven through theirs by the chosen hidden neurons only (the other hidden neurons are left
 * out, as if silent). The op-amps are ideal, as in vs_infer_net's default: each stage is
 * written as vs_adder_run computes it, a first-order low-pass of tau_syn (R_f || C_f; a state
 * node on a 1 F capacitor charged by (target - V)/tau_syn, tau_syn = 0: the target itself)
 * whose output is clipped, stage 1 at +-rail_v, stage 2 at the adder's rail_out_v:
 *   stage 1 target  -(sum_E g_j V_j)/K,   stage 2 target  -(K v1 + sum_I g_j V_j - B).
 * Hidden neuron i's sums sum_E g V and sum_I g V are PWL sources (drive_exc, drive_inh, n_t
 * samples every dt_s, linear between them, as the library's adder reads them); output neuron
 * k's are written as sum over the chosen hidden neurons of (R_f/R) V(s), R the synaptic
 * resistor (r_exc, r_inh; 0 = none). Nodes: suffix h<index> for hidden neuron index, o<index>
 * for output neuron index: in, n, s, temp, m (vo2neuron), a (stage 1), o (stage 2 state),
 * eh/ih (a hidden neuron's PWL sums). Every neuron starts from rest, every adder settled on
 * its t = 0 inputs; .tran runs to (n_t - 1) dt_s with max step o->t_max_step_s; wrdata writes
 * time, then V(m) of the hidden neurons, then of the output neurons, in the given order.
 */
typedef struct vs_netlist_subnet {
    size_t n_t;                 /* samples of the drives */
    double dt_s;                /* their spacing */
    double rail_v;              /* op-amp output limit of stage 1 (stage 2: each adder's rail_out_v) */
    double r_feedback_ohm;      /* R_f */
    int n_hidden;
    const int *hidden;          /* (n_hidden) indices in the hidden layer (labels) */
    const vs_adder *hidden_adder;                /* (n_hidden) */
    const float *drive_exc, *drive_inh;          /* (n_hidden, n_t) */
    int n_out;
    const int *out;             /* (n_out) indices in the output layer (labels) */
    const vs_adder *out_adder;  /* (n_out) */
    const double *r_exc, *r_inh;                 /* (n_out, n_hidden) ohm, 0 = no synapse */
    const char *title;          /* a line for the header comment (may be NULL) */
} vs_netlist_subnet;

/* Write s as one netlist (above). VS_EINVAL for a bad device, circuit, options or subnet
   (no neurons, n_t < 2, a non-positive step, rail or R_f, an index outside 0..65535); VS_EIO
   if f cannot be written. On failure f may hold a partial netlist. */
vs_status vs_netlist_write_subnet(FILE *f, const vs_device_params *dev, const vs_circuit *c,
                                  const vs_netlist_subnet *s, const vs_netlist_opts *o);

#endif
