"""Training, scoring and circuit inference of the BP-SNN on numpy images (train.h, infer.h).

Every function makes the library calls `vo2snn train`, `vo2snn eval` and `vo2snn infer`
make, in the same order and with the same settings, so the same options give the same
numbers as the CLI (bit for bit; python/tests/test_train.py checks it). Images are uint8
arrays of shape (n, rows, cols), or (n, 784) for 28 x 28; labels uint8 in 0..9. The
arrays are passed to the library in place (a vs_dataset over numpy memory, no copy).
"""

import ctypes
import math
import os
import time

import numpy as np

from . import _lib
from ._lib import VO2SNNError, check

_NAN = float("nan")


def _einval(msg):
    return VO2SNNError(1, "invalid argument", msg)


class _Data:
    """A vs_dataset over numpy arrays (kept alive with it)."""

    def __init__(self, images, labels, what):
        a = np.asarray(images)
        if a.dtype != np.uint8:
            raise _einval("%s: images must be uint8 (0..255), not %s" % (what, a.dtype))
        if a.ndim == 3:
            n, rows, cols = a.shape
        elif a.ndim == 2:
            n, p = a.shape
            rows, cols = (28, 28) if p == 784 else (1, p)
        else:
            raise _einval("%s: images must have shape (n, rows, cols) or (n, pixels), not %s"
                          % (what, a.shape))
        if n < 1 or rows < 1 or cols < 1:
            raise _einval("%s: no images (shape %s)" % (what, a.shape))
        self.images = np.ascontiguousarray(a).reshape(n, rows * cols)
        lab = np.asarray(labels)
        if lab.shape != (n,):
            raise _einval("%s: %d images but labels of shape %s" % (what, n, lab.shape))
        if lab.dtype != np.uint8:
            if not np.issubdtype(lab.dtype, np.integer):
                raise _einval("%s: labels must be integers 0..9, not %s" % (what, lab.dtype))
            if lab.min() < 0 or lab.max() > 9:
                raise _einval("%s: labels must be 0..9" % what)
            lab = lab.astype(np.uint8)
        elif lab.max() > 9:
            raise _einval("%s: label %d is not in 0..9" % (what, int(lab.max())))
        self.labels = np.ascontiguousarray(lab)
        self.name = ("<%s: numpy array>" % what).encode()
        u8 = ctypes.POINTER(ctypes.c_uint8)
        self.d = _lib.Dataset(n, rows, cols, self.images.ctypes.data_as(u8),
                              self.labels.ctypes.data_as(u8), self.name, self.name)
        self.n = n

    def ref(self):
        return ctypes.byref(self.d)


class _Progress:
    """A vs_batch_fn / vs_infer_progress_fn calling progress(dict) every `every` images.

    A truthy return from progress stops the run; an exception raised in it (KeyboardInterrupt
    included) stops the run and is re-raised when the library has returned."""

    def __init__(self, progress, every, per_call, total, base):
        self.progress, self.every, self.per_call = progress, every, per_call
        self.total, self.base = total, base
        self.error = None
        self.last = 0
        self.fn = _lib.PROGRESS_FN(self._call) if progress else _lib.PROGRESS_FN()

    def _call(self, done, _total, _user):
        try:
            k = min(done * self.per_call, self.total)
            if self.every and k // self.every == self.last // self.every and k != self.total:
                return 0
            self.last = k
            return 1 if self.progress(dict(self.base, done=k, total=self.total)) else 0
        except BaseException as e:   # noqa: B902 -- handed back after the call
            self.error = e
            return 1

    def raise_error(self):
        if self.error is not None:
            e, self.error = self.error, None
            raise e


def _threads(threads):
    if threads:
        note = ctypes.create_string_buffer(200)
        _lib.vs_threads_set(int(threads), note, 200)


def _cache_dir(cache):
    """train_cache_dir of the CLI: None -> the default cache, "none" -> no cache."""
    if cache == "none":
        return None
    if cache is not None:
        return os.fsencode(cache)
    buf = ctypes.create_string_buffer(4096)
    _lib.vs_transfer_default_cache(buf, 4096)
    return buf.value


def _build_transfer(dev, circ, to, cache):
    t = _lib.Transfer()
    check(_lib.vs_transfer_build(ctypes.byref(dev), ctypes.byref(circ), ctypes.byref(to),
                                 _cache_dir(cache), ctypes.byref(t)))
    return t


class Network:
    """A trained rate network: its checkpoint settings (vs_checkpoint_info), the transfer
    function it trains through and the vs_mlp. From ``train(...)["network"]`` or
    ``Network.load(path)``; ``save(path)`` writes a checkpoint the CLI reads."""

    def __init__(self):
        self._m = None
        self._t = None
        self.info = _lib.CheckpointInfo()
        self.max_batch = 256

    @classmethod
    def load(cls, path, cache=None):
        """Read a checkpoint (vs_checkpoint_load) and rebuild its transfer function (cached
        as the CLI caches it: cache None = the default directory, "none" = no cache)."""
        net = cls()
        p = os.fsencode(path)
        check(_lib.vs_checkpoint_load_info(p, ctypes.byref(net.info)))
        net._t = _build_transfer(net.info.device, net.info.circuit, net.info.transfer, cache)
        m = ctypes.c_void_p()
        check(_lib.vs_checkpoint_load(p, ctypes.byref(net._t), 256, ctypes.byref(net.info),
                                      ctypes.byref(m)))
        net._m = m.value
        return net

    def save(self, path):
        """Write the checkpoint atomically (vs_checkpoint_save): `vo2snn eval` and
        `vo2snn infer --checkpoint PATH` read it."""
        check(_lib.vs_checkpoint_save(os.fsencode(path), ctypes.byref(self.info), self._m))

    def encoding(self):
        enc = (ctypes.c_float * 256)()
        _lib.vs_mlp_encode_table(enc, ctypes.byref(self._t))
        return enc

    @property
    def sizes(self):
        """Neurons per layer, e.g. (784, 128, 10)."""
        c = self.info.cfg
        return tuple(c.sizes[k] for k in range(c.n_layers + 1))

    @property
    def epochs(self):
        return self.info.epoch

    @property
    def transfer(self):
        """The transfer function's figures: v_on_v, v_peak_v, f_peak_hz, s_peak_v."""
        t = self._t
        return {"v_on_v": t.v_on_v, "v_peak_v": t.v_peak_v, "f_peak_hz": t.f_peak_hz,
                "s_peak_v": t.s_peak_v}

    def params(self):
        """A copy of every parameter (W1, b1, W2, b2) as one float32 array."""
        n = _lib.vs_mlp_num_params(self._m)
        return np.ctypeslib.as_array(_lib.vs_mlp_params(self._m), (n,)).copy()

    def close(self):
        if self._m:
            _lib.vs_mlp_free(self._m)
            self._m = None
        if self._t is not None:
            _lib.vs_transfer_free(ctypes.byref(self._t))
            self._t = None

    def __del__(self):
        try:
            self.close()
        except Exception:   # interpreter shutdown
            pass

    def __repr__(self):
        return "vo2snn.Network(%s, %d epochs)" % ("-".join(map(str, self.sizes)), self.epochs)


def _network(net, cache):
    return net if isinstance(net, Network) else Network.load(net, cache=cache)


def load_dataset(split="test", data=None, dataset="mnist"):
    """(images (n, rows, cols) uint8, labels (n,) uint8) of a split ("train" or "test") of
    MNIST or Fashion-MNIST, found as the CLI finds it (data, else $VO2SNN_DATA, ...) and
    checked to look like `dataset` (vs_data_dir, vs_dataset_load, vs_dataset_check_kind)."""
    if split not in ("train", "test"):
        raise _einval("split must be 'train' or 'test', not %r" % (split,))
    buf = ctypes.create_string_buffer(4096)
    lib = _lib.lib
    lib.vs_data_dir.argtypes = [_lib.c_char_p, _lib.c_char_p, _lib.c_char_p, _lib.c_size_t]
    lib.vs_data_dir.restype = _lib.c_int
    lib.vs_dataset_load.argtypes = [_lib.c_char_p, _lib.c_char_p, ctypes.POINTER(_lib.Dataset)]
    lib.vs_dataset_load.restype = _lib.c_int
    lib.vs_dataset_free.argtypes = [ctypes.POINTER(_lib.Dataset)]
    lib.vs_dataset_free.restype = None
    lib.vs_dataset_check_kind.argtypes = [ctypes.POINTER(_lib.Dataset), _lib.c_char_p]
    lib.vs_dataset_check_kind.restype = _lib.c_int
    check(lib.vs_data_dir(os.fsencode(data) if data is not None else None, dataset.encode(),
                          buf, 4096))
    d = _lib.Dataset()
    check(lib.vs_dataset_load(buf.value, b"train" if split == "train" else b"t10k",
                              ctypes.byref(d)))
    try:
        check(lib.vs_dataset_check_kind(ctypes.byref(d), dataset.encode()))
        px = d.rows * d.cols
        images = np.ctypeslib.as_array(d.images, (d.n * px,)).reshape(d.n, d.rows, d.cols).copy()
        labels = np.ctypeslib.as_array(d.labels, (d.n,)).copy()
    finally:
        lib.vs_dataset_free(ctypes.byref(d))
    return images, labels


def _choice(name, value, choices):
    if value not in choices:
        raise _einval("%s must be one of %s, not %r" % (name, ", ".join(choices), value))
    return choices.index(value)


def _epoch_dict(info, e):
    h = info.history[e]
    lr0 = info.cfg.lr
    lr = _lib.vs_lr_cosine(lr0, e, info.epochs_planned) if info.cosine else lr0
    return {"epoch": e + 1, "loss": h.loss, "train_acc": h.train_acc, "test_acc": h.test_acc,
            "seconds": h.seconds, "lr": lr}


def train(images, labels, test_images=None, test_labels=None, *, device=1, model=None,
          vacancy=None, device_file=None, params=None, r_series=3e3, cap=1.8e-9, r_sense=50.0,
          hidden=128, epochs=10, batch=64, lr=3e-3, schedule="cosine", loss="mse",
          optim="adam", momentum=0.9, shift=1, rail=None, surrogate=0.75, target=1.0,
          ce_scale=10.0, seed=1, train_limit=None, test_limit=None, threads=None, cache=None,
          checkpoint=None, progress=None, progress_every=None):
    """Train the rate-coded input-H-10 BP-SNN through the device's transfer function
    (``vo2snn train``, with the same option names and defaults; the transfer function is
    measured and cached as the CLI does it, `cache`).

    images, labels: the training set; test_images, test_labels: the set scored after every
    epoch (None: no scoring, test accuracies NaN). train_limit / test_limit: use only the
    first N images. threads: OpenMP threads (results are the same for any number).
    checkpoint: a path to save the checkpoint to after every epoch (as the CLI does).
    progress: called with a dict -- {"stage": "batch", "epoch", "epochs", "done", "total"}
    every `progress_every` training images (None: not during epochs) and {"stage": "epoch",
    "epoch", "epochs", "loss", "train_acc", "test_acc", "seconds", "lr"} after each epoch; a
    truthy return stops training (VO2SNNError), an exception raised in it is re-raised.

    Returns a dict with the keys of ``vo2snn train --json`` that describe the run (command,
    finished, epochs, test_accuracy, final_loss, final_train_accuracy, train_seconds,
    train_images, test_images, checkpoint, transfer_v_on_v, transfer_v_peak_v,
    transfer_f_peak_hz), "history": one dict per epoch (metrics.csv's columns epoch, loss,
    train_acc, test_acc, seconds, lr), and "network": the trained Network.
    """
    from . import device as _device
    dev = _device(device, model=model, vacancy=vacancy, device_file=device_file, params=params)
    tr = _Data(images, labels, "training images")
    te = _Data(test_images, test_labels, "test images") if test_images is not None else None
    if te is not None and (te.d.rows, te.d.cols) != (tr.d.rows, tr.d.cols):
        raise _einval("training images are %d x %d but test images %d x %d"
                      % (tr.d.rows, tr.d.cols, te.d.rows, te.d.cols))
    loss_k = _choice("loss", loss, ("mse", "ce"))
    optim_k = _choice("optim", optim, ("adam", "sgd"))
    _choice("schedule", schedule, ("cosine", "constant"))
    if not 1 <= int(epochs) <= _lib.VS_MAX_EPOCHS:
        raise _einval("epochs must be 1..%d" % _lib.VS_MAX_EPOCHS)
    if not 1 <= int(batch) <= 8192:
        raise _einval("batch must be 1..8192")
    _threads(threads)

    net = Network()
    info = net.info
    info.device = dev._p
    circ = _lib.Circuit(float(r_series), float(cap), float(r_sense))
    check(_lib.vs_circuit_validate(ctypes.byref(circ)))
    info.circuit = circ
    info.transfer = _lib.vs_transfer_opts_default()
    info.transfer.surrogate_v = float(surrogate)
    check(_lib.vs_transfer_resolve_range(ctypes.byref(info.device), ctypes.byref(info.circuit),
                                         ctypes.byref(info.transfer)))
    info.seed = int(seed)
    info.batch = int(batch)
    info.epochs_planned = int(epochs)
    info.shift_px = int(shift)
    info.cosine = 1 if schedule == "cosine" else 0
    net._t = _build_transfer(info.device, info.circuit, info.transfer, cache)

    net.max_batch = max(info.batch, 256)
    cfg = _lib.vs_mlp_config_for(ctypes.byref(net._t))
    cfg.sizes[0] = tr.d.rows * tr.d.cols
    cfg.sizes[1] = int(hidden)
    cfg.sizes[2] = 10
    cfg.loss, cfg.optim = loss_k, optim_k
    cfg.lr, cfg.momentum = float(lr), float(momentum)
    cfg.target_on, cfg.ce_scale = float(target), float(ce_scale)
    if rail is not None:
        cfg.rail_v = float(rail)
    info.cfg = cfg
    rng = _lib.Rng()
    _lib.vs_rng_seed(ctypes.byref(rng), info.seed, 0)
    m = _lib.vs_mlp_new(ctypes.byref(info.cfg), ctypes.byref(net._t), net.max_batch,
                        ctypes.byref(rng))
    if not m:
        check(1)
    net._m = m
    enc = net.encoding()

    n_train = tr.n if not train_limit or train_limit >= tr.n else int(train_limit)
    n_test = 0 if te is None else te.n if not test_limit or test_limit >= te.n else int(test_limit)
    to = _lib.TrainOpts(batch=info.batch, seed=info.seed, shift_px=info.shift_px,
                        n_limit=int(train_limit or 0))
    ck = os.fsencode(checkpoint) if checkpoint is not None else None
    for e in range(info.epoch, info.epochs_planned):
        lr_e = _lib.vs_lr_cosine(info.cfg.lr, e, info.epochs_planned) if info.cosine else info.cfg.lr
        _lib.vs_mlp_set_lr(m, lr_e)
        base = {"stage": "batch", "epoch": e + 1, "epochs": info.epochs_planned}
        pg = _Progress(progress if progress_every else None, progress_every and int(progress_every),
                       info.batch, n_train, base)
        em = _lib.EpochMetrics()
        st = _lib.vs_train_epoch(m, tr.ref(), enc, ctypes.byref(to), e, pg.fn, None,
                                 ctypes.byref(em))
        pg.raise_error()
        check(st)
        if te is not None:
            acc = ctypes.c_double()
            check(_lib.vs_evaluate(m, te.ref(), int(test_limit or 0), enc, net.max_batch,
                                   ctypes.byref(acc), None, None))
            em.test_acc = acc.value
        else:
            em.test_acc = _NAN
        info.history[e] = em
        info.epoch = e + 1
        info.steps = _lib.vs_mlp_step_count(m)
        if ck is not None:
            check(_lib.vs_checkpoint_save(ck, ctypes.byref(info), m))
        if progress is not None:
            if progress(dict(_epoch_dict(info, e), stage="epoch", epochs=info.epochs_planned)):
                raise VO2SNNError(1, "invalid argument", "stopped after epoch %d" % (e + 1))

    last = info.history[info.epoch - 1]
    return {"command": "train", "finished": True, "epochs": info.epoch,
            "test_accuracy": last.test_acc, "final_loss": last.loss,
            "final_train_accuracy": last.train_acc,
            "train_seconds": sum(info.history[e].seconds for e in range(info.epoch)),
            "train_images": n_train, "test_images": n_test,
            "checkpoint": None if checkpoint is None else str(checkpoint),
            "transfer_v_on_v": net._t.v_on_v, "transfer_v_peak_v": net._t.v_peak_v,
            "transfer_f_peak_hz": net._t.f_peak_hz,
            "history": [_epoch_dict(info, e) for e in range(info.epoch)], "network": net}


def evaluate(network, images, labels, *, limit=None, cache=None):
    """Score a network with the rate model (``vo2snn eval``, vs_evaluate): network is a
    Network or a checkpoint path. Returns {"command": "eval", "epochs_trained", "images",
    "accuracy", "confusion": (10, 10) uint32 (row = true label), "predicted": (n,) uint8}."""
    net = _network(network, cache)
    d = _Data(images, labels, "images")
    check(_lib.vs_dataset_check_inputs(d.ref(), net.info.cfg.sizes[0], b"the network"))
    n = d.n if not limit or limit >= d.n else int(limit)
    acc = ctypes.c_double()
    cm = np.zeros(100, dtype=np.uint32)
    pred = np.zeros(d.n, dtype=np.uint8)
    check(_lib.vs_evaluate(net._m, d.ref(), int(limit or 0), net.encoding(), net.max_batch,
                           ctypes.byref(acc), cm.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)),
                           pred.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8))))
    return {"command": "eval", "epochs_trained": net.info.epoch, "images": n,
            "accuracy": acc.value, "confusion": cm.reshape(10, 10), "predicted": pred[:n]}


_ENGINES = ("fast", "reference")


def infer(network, images, labels, *, window=50e-6, dt_grid=100e-9, tau_syn=3e-6,
          opamp="ideal", opamp_supply=15.0, opamp_iq=1e-3, opamp_offset=0.0, opamp_gain=None,
          r_spread=0.0, seed=1, rtol=1e-3, h_max=3e-6, engine="fast", limit=None,
          threads=None, cache=None, progress=None, progress_every=1):
    """Run a trained network as circuit neurons and two-stage adders, image by image
    (``vo2snn infer`` with the same option names and defaults, on the checkpoint's own
    device and circuit; vs_infer_dataset_range, images in parallel with OpenMP).

    network: a Network or a checkpoint path. limit: only the first N images.
    progress: called with {"stage": "image", "done", "total"} every `progress_every`
    finished images (and after the last); a truthy return stops the run (VO2SNNError), an
    exception raised in it is re-raised. It runs on the library's worker threads, one
    call at a time.

    Returns a dict with ``vo2snn infer --json``'s keys window_s, images, spiking_accuracy,
    rate_accuracy, agreement, seconds, images_per_second, energy_per_inference_j
    {input_neurons, hidden_neurons, output_neurons, synapses, total, neurons,
    opamp_quiescent, synapses_dynamic}, spikes_per_image {input_layer, hidden_layer,
    output_layer}, energy_per_spike_j, engine; and per image (numpy): labels, predicted
    (spiking), rate_predicted, counts (n, 10) output spikes, first_spike_s (n, 10),
    spikes (n, 3) per layer, energy_j (n,).
    """
    net = _network(network, cache)
    d = _Data(images, labels, "images")
    io = _lib.vs_infer_opts_default()
    io.window_s, io.dt_s, io.tau_syn_s = float(window), float(dt_grid), float(tau_syn)
    io.r_tolerance = float(r_spread)
    io.seed = int(seed)
    io.sim.rtol, io.sim.h_max_s = float(rtol), float(h_max)
    io.engine = _choice("engine", engine, _ENGINES)
    _choice("opamp", opamp, ("ideal", "nonideal"))
    op = _lib.vs_opamp_ideal() if opamp == "ideal" else _lib.vs_opamp_default()
    if opamp_gain is not None:
        if op.ideal:
            raise _einval("opamp_gain: an ideal op-amp has infinite gain (give opamp='nonideal')")
        op.a0 = float(opamp_gain)
    if opamp_supply < op.rail_v:
        raise _einval("opamp_supply %g V: below the op-amps' output swing +-%g V"
                      % (opamp_supply, op.rail_v))
    op.supply_v, op.i_quiescent_a, op.offset_v = (float(opamp_supply), float(opamp_iq),
                                                  float(opamp_offset))
    io.opamp = op
    check(_lib.vs_infer_opts_check(ctypes.byref(io)))
    check(_lib.vs_dataset_check_inputs(d.ref(), net.info.cfg.sizes[0], b"the network"))
    _threads(threads)
    n = d.n if not limit or limit >= d.n else int(limit)

    enc = net.encoding()
    h = ctypes.c_void_p()
    check(_lib.vs_infer_net_new(net._m, ctypes.byref(net._t), ctypes.byref(net.info.device),
                                ctypes.byref(net.info.circuit), ctypes.byref(io), ctypes.byref(h)))
    try:
        eng = _lib.vs_infer_net_engine(h)
        rate_pred = np.zeros(n, dtype=np.uint8)
        acc = ctypes.c_double()
        check(_lib.vs_evaluate(net._m, d.ref(), n, enc, 256, ctypes.byref(acc), None,
                               rate_pred.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8))))
        res = (_lib.InferResult * n)()
        pg = _Progress(progress, progress_every and int(progress_every), 1, n, {"stage": "image"})
        t0 = time.perf_counter()
        st = _lib.vs_infer_dataset_range(h, d.ref(), 0, n, res, pg.fn, None)
        seconds = time.perf_counter() - t0
        pg.raise_error()
        check(st)
    finally:
        _lib.vs_infer_net_free(h)

    labels_n = d.labels[:n].copy()
    pred = np.array([r.predicted for r in res], dtype=np.int64)
    counts = np.array([list(r.counts) for r in res], dtype=np.int64).reshape(n, 10)
    first = np.array([list(r.first_spike_s) for r in res], dtype=np.float64).reshape(n, 10)
    spikes = np.array([list(r.spikes) for r in res], dtype=np.int64).reshape(n, 3)
    # the CLI's summarise(): the same sums in the same order, so the same doubles
    ok = okr = agree = 0
    e_in = e_hid = e_out = e_syn = e_tot = 0.0
    sp = [0.0, 0.0, 0.0]
    sp_total = 0.0
    for i, r in enumerate(res):
        lab = int(labels_n[i])
        ok += r.predicted == lab
        okr += int(rate_pred[i]) == lab
        agree += r.predicted == int(rate_pred[i])
        e = r.energy
        e_in += e.input_j / n
        e_hid += e.hidden_j / n
        e_out += e.output_j / n
        e_syn += e.synapse_j / n
        e_tot += e.total_j / n
        for k in range(3):
            sp[k] += float(r.spikes[k]) / n
            sp_total += float(r.spikes[k])
    n_opamps = 2 * (net.info.cfg.sizes[1] + net.info.cfg.sizes[2])
    span_s = math.floor(io.window_s / io.dt_s + 0.5) * io.dt_s
    quiescent = n_opamps * 2.0 * io.opamp.supply_v * io.opamp.i_quiescent_a * span_s
    return {
        "command": "infer", "window_s": io.window_s, "images": n,
        "spiking_accuracy": ok / n, "rate_accuracy": okr / n, "agreement": agree / n,
        "seconds": seconds, "images_per_second": n / seconds if seconds > 0 else _NAN,
        "energy_per_inference_j": {
            "input_neurons": e_in, "hidden_neurons": e_hid, "output_neurons": e_out,
            "synapses": e_syn, "total": e_tot, "neurons": e_in + e_hid + e_out,
            "opamp_quiescent": quiescent, "synapses_dynamic": e_syn - quiescent},
        "spikes_per_image": {"input_layer": sp[0], "hidden_layer": sp[1], "output_layer": sp[2]},
        "energy_per_spike_j": e_tot * n / sp_total if sp_total > 0 else _NAN,
        "engine": _ENGINES[eng],
        "labels": labels_n, "predicted": pred, "rate_predicted": rate_pred, "counts": counts,
        "first_spike_s": first, "spikes": spikes,
        "energy_j": np.array([r.energy.total_j for r in res], dtype=np.float64),
    }
