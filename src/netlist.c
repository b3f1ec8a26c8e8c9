/* netlist.c -- the neuron circuit as an ngspice netlist with behavioural sources. */
#include "vo2snn/netlist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vo2snn/synapse.h"

vs_netlist_opts vs_netlist_opts_default(void)
{
    return (vs_netlist_opts){
        .t_end_s = 200e-6,
        .t_max_step_s = 5e-9,
        .tau_m_s = 1e-9,
        .wrdata_path = NULL,
    };
}

/* Pulse and square-pulse edges: 1 ps, or 1 % of the shorter level if that is shorter. */
static double edge_s(double a_s, double b_s)
{
    double e = 1e-12, m = 0.01 * (a_s < b_s ? a_s : b_s);
    return m < e ? m : e;
}

/* The options, with t_end_s the stop time actually used. */
static vs_status validate_opts(const vs_netlist_opts *o, double t_end_s)
{
    if (!(isfinite(t_end_s) && t_end_s > 0))
        return vs_fail(VS_EINVAL, "netlist stop time %g s must be positive", t_end_s);
    if (!(isfinite(o->t_max_step_s) && o->t_max_step_s > 0 && o->t_max_step_s <= t_end_s))
        return vs_fail(VS_EINVAL, "netlist max step %g s must be positive and at most the stop time",
                       o->t_max_step_s);
    if (!(isfinite(o->tau_m_s) && o->tau_m_s > 0 && o->tau_m_s < 1e-3))
        return vs_fail(VS_EINVAL, "memory relaxation time tau_m = %g s must lie in (0, 1 ms)",
                       o->tau_m_s);
    if (o->wrdata_path) {
        if (!o->wrdata_path[0]) return vs_fail(VS_EINVAL, "wrdata path is empty");
        if (strpbrk(o->wrdata_path, " \t\r\n\"'`;"))
            return vs_fail(VS_EINVAL, "wrdata path '%s' contains white space, a quote or ';'",
                           o->wrdata_path);
    }
    return VS_OK;
}

/* The input source line(s), each preceded by a comment: V_in from node in to ground, or
   I_in from ground into node in (then a 0 V ammeter carries it on to node n). */
static void write_source(FILE *f, const vs_input *in, double t_end_s)
{
    const int current = in->source == VS_SOURCE_CURRENT;
    const char *q = current ? "I_in" : "V_in", *el = current ? "Iin 0 in" : "Vin in 0";
    char desc[256];
    vs_input_describe(in, desc, sizeof desc);
    fprintf(f, "* input: %s\n", desc);
    switch (in->kind) {
    case VS_INPUT_DC:
        fprintf(f, "* %s: constant, applied at t = 0 (the capacitor starts at 0 V)\n", q);
        fprintf(f, "%s DC %.10g\n", el, in->v_dc_v);
        break;
    case VS_INPUT_PULSE: {
        double e = edge_s(in->width_s, in->period_s - in->width_s);
        fprintf(f, "* %s: PULSE(%s delay rise fall flat-top period); edges of %.3g s, the\n"
                   "* flat top shortened by one edge so the edge midpoints are width apart\n", q,
                current ? "i_lo i_hi" : "v_lo v_hi", e);
        fprintf(f, "%s PULSE(%.10g %.10g %.10g %.10g %.10g %.10g %.10g)\n", el, in->v_lo_v,
                in->v_hi_v, in->delay_s, e, e, in->width_s - e, in->period_s);
        break;
    }
    case VS_INPUT_SQUARE: {
        double e = edge_s(in->width_s, in->width_s);
        /* One pulse: a period far beyond the end of the run. */
        double period = 10.0 * (in->delay_s + in->width_s + t_end_s);
        fprintf(f, "* %s: one PULSE(%s delay rise fall flat-top period) whose period lies\n"
                   "* beyond the end of the run; edges of %.3g s\n", q, current ? "i_lo i_hi" : "v_lo v_hi", e);
        fprintf(f, "%s PULSE(%.10g %.10g %.10g %.10g %.10g %.10g %.10g)\n", el, in->v_lo_v,
                in->v_hi_v, in->delay_s, e, e, in->width_s - e, period);
        break;
    }
    case VS_INPUT_SINE:
        fprintf(f, "* %s: SIN(offset amplitude frequency delay); the offset alone before the delay\n", q);
        fprintf(f, "%s SIN(%.10g %.10g %.10g %.10g 0 0)\n", el, in->offset_v, in->amplitude_v,
                1.0 / in->period_s, in->delay_s);
        break;
    case VS_INPUT_PWL:
        fprintf(f, "* %s: PWL(t %s ...), %zu knots; constant before the first and after the last\n",
                q, current ? "i" : "v", in->n_knots);
        fprintf(f, "%s PWL(\n", el);
        for (size_t i = 0; i < in->n_knots; i++)
            fprintf(f, "+ %.10g %.10g\n", in->knot_t_s[i], in->knot_v_v[i]);
        fprintf(f, "+ )\n");
        break;
    case VS_INPUT_SAMPLED:
        fprintf(f, "* %s: sampled waveform as PWL(t %s ...), %zu samples every %.10g s\n", q,
                current ? "i" : "v", in->n_samples, in->dt_sample_s);
        fprintf(f, "%s PWL(\n", el);
        for (size_t i = 0; i < in->n_samples; i++)
            fprintf(f, "+ %.10g %.10g\n", in->dt_sample_s * (double)i, (double)in->samples[i]);
        fprintf(f, "+ )\n");
        break;
    }
    if (current)
        fprintf(f, "* ammeter: a 0 V source carrying I_in from in into node n; i(vimeas) = I_in\n"
                   "Vimeas in n DC 0\n");
}

/* Where the device came from, as a comment. */
static void write_provenance(FILE *f, const vs_device_params *dev)
{
    fprintf(f, "* Device model %s: %s (%s)\n", dev->model->name, dev->model->title,
            dev->model->doc);
    fprintf(f, "* Device parameters, source: ");
    if (dev->model->coord_key && !isnan(dev->vacancy_x))
        fprintf(f, "vacancy table of docs/models/vo2x.md 2.2 at x = %.10g%s\n", dev->vacancy_x,
                fabs(dev->vacancy_x * 4 - round(dev->vacancy_x * 4)) < 1e-12 ? " (a paper device)"
                                                                            : " (interpolated)");
    else if (dev->preset > 0)
        fprintf(f, "preset %d of model %s\n", dev->preset, dev->model->name);
    else
        fprintf(f, "user-edited parameters (not a preset)\n");
    if (dev->name[0]) fprintf(f, "* Device name: %s\n", dev->name);
    if (vs_device_has_jitter(dev))
        fprintf(f, "* NOTE: cycle-to-cycle jitter is not modelled here; this is the nominal device.\n");
}

/* The device parameters (.param, one per row of the model's table) and the model's
   functions and device subcircuit vsdevice, shared by every neuron. */
static vs_status write_model(FILE *f, const vs_device_params *dev, const vs_netlist_opts *o)
{
    const vs_model *m = dev->model;
    if (!m->write_netlist)
        return vs_fail(VS_EINVAL, "model %s has no ngspice form", m->name);
    write_provenance(f, dev);
    for (int i = 0; i < m->n_params; i++)
        fprintf(f, ".param %s = %.10g  $ %s%s%s%s\n", m->params[i].key, dev->v[i],
                m->params[i].meaning, m->params[i].unit[0] ? " (" : "", m->params[i].unit,
                m->params[i].unit[0] ? ")" : "");
    return m->write_netlist(f, dev, o->tau_m_s);
}

/*
 * C, the device and R_sense of one neuron: the body of its subcircuit after the input. The
 * device current always flows through the 0 V source Vsense (from s into R_sense, or to
 * ground for R_sense = 0, where a zero-ohm resistor would short s), so that it can be
 * written as i(v.x1.vsense) at the top level whatever R_sense is.
 */
static void write_neuron_body(FILE *f, const vs_circuit *c)
{
    fprintf(f, "* capacitor C from node n to ground (starts discharged)\n");
    fprintf(f, "C1 n 0 %.10g IC=0\n", c->c_f);
    fprintf(f, "* the device from n to s (model subcircuit vsdevice above)\n");
    fprintf(f, "Xdev n s temp m vsdevice\n");
    if (c->r_sense_ohm == 0) {
        fprintf(f, "* sampling resistor of 0 ohm: s tied to ground by the 0 V source Vsense, whose\n"
                   "* current i(vsense) is the device current\n");
        fprintf(f, "Vsense s 0 DC 0\n");
    } else {
        fprintf(f, "* device-current probe: the 0 V source Vsense from s to R_sense; i(vsense) is the\n"
                   "* device current\n");
        fprintf(f, "Vsense s s2 DC 0\n");
        fprintf(f, "* sampling resistor R_sense to ground; V_spike = V(s)\n");
        fprintf(f, "Rsense s2 0 %.10g\n", c->r_sense_ohm);
    }
}

/*
 * The neuron of docs/models/vo2x.md 3.1 as the subcircuit vo2neuron. Its ports are the drive (in) and
 * every state node, so that .ic and wrdata can name them at the top level:
 *   in    V_in (driven from outside)     n     V_osc, the capacitor node
 *   s     V_spike, the sense node        temp  device temperature (1 V = 1 K)
 *   m     switched (metallic) fraction of the device (1 V = fully metallic)
 */
static void write_neuron_subckt(FILE *f, const vs_circuit *c)
{
    fprintf(f, "*\n* ---- one neuron (docs/models/vo2x.md 3.1): ports in n s temp m ----\n");
    fprintf(f, "* in: input V_in; n: capacitor node V_osc; s: sense node V_spike;\n"
               "* temp: device temperature (1 V = 1 K); m: the device's switched (metallic)\n"
               "* fraction (1 V = fully metallic)\n");
    fprintf(f, ".subckt vo2neuron in n s temp m\n");
    fprintf(f, "* series resistor R_s from the source to node n\n");
    fprintf(f, "Rs in n %.10g\n", c->r_series_ohm);
    write_neuron_body(f, c);
    fprintf(f, ".ends vo2neuron\n");
}

/* The neuron driven by a current into node n: vo2neuron without R_s, ports n s temp m. */
static void write_neuron_subckt_current(FILE *f, const vs_circuit *c)
{
    fprintf(f, "*\n* ---- one neuron (docs/models/vo2x.md 3.1) driven by a current: ports n s temp m ----\n");
    fprintf(f, "* n: capacitor node V_osc, where the input current I_in goes in (no R_s in its\n"
               "* path); s: sense node V_spike; temp: device temperature (1 V = 1 K);\n"
               "* m: the device's switched (metallic) fraction (1 V = fully metallic)\n");
    fprintf(f, ".subckt vo2neuron_i n s temp m\n");
    write_neuron_body(f, c);
    fprintf(f, ".ends vo2neuron_i\n");
}

/*
 * The .ic line of the neuron whose nodes carry the suffix sfx ("" for the single neuron):
 * V = 0, T = ambient, m = 0, used as given (uic). The ambient is written as a number, so
 * that the line holds for any model; every state capacitor inside the device also has its
 * own IC=, and an .ic on a node that a model drives with a source (the switch's temp,
 * zhang2024's m) is harmless.
 */
static void write_ic(FILE *f, const vs_device_params *dev, const char *sfx)
{
    fprintf(f, ".ic V(n%s)=0 V(temp%s)=%.10g V(m%s)=0\n", sfx, sfx, vs_device_ambient(dev), sfx);
}

/* The .tran line: print step, stop time, start time, max step, skip the operating point. */
static void write_tran(FILE *f, const vs_netlist_opts *o, double t_end_s)
{
    fprintf(f, "* transient: print step, stop time, start time, max step, skip the operating point\n");
    fprintf(f, ".tran %.10g %.10g 0 %.10g uic\n", o->t_max_step_s, t_end_s, o->t_max_step_s);
}

/* The optional batch-mode .control block writing the vectors cols (space separated). */
static void write_control(FILE *f, const vs_netlist_opts *o, const char *cols)
{
    if (!o->wrdata_path) return;
    fprintf(f, "*\n* batch run: simulate, write the columns time %s\n"
               "* (one time column, a header row) to the data file, quit\n", cols);
    fprintf(f, ".control\n");
    fprintf(f, "set wr_singlescale\n");
    fprintf(f, "set wr_vecnames\n");
    fprintf(f, "option numdgt=12\n");
    fprintf(f, "run\n");
    fprintf(f, "wrdata %s %s\n", o->wrdata_path, cols);
    fprintf(f, "quit\n");
    fprintf(f, ".endc\n");
}

static vs_status finish(FILE *f)
{
    fprintf(f, ".end\n");
    if (ferror(f) || fflush(f) != 0) return vs_fail(VS_EIO, "could not write the netlist");
    return VS_OK;
}

vs_status vs_netlist_write(FILE *f, const vs_device_params *dev, const vs_circuit *c,
                           const vs_input *in, const vs_netlist_opts *o)
{
    vs_status st;
    if ((st = vs_device_validate(dev)) != VS_OK || (st = vs_circuit_validate(c)) != VS_OK ||
        (st = vs_input_validate(in)) != VS_OK || (st = validate_opts(o, o->t_end_s)) != VS_OK)
        return st;

    /* Title line (ngspice ignores the first line of a deck). */
    fprintf(f, "vo2snn neuron (docs/models/vo2x.md 3.1) with the %s device model\n", dev->model->name);
    fprintf(f, "*\n* Written by vo2snn (vs_netlist_write). Units: SI; node 'temp' is the device\n"
               "* temperature in volts (1 V = 1 K); node 'm' is the device's switched (metallic)\n"
               "* fraction (1 V = fully metallic); i(v.x1.vsense) is the device current.\n*\n");
    const int current = in->source == VS_SOURCE_CURRENT;
    if (current)
        fprintf(f, "* The input is a current source I_in into node n, with no R_s in its path\n"
                   "* (subcircuit vo2neuron_i); the 0 V source Vimeas measures it, and wrdata\n"
                   "* writes i(vimeas) in place of v(in).\n*\n");
    vs_status ms = write_model(f, dev, o);
    if (ms != VS_OK) return ms;
    if (current) write_neuron_subckt_current(f, c);
    else write_neuron_subckt(f, c);

    fprintf(f, "*\n* ---- electrical circuit (docs/models/vo2x.md 3.1) ----\n");
    write_source(f, in, o->t_end_s);
    if (current) {
        fprintf(f, "* the neuron: V_osc n (fed by I_in), V_spike s, temperature temp, switched\n"
                   "* fraction m\n");
        fprintf(f, "X1 n s temp m vo2neuron_i\n");
    } else {
        fprintf(f, "* the neuron: input in, V_osc n, V_spike s, temperature temp, switched\n"
                   "* fraction m\n");
        fprintf(f, "X1 in n s temp m vo2neuron\n");
    }

    fprintf(f, "*\n* ---- analysis ----\n");
    fprintf(f, "* initial state V = 0, T = ambient, m = 0 (used as given: uic)\n");
    write_ic(f, dev, "");
    write_tran(f, o, o->t_end_s);
    write_control(f, o, current ? "v(n) v(temp) v(m) v(s) i(vimeas) i(v.x1.vsense)"
                                : "v(n) v(temp) v(m) v(s) v(in) i(v.x1.vsense)");
    return finish(f);
}

/* The ideal adders: behavioural voltage sources clipped at the rails (docs/models/vo2x.md section 5). */
static void write_ideal_adders(FILE *f, double rail)
{
    fprintf(f, "* Ideal op-amps (infinite gain and bandwidth, no input loading of the sense\n"
               "* nodes) whose outputs clip at +-rail = +-%.10g V: exactly what\n"
               "* vs_net2x2_simulate computes with vs_opamp_ideal() and tau_syn = 0.\n"
               "*   stage 1: v1 = clamp(-(sum over excitatory inputs of w V_s))\n"
               "*   stage 2: V_in = clamp(-(v1 + sum over inhibitory inputs of w V_s - B))\n",
            rail);
    fprintf(f, ".func clamp(x) {min(max(x, -rail), rail)}\n");
    fprintf(f, "* (2,1): both layer-1 neurons excitatory, into stage 1;\n"
               "*   V_in21 = clamp(B + w (V_s11 + V_s12)) unless stage 1 clips\n");
    fprintf(f, "Ba21 a21 0 V = clamp(-w*(V(s11) + V(s12)))\n");
    fprintf(f, "Bin21 in21 0 V = clamp(bias - V(a21))\n");
    fprintf(f, "* (2,2): both layer-1 neurons inhibitory, into stage 2; stage 1 has no inputs\n"
               "*   (output 0 V) and is left out: V_in22 = clamp(B - w (V_s11 + V_s12))\n");
    fprintf(f, "Bin22 in22 0 V = clamp(bias - w*(V(s11) + V(s12)))\n");
}

/*
 * The non-ideal adders: per stage a state node x on a 1 F capacitor, charged by a B-source
 * current, the continuous form of vs_adder_run's update (first-order lag onto k V_static,
 * slew-limited, clipped at the rails). ng[k][s] is the noise gain of stage s of target k.
 */
static void write_nonideal_adders(FILE *f, const vs_opamp *op, double w, double tau_rail_s)
{
    const double ng[2][2] = {{1 + 2 * w, 3}, {1, 3 + 2 * w}};
    const int slew = op->slew_v_per_s > 0;
    fprintf(f, "* Non-ideal op-amps (docs/models/vo2x.md section 5): DC gain A0 = %.10g, GBW = %.10g Hz, slew rate\n"
               "* SR = %.10g V/s%s, output limited to +-rail = +-%.10g V; inputs do not load the\n"
               "* sense nodes. Each stage's output is a state node x on a 1 F capacitor charged by\n"
               "*   I = dx/dt = limit((k V_static - V(x))/tau_cl, +-SR)\n"
               "* with V_static the ideal output -(sum_j g_j V_j), k = 1/(1 + NG/A0) and\n"
               "* tau_cl = NG/(2 pi GBW) for the stage's noise gain NG = 1 + sum_j g_j: the\n"
               "* continuous form of vs_adder_run's update (lag, slew limit, rail clip). The rail\n"
               "* clip: the outward current is capped by (rail - V(x))/tau_rail (and\n"
               "* -(rail + V(x))/tau_rail below), so a state pushed outwards stops at the rail\n"
               "* within ~tau_rail and cannot run past it (a continuous form ngspice handles\n"
               "* robustly); the state is read through clamp(), so that the few mV the\n"
               "* trapezoidal step may ring past the rail for a few ns never reach an output.\n"
               "* Stage 2 is fed by stage 1's output; the states start settled (.ic).\n",
            op->a0, op->gbw_hz, op->slew_v_per_s, slew ? "" : " (0: no slew limit)", op->rail_v);
    fprintf(f, ".param tau_rail = %.10g  $ rail-stop time constant, = tau_m (s)\n", tau_rail_s);
    if (slew) {
        fprintf(f, ".param sr = %.10g  $ slew rate (V/s)\n", op->slew_v_per_s);
        fprintf(f, "* slew limit of the output rate\n");
        fprintf(f, ".func slewlim(r) {min(max(r, -sr), sr)}\n");
    } else {
        fprintf(f, "* no slew limit\n");
        fprintf(f, ".func slewlim(r) {r}\n");
    }
    fprintf(f, "* an op-amp output: its state, clipped at the rails\n");
    fprintf(f, ".func clamp(x) {min(max(x, -rail), rail)}\n");
    fprintf(f, "* dx/dt of a stage with target xt = k V_static, time constant tc, state xs,\n"
               "* cut at the rails\n");
    fprintf(f, ".func opamp(xt, xs, tc) {min(max(slewlim((xt - xs)/tc), -(rail + xs)/tau_rail),"
               " (rail - xs)/tau_rail)}\n");
    static const char *const tgt[2] = {"21", "22"};
    static const char *const what[2] = {
        "(2,1): both layer-1 neurons excitatory, into stage 1; stage 2 inverts stage 1 and adds B",
        "(2,2): both layer-1 neurons inhibitory, into stage 2; stage 1 has no inputs (stays 0 V)"};
    for (int k = 0; k < 2; k++) {
        double k1 = vs_opamp_gain_factor(op, ng[k][0]), k2 = vs_opamp_gain_factor(op, ng[k][1]);
        double t1 = vs_opamp_tau(op, ng[k][0]), t2 = vs_opamp_tau(op, ng[k][1]);
        fprintf(f, "* %s\n", what[k]);
        fprintf(f, ".param k1_%s = %.10g  $ stage 1: NG1 = %.10g, k = 1/(1 + NG1/A0)\n", tgt[k], k1,
                ng[k][0]);
        fprintf(f, ".param tau1_%s = %.10g  $ stage 1: tau_cl = NG1/(2 pi GBW) (s)\n", tgt[k], t1);
        fprintf(f, ".param k2_%s = %.10g  $ stage 2: NG2 = %.10g, k = 1/(1 + NG2/A0)\n", tgt[k], k2,
                ng[k][1]);
        fprintf(f, ".param tau2_%s = %.10g  $ stage 2: tau_cl = NG2/(2 pi GBW) (s)\n", tgt[k], t2);
        if (k == 0) {
            fprintf(f, "*   stage 1 state a21, V_static = -w (V_s11 + V_s12)\n");
            fprintf(f, "Ca21 a21 0 1\n");
            fprintf(f, "Ba21 0 a21 I = opamp(-k1_21*w*(V(s11) + V(s12)), V(a21), tau1_21)\n");
            fprintf(f, "*   stage 2 state o21, V_static = -(v1 - B), v1 = clamp(V(a21)) (V_ref = -B,\n"
                       "*   gain 1)\n");
            fprintf(f, "Co21 o21 0 1\n");
            fprintf(f, "Bo21 0 o21 I = opamp(-k2_21*(clamp(V(a21)) - bias), V(o21), tau2_21)\n");
        } else {
            fprintf(f, "*   stage 1 state a22, V_static = 0 (no inputs)\n");
            fprintf(f, "Ca22 a22 0 1\n");
            fprintf(f, "Ba22 0 a22 I = opamp(0, V(a22), tau1_22)\n");
            fprintf(f, "*   stage 2 state o22, V_static = -(v1 + w (V_s11 + V_s12) - B),\n"
                       "*   v1 = clamp(V(a22))\n");
            fprintf(f, "Co22 o22 0 1\n");
            fprintf(f, "Bo22 0 o22 I = opamp(-k2_22*(clamp(V(a22)) + w*(V(s11) + V(s12)) - bias),"
                       " V(o22), tau2_22)\n");
        }
        fprintf(f, "*   the op-amp output clamp(V(o%s)) drives the neuron through a buffer (no\n"
                   "*   load on the state)\n", tgt[k]);
        fprintf(f, "Bin%s in%s 0 V = clamp(V(o%s))\n", tgt[k], tgt[k], tgt[k]);
    }
}

static vs_status validate_opamp(const vs_opamp *op)
{
    if (!(isfinite(op->rail_v) && op->rail_v > 0))
        return vs_fail(VS_EINVAL, "2x2 netlist: op-amp rail %g V must be positive", op->rail_v);
    if (op->ideal) return VS_OK;
    if (!(isfinite(op->a0) && op->a0 > 0))
        return vs_fail(VS_EINVAL, "2x2 netlist: op-amp DC gain A0 = %g must be positive", op->a0);
    if (!(isfinite(op->gbw_hz) && op->gbw_hz > 0))
        return vs_fail(VS_EINVAL, "2x2 netlist: op-amp GBW %g Hz must be positive", op->gbw_hz);
    if (!(isfinite(op->slew_v_per_s) && op->slew_v_per_s >= 0))
        return vs_fail(VS_EINVAL, "2x2 netlist: op-amp slew rate %g V/s must be >= 0 (0: none)",
                       op->slew_v_per_s);
    return VS_OK;
}

vs_status vs_netlist_write_2x2(FILE *f, const vs_device_params *dev, const vs_circuit *c,
                               const vs_opamp *op, const vs_net2x2_params *p,
                               const vs_netlist_opts *o)
{
    vs_status st;
    const vs_opamp ideal = vs_opamp_ideal();
    if (!op) op = &ideal;
    if ((st = vs_device_validate(dev)) != VS_OK || (st = vs_circuit_validate(c)) != VS_OK ||
        (st = validate_opts(o, p->t_end_s)) != VS_OK || (st = validate_opamp(op)) != VS_OK)
        return st;
    if (!(isfinite(p->v_drive_v) && fabs(p->v_drive_v) <= 1e4))
        return vs_fail(VS_EINVAL, "2x2 netlist: drive %g V must be finite, |V| <= 10 kV", p->v_drive_v);
    if (!(isfinite(p->bias_v) && fabs(p->bias_v) <= 1e4))
        return vs_fail(VS_EINVAL, "2x2 netlist: bias %g V must be finite, |B| <= 10 kV", p->bias_v);
    if (!(isfinite(p->weight) && p->weight >= 0 && p->weight <= 1e6))
        return vs_fail(VS_EINVAL, "2x2 netlist: weight %g must lie in [0, 1e6]", p->weight);
    if (p->tau_syn_s != 0)
        return vs_fail(VS_EINVAL, "2x2 netlist: adder low-pass tau_syn = %g s is not exported "
                                  "(only the plain adders, tau_syn = 0)", p->tau_syn_s);
    const double rail = op->rail_v;
    const int nonideal = !op->ideal;
    static const char *const id[4] = {"11", "12", "21", "22"};

    fprintf(f, "vo2snn 2x2 network of %s neurons (docs/models/vo2x.md section 5, Fig 3H) with %s two-stage adders\n",
            dev->model->name, nonideal ? "non-ideal" : "ideal");
    fprintf(f, "*\n* Written by vo2snn (vs_netlist_write_2x2). Units: SI. Neuron (i,j) has the\n"
               "* nodes inij (V_in), nij (V_osc), sij (V_spike), tempij (temperature, 1 V = 1 K)\n"
               "* and mij (switched fraction, 1 V = fully metallic); i(v.xij.vsense) is the device\n"
               "* current of neuron (i,j). Layer 1: (1,1), (1,2);\n"
               "* layer 2: (2,1) excited, (2,2) inhibited by both layer-1 neurons.\n*\n");
    vs_status ms = write_model(f, dev, o);
    if (ms != VS_OK) return ms;
    fprintf(f, "*\n* ---- network parameters ----\n");
    fprintf(f, ".param v_drive = %.10g  $ dc drive of the layer-1 neurons (V)\n", p->v_drive_v);
    fprintf(f, ".param bias = %.10g  $ bias B of both layer-2 adders (V)\n", p->bias_v);
    fprintf(f, ".param w = %.10g  $ adder gain R_f/R_j of every synapse\n", p->weight);
    fprintf(f, ".param rail = %.10g  $ op-amp output limit +-rail (V)\n", rail);
    write_neuron_subckt(f, c);

    fprintf(f, "*\n* ---- layer 1: (1,1) and (1,2) driven by the same dc source ----\n");
    fprintf(f, "* V_in: constant, applied at t = 0 (the capacitors start at 0 V)\n");
    fprintf(f, "Vin11 in11 0 DC {v_drive}\n");
    fprintf(f, "Vin12 in12 0 DC {v_drive}\n");

    fprintf(f, "*\n* ---- synapses: two inverting adders in series per target (docs/models/vo2x.md section 5) ----\n");
    if (nonideal) write_nonideal_adders(f, op, p->weight, o->tau_m_s);
    else write_ideal_adders(f, rail);

    fprintf(f, "*\n* ---- the four neurons ----\n");
    for (int k = 0; k < 4; k++)
        fprintf(f, "X%s in%s n%s s%s temp%s m%s vo2neuron\n", id[k], id[k], id[k], id[k], id[k],
                id[k]);

    fprintf(f, "*\n* ---- analysis ----\n");
    fprintf(f, "* initial state of every neuron V = 0, T = ambient, m = 0 (used as given: uic)\n");
    for (int k = 0; k < 4; k++) write_ic(f, dev, id[k]);
    if (nonideal) {
        /* settled at t = 0 (all V_s = 0), as vs_adder_run starts */
        fprintf(f, "* adders settled at t = 0 (every V_s = 0): stage 1 at 0 V, stage 2 at\n"
                   "* k2 B (clipped to the rails)\n");
        for (int k = 0; k < 2; k++) {
            double ng2 = k == 0 ? 3 : 3 + 2 * p->weight;
            double x2 = vs_opamp_gain_factor(op, ng2) * p->bias_v;
            x2 = x2 > rail ? rail : (x2 < -rail ? -rail : x2);
            fprintf(f, ".ic V(a%s)=0 V(o%s)=%.10g\n", id[2 + k], id[2 + k], x2);
        }
    }
    write_tran(f, o, p->t_end_s);
    write_control(f, o, nonideal ? "v(m11) v(m12) v(m21) v(m22) v(in21) v(in22)"
                                 : "v(m11) v(m12) v(m21) v(m22)");
    return finish(f);
}

/* ---- a subset of a deployed network (vo2snn bom) ---------------------------------------- */

/* One two-stage adder with suffix sfx: stage 1 state a<sfx> on the excitatory sum exc (an
   expression), stage 2 state o<sfx> adding the inhibitory sum inh and the bias, and the
   buffered, clipped output in<sfx>. exc0, inh0: the sums at t = 0 (for the settled .ic). */
static void write_subnet_adder(FILE *f, const vs_adder *a, double rail, const char *sfx, const char *exc,
                               const char *inh)
{
    const double ks = a->k_split >= 1 ? a->k_split : 1.0, tau = a->tau_syn_s;
    const double rail2 = a->rail_out_v > 0 && a->rail_out_v < rail ? a->rail_out_v : rail;
    fprintf(f, "*   adder: K = %.10g, B = %.10g V, tau_syn = %.10g s, stage 2 clipped at +-%.10g V\n", ks,
            a->bias_v, tau, rail2);
    if (tau > 0) {
        fprintf(f, "Ca%s a%s 0 1\n", sfx, sfx);
        fprintf(f, "Ba%s 0 a%s I = (-(%s)/%.10g - V(a%s))/%.10g\n", sfx, sfx, exc, ks, sfx, tau);
        fprintf(f, "Co%s o%s 0 1\n", sfx, sfx);
        fprintf(f, "Bo%s 0 o%s I = (-(%.10g*clamp(V(a%s)) + (%s) - (%.10g)) - V(o%s))/%.10g\n", sfx, sfx, ks,
                sfx, inh, a->bias_v, sfx, tau);
    } else {
        fprintf(f, "Ba%s a%s 0 V = -(%s)/%.10g\n", sfx, sfx, exc, ks);
        fprintf(f, "Bo%s o%s 0 V = -(%.10g*clamp(V(a%s)) + (%s) - (%.10g))\n", sfx, sfx, ks, sfx, inh, a->bias_v);
    }
    fprintf(f, "Bin%s in%s 0 V = min(max(V(o%s), %.10g), %.10g)\n", sfx, sfx, sfx, -rail2, rail2);
}

/* The .ic of a settled adder on t = 0 sums exc0, inh0 (only with a low-pass: state nodes). */
static void write_subnet_adder_ic(FILE *f, const vs_adder *a, double rail, const char *sfx, double exc0,
                                  double inh0)
{
    if (!(a->tau_syn_s > 0)) return;
    const double ks = a->k_split >= 1 ? a->k_split : 1.0;
    double f1 = -exc0 / ks, x1 = f1 > rail ? rail : (f1 < -rail ? -rail : f1);
    double f2 = -(ks * x1 + inh0 - a->bias_v);
    fprintf(f, ".ic V(a%s)=%.10g V(o%s)=%.10g\n", sfx, f1, sfx, f2);
}

static void write_pwl(FILE *f, const char *name, const char *node, const float *v, size_t n, double dt)
{
    fprintf(f, "%s %s 0 PWL(\n", name, node);
    for (size_t i = 0; i < n; i++) fprintf(f, "+ %.10g %.8g\n", dt * (double)i, (double)v[i]);
    fprintf(f, "+ )\n");
}

/* sum over the chosen hidden neurons of (R_f/R) V(sh<idx>) for row k of r, or "0". */
static char *subnet_sum(const vs_netlist_subnet *s, const double *r_row)
{
    size_t cap = 64 + (size_t)s->n_hidden * 64, len = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    buf[0] = '\0';
    for (int h = 0; h < s->n_hidden; h++) {
        if (!(r_row[h] > 0)) continue;
        len += (size_t)snprintf(buf + len, cap - len, "%s%.10g/%.10g*V(sh%d)", len ? " + " : "",
                                s->r_feedback_ohm, r_row[h], s->hidden[h]);
    }
    if (!len) snprintf(buf, cap, "0");
    return buf;
}

static vs_status check_subnet(const vs_device_params *dev, const vs_circuit *c, const vs_netlist_subnet *s,
                              const vs_netlist_opts *o)
{
    vs_status st;
    if (s->n_t < 2 || !(s->dt_s > 0) || !isfinite(s->dt_s))
        return vs_fail(VS_EINVAL, "subnet netlist: %zu samples every %g s (need >= 2, a positive step)", s->n_t,
                       s->dt_s);
    if ((st = vs_device_validate(dev)) != VS_OK || (st = vs_circuit_validate(c)) != VS_OK ||
        (st = validate_opts(o, s->dt_s * (double)(s->n_t - 1))) != VS_OK)
        return st;
    if (s->n_hidden < 1 && s->n_out < 1) return vs_fail(VS_EINVAL, "subnet netlist: no neurons");
    if (s->n_hidden < 0 || s->n_out < 0 || !(s->rail_v > 0) || !(s->r_feedback_ohm > 0))
        return vs_fail(VS_EINVAL, "subnet netlist: bad counts, rail or feedback resistor");
    for (int h = 0; h < s->n_hidden; h++)
        if (s->hidden[h] < 0 || s->hidden[h] > 65535) return vs_fail(VS_EINVAL, "subnet netlist: hidden index %d", s->hidden[h]);
    for (int k = 0; k < s->n_out; k++)
        if (s->out[k] < 0 || s->out[k] > 65535) return vs_fail(VS_EINVAL, "subnet netlist: output index %d", s->out[k]);
    return VS_OK;
}

/* Hidden neuron h: its two PWL drives, its adder and its neuron. */
static void write_subnet_hidden(FILE *f, const vs_netlist_subnet *s, int h)
{
    const size_t nt = s->n_t;
    char sfx[16], exc[64], inh[64], name[32], node[32];
    snprintf(sfx, sizeof sfx, "h%d", s->hidden[h]);
    fprintf(f, "*\n* ---- hidden neuron %d ----\n", s->hidden[h]);
    fprintf(f, "*   input layer's drive: sum_E g V (node e%s), sum_I g V (node i%s)\n", sfx, sfx);
    snprintf(name, sizeof name, "Ve%s", sfx), snprintf(node, sizeof node, "e%s", sfx);
    write_pwl(f, name, node, s->drive_exc + (size_t)h * nt, nt, s->dt_s);
    snprintf(name, sizeof name, "Vi%s", sfx), snprintf(node, sizeof node, "i%s", sfx);
    write_pwl(f, name, node, s->drive_inh + (size_t)h * nt, nt, s->dt_s);
    snprintf(exc, sizeof exc, "V(e%s)", sfx), snprintf(inh, sizeof inh, "V(i%s)", sfx);
    write_subnet_adder(f, &s->hidden_adder[h], s->rail_v, sfx, exc, inh);
    fprintf(f, "X%s in%s n%s s%s temp%s m%s vo2neuron\n", sfx, sfx, sfx, sfx, sfx, sfx);
}

/* Output neuron k: synapses from the chosen hidden neurons, its adder and its neuron. */
static vs_status write_subnet_output(FILE *f, const vs_netlist_subnet *s, int k)
{
    char sfx[16];
    snprintf(sfx, sizeof sfx, "o%d", s->out[k]);
    fprintf(f, "*\n* ---- output neuron %d: synapses from the chosen hidden neurons, gain R_f/R ----\n", s->out[k]);
    char *se = subnet_sum(s, s->r_exc + (size_t)k * (size_t)s->n_hidden);
    char *si = subnet_sum(s, s->r_inh + (size_t)k * (size_t)s->n_hidden);
    if (se && si) write_subnet_adder(f, &s->out_adder[k], s->rail_v, sfx, se, si);
    int ok = se && si;
    free(se), free(si);
    if (!ok) return vs_fail(VS_ENOMEM, "out of memory");
    fprintf(f, "X%s in%s n%s s%s temp%s m%s vo2neuron\n", sfx, sfx, sfx, sfx, sfx, sfx);
    return VS_OK;
}

/* Initial conditions, the transient and the wrdata of every neuron's switched fraction. */
static vs_status write_subnet_analysis(FILE *f, const vs_device_params *dev, const vs_netlist_subnet *s,
                                       const vs_netlist_opts *o)
{
    char sfx[16];
    fprintf(f, "*\n* ---- analysis ----\n");
    fprintf(f, "* every neuron from rest (V = 0, T = ambient, m = 0), every adder settled at t = 0\n");
    for (int h = 0; h < s->n_hidden; h++) {
        snprintf(sfx, sizeof sfx, "h%d", s->hidden[h]);
        write_ic(f, dev, sfx);
        write_subnet_adder_ic(f, &s->hidden_adder[h], s->rail_v, sfx, (double)s->drive_exc[(size_t)h * s->n_t],
                              (double)s->drive_inh[(size_t)h * s->n_t]);
    }
    for (int k = 0; k < s->n_out; k++) {
        snprintf(sfx, sizeof sfx, "o%d", s->out[k]);
        write_ic(f, dev, sfx);
        write_subnet_adder_ic(f, &s->out_adder[k], s->rail_v, sfx, 0.0, 0.0);
    }
    write_tran(f, o, s->dt_s * (double)(s->n_t - 1));
    size_t cap = 16 + 24 * (size_t)(s->n_hidden + s->n_out), len = 0;
    char *cols = malloc(cap);
    if (!cols) return vs_fail(VS_ENOMEM, "out of memory");
    cols[0] = '\0';
    for (int h = 0; h < s->n_hidden; h++) len += (size_t)snprintf(cols + len, cap - len, "%sv(mh%d)", len ? " " : "", s->hidden[h]);
    for (int k = 0; k < s->n_out; k++) len += (size_t)snprintf(cols + len, cap - len, "%sv(mo%d)", len ? " " : "", s->out[k]);
    write_control(f, o, cols);
    free(cols);
    return VS_OK;
}

vs_status vs_netlist_write_subnet(FILE *f, const vs_device_params *dev, const vs_circuit *c,
                                  const vs_netlist_subnet *s, const vs_netlist_opts *o)
{
    vs_status st = check_subnet(dev, c, s, o);
    if (st != VS_OK) return st;
    fprintf(f, "vo2snn: a subset of a trained network on %s neurons with two-stage adders\n", dev->model->name);
    fprintf(f, "*\n* Written by vo2snn (vs_netlist_write_subnet). Units: SI.\n");
    if (s->title) fprintf(f, "* %s\n", s->title);
    fprintf(f, "* Hidden neurons driven by the input layer's summed drive (PWL sources: sum_E g V into\n"
               "* stage 1, sum_I g V into stage 2, sampled every %.10g s from vo2snn's own input-layer\n"
               "* waveforms), output neurons by the chosen hidden neurons only. Neuron hI / oK has the\n"
               "* nodes inhI (V_in), nhI (V_osc), shI (V_spike), temphI, mhI (switched fraction).\n"
               "* Ideal op-amps; each stage a low-pass R_f || C_f of tau_syn, clipped (docs/variation.md).\n*\n",
            s->dt_s);
    if ((st = write_model(f, dev, o)) != VS_OK) return st;
    fprintf(f, "*\n* ---- network parameters ----\n");
    fprintf(f, ".param rail = %.10g  $ op-amp output limit +-rail (V)\n", s->rail_v);
    fprintf(f, ".param rf = %.10g  $ adder feedback resistor R_f (ohm)\n", s->r_feedback_ohm);
    fprintf(f, ".func clamp(x) {min(max(x, -rail), rail)}\n");
    write_neuron_subckt(f, c);
    for (int h = 0; h < s->n_hidden; h++) write_subnet_hidden(f, s, h);
    for (int k = 0; k < s->n_out && st == VS_OK; k++) st = write_subnet_output(f, s, k);
    if (st == VS_OK) st = write_subnet_analysis(f, dev, s, o);
    return st == VS_OK ? finish(f) : st;
}
