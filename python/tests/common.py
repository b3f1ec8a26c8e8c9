"""Shared helpers of the binding's tests: the CLI binary and running it."""
import json
import os
import subprocess

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.environ.get("VO2SNN_BIN", os.path.join(ROOT, "build", "vo2snn"))


def cli_json(*args):
    """Run `vo2snn ARGS --json` and return the parsed JSON (the CLI's own summary)."""
    out = subprocess.run([BIN, *args, "--json"], check=True, capture_output=True, text=True,
                         cwd=ROOT).stdout
    return json.loads(out)
