#!/usr/bin/python3
"""Brian2 reference for `vo2snn infer`: the same 784-128-10 network of VO2-x
relaxation-oscillator neurons, one MNIST test image, 50 us, cpp_standalone on one
thread.  Run with Debian's interpreter (python3-brian):

    /usr/bin/python3 bench/brian2_net.py --checkpoint /tmp/b2bench/train/checkpoint.vsck \
        --data ../shared/data/mnist [--image 0] [--dt 5e-9] [--repeats 3] [--dir DIR] [--clean]

What it does
  1. Compiles a tiny C helper against build/libvo2snn.a (into /tmp/b2bench/) that reads
     the checkpoint (weights, biases, rails, device and circuit parameters), builds the
     transfer function (V_on, V_peak, s_peak; from vo2snn's cache), loads the test
     image and runs vo2snn's own circuit inference on it (class and output spike counts,
     for comparison).  Everything goes to a JSON file the script reads.
  2. Builds the network in Brian2 (set_device('cpp_standalone', build_on_run=False),
     openmp_threads = 0), generates and compiles the project once (timed separately:
     `build_s`), then runs the compiled binary `--repeats` times via device.run()
     (wall time of the binary each time: `run_s`; Brian2's own network-run time:
     `network_run_s`).  Compile time is never in run_s.
  3. Prints one JSON object: timings, medians, spike counts, Brian2's class and vo2snn's.

Model (docs/model.md sections 1, 2, 7; every neuron the same equations):
    C dV/dt   = (V_in - V)/R_s - I,          I = V/(R(T, m*) + R_sense)
    C_th dT/dt = I^2 R(T, m*) - G_th (T - T_amb),   C_th = tau_th G_th
    R(T, m)   = R_ins0 exp(E_a/k_B (1/T - 1/T_0)) (1 - m) + R_met
    m*        = clip(m, m_heat(T), m_cool(T))   (inside every RK4 stage, m held)
  Play operator: m is a parameter (no ODE); a run_regularly at when='after_groups'
  (every step, right after the RK4 state update, before the threshold) applies
  T = max(T, 200 K) and m = clip(m, m_heat(T), m_cool(T)) and stores the sense
  voltage V_spike = I R_sense of the new state (so synapses read a stored value instead
  of re-evaluating exp/tanh per synapse).  This is exactly vo2snn's scheme (projection
  after each accepted step, stages use the stored m clamped at the stage temperature).
  Spike: threshold m > 0.5, re-armed when m <= 0.1 (refractory='m > 0.1').
  Inputs: V_in = 0 for p = 0, else V_on + (V_peak - V_on) p/255 (dc).
  Adder of each hidden/output neuron (synapse.c, ideal op-amp, tau_syn both stages):
    se = sum_j g+_j V_spike,j,  si = sum_j g-_j V_spike,j   (two summed variables,
         g = w/s_peak split into excitatory / inhibitory magnitudes)
    tau df1/dt = se - f1                               (stage 1, K-attenuated: clip
    tau df2/dt = clip(f1, +-K 13.5 V) - si + b - f2     at K x the 13.5 V op-amp rail)
    V_in = clip(f2, +-rail)     (network rail = the checkpoint's rail_v)
  with f1(0) = 0 and f2(0) = b (the adders' settled state at t = 0), integrated by
  RK4 together with V and T at the same dt.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

HELPER_C = r"""
/* dump a vo2snn checkpoint, its transfer points and one test image (+ vo2snn's inference of it) as JSON */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "vo2snn/idx.h"
#include "vo2snn/infer.h"
#include "vo2snn/mlp.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"

static void arr(FILE *f, const char *name, const float *a, size_t n)
{
    fprintf(f, "\"%s\": [", name);
    for (size_t i = 0; i < n; i++) fprintf(f, "%s%.9g", i ? "," : "", (double)a[i]);
    fprintf(f, "],\n");
}

int main(int argc, char **argv)
{
    if (argc != 5) { fprintf(stderr, "usage: %s CHECKPOINT DATA_DIR IMAGE OUT.json\n", argv[0]); return 2; }
    static vs_checkpoint_info info;
    if (vs_checkpoint_load_info(argv[1], &info) != VS_OK) { fprintf(stderr, "%s\n", vs_last_error()); return 1; }
    char cache[4096];
    vs_transfer_default_cache(cache, sizeof cache);
    vs_transfer t;
    if (vs_transfer_build(&info.device, &info.circuit, &info.transfer, cache, &t) != VS_OK) { fprintf(stderr, "%s\n", vs_last_error()); return 1; }
    vs_mlp *m = NULL;
    if (vs_checkpoint_load(argv[1], &t, 256, &info, &m) != VS_OK) { fprintf(stderr, "%s\n", vs_last_error()); return 1; }
    const vs_mlp_config *cfg = vs_mlp_get_config(m);
    vs_dataset d;
    if (vs_dataset_load(argv[2], "t10k", &d) != VS_OK) { fprintf(stderr, "%s\n", vs_last_error()); return 1; }
    long img = atol(argv[3]);
    if (img < 0 || (size_t)img >= d.n) { fprintf(stderr, "image %ld out of range\n", img); return 1; }
    const uint8_t *px = d.images + (size_t)img * 784;

    vs_infer_opts o = vs_infer_opts_default();
    vs_infer_net *net = NULL;
    if (vs_infer_net_new(m, &t, &info.device, &info.circuit, &o, &net) != VS_OK) { fprintf(stderr, "%s\n", vs_last_error()); return 1; }
    vs_infer_work *w = vs_infer_work_new(net);
    vs_infer_result r = {0};
    if (vs_infer_image(net, w, px, &r) != VS_OK) { fprintf(stderr, "%s\n", vs_last_error()); return 1; }

    FILE *f = fopen(argv[4], "w");
    if (!f) { perror(argv[4]); return 1; }
    const vs_device_params *p = &info.device;
    fprintf(f, "{\n\"device\": {\"model\": \"%s\", \"k_b_ev\": %.17g", p->model->name, VS_K_B_EV_PER_K);
    for (int i = 0; i < p->model->n_params; i++)   /* every row of the model's parameter table */
        fprintf(f, ", \"%s\": %.17g", p->model->params[i].key, p->v[i]);
    fprintf(f, "},\n");
    fprintf(f, "\"circuit\": {\"r_s\": %.17g, \"c\": %.17g, \"r_sense\": %.17g},\n", info.circuit.r_series_ohm,
            info.circuit.c_f, info.circuit.r_sense_ohm);
    fprintf(f, "\"s_peak\": %.17g, \"v_on\": %.17g, \"v_peak\": %.17g, \"rail_v\": %.17g, \"opamp_rail_v\": %.17g,\n",
            t.s_peak_v, t.v_on_v, t.v_peak_v, (double)cfg->rail_v, o.opamp.rail_v);
    fprintf(f, "\"tau_syn\": %.17g, \"window\": %.17g, \"sizes\": [%d, %d, %d],\n", o.tau_syn_s, o.window_s,
            cfg->sizes[0], cfg->sizes[1], cfg->sizes[2]);
    arr(f, "w1", vs_mlp_weights(m, 0), (size_t)cfg->sizes[1] * cfg->sizes[0]);
    arr(f, "b1", vs_mlp_bias(m, 0), (size_t)cfg->sizes[1]);
    arr(f, "w2", vs_mlp_weights(m, 1), (size_t)cfg->sizes[2] * cfg->sizes[1]);
    arr(f, "b2", vs_mlp_bias(m, 1), (size_t)cfg->sizes[2]);
    fprintf(f, "\"image\": %ld, \"label\": %d, \"pixels\": [", img, d.labels[img]);
    for (int i = 0; i < 784; i++) fprintf(f, "%s%d", i ? "," : "", px[i]);
    fprintf(f, "],\n\"vo2snn\": {\"predicted\": %d, \"counts\": [", r.predicted);
    for (int k = 0; k < 10; k++) fprintf(f, "%s%d", k ? "," : "", r.counts[k]);
    fprintf(f, "], \"spikes\": [%ld, %ld, %ld]}\n}\n", r.spikes[0], r.spikes[1], r.spikes[2]);
    fclose(f);
    vs_infer_work_free(w);
    vs_infer_net_free(net);
    vs_mlp_free(m);
    vs_transfer_free(&t);
    vs_dataset_free(&d);
    return 0;
}
"""


def dump_network(checkpoint, data, image, work):
    """Compile the helper against build/libvo2snn.a and return the parsed JSON dump."""
    os.makedirs(work, exist_ok=True)
    src, exe = os.path.join(work, "vs_dump.c"), os.path.join(work, "vs_dump")
    lib = os.path.join(ROOT, "build", "libvo2snn.a")
    if not os.path.exists(lib):
        sys.exit(f"brian2_net.py: {lib} missing; run make first")
    with open(src, "w") as f:
        f.write(HELPER_C)
    if not os.path.exists(exe) or os.path.getmtime(exe) < max(os.path.getmtime(lib), os.path.getmtime(src)):
        blas = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
        cmd = ["cc", "-O2", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-fopenmp", "-I" + os.path.join(ROOT, "include"),
               src, lib, "-L" + blas, "-Wl,-rpath," + blas, "-lopenblas", "-lz", "-lm", "-o", exe]
        subprocess.run(cmd, check=True)
    out = os.path.join(work, f"net_image{image}.json")
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    subprocess.run([exe, checkpoint, data, str(image), out], check=True, env=env)
    with open(out) as f:
        return json.load(f)


NEURON_EQS = """
dV/dt = ((V_in - V)/R_s - I)/C : volt
dT/dt = (I**2*R - G_th*(T - T_amb))/C_th : kelvin
I = V/(R + R_sense) : amp
R = R_ins0*exp(EkB*(1/T - 1/T_0))*(1 - m_eff) + R_met : ohm
m_eff = clip(m, m_heat, m_cool) : 1
m_heat = 0.5*(1 + tanh((T - T_heat)/w_T)) : 1
m_cool = 0.5*(1 + tanh((T - T_cool)/w_T)) : 1
m : 1
V_spike : volt
"""

# after every step: temperature floor, play operator, stored sense voltage of the new state
PLAY_CODE = """
T = clip(T, T_floor, T_ceil)
m = clip(m, 0.5*(1 + tanh((T - T_heat)/w_T)), 0.5*(1 + tanh((T - T_cool)/w_T)))
V_spike = V*R_sense/(R_ins0*exp(EkB*(1/T - 1/T_0))*(1 - m) + R_met + R_sense)
"""

ADDER_EQS = """
df1/dt = (s_exc - f1)/tau_syn : volt
df2/dt = (clip(f1, -k_split*op_rail, k_split*op_rail) - s_inh + bias - f2)/tau_syn : volt
V_in = clip(f2, -rail, rail) : volt
s_exc : volt
s_inh : volt
bias : volt (constant)
k_split : 1 (constant)
"""


def build_and_run(net, dt, directory, repeats, clean=False):
    import brian2 as b2
    from brian2 import amp, farad, kelvin, ohm, second, volt, watt

    b2.set_device("cpp_standalone", build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.prefs.logging.std_redirection = False
    b2.defaultclock.dt = dt * second

    dv, c = net["device"], net["circuit"]
    if dv["model"] != "vo2x" or dv.get("r_contact", 0) != 0:
        sys.exit("brian2_net.py: the Brian2 network implements the vo2x model without contact "
                 "resistance only (checkpoint device: model %s)" % dv["model"])
    ns = dict(R_s=c["r_s"] * ohm, C=c["c"] * farad, R_sense=c["r_sense"] * ohm,
              R_ins0=dv["r_ins0"] * ohm, R_met=dv["r_met"] * ohm, G_th=dv["g_th"] * watt / kelvin,
              C_th=dv["tau_th"] * dv["g_th"] * second * watt / kelvin,
              EkB=dv["e_a"] / dv["k_b_ev"] * kelvin, T_0=dv["t_0"] * kelvin, T_amb=dv["t_amb"] * kelvin,
              T_heat=(dv["t_c"] + dv["dt_hyst"] / 2) * kelvin, T_cool=(dv["t_c"] - dv["dt_hyst"] / 2) * kelvin,
              w_T=dv["w_t"] * kelvin, T_floor=200 * kelvin, T_ceil=1e6 * kelvin,
              tau_syn=net["tau_syn"] * second, rail=net["rail_v"] * volt, op_rail=net["opamp_rail_v"] * volt)
    n_in, n_hid, n_out = net["sizes"]
    s_peak = net["s_peak"]

    def group(n, extra, name):
        g = b2.NeuronGroup(n, NEURON_EQS + extra, threshold="m > 0.5", refractory="m > 0.1",
                           method="rk4", namespace=ns, name=name)
        g.V = 0 * volt
        g.T = dv["t_amb"] * kelvin
        g.m = 0
        g.run_regularly(PLAY_CODE, when="after_groups", name=name + "_play")
        return g

    px = np.array(net["pixels"], dtype=float)
    v_pix = np.where(px > 0, net["v_on"] + (net["v_peak"] - net["v_on"]) * px / 255.0, 0.0)
    inp = group(n_in, "V_in : volt (constant)\n", "inp")
    inp.V_in = v_pix * volt
    hid = group(n_hid, ADDER_EQS, "hid")
    out = group(n_out, ADDER_EQS, "out")

    def layer(pre, post, w, b, name):
        w = np.asarray(w, dtype=float).reshape(post.N, pre.N) / s_peak      # gains g = w/s_peak, (post, pre)
        ge, gi = np.maximum(w, 0.0), np.maximum(-w, 0.0)
        # stage-1 attenuation as in src/infer.c make_adders()
        post.k_split = np.maximum(1.0, 1.2 * s_peak * ge.sum(axis=1) / (0.5 * net["opamp_rail_v"]))
        post.bias = np.asarray(b, dtype=float) * volt
        post.f1 = 0 * volt
        post.f2 = post.bias[:]
        s = b2.Synapses(pre, post, model="""g_e : 1 (constant)
                                            g_i : 1 (constant)
                                            s_exc_post = g_e*V_spike_pre : volt (summed)
                                            s_inh_post = g_i*V_spike_pre : volt (summed)""", name=name)
        jj, ii = np.meshgrid(np.arange(post.N), np.arange(pre.N), indexing="ij")   # (post, pre) order
        s.connect(i=ii.ravel(), j=jj.ravel())
        s.g_e = ge.ravel()
        s.g_i = gi.ravel()
        return s

    s1 = layer(inp, hid, net["w1"], net["b1"], "syn_in_hid")
    s2 = layer(hid, out, net["w2"], net["b2"], "syn_hid_out")
    mon = [b2.SpikeMonitor(g, record=False, name="mon_" + g.name) for g in (inp, hid, out)]
    # an explicit Network (the magic network would miss monitors held in a list)
    b2.Network(inp, hid, out, s1, s2, *mon).run(net["window"] * second)

    t0 = time.perf_counter()
    b2.device.build(directory=directory, compile=True, run=False, with_output=False, clean=clean)
    build_s = time.perf_counter() - t0
    run_s, net_s = [], []
    for _ in range(max(1, repeats)):
        b2.device.run(directory=directory, with_output=False, run_args=[])
        run_s.append(b2.device.timers["run_binary"])
        net_s.append(b2.device._last_run_time)
    counts = np.asarray(mon[2].count[:], dtype=int)
    spikes = [int(np.sum(mm.count[:])) for mm in mon]
    # vo2snn's rule: most spikes; ties to the lowest index here (first-spike times not recorded)
    predicted = int(np.argmax(counts))
    return dict(build_s=build_s, run_s=run_s, network_run_s=net_s, counts=counts.tolist(), spikes=spikes,
                predicted=predicted)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", default="/tmp/b2bench/train/checkpoint.vsck")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    ap.add_argument("--image", type=int, default=0, help="test image index")
    ap.add_argument("--dt", type=float, default=5e-9, help="Brian2 time step, s (rk4)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of the compiled binary")
    ap.add_argument("--dir", default=None, help="standalone project directory (default /tmp/b2bench/brian2_dtXns)")
    ap.add_argument("--clean", action="store_true", help="rebuild every object file (honest compile time)")
    ap.add_argument("--work", default="/tmp/b2bench", help="helper and dump directory")
    a = ap.parse_args()
    directory = a.dir or os.path.join(a.work, f"brian2_dt{a.dt * 1e9:g}ns")
    net = dump_network(os.path.abspath(a.checkpoint), os.path.abspath(a.data), a.image, a.work)
    # make and the binary print to fd 1: send that to stderr so stdout is only the JSON
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        r = build_and_run(net, a.dt, directory, a.repeats, a.clean)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    res = dict(tool="brian2", brian2_version=__import__("brian2").__version__, threads=1, dt_s=a.dt,
               window_s=net["window"], image=a.image, label=net["label"], directory=os.path.abspath(directory),
               binary=os.path.join(os.path.abspath(directory), "main"),
               build_s=r["build_s"], run_s=r["run_s"], run_s_median=statistics.median(r["run_s"]),
               network_run_s=r["network_run_s"], network_run_s_median=statistics.median(r["network_run_s"]),
               spikes_per_layer=r["spikes"], output_counts=r["counts"], predicted=r["predicted"],
               vo2snn_predicted=net["vo2snn"]["predicted"], vo2snn_output_counts=net["vo2snn"]["counts"],
               vo2snn_spikes_per_layer=net["vo2snn"]["spikes"],
               same_class=r["predicted"] == net["vo2snn"]["predicted"],
               v_on=net["v_on"], v_peak=net["v_peak"], s_peak=net["s_peak"], rail_v=net["rail_v"])
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
