"""vo2snn -- Python binding of libvo2snn (VO2 Mott-device spiking neurons).

A thin ctypes layer over the shared library ``libvo2snn.so`` (Debian's python3 and
python3-numpy only, nothing to compile). Arrays come back as numpy arrays; every
quantity is SI, with the unit in the key (``freq_hz``, ``v_osc_v``, ``t_s``).

    >>> import vo2snn
    >>> r = vo2snn.osc(device=1, v_in=12.5)
    >>> round(r["freq_hz"] / 1e3, 1)            # kHz, paper device 1 at 12.5 V
    146.8
    >>> r["v_osc_v"].shape == r["t_s"].shape    # the trace, t_end / 20000 apart
    True
    >>> vo2snn.thresholds(device=3)["v_th_v"]
    4.1...

The network (``vo2snn train``/``eval``/``infer``) on numpy images:

    >>> x, y = vo2snn.load_dataset("train", data="DIR")       # or any uint8 arrays
    >>> xt, yt = vo2snn.load_dataset("test", data="DIR")
    >>> r = vo2snn.train(x, y, xt, yt, hidden=16, epochs=1, train_limit=2000)
    >>> r["test_accuracy"], r["history"][0]["loss"]
    >>> vo2snn.infer(r["network"], xt, yt, limit=5)["energy_per_inference_j"]["total"]

Errors: a failing library call raises :class:`VO2SNNError`, whose message is the
library's one line (``vs_last_error()``), e.g. ``vo2snn.osc(device=9)`` raises
``VO2SNNError: preset 9 of vo2x: ...``.

Threads: the library is called through ``ctypes.CDLL``, which releases the GIL for the
duration of each foreign call, so simulations in several Python threads run in parallel
(each call uses only its own buffers; the error message is thread-local). While a
trace is recorded the library calls back into Python once per sample, taking the GIL
for that moment; ``osc(..., trace=False)`` avoids it. Sweeps (``phase``) run their
points in parallel with OpenMP inside the library (``OMP_NUM_THREADS``), with results
independent of the thread count.

The library is found at $VO2SNN_LIBRARY, else where ``make install`` put it, else in the
source tree's build/, else by the dynamic linker (``libvo2snn.so.0``).
"""

import ctypes
import math

import numpy as np

from . import _lib
from ._lib import VO2SNNError, check
from ._net import Network, evaluate, infer, load_dataset, train

__all__ = ["VO2SNNError", "Device", "device", "models", "version", "thresholds", "osc",
           "phase", "train", "evaluate", "infer", "Network", "load_dataset", "__version__"]


def version():
    """The library's version string (vs_version()), e.g. "0.1.0"."""
    return _lib.vs_version().decode()


__version__ = version()


def _b(s):
    return s.encode() if isinstance(s, str) else s


def _model(name):
    if name is None:
        return None
    m = _lib.vs_model_find(_b(name))
    if not m:
        raise VO2SNNError(1, "invalid argument", _lib.vs_last_error().decode())
    return m


def models():
    """Names of the device models: ["vo2x", "zhang2024", "switch"]."""
    return [_lib.vs_model_at(i).contents.name.decode() for i in range(_lib.vs_model_count())]


class Device:
    """A device: a model and the values of its parameter table (vs_device_params).

    Device(1) is paper device 1 of the default model vo2x; ``Device(3, model="switch")``
    preset 3 of another model; ``Device(vacancy=0.35)`` a vo2x vacancy level;
    ``Device(file="my.dev")`` a device file applied over the preset (device files and
    ``params`` follow the CLI's rules, docs/cli.md); ``params`` is a dict
    ``{"r_ins0": 24e3, "tau_th": "150ns"}`` (numbers in SI, strings parsed with units)
    or a "key=value,..." string as for ``--param``.
    """

    def __init__(self, preset=None, model=None, vacancy=None, file=None, params=None):
        self._p = _lib.DeviceParams()
        if vacancy is not None:
            if preset is not None:
                raise VO2SNNError(1, "invalid argument", "give a preset or a vacancy level, not both")
            if model not in (None, "vo2x"):
                raise VO2SNNError(1, "invalid argument", "a vacancy level is a vo2x device")
            check(_lib.vs_device_from_vacancy(float(vacancy), ctypes.byref(self._p)))
        else:
            check(_lib.vs_device_model_preset(_model(model), 1 if preset is None else int(preset),
                                              ctypes.byref(self._p)))
        if file is not None:
            check(_lib.vs_device_load_file(_b(str(file)), ctypes.byref(self._p)))
        if isinstance(params, str):
            check(_lib.vs_device_apply_list(ctypes.byref(self._p), _b(params)))
        elif params:
            for k, v in params.items():
                self.set(k, v)
        check(_lib.vs_device_validate(ctypes.byref(self._p)))

    @property
    def model(self):
        """The model's name, e.g. "vo2x"."""
        return self._p.model.contents.name.decode()

    @property
    def name(self):
        """The device's label from a ``name = ...`` key ("" if none)."""
        return self._p.name.decode()

    def get(self, key):
        """Value of parameter ``key`` (SI); KeyError if the model has no such key."""
        v = _lib.vs_device_get(ctypes.byref(self._p), _b(key))
        if math.isnan(v) and key not in self.keys():
            raise KeyError(key)
        return v

    def set(self, key, value):
        """Set ``key`` to a number (SI) or a string with units ("24.1 kOhm"). Raises
        VO2SNNError (and leaves the device unchanged) if it is unknown or out of range."""
        if isinstance(value, str):
            check(_lib.vs_device_set(ctypes.byref(self._p), _b(key), _b(value)))
        else:
            check(_lib.vs_device_set_value(ctypes.byref(self._p), _b(key), float(value)))

    def keys(self):
        """The parameter keys of the device's model, in table order."""
        m = self._p.model.contents
        return [m.params[i].key.decode() for i in range(m.n_params)]

    @property
    def params(self):
        """{key: value} of every parameter (SI)."""
        m = self._p.model.contents
        return {m.params[i].key.decode(): self._p.v[i] for i in range(m.n_params)}

    @property
    def units(self):
        """{key: unit} of every parameter ("" when dimensionless)."""
        m = self._p.model.contents
        return {m.params[i].key.decode(): m.params[i].unit.decode() for i in range(m.n_params)}

    def help(self):
        """The keys accepted for this model, with units and meanings (vs_device_keys)."""
        return _lib.vs_device_keys(self._p.model).decode()

    def __repr__(self):
        label = self.name or ("preset %d" % self._p.preset if self._p.preset else "custom")
        return "vo2snn.Device(model=%r, %s)" % (self.model, label)


def device(device=1, model=None, vacancy=None, device_file=None, params=None):
    """A Device from the CLI's device options: ``device`` (an int preset, or a Device
    returned as is), ``model``, ``vacancy``, ``device_file``, ``params``."""
    if isinstance(device, Device):
        if model is not None or vacancy is not None or device_file is not None or params:
            raise VO2SNNError(1, "invalid argument",
                              "a Device object takes no model/vacancy/device_file/params")
        return device
    return Device(None if vacancy is not None else device, model=model, vacancy=vacancy,
                  file=device_file, params=params)


def thresholds(device=1, **kw):
    """Quasi-static threshold and hold points of a device (vs_device_folds): a dict with
    v_th_v, i_th_a, t_th_k, r_th_ohm, p_th_w and the same for the hold point (v_hold_v,
    ...), and the ambient temperature t_amb_k. ``device`` and ``kw`` as for device()."""
    d = globals()["device"](device, **kw)
    th, ho = _lib.Fold(), _lib.Fold()
    check(_lib.vs_device_folds(ctypes.byref(d._p), ctypes.byref(th), ctypes.byref(ho)))
    out = {"t_amb_k": _lib.vs_device_ambient(ctypes.byref(d._p))}
    for tag, f in (("th", th), ("hold", ho)):
        out.update({"v_%s_v" % tag: f.v_v, "i_%s_a" % tag: f.i_a, "t_%s_k" % tag: f.t_k,
                    "r_%s_ohm" % tag: f.r_ohm, "p_%s_w" % tag: f.p_w})
    return out


def _circuit(r_series, cap, r_sense):
    c = _lib.Circuit(float(r_series), float(cap), float(r_sense))
    check(_lib.vs_circuit_validate(ctypes.byref(c)))
    return c


def _sim_opts(o, method, rtol, h_max, dt):
    if method not in ("dp54", "rk4"):
        raise VO2SNNError(1, "invalid argument", "method must be 'dp54' or 'rk4', not %r" % (method,))
    o.method = 1 if method == "rk4" else 0
    o.rtol, o.h_max_s, o.dt_s = float(rtol), float(h_max), float(dt)


_RESULT_KEYS = [k for k, _ in _lib.NeuronResult._fields_ if k not in ("spike_t_s", "spike_sign")]


def osc(device=1, v_in=12.5, *, i_in=None, model=None, vacancy=None, device_file=None,
        params=None, r_series=3e3, cap=1.8e-9, r_sense=50.0, t_end=200e-6, window=None,
        dt_out=None, method="dp54", rtol=1e-6, h_max=100e-9, dt=1e-9, seed=1, trace=True):
    """Transient of the relaxation-oscillator neuron under a dc input (``vo2snn osc``).

    The defaults are the CLI's: paper device 1, 3 kOhm, 1.8 nF, 50 Ohm, 12.5 V for 200 us,
    statistics over the window [0.3 t_end, t_end], DP54 with rtol 1e-6 and h_max 100 ns,
    so ``osc(device=1, v_in=12.5)["freq_hz"]`` equals ``vo2snn osc --device 1 --v-in 12.5
    --json``'s freq_hz (about 146.8 kHz).

    device: an int preset of ``model`` (default vo2x), or a Device; vacancy, device_file
        and params as for Device. i_in: a dc input current (A) into the node instead of
        v_in. window: (start_s, end_s) of the statistics window. dt_out: trace sampling
        interval (default t_end / 20000). method "dp54" or "rk4" (step dt). seed: the
        cycle-to-cycle jitter's RNG seed (devices with sigma_* > 0).

    Returns a dict: every field of vs_neuron_result (freq_hz, n_spikes, n_spikes_window,
    v_osc_min_v, v_osc_max_v, p_in_mean_w, e_in_per_spike_j, ..., see neuron.h),
    spike_t_s and spike_sign (numpy arrays of every spike), t_end_s and window_s, and, with
    trace=True, the trace as numpy arrays t_s, v_in_v (i_in_a for a current input),
    v_osc_v, v_spike_v, i_dev_a, temp_k, r_dev_ohm, m, p_total_w.
    Raises VO2SNNError with the library's message on a bad device, circuit or option.
    """
    d = globals()["device"](device, model=model, vacancy=vacancy, device_file=device_file,
                            params=params)
    c = _circuit(r_series, cap, r_sense)
    inp = _lib.vs_input_dc(float(v_in))
    if i_in is not None:
        inp = _lib.vs_input_current(_lib.vs_input_dc(float(i_in)))
    o = _lib.vs_sim_opts_default()
    _sim_opts(o, method, rtol, h_max, dt)
    t_end = float(t_end)
    o.t_end_s = t_end
    w0, w1 = (0.3 * t_end, t_end) if window is None else (float(window[0]), float(window[1]))
    o.t_window0_s, o.t_window1_s = w0, w1
    o.dt_out_s = float(dt_out) if dt_out is not None else t_end / 20000.0
    o.seed = int(seed)

    sample_size = ctypes.sizeof(_lib.Sample)
    nf = len(_lib.SAMPLE_FIELDS)
    buf = [None, 0, 0, 0]   # array, samples in it, its capacity, its address
    memmove = ctypes.memmove

    def grow():
        a, n = buf[0], buf[1]
        grown = np.empty((max(1024, 2 * n), nf), dtype=np.float64)
        if a is not None:
            grown[:n] = a[:n]
        buf[0], buf[2], buf[3] = grown, grown.shape[0], grown.ctypes.data

    def on_sample(s, _user):   # once per sample: kept to one copy and two list updates
        n = buf[1]
        if n == buf[2]:
            grow()
        memmove(buf[3] + n * sample_size, s, sample_size)
        buf[1] = n + 1
        return 0

    if trace:
        n_expect = int(t_end / o.dt_out_s) + 2
        if n_expect <= 10_000_000:
            a = np.empty((n_expect, nf), dtype=np.float64)
            buf[0], buf[2], buf[3] = a, n_expect, a.ctypes.data
    cb = _lib.SAMPLE_FN(on_sample) if trace else _lib.SAMPLE_FN()
    res = _lib.NeuronResult()
    try:
        check(_lib.vs_neuron_simulate(ctypes.byref(d._p), ctypes.byref(c), ctypes.byref(inp),
                                      ctypes.byref(o), cb, None, ctypes.byref(res)))
        out = {k: getattr(res, k) for k in _RESULT_KEYS}
        n = res.n_spikes
        out["spike_t_s"] = np.ctypeslib.as_array(res.spike_t_s, (n,)).copy() if n else np.empty(0)
        out["spike_sign"] = (np.ctypeslib.as_array(res.spike_sign, (n,)).astype(np.int8)
                             if n else np.empty(0, dtype=np.int8))
    finally:
        _lib.vs_neuron_result_free(ctypes.byref(res))
    out["window_s"] = (w0, w1)
    out["device"] = d
    if trace:
        a = buf[0][:buf[1]] if buf[0] is not None else np.empty((0, nf))
        for j, k in enumerate(_lib.SAMPLE_FIELDS):
            if k == "v_in_v" and i_in is not None:
                k = "i_in_a"
            out[k] = np.ascontiguousarray(a[:, j])
    return out


REGIMES = ("un-firing", "oscillating", "firing")


def phase(device=1, *, model=None, vacancy=None, device_file=None, params=None,
          r_series=(None, None, 24), v_in=(None, None, 21), log_r=False, cap=1.8e-9,
          r_sense=50.0, t_run=300e-6, settle=0.5, min_spikes=2, method="dp54", rtol=1e-6,
          h_max=100e-9, dt=1e-9, seed=1):
    """Tri-state phase diagram over R_s x V_in (``vo2snn phase``, vs_phase_sweep).

    r_series and v_in are (lo, hi, n) grids; a None end is taken around the device's
    chord triple point as the CLI does (vs_phase_default_grids). Each point is classified
    from rest over t_run (sweep.h): 0 un-firing, 1 oscillating, 2 firing (REGIMES).
    The sweep runs in parallel with OpenMP inside the library.

    Returns a dict of numpy arrays: r_series_ohm (nr), v_in_v (nv), and, each of shape
    (nv, nr), regime, freq_hz, p_in_w, e_in_per_spike_j, v_pp_v, v_spike_mean_v, spikes;
    and chord: the analytic load-line triple point {"r_s_ohm", "v_in_v"}.
    """
    d = globals()["device"](device, model=model, vacancy=vacancy, device_file=device_file,
                            params=params)
    c = _circuit(3e3, cap, r_sense)
    rg = _lib.Grid(math.nan if r_series[0] is None else float(r_series[0]),
                   math.nan if r_series[1] is None else float(r_series[1]), int(r_series[2]),
                   1 if log_r else 0)
    vg = _lib.Grid(math.nan if v_in[0] is None else float(v_in[0]),
                   math.nan if v_in[1] is None else float(v_in[1]), int(v_in[2]), 0)
    check(_lib.vs_phase_default_grids(ctypes.byref(d._p), ctypes.byref(c), ctypes.byref(rg),
                                      ctypes.byref(vg)))
    co = _lib.vs_classify_opts_default()
    co.t_run_s, co.settle_frac, co.min_spikes = float(t_run), float(settle), int(min_spikes)
    _sim_opts(co.sim, method, rtol, h_max, dt)
    co.sim.seed = int(seed)
    n = rg.n * vg.n
    if n <= 0:
        raise VO2SNNError(1, "invalid argument", "the grids must have at least one point each")
    pts = (_lib.Point * n)()
    check(_lib.vs_phase_sweep(ctypes.byref(d._p), ctypes.byref(c), ctypes.byref(rg),
                              ctypes.byref(vg), ctypes.byref(co), None, None, pts))
    shape = (vg.n, rg.n)
    out = {"r_series_ohm": np.array([_lib.vs_grid_at(ctypes.byref(rg), i) for i in range(rg.n)]),
           "v_in_v": np.array([_lib.vs_grid_at(ctypes.byref(vg), i) for i in range(vg.n)]),
           "device": d}
    for k, _ in _lib.Point._fields_:
        out[k] = np.array([getattr(q, k) for q in pts]).reshape(shape)
    va, vb, tp = ctypes.c_double(), ctypes.c_double(), _lib.Triple()
    if _lib.vs_load_line(ctypes.byref(d._p), ctypes.byref(c), ctypes.byref(va), ctypes.byref(vb),
                         ctypes.byref(tp)) == 0:
        out["chord"] = {"r_s_ohm": tp.r_s_ohm, "v_in_v": tp.v_in_v}
    return out
