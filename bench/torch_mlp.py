#!/usr/bin/env python3
"""torch_mlp.py -- the PyTorch (CPU) counterpart of `vo2snn train`, for bench/bench_train.sh.

Same network and training loop as vo2snn's rate-coded BP-SNN, written the ordinary
PyTorch way:
  * 784-128-10, weights N(0, 3/sqrt(fan_in)), hidden biases +-(V_on + 1), output biases V_on - 1;
  * activation: a custom autograd Function doing vo2snn's per-element work -- clip to the
    rails +-V_peak, evaluate a tabulated monotone piecewise cubic (PCHIP) of |V| (odd
    extension) forward, and a linearly interpolated surrogate-slope table backward (the
    leak slope beyond the rails). The tables come from vo2snn's transfer cache
    (--table), built exactly like src/transfer.c does; without one a synthetic curve is used;
  * inputs: 256-entry lookup of the uint8 pixels, once per batch;
  * random +-1-pixel shift per image and batch (pad + gather, vectorised);
  * MSE against one-hot targets, Adam lr 3e-3 with a cosine schedule per epoch, batch 64,
    reshuffled every epoch; torch.set_num_threads(N) (default 2).
Data (gzip IDX) is read with numpy before any timing. The time of an epoch covers the
training loop only (shuffle, augmentation, encoding, forward, backward, update), like
vo2snn's per-epoch seconds. Output: one line per epoch
  torch epoch E/N: loss L, train A %, test T %, S s
then a JSON summary line starting with 'TORCH_JSON '.

--act tanh replaces the table activation by torch.tanh (pixels p/255, zero biases), for reference;
--act relu --loss ce is the plain PyTorch MLP (ReLU hidden layer, linear output, cross-entropy,
Adam), the textbook baseline.

--mode eager (default) runs the model op by op (the activation as a custom autograd Function);
--mode script compiles the forward pass and the loss with TorchScript (torch.jit.script; torch
1.13 has no torch.compile): the activation is then written as r(u) + slope(u) (u - u.detach())
with r and slope computed on u.detach(), which has the same value and the same gradient
(slope) as the custom Function. Before the first timed epoch --warmup (5) optimiser steps are
run on copies of the parameters (TorchScript's profiling executor specialises the graph in
its first runs; the real parameters and the RNG are untouched), in both modes.
The shuffle (torch.randperm) is inside the timed epoch.
"""
import argparse
import glob
import gzip
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(d):
    def pick(stem):
        for name in (stem + "-ubyte.gz", stem.replace("-idx", ".idx") + "-ubyte.gz", stem + "-ubyte"):
            p = os.path.join(d, name)
            if os.path.exists(p):
                return p
        raise SystemExit(f"torch_mlp: no {stem} in {d}")
    xtr = read_idx(pick("train-images-idx3"))
    ytr = read_idx(pick("train-labels-idx1"))
    xte = read_idx(pick("t10k-images-idx3"))
    yte = read_idx(pick("t10k-labels-idx1"))
    return xtr, ytr, xte, yte


# ---- the transfer function: the same construction as src/transfer.c ----------------------

def read_table(path):
    """freq_hz at V = i dV from a vo2snn transfer cache CSV (first line: key with dv=...)."""
    with open(path) as f:
        key = f.readline()
        header = f.readline().strip().split(",")
        rows = np.loadtxt(f, delimiter=",", ndmin=2)
    dv = None
    for tok in key.split():
        if tok.startswith("dv="):
            dv = float(tok[3:])
    if dv is None:
        dv = float(rows[1, header.index("v_v")] - rows[0, header.index("v_v")])
    return rows[:, header.index("freq_hz")].astype(np.float64), dv


def synthetic_table(dv=0.02, vmax=20.0):
    v = np.arange(0.0, vmax + dv / 2, dv)
    f = np.where((v >= 9.0) & (v <= 16.0), 1.0 - 0.6 * np.exp(-(v - 9.0) / 1.2), 0.0)
    f = np.where(v > 12.5, f * np.exp(-(v - 12.5) / 3.0), f)
    return f * 1.5e5, dv


def pchip_slopes(y):
    n = len(y)
    dl = np.empty(n); dr = np.empty(n)
    dl[1:] = y[1:] - y[:-1]; dl[0] = y[1] - y[0]
    dr[:-1] = y[1:] - y[:-1]; dr[-1] = y[-1] - y[-2]
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(dl * dr <= 0, 0.0, 2.0 / (1.0 / dl + 1.0 / dr))
    m[0] = dr[0]
    m[-1] = dl[-1]
    if (y[1] - y[0]) * m[0] < 0:
        m[0] = 0.0
    return m


def build_transfer(freq, dv, surrogate_v=0.75):
    n = len(freq)
    i_peak = int(np.argmax(freq))
    on = np.nonzero(freq > 0)[0]
    if len(on) == 0:
        raise SystemExit("torch_mlp: the transfer table never oscillates")
    i_on = int(on[0])
    r = freq / freq[i_peak]
    m = pchip_slopes(r)
    y0, y1, m0, m1 = r[:-1], r[1:], m[:-1], m[1:]
    coef = np.stack([y0, m0, 3 * (y1 - y0) - 2 * m0 - m1, 2 * (y0 - y1) + m0 + m1], axis=1)
    # surrogate: central-difference derivative, even about 0, smoothed by a Gaussian
    half = int(math.ceil(4 * surrogate_v / dv))
    d = np.zeros(n)
    d[0] = (r[1] - r[0]) / dv
    d[1:n - 1] = (r[2:] - r[:-2]) / (2 * dv)
    k = np.arange(-half, half + 1)
    w = np.exp(-0.5 * (k * dv / surrogate_v) ** 2)
    j = np.abs(np.arange(n)[:, None] + k[None, :])
    dj = np.where(j + 1 >= n, 0.0, d[np.minimum(j, n - 1)])
    dsur = (dj * w).sum(1) / w.sum()
    v_on = dv * i_on
    leak = r[i_on] / v_on
    dsur[:i_on] = np.maximum(dsur[:i_on], leak)
    return dict(coef=coef.astype(np.float32), dsur=dsur.astype(np.float32), leak=float(leak),
                inv_dv=1.0 / dv, v_on=v_on, v_peak=dv * i_peak, n=n)


def rate_np(tf, v):
    """r(V) in float64, for the 256-entry input encoding (setup, not timed)."""
    a = np.abs(v) * tf["inv_dv"]
    i = np.minimum(a.astype(np.int64), tf["n"] - 2)
    u = a - i
    c = tf["coef"][i].astype(np.float64)
    r = c[..., 0] + u * (c[..., 1] + u * (c[..., 2] + u * c[..., 3]))
    return np.sign(v) * r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.environ.get("VO2SNN_DATA", "../shared/data/mnist"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--shift", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--table", default=None,
                    help="vo2snn transfer cache CSV (default: newest transfer-*.csv in $VO2SNN_CACHE or ~/.cache/vo2snn)")
    ap.add_argument("--act", choices=["table", "tanh", "relu"], default="table")
    ap.add_argument("--loss", choices=["mse", "ce"], default=None,
                    help="mse vs one-hot (default; vo2snn's) or cross-entropy (default for --act relu)")
    ap.add_argument("--mode", choices=["eager", "script"], default="eager")
    ap.add_argument("--warmup", type=int, default=5, help="untimed optimiser steps on copies before epoch 1")
    ap.add_argument("--no-test", action="store_true", help="skip the test-set evaluation")
    ap.add_argument("--train-limit", type=int, default=0, help="train on the first N images only (0: all)")
    args = ap.parse_args()

    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)

    # which BLAS did the dynamic linker give torch? (Debian's torch calls sgemm_ of libblas.so.3)
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    blas = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in os.path.basename(path) or "mkl" in os.path.basename(path):
                blas.add(os.path.realpath(path))
    blas = sorted(blas)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: {' '.join(blas) or 'none found'}",
          flush=True)

    # ---- transfer table -------------------------------------------------------------------
    table = args.table
    if table is None:
        cache = os.environ.get("VO2SNN_CACHE") or os.path.expanduser("~/.cache/vo2snn")
        cands = sorted(glob.glob(os.path.join(cache, "transfer-*.csv")), key=os.path.getmtime)
        table = cands[-1] if cands else None
    if table:
        freq, dv = read_table(table)
    else:
        freq, dv = synthetic_table()
    tf = build_transfer(freq, dv)
    rail = tf["v_peak"]
    coef_t = torch.from_numpy(tf["coef"])            # (n-1, 4)
    dsur_t = torch.from_numpy(tf["dsur"])            # (n)
    dsur_d = dsur_t[1:] - dsur_t[:-1]                # (n-1) slope increments
    inv_dv, leak, ncell = float(tf["inv_dv"]), float(tf["leak"]), tf["n"] - 1

    class TableAct(torch.autograd.Function):
        """Clip to +-rail, odd PCHIP lookup forward; surrogate-slope lookup backward."""

        @staticmethod
        def forward(ctx, u):
            v = u.clamp(-rail, rail)
            a = v.abs() * inv_dv
            i = a.long().clamp_(max=ncell - 1)
            t = a - i
            c = coef_t[i]                             # (..., 4) gather
            r = c[..., 3] * t
            r += c[..., 2]; r *= t; r += c[..., 1]; r *= t; r += c[..., 0]
            r = torch.copysign(r, v)
            slope = torch.addcmul(dsur_t[i], t, dsur_d[i])
            slope = torch.where(u.abs() > rail, torch.full_like(slope, leak), slope)
            ctx.save_for_backward(slope)
            return r

        @staticmethod
        def backward(ctx, grad):
            (slope,) = ctx.saved_tensors
            return grad * slope

    loss_kind = args.loss or ("ce" if args.act == "relu" else "mse")

    def table_act_st(u, coef, dsur, dsur_d, rail: float, inv_dv: float, leak: float, ncell: int):
        # TorchScript form of TableAct: value r(u), gradient slope(u) (straight-through)
        ud = u.detach()
        v = ud.clamp(-rail, rail)
        a = v.abs() * inv_dv
        i = a.long().clamp(max=ncell - 1)
        t = a - i
        c = coef[i]
        r = ((c[..., 3] * t + c[..., 2]) * t + c[..., 1]) * t + c[..., 0]
        r = torch.copysign(r, v)
        slope = torch.addcmul(dsur[i], t, dsur_d[i])
        slope = torch.where(ud.abs() > rail, torch.full_like(slope, leak), slope)
        return r + slope * (u - ud)

    if args.mode == "script":
        table_act_st = torch.jit.script(table_act_st)
    act_name = args.act

    def net_loss(x, y, onehot, w1, b1, w2, b2, coef, dsur, dsur_d, rail: float, inv_dv: float, leak: float,
                 ncell: int, act_kind: int, ce: bool):
        u1 = F.linear(x, w1, b1)
        if act_kind == 0:
            h = table_act_st(u1, coef, dsur, dsur_d, rail, inv_dv, leak, ncell)
        elif act_kind == 1:
            h = torch.tanh(u1)
        else:
            h = torch.relu(u1)
        u2 = F.linear(h, w2, b2)
        if act_kind == 0:
            out = table_act_st(u2, coef, dsur, dsur_d, rail, inv_dv, leak, ncell)
        elif act_kind == 1:
            out = torch.tanh(u2)
        else:
            out = u2
        if ce:
            loss = F.cross_entropy(out, y)
        else:
            loss = F.mse_loss(out, onehot)
        return loss, out

    act_kind = {"table": 0, "tanh": 1, "relu": 2}[act_name]
    if args.mode == "script":
        net_loss_s = torch.jit.script(net_loss)
    act = TableAct.apply if args.act == "table" else (torch.tanh if args.act == "tanh" else torch.relu)

    # ---- data (untimed) -------------------------------------------------------------------
    xtr, ytr, xte, yte = load_mnist(args.data)
    if args.train_limit > 0:
        xtr, ytr = xtr[:args.train_limit], ytr[:args.train_limit]
    xtr_t = torch.from_numpy(np.array(xtr))          # (60000, 28, 28) uint8
    ytr_t = torch.from_numpy(ytr.astype(np.int64))
    xte_t = torch.from_numpy(np.array(xte))
    yte_t = torch.from_numpy(yte.astype(np.int64))
    H, W = xtr_t.shape[1], xtr_t.shape[2]
    P = args.shift
    xtr_pad = F.pad(xtr_t, (P, P, P, P)) if P > 0 else xtr_t     # zero border = silent pixels

    # input encoding: pixel p > 0 -> V = V_on + (V_peak - V_on) p / 255, p = 0 -> V = 0
    pv = np.where(np.arange(256) == 0, 0.0, tf["v_on"] + (tf["v_peak"] - tf["v_on"]) * np.arange(256) / 255.0)
    if args.act == "table":
        enc = torch.from_numpy(rate_np(tf, pv).astype(np.float32))
    else:
        enc = torch.arange(256, dtype=torch.float32) / 255.0

    # ---- model ----------------------------------------------------------------------------
    sizes = [H * W, args.hidden, 10]
    params = []
    for l in range(2):
        C, OC = sizes[l], sizes[l + 1]
        w = torch.randn(OC, C, generator=g) * (3.0 / math.sqrt(C))
        if args.act == "table":
            if l == 0:
                b = torch.tensor([(tf["v_on"] + 1) * (-1 if i % 2 else 1) for i in range(OC)])
            else:
                b = torch.full((OC,), tf["v_on"] - 1)
        else:
            w = w / 3.0
            b = torch.zeros(OC)
        params += [w.float().requires_grad_(), b.float().requires_grad_()]
    w1, b1, w2, b2 = params
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)

    def forward(x):
        h = act(F.linear(x, w1, b1))
        u = F.linear(h, w2, b2)
        return u if args.act == "relu" else act(u)

    def train_loss(x, y, ps):
        """loss and outputs of one batch; eager: op by op, script: the TorchScript graph"""
        if args.mode == "script":
            return net_loss_s(x, y, eye[y], ps[0], ps[1], ps[2], ps[3], coef_t, dsur_t, dsur_d, float(rail),
                              inv_dv, leak, int(ncell), act_kind, loss_kind == "ce")
        h = act(F.linear(x, ps[0], ps[1]))
        u = F.linear(h, ps[2], ps[3])
        out = u if args.act == "relu" else act(u)
        loss = F.cross_entropy(out, y) if loss_kind == "ce" else F.mse_loss(out, eye[y])
        return loss, out

    def evaluate():
        correct = 0
        with torch.no_grad():
            for s in range(0, len(xte_t), 1000):
                x = enc[xte_t[s:s + 1000].reshape(-1, H * W).long()]
                correct += int((forward(x).argmax(1) == yte_t[s:s + 1000]).sum())
        return correct / len(xte_t)

    n, B = len(xtr_t), args.batch
    ar_h = torch.arange(H).view(1, H, 1)
    ar_w = torch.arange(W).view(1, 1, W)
    eye = torch.eye(10)

    def make_batch(idx, gen):
        b = len(idx)
        if P > 0:
            sh = torch.randint(0, 2 * P + 1, (2, b), generator=gen)   # offsets into the padded image
            rows = ar_h + sh[0].view(b, 1, 1)
            cols = ar_w + sh[1].view(b, 1, 1)
            img = xtr_pad[idx.view(b, 1, 1), rows, cols]              # (b, H, W) per-image shift
        else:
            img = xtr_t[idx]
        return enc[img.reshape(b, H * W).long()], ytr_t[idx]

    # warm-up on copies (untimed): same shapes as the epoch (full batches and the last partial one)
    if args.warmup > 0:
        wps = [p.detach().clone().requires_grad_() for p in params]
        wopt = torch.optim.Adam(wps, lr=args.lr)
        wg = torch.Generator().manual_seed(12345)
        last = n % B
        sizes_w = [B] * args.warmup + ([last] * 2 if last else [])
        for bsz in sizes_w:
            x, y = make_batch(torch.randint(0, n, (bsz,), generator=wg), wg)
            loss, _ = train_loss(x, y, wps)
            wopt.zero_grad(set_to_none=True)
            loss.backward()
            wopt.step()
        del wps, wopt
    epochs = []
    for e in range(args.epochs):
        lr = args.lr if args.epochs <= 1 else args.lr * 0.5 * (1 + math.cos(math.pi * e / args.epochs))
        for gr in opt.param_groups:
            gr["lr"] = lr
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=g)
        loss_sum, correct = 0.0, 0
        for s in range(0, n, B):
            idx = perm[s:s + B]
            b = len(idx)
            x, y = make_batch(idx, g)
            loss, out = train_loss(x, y, params)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += float(loss) * b
            correct += int((out.detach().argmax(1) == y).sum())
        secs = time.perf_counter() - t0
        if not math.isfinite(loss_sum):
            raise SystemExit(f"torch_mlp: training diverged at epoch {e + 1}")
        test = float("nan") if args.no_test else evaluate()
        epochs.append(dict(epoch=e + 1, seconds=secs, loss=loss_sum / n, train_acc=correct / n, test_acc=test))
        print(f"torch epoch {e + 1:2d}/{args.epochs}: loss {loss_sum / n:.5f}, train {100 * correct / n:.2f} %, "
              f"test {100 * test:.2f} %, {secs:.4f} s", flush=True)
    secs = sorted(e["seconds"] for e in epochs)
    med = (secs[(len(secs) - 1) // 2] + secs[len(secs) // 2]) / 2 if secs else float("nan")
    print(f"torch median epoch: {med:.3f} s ({args.mode}, {torch.get_num_threads()} threads, batch {B}, "
          f"act {args.act}, loss {loss_kind})", flush=True)
    summary = dict(torch=torch.__version__, threads=torch.get_num_threads(), blas=blas, act=args.act,
                   mode=args.mode, batch=B, loss=loss_kind, median_epoch_s=med,
                   table=table or "synthetic", epochs=epochs,
                   max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    print("TORCH_JSON " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
