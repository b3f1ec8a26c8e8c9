/* network.c -- layer-by-layer simulation of circuit neurons coupled through adders. */
#include "vo2snn/network.h"

#include <math.h>
#include <stdlib.h>
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

    out->e_opamp_j = vs_adder_energy(op, adder, v1, v2, p_res, n, dt, out->neuron.q_in_c, out->neuron.e_in_j,
                                     &out->v_in_mean_v);
    return VS_OK;
}

double vs_adder_energy(const vs_opamp *op, const vs_adder *adder, const float *v1, const float *v2,
                       const float *p_res, size_t n, double dt, double q_in_c, double e_in_j, double *v_in_mean_v)
{
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
    *v_in_mean_v = mean / (double)(n - 1);
    return e + (op->supply_v * fabs(q_in_c) - fabs(e_in_j));
}

vs_net2x2_params vs_net2x2_default(void)
{
    return (vs_net2x2_params){.v_drive_v = 9.5, .bias_v = 9.5, .weight = 5.0, .t_end_s = 330e-6,
                              .dt_s = 5e-9, .tau_syn_s = 0.0};
}

size_t vs_count_spikes(const vs_neuron_result *r, double t0, double t1)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n_spikes; k++) n += r->spike_t_s[k] >= t0 && r->spike_t_s[k] < t1;
    return n;
}

void vs_net2x2_result_free(vs_net2x2_result *r)
{
    if (!r) return;
    for (int i = 0; i < 4; i++) vs_neuron_result_free(&r->neuron[i]);
}

vs_status vs_net2x2_simulate(const vs_device_params *dev, const vs_circuit *c, const vs_opamp *op,
                             const vs_net2x2_params *p, const vs_sim_opts *opts, float *waves,
                             vs_net2x2_result *out)
{
    memset(out, 0, sizeof *out);
    if (!(p->t_end_s > 0) || !(p->dt_s > 0) || p->t_end_s / p->dt_s > 1e8 || p->t_end_s / p->dt_s < 10)
        return vs_fail(VS_EINVAL, "run %g s on a %g s grid must give 10 to 1e8 samples", p->t_end_s, p->dt_s);
    if (!isfinite(p->weight) || p->weight < 0 || !isfinite(p->bias_v) || !isfinite(p->v_drive_v))
        return vs_fail(VS_EINVAL, "2x2 network: weight must be >= 0, bias and drive finite");
    size_t n = (size_t)floor(p->t_end_s / p->dt_s + 0.5) + 1;
    float *buf = malloc(7 * n * sizeof(float));
    if (!buf) return vs_fail(VS_ENOMEM, "out of memory for %zu samples", n);
    float *l1 = buf, *l2 = buf + n, *sum = buf + 2 * n, *v_spk = buf + 3 * n, *scr = buf + 4 * n;
    vs_status st = vs_dc_neuron_waveform(dev, c, p->v_drive_v, n, p->dt_s, opts, l1, &out->neuron[0]);
    if (st == VS_OK) st = vs_dc_neuron_waveform(dev, c, p->v_drive_v, n, p->dt_s, opts, l2, &out->neuron[1]);
    for (size_t i = 0; st == VS_OK && i < n; i++) sum[i] = (float)(p->weight * ((double)l1[i] + (double)l2[i]));
    for (int k = 0; st == VS_OK && k < 2; k++) {
        /* (2,1): both into stage 1 (excitatory); (2,2): both into stage 2 (inhibitory) */
        double g = 2 * p->weight;
        vs_adder a = {.ng1 = k == 0 ? 1 + g : 1, .ng2 = k == 0 ? 3 : 3 + g, .bias_v = p->bias_v,
                      .tau_syn_s = p->tau_syn_s};
        vs_target_result r;
        st = vs_target_simulate(dev, c, op, &a, k == 0 ? sum : NULL, k == 0 ? NULL : sum, NULL, n,
                                p->dt_s, opts, v_spk, scr, &r);
        out->neuron[2 + k] = r.neuron;
        if (st != VS_OK) break;
        out->e_opamp_j[k] = r.e_opamp_j;
        const float *vin = scr + n;   /* the adder output left in scratch by vs_target_simulate */
        double mean = 0, lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            mean += (double)vin[i];
            lo = fmin(lo, (double)vin[i]);
            hi = fmax(hi, (double)vin[i]);
            if (waves) {
                waves[i * 6 + 2 + (size_t)k] = v_spk[i];
                waves[i * 6 + 4 + (size_t)k] = vin[i];
            }
        }
        out->v_in_mean_v[k] = mean / (double)n;
        out->v_in_min_v[k] = lo;
        out->v_in_max_v[k] = hi;
    }
    if (st == VS_OK && waves)
        for (size_t i = 0; i < n; i++) waves[i * 6 + 0] = l1[i], waves[i * 6 + 1] = l2[i];
    free(buf);
    if (st != VS_OK) vs_net2x2_result_free(out);
    return st;
}
