#!/usr/bin/python3
"""Brian2 reference for `vo2snn infer`: the same 784-128-10 network of VO2-x
relaxation-oscillator neurons, the first N MNIST test images of 50 us each, in one
cpp_standalone run with OpenMP threads.  Run with Debian's interpreter (python3-brian):

    /usr/bin/python3 bench/brian2_net.py --checkpoint /tmp/b2bench/train/checkpoint.vsck \
        --data ../shared/data/mnist [--images 100] [--dt 25e-9] [--threads 2] [--repeats 3]

Same work as vo2snn (src/infer.c), step by step:
  * Input layer: every input neuron is dc-driven at its pixel's voltage, so (like vo2snn,
    which computes one V_spike waveform per grey level when the network is built) the 256
    grey-level waveforms are computed once, by Brian2 itself (a 256-neuron run of the same
    equations at the same dt, a separate project: `waves_*`), outside the timed region, and
    sampled on the 100 ns grid.  In the timed network the input layer is a 784-neuron group
    on the 100 ns clock whose V_spike is read from that table (TimedArray) by its pixel's
    level; the input layer's spikes are the levels' spike counts, as in vo2snn.
  * Coupling every 100 ns (vo2snn's --dt-grid): the synaptic sums of each layer (every
    non-zero weight of 784 x 128 and 128 x 10, as `(summed)` variables of two Synapses objects
    per layer, excitatory and inhibitory) are evaluated on the 100 ns clock into two small
    groups, read by the hidden and output neurons as linked variables (held between grid
    points); the neurons and their adders (the two RK4-integrated tau_syn low-passes) step
    at --dt.  --profile prints Brian2's time per code object (the input-to-hidden sums
    take most of it).
  * Hidden and output neurons: the full device and circuit equations (below), RK4 at --dt;
    every image starts from the settled state (V = 0, T = T_amb, m = 0, adders at their
    bias), reset by a run_regularly every window.
  * Class: most output spikes, ties to the higher mean adder output over the window, then
    the lowest index (vo2snn's rule).
  * Timing: Brian2's own network-run time of the compiled binary (results/last_run_info.txt,
    i.e. device._last_run_time: the simulation loop only, not code generation, compilation,
    loading the arrays or writing results), OpenMP with --threads threads
    (prefs.devices.cpp_standalone.openmp_threads); compile time reported separately.
Prints one JSON object: timings, per-image classes and spike counts of every layer.

Model (docs/model.md sections 1, 2, 7; every neuron the same equations):
    C dV/dt   = (V_in - V)/R_s - I,          I = V/(R(T, m*) + R_sense)
    C_th dT/dt = I^2 R(T, m*) - G_th (T - T_amb),   C_th = tau_th G_th
    R(T, m)   = R_ins0 exp(E_a/k_B (1/T - 1/T_0)) (1 - m) + R_met
    m*        = clip(m, m_heat(T), m_cool(T))   (inside every RK4 stage, m held)
  Play operator: m is a parameter (no ODE); a run_regularly at when='after_groups'
  (every step, right after the RK4 state update, before the threshold) applies
  T = max(T, 200 K) and m = clip(m, m_heat(T), m_cool(T)) and stores the sense
  voltage V_spike = I R_sense of the new state.  This is vo2snn's scheme (projection
  after each accepted step, stages use the stored m clamped at the stage temperature).
  Spike: threshold m > 0.5, re-armed when m <= 0.1 (refractory='m > 0.1').
  Inputs: V_in = 0 for p = 0, else V_on + (V_peak - V_on) p/255 (dc).
  Adder of each hidden/output neuron (synapse.c, ideal op-amp, tau_syn both stages):
    se = sum_j g+_j V_spike,j,  si = sum_j g-_j V_spike,j   (on the 100 ns grid,
         g = w/s_peak split into excitatory / inhibitory magnitudes)
    tau df1/dt = se - f1                               (stage 1, K-attenuated: clip
    tau df2/dt = clip(f1, +-K 13.5 V) - si + b - f2     at K x the 13.5 V op-amp rail)
    V_in = clip(f2, +-rail)     (network rail = the checkpoint's rail_v)
  with f1(0) = 0 and f2(0) = b (the adders' settled state at t = 0).
  The helper (a small C program compiled against build/libvo2snn.a into --work) dumps the
  checkpoint's weights, biases, rails, device and circuit, and V_on, V_peak, s_peak of its
  transfer function, as JSON.
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

# the adder: its summed inputs come from the 100 ns grid (linked variables)
ADDER_EQS = """
df1/dt = (s_exc - f1)/tau_syn : volt
df2/dt = (clip(f1, -k_split*op_rail, k_split*op_rail) - s_inh + bias - f2)/tau_syn : volt
V_in = clip(f2, -rail, rail) : volt
s_exc : volt (linked)
s_inh : volt (linked)
bias : volt (constant)
k_split : 1 (constant)
"""

# every image starts from the settled state
RESET_CODE = """
V = 0*volt
T = T_amb
m = 0
f1 = 0*volt
f2 = bias
V_spike = 0*volt
"""


PROFILE = False


def setup_brian2(dt, threads):
    import brian2 as b2
    b2.set_device("cpp_standalone", build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = threads
    b2.prefs.logging.std_redirection = False
    b2.defaultclock.dt = dt * b2.second
    return b2


def namespace(net, b2):
    from brian2 import farad, kelvin, ohm, second, volt, watt
    dv, c = net["device"], net["circuit"]
    if dv["model"] != "vo2x" or dv.get("r_contact", 0) != 0:
        sys.exit("brian2_net.py: the Brian2 network implements the vo2x model without contact "
                 "resistance only (checkpoint device: model %s)" % dv["model"])
    return dict(R_s=c["r_s"] * ohm, C=c["c"] * farad, R_sense=c["r_sense"] * ohm,
                R_ins0=dv["r_ins0"] * ohm, R_met=dv["r_met"] * ohm, G_th=dv["g_th"] * watt / kelvin,
                C_th=dv["tau_th"] * dv["g_th"] * second * watt / kelvin,
                EkB=dv["e_a"] / dv["k_b_ev"] * kelvin, T_0=dv["t_0"] * kelvin, T_amb=dv["t_amb"] * kelvin,
                T_heat=(dv["t_c"] + dv["dt_hyst"] / 2) * kelvin, T_cool=(dv["t_c"] - dv["dt_hyst"] / 2) * kelvin,
                w_T=dv["w_t"] * kelvin, T_floor=200 * kelvin, T_ceil=1e6 * kelvin,
                tau_syn=net["tau_syn"] * second, rail=net["rail_v"] * volt, op_rail=net["opamp_rail_v"] * volt,
                window=net["window"] * second)


def neuron_group(b2, n, extra, name, ns, t_amb):
    g = b2.NeuronGroup(n, NEURON_EQS + extra, threshold="m > 0.5", refractory="m > 0.1",
                       method="rk4", namespace=ns, name=name)
    g.V = 0 * b2.volt
    g.T = t_amb * b2.kelvin
    g.m = 0
    g.run_regularly(PLAY_CODE, when="after_groups", name=name + "_play")
    return g


def level_voltages(net):
    lv = np.arange(256, dtype=float)
    return np.where(lv > 0, net["v_on"] + (net["v_peak"] - net["v_on"]) * lv / 255.0, 0.0)


def run_waves(net, dt, dt_grid, directory, threads, clean):
    """The 256 grey-level input neurons for one window: V_spike on the grid and spikes per level."""
    b2 = setup_brian2(dt, threads)
    ns = namespace(net, b2)
    n_t = int(round(net["window"] / dt_grid))
    g = neuron_group(b2, 256, "V_in : volt (constant)\n", "levels", ns, net["device"]["t_amb"])
    g.V_in = level_voltages(net) * b2.volt
    # when='start' at t = k dt_grid: V_spike stored after the previous step, i.e. the state at t
    sm = b2.StateMonitor(g, "V_spike", record=True, dt=dt_grid * b2.second, name="levels_wave")
    sp = b2.SpikeMonitor(g, record=False, name="levels_spikes")
    b2.Network(g, sm, sp).run(net["window"] * b2.second)
    t0 = time.perf_counter()
    b2.device.build(directory=directory, compile=True, run=True, with_output=False, clean=clean)
    build_s = time.perf_counter() - t0
    wave = np.asarray(sm.V_spike[:], dtype=float)[:, :n_t]         # (256, n_t) volts
    return dict(wave=wave.tolist(), level_spikes=np.asarray(sp.count[:], dtype=int).tolist(),
                build_and_run_s=build_s, network_run_s=b2.device._last_run_time)


def run_network(net, waves, pixels, dt, dt_grid, directory, threads, repeats, clean):
    b2 = setup_brian2(dt, threads)
    from brian2 import second, volt
    ns = namespace(net, b2)
    n_img = pixels.shape[0]
    n_in, n_hid, n_out = net["sizes"]
    s_peak = net["s_peak"]
    window = net["window"]
    grid = dt_grid * second
    wave = np.asarray(waves["wave"], dtype=float)                     # (256, n_t)
    ns["wave"] = b2.TimedArray(wave.T.copy() * volt, dt=grid)         # values[k, level]
    ns["lev"] = b2.TimedArray(pixels.astype(float), dt=window * second)   # values[image, pixel]

    # input layer: V_spike of each pixel's grey level, on the grid
    inp = b2.NeuronGroup(n_in, "V_spike : volt\nlevel : integer", namespace=ns, dt=grid, name="inp")
    inp.run_regularly("level = int(lev(t, i) + 0.5)\n"
                      "V_spike = wave(t - window*int(t/window + 1e-6), level)", when="start", name="inp_wave")
    t_amb = net["device"]["t_amb"]
    hid = neuron_group(b2, n_hid, ADDER_EQS, "hid", ns, t_amb)
    out = neuron_group(b2, n_out, ADDER_EQS, "out", ns, t_amb)
    # the synaptic sums, on the grid
    sum_eqs = "s_exc : volt\ns_inh : volt\n"
    hin = b2.NeuronGroup(n_hid, sum_eqs, dt=grid, name="hid_sums")
    oin = b2.NeuronGroup(n_out, sum_eqs, dt=grid, name="out_sums")
    hid.s_exc = b2.linked_var(hin, "s_exc")
    hid.s_inh = b2.linked_var(hin, "s_inh")
    out.s_exc = b2.linked_var(oin, "s_exc")
    out.s_inh = b2.linked_var(oin, "s_inh")

    def layer(pre, sums, post, w, b, name):
        w = np.asarray(w, dtype=float).reshape(post.N, pre.N) / s_peak      # gains g = w/s_peak, (post, pre)
        ge, gi = np.maximum(w, 0.0), np.maximum(-w, 0.0)
        # stage-1 attenuation as in src/infer.c make_adders()
        post.k_split = np.maximum(1.0, 1.2 * s_peak * ge.sum(axis=1) / (0.5 * net["opamp_rail_v"]))
        post.bias = np.asarray(b, dtype=float) * volt
        post.f1 = 0 * volt
        post.f2 = post.bias[:]
        # Synapses on the grid; the summed updater runs on the clock of its target (sums: the grid).
        # Excitatory and inhibitory weights as two Synapses objects holding only their own
        # (non-zero) gains, one summed variable each: every weight is visited once per update.
        syns = []
        for kind, gm in (("exc", ge), ("inh", gi)):
            jj, ii = np.nonzero(gm)                                      # (post, pre) order
            sy = b2.Synapses(pre, sums, model=f"""g : 1 (constant)
                                                  s_{kind}_post = g*V_spike_pre : volt (summed)""",
                             dt=grid, name=f"{name}_{kind}")
            sy.connect(i=ii, j=jj)
            sy.g = gm[jj, ii]
            syns.append(sy)
        return syns

    s1 = layer(inp, hin, hid, net["w1"], net["b1"], "syn_in_hid")
    s2 = layer(hid, oin, out, net["w2"], net["b2"], "syn_hid_out")
    hid.run_regularly(RESET_CODE, dt=window * second, when="start", name="hid_reset")
    out.run_regularly(RESET_CODE, dt=window * second, when="start", name="out_reset")
    mh = b2.SpikeMonitor(hid, record=True, name="mon_hid")
    mo = b2.SpikeMonitor(out, record=True, name="mon_out")
    drive = b2.StateMonitor(out, "V_in", record=True, dt=grid, name="mon_drive")
    network = b2.Network(inp, hin, oin, hid, out, *s1, *s2, mh, mo, drive)
    network.run(n_img * window * second, profile=PROFILE)

    t0 = time.perf_counter()
    b2.device.build(directory=directory, compile=True, run=False, with_output=False, clean=clean)
    build_s = time.perf_counter() - t0
    net_s, run_s = [], []
    for _ in range(max(1, repeats)):
        b2.device.run(directory=directory, with_output=False, run_args=[])
        run_s.append(b2.device.timers["run_binary"])
        net_s.append(b2.device._last_run_time)

    if PROFILE:
        print(b2.profiling_summary(network, show=12), file=sys.stderr)

    def per_image(mon, n):
        t = np.asarray(mon.t[:] / second, dtype=float)
        img = np.minimum((t / window + 1e-6).astype(int), n_img - 1)
        c = np.zeros((n_img, n), dtype=int)
        np.add.at(c, (img, np.asarray(mon.i[:], dtype=int)), 1)
        return c

    ch, co = per_image(mh, n_hid), per_image(mo, n_out)
    vin = np.asarray(drive.V_in[:] / volt, dtype=float)                # (10, n_img * n_t)
    n_t = wave.shape[1]
    vin = vin[:, :n_img * n_t].reshape(n_out, n_img, n_t).mean(axis=2).T   # (n_img, 10)
    pred = []
    for k in range(n_img):
        best = max(range(n_out), key=lambda j: (co[k, j], vin[k, j], -j))   # most spikes, drive, lowest index
        pred.append(int(best))
    lvl_sp = np.asarray(waves["level_spikes"], dtype=int)
    in_sp = lvl_sp[pixels.astype(int)].sum(axis=1)
    return dict(build_s=build_s, run_s=run_s, network_run_s=net_s, predicted=pred,
                output_counts=co.tolist(), hidden_counts=ch.tolist(), spikes_input=in_sp.tolist(), spikes_hidden=ch.sum(1).tolist(),
                spikes_output=co.sum(1).tolist())


def read_test(data, first, n):
    import gzip
    import struct

    def read_idx(stem):
        for name in (stem + "-ubyte.gz", stem.replace("-idx", ".idx") + "-ubyte.gz", stem + "-ubyte"):
            p = os.path.join(data, name)
            if os.path.exists(p):
                op = gzip.open if p.endswith(".gz") else open
                with op(p, "rb") as f:
                    buf = f.read()
                nd = struct.unpack(">I", buf[:4])[0] & 0xFF
                dims = struct.unpack(">" + "I" * nd, buf[4:4 + 4 * nd])
                return np.frombuffer(buf, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)
        sys.exit(f"brian2_net.py: no {stem} in {data}")
    x = read_idx("t10k-images-idx3").reshape(-1, 784)[first:first + n]
    y = read_idx("t10k-labels-idx1")[first:first + n]
    return np.array(x), np.array(y)


def quiet(fn, *a):
    """make and the binary print to fd 1: send that to stderr so stdout is only the JSON"""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        return fn(*a)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--checkpoint", default="/tmp/b2bench/train/checkpoint.vsck")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    ap.add_argument("--images", type=int, default=100, help="test images 0..N-1 (default 100)")
    ap.add_argument("--dt", type=float, default=25e-9, help="Brian2 neuron time step, s (rk4; divides --dt-grid)")
    ap.add_argument("--dt-grid", type=float, default=100e-9, help="coupling grid between layers, s (vo2snn's)")
    ap.add_argument("--threads", type=int, default=2, help="OpenMP threads of the standalone binary")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of the compiled binary")
    ap.add_argument("--dir", default=None, help="standalone project directory (default WORK/brian2_dtXns)")
    ap.add_argument("--clean", action="store_true", help="rebuild every object file (honest compile time)")
    ap.add_argument("--work", default="/tmp/b2bench", help="helper and dump directory")
    ap.add_argument("--profile", action="store_true", help="Brian2's per-code-object profile to stderr")
    ap.add_argument("--phase", choices=["all", "waves"], default="all", help=argparse.SUPPRESS)
    ap.add_argument("--net-json", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out-json", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    global PROFILE
    PROFILE = a.profile
    ratio = a.dt_grid / a.dt
    if abs(ratio - round(ratio)) > 1e-6 or round(ratio) < 1:
        sys.exit(f"brian2_net.py: --dt {a.dt:g} must divide --dt-grid {a.dt_grid:g}")
    tag = f"dt{a.dt * 1e9:g}ns_t{a.threads}"
    directory = a.dir or os.path.join(a.work, "brian2_" + tag)
    if a.phase == "waves":      # a separate process: one standalone build per process
        with open(a.net_json) as f:
            net = json.load(f)
        r = quiet(run_waves, net, a.dt, a.dt_grid, directory + "_waves", a.threads, a.clean)
        with open(a.out_json, "w") as f:
            json.dump(r, f)
        return
    net = dump_network(os.path.abspath(a.checkpoint), os.path.abspath(a.data), 0, a.work)
    net_json = os.path.join(a.work, "net_image0.json")
    waves_json = os.path.join(a.work, f"waves_{tag}.json")
    subprocess.run([sys.executable, os.path.abspath(__file__), "--phase", "waves", "--net-json", net_json,
                    "--out-json", waves_json, "--dt", repr(a.dt), "--dt-grid", repr(a.dt_grid),
                    "--threads", str(a.threads), "--work", a.work, "--dir", directory]
                   + (["--clean"] if a.clean else []), check=True, stdout=sys.stderr)
    with open(waves_json) as f:
        waves = json.load(f)
    pixels, labels = read_test(os.path.abspath(a.data), 0, a.images)
    if len(pixels) < a.images:
        sys.exit(f"brian2_net.py: only {len(pixels)} test images")
    r = quiet(run_network, net, waves, pixels, a.dt, a.dt_grid, directory, a.threads, a.repeats, a.clean)
    correct = int(sum(int(p == l) for p, l in zip(r["predicted"], labels)))
    res = dict(tool="brian2", brian2_version=__import__("brian2").__version__, threads=a.threads, dt_s=a.dt,
               dt_grid_s=a.dt_grid, window_s=net["window"], images=a.images, directory=os.path.abspath(directory),
               build_s=r["build_s"], run_s=r["run_s"], run_s_median=statistics.median(r["run_s"]),
               network_run_s=r["network_run_s"], network_run_s_median=statistics.median(r["network_run_s"]),
               waves_network_run_s=waves["network_run_s"], waves_build_and_run_s=waves["build_and_run_s"],
               level_spikes=waves["level_spikes"], accuracy=correct / a.images, labels=labels.tolist(),
               predicted=r["predicted"], output_counts=r["output_counts"], hidden_counts=r["hidden_counts"],
               spikes_input=r["spikes_input"],
               spikes_hidden=r["spikes_hidden"], spikes_output=r["spikes_output"],
               vo2snn_image0=net["vo2snn"], v_on=net["v_on"], v_peak=net["v_peak"], s_peak=net["s_peak"],
               rail_v=net["rail_v"])
    print(json.dumps(res))


if __name__ == "__main__":
    main()
