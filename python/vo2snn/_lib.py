"""Loading libvo2snn.so and the ctypes mirror of the structs the binding passes.

The library is found, in order, at $VO2SNN_LIBRARY, at the path ``make install`` wrote
into ``_install.py``, in the source tree's ``build/`` (when this package is run from
``python/``), and by the dynamic linker's search for ``libvo2snn.so.0``.

The Structure classes below mirror include/vo2snn/{device,model,neuron,input,sweep}.h
field for field; python/tests/test_layout.py compiles a C program that prints the
sizes and offsets of the C structs and compares them with these.
"""

import ctypes
import ctypes.util
import os

# ctypes.CDLL (not PyDLL): the GIL is released for the duration of every foreign call,
# so several Python threads can run simulations at once.
_HERE = os.path.dirname(os.path.abspath(__file__))


class VO2SNNError(RuntimeError):
    """A libvo2snn call failed.

    ``str(e)`` is the library's one-line message (vs_last_error(), e.g. "preset 9 of
    vo2x: must be 1..5"); ``e.status`` the vs_status code and ``e.status_name`` its
    short name (vs_strerror(), e.g. "invalid argument").
    """

    def __init__(self, status, status_name, message):
        super().__init__(message or status_name)
        self.status = status
        self.status_name = status_name
        self.message = message


def _candidates():
    env = os.environ.get("VO2SNN_LIBRARY")
    if env:
        yield env
        return
    try:
        from . import _install  # written by make install
        yield _install.LIBRARY
    except ImportError:
        pass
    tree = os.path.normpath(os.path.join(_HERE, "..", "..", "build", "libvo2snn.so.0"))
    if os.path.exists(tree):
        yield tree
    yield "libvo2snn.so.0"
    found = ctypes.util.find_library("vo2snn")
    if found:
        yield found


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    raise ImportError("vo2snn: cannot load libvo2snn.so (set VO2SNN_LIBRARY to its path): "
                      + "; ".join(errors))


lib = _load()

c_double, c_int, c_long, c_size_t = ctypes.c_double, ctypes.c_int, ctypes.c_long, ctypes.c_size_t
c_char_p, c_void_p, POINTER = ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER

VS_MAX_PARAMS = 24
VS_NAME_MAX = 64


class ParamDef(ctypes.Structure):
    _fields_ = [("key", c_char_p), ("unit", c_char_p), ("def_", c_double), ("min", c_double),
                ("max", c_double), ("meaning", c_char_p), ("flags", ctypes.c_uint)]


class Model(ctypes.Structure):
    """The leading fields of vs_model (read only; the rest is function pointers)."""
    _fields_ = [("name", c_char_p), ("title", c_char_p), ("doc", c_char_p),
                ("params", POINTER(ParamDef)), ("n_params", c_int), ("aliases", c_void_p),
                ("n_aliases", c_int), ("n_presets", c_int), ("coord_key", c_char_p),
                ("coord_meaning", c_char_p), ("n_jitter_draws", c_int), ("thermal", c_int)]


class DeviceParams(ctypes.Structure):
    _fields_ = [("model", POINTER(Model)), ("v", c_double * VS_MAX_PARAMS), ("preset", c_int),
                ("vacancy_x", c_double), ("name", ctypes.c_char * VS_NAME_MAX)]


class Circuit(ctypes.Structure):
    _fields_ = [("r_series_ohm", c_double), ("c_f", c_double), ("r_sense_ohm", c_double)]


class Input(ctypes.Structure):
    _fields_ = [("kind", c_int), ("v_dc_v", c_double), ("v_lo_v", c_double), ("v_hi_v", c_double),
                ("period_s", c_double), ("width_s", c_double), ("delay_s", c_double),
                ("offset_v", c_double), ("amplitude_v", c_double), ("n_knots", c_size_t),
                ("knot_t_s", POINTER(c_double)), ("knot_v_v", POINTER(c_double)),
                ("samples", POINTER(ctypes.c_float)), ("n_samples", c_size_t),
                ("dt_sample_s", c_double), ("source", c_int)]


class SimOpts(ctypes.Structure):
    _fields_ = [("method", c_int), ("rtol", c_double), ("atol_v", c_double),
                ("atol_temp_k", c_double), ("h_max_s", c_double), ("dt_s", c_double),
                ("max_steps", c_long), ("t_end_s", c_double), ("t_window0_s", c_double),
                ("t_window1_s", c_double), ("dt_out_s", c_double), ("seed", ctypes.c_uint64),
                ("v0_v", c_double), ("temp0_k", c_double), ("m0", c_double),
                ("v_spike_grid", POINTER(ctypes.c_float)), ("n_v_spike_grid", c_size_t)]


SAMPLE_FIELDS = ("t_s", "v_in_v", "v_osc_v", "v_spike_v", "i_dev_a", "temp_k", "r_dev_ohm",
                 "m", "p_total_w")


class Sample(ctypes.Structure):
    _fields_ = [(k, c_double) for k in SAMPLE_FIELDS]


class NeuronResult(ctypes.Structure):
    _fields_ = [("n_spikes", c_size_t), ("spike_t_s", POINTER(c_double)),
                ("spike_sign", POINTER(ctypes.c_byte)), ("n_positive", c_size_t),
                ("n_negative", c_size_t), ("n_spikes_window", c_size_t)] + \
               [(k, c_double) for k in (
                   "freq_hz", "v_osc_min_v", "v_osc_max_v", "v_spike_peak_v", "i_peak_a", "m_min",
                   "m_max", "p_in_mean_w", "p_dev_mean_w", "v_spike_mean_v", "e_in_per_spike_j",
                   "e_dev_per_spike_j", "e_in_j", "e_series_j", "e_dev_j", "e_sense_j", "e_cap_j",
                   "q_in_c", "temp_max_k", "v_end_v", "temp_end_k", "m_end", "i_end_a",
                   "t_end_s")] + \
               [("n_steps", c_long), ("n_rejected", c_long), ("n_rhs", c_long)]


class Fold(ctypes.Structure):
    _fields_ = [("v_v", c_double), ("i_a", c_double), ("t_k", c_double), ("r_ohm", c_double),
                ("p_w", c_double)]


class ClassifyOpts(ctypes.Structure):
    _fields_ = [("t_run_s", c_double), ("settle_frac", c_double), ("min_spikes", c_int),
                ("sim", SimOpts)]


class Grid(ctypes.Structure):
    _fields_ = [("lo", c_double), ("hi", c_double), ("n", c_long), ("log", c_int)]


class Point(ctypes.Structure):
    _fields_ = [("regime", c_int), ("freq_hz", c_double), ("p_in_w", c_double),
                ("e_in_per_spike_j", c_double), ("v_pp_v", c_double),
                ("v_spike_mean_v", c_double), ("spikes", c_long)]


class Triple(ctypes.Structure):
    _fields_ = [("r_s_ohm", c_double), ("v_in_v", c_double)]


# ---- training and inference (train.h, mlp.h, transfer.h, idx.h, infer.h, synapse.h) ----

VS_MAX_EPOCHS = 1000
VS_MLP_MAX_LAYERS = 4


class TransferOpts(ctypes.Structure):
    _fields_ = [("v_max_v", c_double), ("dv_v", c_double), ("surrogate_v", c_double),
                ("classify", ClassifyOpts)]


class Curve(ctypes.Structure):
    _fields_ = [("n", c_size_t), ("inv_dv", ctypes.c_float), ("coef", POINTER(ctypes.c_float)),
                ("dsur", POINTER(ctypes.c_float)), ("leak", ctypes.c_float)]


class Transfer(ctypes.Structure):
    _fields_ = [("n", c_size_t), ("dv_v", c_double), ("freq_hz", POINTER(c_double)),
                ("signal_v", POINTER(c_double)), ("f_peak_hz", c_double), ("s_peak_v", c_double),
                ("v_on_v", c_double), ("v_peak_v", c_double), ("v_off_v", c_double),
                ("rate", Curve), ("signal", Curve), ("from_cache", c_int),
                ("cache_note", ctypes.c_char * 512)]


class MlpConfig(ctypes.Structure):
    _fields_ = [("n_layers", c_int), ("sizes", c_int * (VS_MLP_MAX_LAYERS + 1)),
                ("rail_v", ctypes.c_float), ("init_w_v", ctypes.c_float),
                ("init_b_v", ctypes.c_float), ("init_out_b_v", ctypes.c_float), ("loss", c_int),
                ("target_on", ctypes.c_float), ("ce_scale", ctypes.c_float), ("optim", c_int)] + \
               [(k, ctypes.c_float) for k in ("lr", "momentum", "beta1", "beta2", "eps",
                                              "weight_decay")]


class Rng(ctypes.Structure):
    _fields_ = [("s", ctypes.c_uint64 * 4), ("spare", c_double), ("has_spare", c_int)]


class EpochMetrics(ctypes.Structure):
    _fields_ = [("loss", c_double), ("train_acc", c_double), ("test_acc", c_double),
                ("seconds", c_double)]


class TrainOpts(ctypes.Structure):
    _fields_ = [("batch", c_int), ("seed", ctypes.c_uint64), ("shift_px", c_int),
                ("n_limit", c_size_t), ("chip", c_void_p), ("chip_user", c_void_p)]


class Dataset(ctypes.Structure):
    _fields_ = [("n", c_size_t), ("rows", c_int), ("cols", c_int),
                ("images", POINTER(ctypes.c_uint8)), ("labels", POINTER(ctypes.c_uint8)),
                ("images_path", c_char_p), ("labels_path", c_char_p)]


class CheckpointInfo(ctypes.Structure):
    _fields_ = [("cfg", MlpConfig), ("device", DeviceParams), ("circuit", Circuit),
                ("transfer", TransferOpts), ("epoch", c_int), ("steps", c_long),
                ("seed", ctypes.c_uint64), ("batch", c_int), ("epochs_planned", c_int),
                ("shift_px", c_int), ("cosine", c_int),
                ("history", EpochMetrics * VS_MAX_EPOCHS)]


class Opamp(ctypes.Structure):
    _fields_ = [("ideal", c_int)] + [(k, c_double) for k in (
        "a0", "gbw_hz", "slew_v_per_s", "rail_v", "supply_v", "i_quiescent_a", "r_feedback_ohm",
        "offset_v")]


class InferOpts(ctypes.Structure):
    _fields_ = [("window_s", c_double), ("dt_s", c_double), ("tau_syn_s", c_double),
                ("opamp", Opamp), ("r_tolerance", c_double), ("seed", ctypes.c_uint64),
                ("sim", SimOpts), ("d2d", c_void_p), ("chip", c_int), ("e_series", c_int),
                ("per_neuron_inputs", c_int), ("engine", c_int)]


class InferEnergy(ctypes.Structure):
    _fields_ = [(k, c_double) for k in ("input_j", "hidden_j", "output_j", "synapse_j", "total_j")]


class InferResult(ctypes.Structure):
    _fields_ = [("predicted", c_int), ("counts", c_int * 10), ("first_spike_s", c_double * 10),
                ("spikes", c_long * 3), ("energy", InferEnergy), ("record", c_void_p * 3)]


# Structs the layout test checks: Python name -> (C type, header).
LAYOUTS = {
    "DeviceParams": ("vs_device_params", DeviceParams), "Circuit": ("vs_circuit", Circuit),
    "Input": ("vs_input", Input), "SimOpts": ("vs_sim_opts", SimOpts),
    "Sample": ("vs_sample", Sample), "NeuronResult": ("vs_neuron_result", NeuronResult),
    "Fold": ("vs_fold", Fold), "ClassifyOpts": ("vs_classify_opts", ClassifyOpts),
    "Grid": ("vs_grid", Grid), "Point": ("vs_point", Point), "Triple": ("vs_triple", Triple),
    "ParamDef": ("vs_param_def", ParamDef),
    "Model": ("vs_model", Model),     # leading fields only: its size is not compared
    "TransferOpts": ("vs_transfer_opts", TransferOpts), "Curve": ("vs_curve", Curve),
    "Transfer": ("vs_transfer", Transfer), "MlpConfig": ("vs_mlp_config", MlpConfig),
    "Rng": ("vs_rng", Rng), "EpochMetrics": ("vs_epoch_metrics", EpochMetrics),
    "TrainOpts": ("vs_train_opts", TrainOpts), "Dataset": ("vs_dataset", Dataset),
    "CheckpointInfo": ("vs_checkpoint_info", CheckpointInfo), "Opamp": ("vs_opamp", Opamp),
    "InferOpts": ("vs_infer_opts", InferOpts), "InferEnergy": ("vs_infer_energy", InferEnergy),
    "InferResult": ("vs_infer_result", InferResult),
}

# vs_sample_fn; the sample arrives as a bare address (no POINTER object per call: the
# callback runs once per trace sample, so its cost is the binding's overhead)
SAMPLE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p)
# vs_batch_fn and vs_infer_progress_fn: (done, total, user) -> non-zero to stop
PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_long, c_long, c_void_p)


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = POINTER
vs_version = _proto("vs_version", c_char_p)
vs_strerror = _proto("vs_strerror", c_char_p, c_int)
vs_last_error = _proto("vs_last_error", c_char_p)
vs_clear_error = _proto("vs_clear_error", None)
vs_model_count = _proto("vs_model_count", c_int)
vs_model_at = _proto("vs_model_at", P(Model), c_int)
vs_model_find = _proto("vs_model_find", P(Model), c_char_p)
vs_device_default = _proto("vs_device_default", DeviceParams)
vs_device_model_preset = _proto("vs_device_model_preset", c_int, P(Model), c_int, P(DeviceParams))
vs_device_from_vacancy = _proto("vs_device_from_vacancy", c_int, c_double, P(DeviceParams))
vs_device_get = _proto("vs_device_get", c_double, P(DeviceParams), c_char_p)
vs_device_set = _proto("vs_device_set", c_int, P(DeviceParams), c_char_p, c_char_p)
vs_device_set_value = _proto("vs_device_set_value", c_int, P(DeviceParams), c_char_p, c_double)
vs_device_validate = _proto("vs_device_validate", c_int, P(DeviceParams))
vs_device_load_file = _proto("vs_device_load_file", c_int, c_char_p, P(DeviceParams))
vs_device_apply_list = _proto("vs_device_apply_list", c_int, P(DeviceParams), c_char_p)
vs_device_keys = _proto("vs_device_keys", c_char_p, P(Model))
vs_device_folds = _proto("vs_device_folds", c_int, P(DeviceParams), P(Fold), P(Fold))
vs_device_ambient = _proto("vs_device_ambient", c_double, P(DeviceParams))
vs_circuit_default = _proto("vs_circuit_default", Circuit)
vs_circuit_validate = _proto("vs_circuit_validate", c_int, P(Circuit))
vs_input_dc = _proto("vs_input_dc", Input, c_double)
vs_input_current = _proto("vs_input_current", Input, Input)
vs_sim_opts_default = _proto("vs_sim_opts_default", SimOpts)
vs_neuron_simulate = _proto("vs_neuron_simulate", c_int, P(DeviceParams), P(Circuit), P(Input),
                            P(SimOpts), SAMPLE_FN, c_void_p, P(NeuronResult))
vs_neuron_result_free = _proto("vs_neuron_result_free", None, P(NeuronResult))
vs_classify_opts_default = _proto("vs_classify_opts_default", ClassifyOpts)
vs_phase_default_grids = _proto("vs_phase_default_grids", c_int, P(DeviceParams), P(Circuit),
                                P(Grid), P(Grid))
vs_phase_sweep = _proto("vs_phase_sweep", c_int, P(DeviceParams), P(Circuit), P(Grid), P(Grid),
                        P(ClassifyOpts), c_void_p, c_void_p, P(Point))
vs_grid_at = _proto("vs_grid_at", c_double, P(Grid), c_long)
vs_load_line = _proto("vs_load_line", c_int, P(DeviceParams), P(Circuit), P(c_double),
                      P(c_double), P(Triple))

# training and inference
c_float_p = POINTER(ctypes.c_float)
vs_threads_set = _proto("vs_threads_set", c_int, c_long, c_char_p, c_size_t)
vs_transfer_opts_default = _proto("vs_transfer_opts_default", TransferOpts)
vs_transfer_resolve_range = _proto("vs_transfer_resolve_range", c_int, P(DeviceParams), P(Circuit),
                                   P(TransferOpts))
vs_transfer_default_cache = _proto("vs_transfer_default_cache", None, c_char_p, c_size_t)
vs_transfer_build = _proto("vs_transfer_build", c_int, P(DeviceParams), P(Circuit), P(TransferOpts),
                           c_char_p, P(Transfer))
vs_transfer_free = _proto("vs_transfer_free", None, P(Transfer))
vs_mlp_config_for = _proto("vs_mlp_config_for", MlpConfig, P(Transfer))
vs_rng_seed = _proto("vs_rng_seed", None, P(Rng), ctypes.c_uint64, ctypes.c_uint64)
vs_mlp_new = _proto("vs_mlp_new", c_void_p, P(MlpConfig), P(Transfer), c_int, P(Rng))
vs_mlp_free = _proto("vs_mlp_free", None, c_void_p)
vs_mlp_set_lr = _proto("vs_mlp_set_lr", None, c_void_p, ctypes.c_float)
vs_mlp_step_count = _proto("vs_mlp_step_count", c_long, c_void_p)
vs_mlp_num_params = _proto("vs_mlp_num_params", c_size_t, c_void_p)
vs_mlp_params = _proto("vs_mlp_params", c_float_p, c_void_p)
vs_mlp_encode_table = _proto("vs_mlp_encode_table", None, c_float_p, P(Transfer))
vs_lr_cosine = _proto("vs_lr_cosine", c_double, c_double, c_int, c_int)
vs_train_epoch = _proto("vs_train_epoch", c_int, c_void_p, P(Dataset), c_float_p, P(TrainOpts), c_int,
                        PROGRESS_FN, c_void_p, P(EpochMetrics))
vs_evaluate = _proto("vs_evaluate", c_int, c_void_p, P(Dataset), c_size_t, c_float_p, c_int,
                     P(c_double), P(ctypes.c_uint32), P(ctypes.c_uint8))
vs_checkpoint_save = _proto("vs_checkpoint_save", c_int, c_char_p, P(CheckpointInfo), c_void_p)
vs_checkpoint_load_info = _proto("vs_checkpoint_load_info", c_int, c_char_p, P(CheckpointInfo))
vs_checkpoint_load = _proto("vs_checkpoint_load", c_int, c_char_p, P(Transfer), c_int,
                            P(CheckpointInfo), P(c_void_p))
vs_dataset_check_inputs = _proto("vs_dataset_check_inputs", c_int, P(Dataset), c_int, c_char_p)
vs_opamp_ideal = _proto("vs_opamp_ideal", Opamp)
vs_opamp_default = _proto("vs_opamp_default", Opamp)
vs_infer_opts_default = _proto("vs_infer_opts_default", InferOpts)
vs_infer_opts_check = _proto("vs_infer_opts_check", c_int, P(InferOpts))
vs_infer_net_new = _proto("vs_infer_net_new", c_int, c_void_p, P(Transfer), P(DeviceParams),
                          P(Circuit), P(InferOpts), P(c_void_p))
vs_infer_net_free = _proto("vs_infer_net_free", None, c_void_p)
vs_infer_net_engine = _proto("vs_infer_net_engine", c_int, c_void_p)
vs_infer_dataset_range = _proto("vs_infer_dataset_range", c_int, c_void_p, P(Dataset), c_size_t,
                                c_size_t, P(InferResult), PROGRESS_FN, c_void_p)


def check(status):
    """Raise VO2SNNError with vs_last_error() unless status is VS_OK (0).

    vs_last_error() is thread-local in the library; it is read on the calling thread right
    after the failing call, so concurrent threads never see each other's messages.
    """
    if status != 0:
        msg = vs_last_error()
        raise VO2SNNError(status, (vs_strerror(status) or b"").decode(),
                          (msg or b"").decode("utf-8", "replace"))
