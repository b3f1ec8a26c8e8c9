#!/bin/sh
# Install the Debian packages vo2snn needs (Debian 12, as root or with sudo).
# Idempotent: packages already present are not fetched again.
set -eu
PACKAGES="gcc make libc6-dev zlib1g-dev libopenblas-openmp-dev libcminpack-dev pkgconf python3 python3-numpy gnuplot-nox ngspice chromium clang libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "setup: all packages present ($PACKAGES)"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
