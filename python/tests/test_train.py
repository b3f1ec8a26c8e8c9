"""train / evaluate / infer from Python give what `vo2snn train/eval/infer --json` give.

A short run (2000 training images, 1 epoch, 16 hidden neurons, 1 thread, 500 test
images) is trained from Python and by the CLI: the same test accuracy, loss and training
accuracy (to the CLI's printed digits), and bit-identical weights. The CLI's checkpoint
is then scored by `evaluate` and `vo2snn eval`, and run on 5 images by `infer` and
`vo2snn infer --limit 5`: every figure of the summaries agrees. Needs MNIST
($VO2SNN_TEST_DATA, else ../shared/data/mnist as the C tests); skipped without it.
"""
import os
import shutil
import tempfile
import unittest

import numpy as np

import vo2snn
from common import ROOT, cli_json

DATA = os.environ.get("VO2SNN_TEST_DATA") or os.path.normpath(
    os.path.join(ROOT, "..", "shared", "data", "mnist"))
HAVE_DATA = os.path.isdir(DATA) and any(f.startswith("t10k-images") for f in os.listdir(DATA))
RUN = ["--train-limit", "2000", "--epochs", "1", "--hidden", "16", "--threads", "1",
       "--limit", "500"]


def same(py, cli):
    """py equals the CLI's value as the CLI prints it (%.10g)."""
    if isinstance(cli, float) or isinstance(py, float):
        return float("%.10g" % py) == float(cli)
    return py == cli


@unittest.skipUnless(HAVE_DATA, "no MNIST at %s (set VO2SNN_TEST_DATA)" % DATA)
class TestTrainMatchesCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="vo2snn-pytrain-")
        cls.cache = os.path.join(cls.tmp, "cache")
        cls.x, cls.y = vo2snn.load_dataset("train", data=DATA)
        cls.xt, cls.yt = vo2snn.load_dataset("test", data=DATA)
        cls.events = []
        cls.py = vo2snn.train(cls.x, cls.y, cls.xt, cls.yt, hidden=16, epochs=1,
                              train_limit=2000, test_limit=500, threads=1, cache=cls.cache,
                              checkpoint=os.path.join(cls.tmp, "py.vsck"),
                              progress=cls.events.append, progress_every=640)
        cls.out = os.path.join(cls.tmp, "cli")
        cls.cli = cli_json("train", "--data", DATA, *RUN, "--out", cls.out, "--cache", cls.cache,
                           "--no-plot")
        cls.ck = os.path.join(cls.out, "checkpoint.vsck")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_train_summary(self):
        for k in ("epochs", "test_accuracy", "final_loss", "final_train_accuracy",
                  "train_images", "test_images", "transfer_v_on_v", "transfer_v_peak_v",
                  "transfer_f_peak_hz", "finished"):
            self.assertTrue(same(self.py[k], self.cli[k]), "%s: %r vs CLI %r"
                            % (k, self.py[k], self.cli[k]))
        self.assertEqual(self.py["test_accuracy"], self.cli["test_accuracy"])
        h = self.py["history"]
        self.assertEqual(len(h), 1)
        self.assertEqual(h[0]["test_acc"], self.py["test_accuracy"])

    def test_weights_bit_identical(self):
        cli_net = vo2snn.Network.load(self.ck, cache=self.cache)
        py_net = vo2snn.Network.load(os.path.join(self.tmp, "py.vsck"), cache=self.cache)
        self.assertEqual(cli_net.sizes, (784, 16, 10))
        a, b, c = cli_net.params(), py_net.params(), self.py["network"].params()
        self.assertTrue(np.array_equal(a, b) and np.array_equal(a, c))

    def test_progress(self):
        batches = [e for e in self.events if e["stage"] == "batch"]
        epochs = [e for e in self.events if e["stage"] == "epoch"]
        self.assertEqual([e["done"] for e in batches], [640, 1280, 1920, 2000])
        self.assertEqual(len(epochs), 1)
        self.assertEqual(epochs[0]["test_acc"], self.py["test_accuracy"])

    def test_evaluate_matches_eval(self):
        cli = cli_json("eval", "--checkpoint", self.ck, "--data", DATA, "--limit", "500",
                       "--cache", self.cache)
        py = vo2snn.evaluate(self.ck, self.xt, self.yt, limit=500, cache=self.cache)
        self.assertEqual(py["accuracy"], cli["accuracy"])
        self.assertEqual(py["images"], cli["images"])
        self.assertEqual(py["epochs_trained"], cli["epochs_trained"])
        self.assertEqual(int(py["confusion"].sum()), 500)
        self.assertAlmostEqual(np.mean(py["predicted"] == self.yt[:500]), py["accuracy"])

    def test_infer_matches_cli(self):
        cli = cli_json("infer", "--checkpoint", self.ck, "--data", DATA, "--limit", "5",
                       "--threads", "1", "--out", os.path.join(self.tmp, "infer"),
                       "--cache", self.cache, "--no-plot")
        seen = []
        py = vo2snn.infer(self.ck, self.xt, self.yt, limit=5, threads=1, cache=self.cache,
                          progress=seen.append, progress_every=2)
        for k in ("window_s", "images", "spiking_accuracy", "rate_accuracy", "agreement",
                  "energy_per_spike_j"):
            self.assertTrue(same(py[k], cli[k]), "%s: %r vs CLI %r" % (k, py[k], cli[k]))
        for group in ("energy_per_inference_j", "spikes_per_image"):
            self.assertEqual(set(py[group]), set(cli[group]))
            for k, v in cli[group].items():
                self.assertTrue(same(py[group][k], v), "%s.%s: %r vs CLI %r"
                                % (group, k, py[group][k], v))
        self.assertEqual(py["engine"], cli["circuit_network"]["engine"])
        self.assertEqual([e["done"] for e in seen], [2, 4, 5])
        self.assertEqual(py["counts"].shape, (5, 10))
        self.assertTrue(np.array_equal(py["spikes"].sum(axis=1) > 0, np.ones(5, bool)))


class TestTrainErrors(unittest.TestCase):
    """Bad arrays and stopped runs, on random images (no data set needed)."""

    @classmethod
    def setUpClass(cls):
        rng = np.random.default_rng(1)
        cls.x = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
        cls.y = rng.integers(0, 10, 40).astype(np.uint8)
        cls.tmp = tempfile.mkdtemp(prefix="vo2snn-pyerr-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def kw(self, **extra):
        return dict(hidden=4, epochs=1, batch=8, cache=os.path.join(self.tmp, "cache"), **extra)

    def test_bad_arrays(self):
        with self.assertRaisesRegex(vo2snn.VO2SNNError, "uint8"):
            vo2snn.train(self.x.astype(np.float32), self.y, **self.kw())
        with self.assertRaisesRegex(vo2snn.VO2SNNError, "labels"):
            vo2snn.train(self.x, self.y[:5], **self.kw())
        with self.assertRaisesRegex(vo2snn.VO2SNNError, "0..9"):
            vo2snn.train(self.x, self.y + 10, **self.kw())
        with self.assertRaisesRegex(vo2snn.VO2SNNError, "loss"):
            vo2snn.train(self.x, self.y, loss="hinge", **self.kw())

    def test_flat_images_and_wrong_size(self):
        r = vo2snn.train(self.x.reshape(40, 784), self.y, self.x, self.y, **self.kw())
        self.assertEqual(r["network"].sizes, (784, 4, 10))
        self.assertEqual(r["train_images"], 40)
        with self.assertRaisesRegex(vo2snn.VO2SNNError, "784 inputs"):
            vo2snn.evaluate(r["network"], self.x[:, :10, :10], self.y)
        with self.assertRaisesRegex(vo2snn.VO2SNNError, "784 inputs"):
            vo2snn.infer(r["network"], self.x[:, :10, :10], self.y, limit=1)

    def test_progress_stops(self):
        with self.assertRaises(vo2snn.VO2SNNError):
            vo2snn.train(self.x, self.y, progress=lambda e: True, progress_every=8, **self.kw())

        class Boom(Exception):
            pass

        def boom(_):
            raise Boom("from the callback")

        with self.assertRaises(Boom):
            vo2snn.train(self.x, self.y, progress=boom, progress_every=8, **self.kw())
        net = vo2snn.train(self.x, self.y, **self.kw())["network"]
        with self.assertRaises(Boom):
            vo2snn.infer(net, self.x, self.y, limit=2, window=10e-6, progress=boom)


if __name__ == "__main__":
    unittest.main()
