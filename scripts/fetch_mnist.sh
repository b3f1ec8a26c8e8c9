#!/bin/sh
# fetch_mnist.sh -- download the four MNIST files and check their SHA-256.
#
#   sh scripts/fetch_mnist.sh [-m MIRROR] [DIR]
#
# DIR defaults to data/mnist. MIRROR (or $MNIST_MIRROR) is a URL prefix under
# which the four .gz files live, by default
# https://ossci-datasets.s3.amazonaws.com/mnist/ (file:// URLs need curl; a
# plain local directory is copied from). Uses curl, else wget.
#
# Each file must match the SHA-256 of the official original .gz. A file whose
# .gz bytes differ (a mirror that re-compressed it) is still accepted when its
# decompressed content matches the original's, since that is what vo2snn reads.
# Anything else is deleted and reported, and the script exits 1. Files already
# in DIR that check out are not downloaded again. Then use:
#   vo2snn ... --data DIR      or      export VO2SNN_DATA=DIR
set -eu

prog=fetch_mnist
die() { echo "$prog: $*" >&2; exit 1; }
usage() { echo "usage: sh scripts/fetch_mnist.sh [-m MIRROR] [DIR]   (default DIR: data/mnist)"; }

mirror=${MNIST_MIRROR:-https://ossci-datasets.s3.amazonaws.com/mnist/}
dir=data/mnist
while [ $# -gt 0 ]; do
    case $1 in
    -m | --mirror) [ $# -ge 2 ] || die "$1 needs a URL"; mirror=$2; shift 2 ;;
    --mirror=*) mirror=${1#--mirror=}; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) usage >&2; die "unknown option '$1'" ;;
    *) break ;;
    esac
done
[ $# -le 1 ] || { usage >&2; die "too many arguments"; }
[ $# -eq 1 ] && dir=$1
[ -n "$mirror" ] || die "empty mirror URL"
case $mirror in */) ;; *) mirror=$mirror/ ;; esac

# SHA-256 of stdin, lower-case hex.
sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 | cut -d' ' -f1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 | sed 's/^.*= *//'
    else
        die "need sha256sum, shasum or openssl to check the downloads"
    fi
}

# fetch URL OUT
fetch() {
    case $1 in
    *://*) ;;
    *) cp "$1" "$2"; return ;; # a local directory as the mirror
    esac
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --retry 3 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        die "need curl or wget to download"
    fi
}

# verify FILE GZ_SHA RAW_SHA: 0 if the .gz or its content matches. Sets $got.
verify() {
    got=$(sha256 <"$1")
    [ "$got" = "$2" ] && return 0
    command -v gzip >/dev/null 2>&1 || return 1
    [ "$(gzip -dc <"$1" 2>/dev/null | sha256)" = "$3" ]
}

# name, SHA-256 of the original .gz, SHA-256 of its decompressed content
FILES="
train-images-idx3-ubyte.gz 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609 ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
train-labels-idx1-ubyte.gz 3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
t10k-images-idx3-ubyte.gz 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
t10k-labels-idx1-ubyte.gz f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6 ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
"

mkdir -p "$dir" || die "cannot create '$dir'"
tmp=
trap 'rm -f "$tmp"' EXIT
trap 'exit 130' INT TERM

failed=0
set -f # split $FILES on blanks only
# shellcheck disable=SC2086 # split on purpose
set -- $FILES
while [ $# -ge 3 ]; do
    name=$1 gz_sha=$2 raw_sha=$3
    shift 3
    out=$dir/$name
    if [ -f "$out" ]; then
        if verify "$out" "$gz_sha" "$raw_sha"; then
            echo "$prog: $out: already present, SHA-256 ok"
            continue
        fi
        echo "$prog: $out: exists but does not match the original; downloading again" >&2
    fi
    tmp=$out.part
    rm -f "$tmp"
    echo "$prog: fetching $mirror$name"
    if ! fetch "$mirror$name" "$tmp"; then
        rm -f "$tmp"
        echo "$prog: $name: download from $mirror$name failed" >&2
        failed=$((failed + 1))
        continue
    fi
    if verify "$tmp" "$gz_sha" "$raw_sha"; then
        mv -f "$tmp" "$out"
        if [ "$got" = "$gz_sha" ]; then
            echo "$prog: $out: SHA-256 ok"
        else
            echo "$prog: $out: SHA-256 of the decompressed data ok (re-compressed copy)"
        fi
    else
        rm -f "$tmp"
        echo "$prog: $name: SHA-256 mismatch: got $got, expected $gz_sha" \
            "(and the decompressed data does not match the original either); deleted" >&2
        if [ -f "$out" ]; then echo "$prog: $out: the existing file is not the original either" >&2; fi
        failed=$((failed + 1))
    fi
    tmp=
done
if [ "$failed" -gt 0 ]; then
    echo "$prog: $failed of 4 files failed" >&2
    exit 1
fi
echo "$prog: MNIST is in $dir (use --data $dir or export VO2SNN_DATA=$dir)"
