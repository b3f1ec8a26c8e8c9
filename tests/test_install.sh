#!/bin/sh
# make install into a temporary PREFIX, then use it as a user would: the files are there
# (both libraries, the soname link, vo2snn.pc, headers, man pages, the Python package); an
# example builds with `pkg-config --cflags --libs vo2snn` alone and runs; the umbrella
# header compiles; the package imports from the prefix (no VO2SNN_LIBRARY) and loads the
# installed library; make uninstall leaves no file behind. Set by `make test`: VO2SNN_B
# (the build directory), MAKE, PYTHON. SKIP under the sanitizers.
if [ -n "${VO2SNN_SANITIZED:-}" ]; then
    echo "SKIP install: not for the sanitizer build"; exit 0
fi
B=${VO2SNN_B:-build}; MAKE=${MAKE:-make}; py=${PYTHON:-python3}; CC=${CC:-cc}
prefix=$(mktemp -d) || exit 1
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL install: $*"; exit 1; }

$MAKE -s --no-print-directory B="$B" install PREFIX="$prefix" >"$prefix.log" 2>&1 || { cat "$prefix.log"; rm -f "$prefix.log"; fail "make install PREFIX=$prefix"; }
rm -f "$prefix.log"
for f in bin/vo2snn lib/libvo2snn.a lib/libvo2snn.so lib/libvo2snn.so.0 lib/pkgconfig/vo2snn.pc \
         include/vo2snn/vo2snn.h include/vo2snn/neuron.h share/man/man1/vo2snn.1 share/man/man1/vo2snn-osc.1; do
    [ -e "$prefix/$f" ] || fail "make install left no $f"
done
[ "$(readlink "$prefix/lib/libvo2snn.so.0")" = "libvo2snn.so.$(cat VERSION)" ] || fail "lib/libvo2snn.so.0 does not point at libvo2snn.so.$(cat VERSION)"
soname=$(readelf -d "$prefix/lib/libvo2snn.so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ -z "$soname" ] || [ "$soname" = libvo2snn.so.0 ] || fail "soname is '$soname', not libvo2snn.so.0"
echo "ok install.files"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion vo2snn)" = "$(cat VERSION)" ] || fail "pkg-config --modversion vo2snn"
# shellcheck disable=SC2046
$CC -std=c11 -Werror=implicit-function-declaration -o "$prefix/neuron_osc" examples/neuron_osc.c \
    $(pkg-config --cflags --libs vo2snn) -Wl,-rpath,"$prefix/lib" || fail "examples/neuron_osc.c does not build with pkg-config"
out=$(cd / && "$prefix/neuron_osc") || fail "neuron_osc exited $?"
case "$out" in *"146.8 kHz"*) ;; *) fail "neuron_osc printed '$out', not 146.8 kHz" ;; esac
ldd "$prefix/neuron_osc" | grep -q "$prefix/lib/libvo2snn.so.0" || fail "neuron_osc is not linked to the installed libvo2snn.so.0"
echo "ok install.pkg_config_example"
# shellcheck disable=SC2046
$CC -std=c11 -o "$prefix/neuron_osc_static" examples/neuron_osc.c \
    $(pkg-config --static --cflags vo2snn) "$prefix/lib/libvo2snn.a" $(pkg-config --static --libs-only-other --libs-only-l vo2snn | sed 's/-lvo2snn//') \
    || fail "examples/neuron_osc.c does not link statically with pkg-config --static"
"$prefix/neuron_osc_static" >/dev/null || fail "the statically linked neuron_osc failed"
echo "ok install.static"

if "$py" -c "import numpy" 2>/dev/null; then
    pydir=$(ls -d "$prefix"/lib/python*/dist-packages "$prefix"/lib/python3/dist-packages 2>/dev/null | head -n 1)
    [ -n "$pydir" ] || fail "no Python package under $prefix/lib"
    got=$(cd / && env -u VO2SNN_LIBRARY PYTHONPATH="$pydir" "$py" -c "
import vo2snn
print('%.1f' % (vo2snn.osc(device=1, v_in=12.5, trace=False)['freq_hz'] / 1e3), vo2snn._lib.lib._name)") \
        || fail "import vo2snn from $pydir"
    [ "$got" = "146.8 $prefix/lib/libvo2snn.so.0" ] || fail "the installed package said '$got'"
    echo "ok install.python"
else
    echo "SKIP install.python: $py has no numpy (python3-numpy)"
fi

$MAKE -s --no-print-directory B="$B" uninstall PREFIX="$prefix" >/dev/null 2>&1 || fail "make uninstall"
rm -f "$prefix/neuron_osc" "$prefix/neuron_osc_static"
left=$(find "$prefix" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left $(echo $left)"
echo "ok install.uninstall"
