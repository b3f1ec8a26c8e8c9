/*
 * neuron_osc.c -- the relaxation-oscillator neuron of paper device 1 at 12.5 V dc:
 * simulate 200 us and print its spike frequency (about 146.8 kHz).
 *
 *   cc neuron_osc.c $(pkg-config --cflags --libs vo2snn) -o neuron_osc && ./neuron_osc
 */
#include <stdio.h>

#include <vo2snn/vo2snn.h>

int main(void)
{
    vs_device_params dev;
    if (vs_device_preset(1, &dev) != VS_OK) {          /* paper device 1 (vo2x) */
        fprintf(stderr, "neuron_osc: %s\n", vs_last_error());
        return 1;
    }
    vs_circuit c = vs_circuit_default();                /* 3 kOhm, 1.8 nF, 50 Ohm */
    vs_input in = vs_input_dc(12.5);                    /* V */
    vs_sim_opts o = vs_sim_opts_default();
    o.t_end_s = 200e-6;
    o.t_window0_s = 0.3 * o.t_end_s;                    /* statistics over the last 70 % */
    o.t_window1_s = o.t_end_s;

    vs_neuron_result r;
    vs_status s = vs_neuron_simulate(&dev, &c, &in, &o, NULL, NULL, &r);
    if (s != VS_OK) {
        fprintf(stderr, "neuron_osc: %s (%s)\n", vs_last_error(), vs_strerror(s));
        vs_neuron_result_free(&r);
        return 1;
    }
    printf("libvo2snn %s: device 1, %.1f V dc: %zu spikes, %.1f kHz, V_osc %.2f..%.2f V, "
           "%.1f mW in, %.3g nJ per spike\n",
           vs_version(), in.v_dc_v, r.n_spikes, r.freq_hz / 1e3, r.v_osc_min_v, r.v_osc_max_v,
           r.p_in_mean_w * 1e3, r.e_in_per_spike_j * 1e9);
    vs_neuron_result_free(&r);
    return 0;
}
