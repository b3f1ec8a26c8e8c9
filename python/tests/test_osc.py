"""vo2snn.osc / thresholds / Device against the CLI, errors, and threads."""
import os
import tempfile
import threading
import unittest

import numpy as np

import vo2snn
from common import BIN, cli_json


class TestOsc(unittest.TestCase):
    def test_device1_frequency(self):
        r = vo2snn.osc(device=1, v_in=12.5)
        self.assertAlmostEqual(r["freq_hz"] / 1e3, 146.8, delta=0.05)
        self.assertEqual(r["t_s"].shape, r["v_osc_v"].shape)
        self.assertEqual(r["t_s"].dtype, np.float64)
        self.assertEqual(len(r["spike_t_s"]), r["n_spikes"])
        self.assertTrue(np.all(np.diff(r["t_s"]) > 0))

    @unittest.skipUnless(os.access(BIN, os.X_OK), "no CLI binary (set VO2SNN_BIN)")
    def test_agrees_with_cli_json(self):
        with tempfile.TemporaryDirectory() as d:
            for dev, v in ((1, 12.5), (3, 11.0)):
                j = cli_json("osc", "--device", str(dev), "--v-in", str(v), "--out",
                             os.path.join(d, "osc.csv"))
                r = vo2snn.osc(device=dev, v_in=v)
                for k in ("freq_hz", "p_in_mean_w", "e_in_per_spike_j"):
                    self.assertAlmostEqual(r[k], j[k], delta=1e-8 * abs(j[k]), msg=k)
                self.assertEqual(r["n_spikes"], j["spikes"])
                self.assertEqual(r["n_spikes_window"], j["spikes_in_window"])

    def test_trace_does_not_change_results(self):
        a = vo2snn.osc(device=2, v_in=12.5, trace=False)
        b = vo2snn.osc(device=2, v_in=12.5, dt_out=50e-9)
        self.assertEqual(a["freq_hz"], b["freq_hz"])
        self.assertNotIn("t_s", a)
        self.assertEqual(len(b["t_s"]), 4001)

    def test_two_threads(self):
        want = {d: vo2snn.osc(device=d, v_in=12.5, trace=False)["freq_hz"] for d in (1, 4)}
        got, errors = {}, []

        def run(d):
            try:
                for _ in range(3):
                    r = vo2snn.osc(device=d, v_in=12.5)
                    got.setdefault(d, []).append((r["freq_hz"], len(r["t_s"])))
            except Exception as e:  # reported below
                errors.append(e)

        ts = [threading.Thread(target=run, args=(d,)) for d in (1, 4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        for d in (1, 4):
            self.assertEqual(got[d], [(want[d], 20001)] * 3)

    def test_errors_carry_library_message(self):
        with self.assertRaises(vo2snn.VO2SNNError) as cm:
            vo2snn.osc(device=9)
        self.assertIn("preset 9", str(cm.exception))
        self.assertEqual(cm.exception.status_name, "invalid argument")
        with self.assertRaises(vo2snn.VO2SNNError) as cm:
            vo2snn.osc(r_series=-1)
        self.assertTrue(str(cm.exception))
        with self.assertRaises(vo2snn.VO2SNNError) as cm:
            vo2snn.Device(1, params={"r_met": -5})
        self.assertIn("r_met", str(cm.exception))

    def test_error_message_is_per_thread(self):
        msgs = []

        def bad():
            try:
                vo2snn.Device(params={"no_such_key": 1})
            except vo2snn.VO2SNNError as e:
                msgs.append(str(e))

        t = threading.Thread(target=bad)
        t.start()
        t.join()
        with self.assertRaises(vo2snn.VO2SNNError) as cm:
            vo2snn.osc(device=7)
        self.assertIn("preset 7", str(cm.exception))
        self.assertIn("no_such_key", msgs[0])


class TestDevice(unittest.TestCase):
    def test_presets_and_params(self):
        d = vo2snn.Device(2)
        self.assertEqual(d.model, "vo2x")
        self.assertIn("r_met", d.keys())
        d.set("r_met", "300 Ohm")
        self.assertEqual(d.get("r_met"), 300.0)
        self.assertEqual(d.params["r_met"], 300.0)
        self.assertEqual(d.units["r_met"], "Ohm")
        with self.assertRaises(KeyError):
            d.get("nope")
        self.assertEqual(vo2snn.models(), ["vo2x", "zhang2024", "switch"])
        self.assertTrue(vo2snn.version()[0].isdigit())

    def test_device_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("name = sample A\npreset = 3\n")
        try:
            d = vo2snn.Device(file=f.name)
            self.assertEqual(d.name, "sample A")
            self.assertAlmostEqual(vo2snn.thresholds(d)["v_th_v"], 4.1, places=3)
        finally:
            os.unlink(f.name)

    def test_thresholds_readme_table(self):
        for dev, vth, vhold in ((1, 6.5, 2.6), (3, 4.1, 2.0), (5, 1.75, 1.2)):
            t = vo2snn.thresholds(device=dev)
            self.assertAlmostEqual(t["v_th_v"], vth, places=3)
            self.assertAlmostEqual(t["v_hold_v"], vhold, places=3)

    @unittest.skipUnless(os.access(BIN, os.X_OK), "no CLI binary (set VO2SNN_BIN)")
    def test_params_agree_with_cli(self):
        j = cli_json("params", "--device", "4")
        t = vo2snn.thresholds(device=4)
        for k in ("v_th_v", "i_th_a", "v_hold_v", "i_hold_a"):
            self.assertAlmostEqual(t[k], j[k], delta=1e-8 * abs(j[k]), msg=k)
        d = vo2snn.Device(4)
        for k, v in j["device_params"]["params"].items():
            if k in d.params:
                self.assertAlmostEqual(d.params[k], v, delta=1e-6 * abs(v) + 1e-300, msg=k)


class TestPhase(unittest.TestCase):
    def test_small_diagram(self):
        p = vo2snn.phase(device=1, r_series=(None, None, 6), v_in=(None, None, 5))
        self.assertEqual(p["regime"].shape, (5, 6))
        self.assertEqual(p["r_series_ohm"][0], 250.0)
        self.assertEqual(p["r_series_ohm"][-1], 6200.0)
        self.assertTrue(np.all(p["regime"][0] == 0))          # lowest V_in: un-firing
        self.assertEqual(p["regime"][-1, 0], 2)                 # high V_in, small R_s: firing
        self.assertTrue((p["regime"] == 1).any())
        osc = p["regime"] == 1
        self.assertTrue(np.all(p["freq_hz"][osc] > 0) and np.all(p["freq_hz"][~osc] == 0))


if __name__ == "__main__":
    unittest.main()
