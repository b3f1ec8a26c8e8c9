/* network.c -- layer-by-layer simulation of circuit neurons coupled through adders. */
#include "vo2snn/network.h"

#include <math.h>
#include <string.h>

static vs_sim_opts grid_opts(const vs_sim_opts *o, size_t n, double dt)
{
    vs_sim_opts so = *o;
    so.t_end_s = dt * (double)(n - 1);
    so.dt_out_s = dt;
    if (isnan(so.t_window0_s) || so.t_window0_s >= so.t_end_s) so.t_window0_s = 0;
    so.t_window1_s = so.t_end_s;
    return so;
}

vs_status vs_dc_neuron_waveform(const vs_device_params *dev, const vs_circuit *c, double v_in,
                                size_t n, double dt, const vs_sim_opts *opts, float *v_spike_out,
                                vs_neuron_result *out)
{
    if (n < 2 || !(dt > 0)) return vs_fail(VS_EINVAL, "a waveform needs >= 2 samples and a positive step");
    vs_input in = vs_input_dc(v_in);
    vs_sim_opts so = grid_opts(opts, n, dt);
    so.v_spike_grid = v_spike_out;
    so.n_v_spike_grid = v_spike_out ? n : 0;
    if (!v_spike_out) so.dt_out_s = 0;
    return vs_neuron_simulate(dev, c, &in, &so, NULL, NULL, out);
}

vs_status vs_target_simulate(const vs_device_params *dev, const vs_circuit *c, const vs_opamp *op,
                             const vs_adder *adder, const float *s_exc, const float *s_inh,
                             const float *p_res, size_t n, double dt, const vs_sim_opts *opts,
                             float *v_spike_out, float *scratch, vs_target_result *out)
{
    memset(out, 0, sizeof *out);
    if (n < 2 || !(dt > 0)) return vs_fail(VS_EINVAL, "a waveform needs >= 2 samples and a positive step");
    float *v1 = scratch, *v2 = scratch + n;
    vs_adder_run(op, adder, s_exc, s_inh, n, dt, v1, v2);
    vs_input in = vs_input_sampled(v2, n, dt);
    vs_sim_opts so = grid_opts(opts, n, dt);
    so.v_spike_grid = v_spike_out;
    so.n_v_spike_grid = v_spike_out ? n : 0;
    if (!v_spike_out) so.dt_out_s = 0;
    vs_status st = vs_neuron_simulate(dev, c, &in, &so, NULL, NULL, &out->neuron);
    if (st != VS_OK) return st;

    /* op-amp energy (synapse.h), trapezoidal on the grid: stage 1 drives stage 2's input
       resistor (R_f/K); stage 2 its feedback resistor, and the neuron, whose share
       (V_supply - |v2|) |i_load| integrates to V_supply |Q_in| - |E_in| */
    const double rf = op->r_feedback_ohm, ks = adder->k_split >= 1 ? adder->k_split : 1.0;
    double e = 0, mean = 0;
    for (size_t i = 0; i < n; i++) {
        double w = (i == 0 || i + 1 == n) ? 0.5 : 1.0;
        double res = p_res ? 0.5 * (double)p_res[i] : 0.0;   /* input resistors, split over the stages */
        double a1 = (double)v1[i], a2 = (double)v2[i];
        double p1 = vs_opamp_power(op, a1, a1 * ks / rf, res + a1 * a1 * (1.0 + ks) / rf);
        double p2 = vs_opamp_power(op, a2, 0.0, res + a2 * a2 / rf);
        e += w * (p1 + p2) * dt;
        mean += w * a2;
    }
    e += op->supply_v * fabs(out->neuron.q_in_c) - fabs(out->neuron.e_in_j);
    out->e_opamp_j = e;
    out->v_in_mean_v = mean / (double)(n - 1);
    return VS_OK;
}
