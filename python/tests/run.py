"""Run the binding's unittest suite with the C tests' output: one "ok NAME",
"FAIL NAME: why" or "SKIP NAME: why" line per test (tests/run.sh tallies them).

    python3 python/tests/run.py          (from the repository root)
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class LineResult(unittest.TestResult):
    def _name(self, test):
        return "python." + test.id().split(".", 1)[-1]

    def addSuccess(self, test):
        super().addSuccess(test)
        print("ok %s" % self._name(test), flush=True)

    def _bad(self, test, err):
        line = str(err[1]).strip().splitlines()
        print("FAIL %s: %s: %s" % (self._name(test), err[0].__name__, line[-1] if line else ""),
              flush=True)
        print(self._exc_info_to_string(err, test), file=sys.stderr, flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._bad(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._bad(test, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print("SKIP %s: %s" % (self._name(test), reason), flush=True)


def main():
    sys.path.insert(0, os.path.join(HERE, ".."))
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    result = LineResult()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
