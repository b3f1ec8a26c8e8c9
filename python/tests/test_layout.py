"""The ctypes Structures of vo2snn._lib have the C structs' sizes and field offsets.

Compiles a small C program against include/ (needs a C compiler, $CC or cc) that prints
sizeof and offsetof for every mirrored struct, so a field added to a public header
without the binding being updated fails here instead of corrupting memory.
"""
import ctypes
import os
import shutil
import subprocess
import tempfile
import unittest

from vo2snn import _lib
from common import ROOT

CC = os.environ.get("CC", "cc")


@unittest.skipUnless(shutil.which(CC), "no C compiler (%s)" % CC)
class TestLayout(unittest.TestCase):
    def test_struct_layouts(self):
        lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "vo2snn/vo2snn.h"',
                 "int main(void) {"]
        for py, (cname, cls) in sorted(_lib.LAYOUTS.items()):
            if py != "Model":
                lines.append('printf("%s size %%zu\\n", sizeof(%s));' % (py, cname))
            for f, _ in cls._fields_:
                cf = "def" if f == "def_" else f
                lines.append('printf("%s %s %%zu\\n", offsetof(%s, %s));' % (py, f, cname, cf))
        lines += ["return 0;", "}"]
        with tempfile.TemporaryDirectory() as d:
            src, exe = os.path.join(d, "layout.c"), os.path.join(d, "layout")
            with open(src, "w") as f:
                f.write("\n".join(lines) + "\n")
            subprocess.run([CC, "-std=c11", "-I", os.path.join(ROOT, "include"), "-o", exe, src],
                           check=True, capture_output=True)
            out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            py, field, value = line.split()
            cls = _lib.LAYOUTS[py][1]
            got = ctypes.sizeof(cls) if field == "size" else getattr(cls, field).offset
            self.assertEqual(got, int(value), "%s.%s" % (py, field))
        self.assertGreater(len(out.splitlines()), 50)


if __name__ == "__main__":
    unittest.main()
