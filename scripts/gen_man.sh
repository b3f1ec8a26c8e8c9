#!/bin/sh
# gen_man.sh BIN OUTDIR VERSION -- man pages (plain roff, section 1) from the CLI's own help:
# OUTDIR/vo2snn.1 from `BIN --help`, and OUTDIR/vo2snn-CMD.1 from `BIN CMD --help` for every
# command in the "commands:" table of `BIN --help`. The help text is kept verbatim (.nf).
set -eu
bin=$1; out=$2; version=$3
mkdir -p "$out"
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d 2>/dev/null || date -u +%Y-%m-%d)

# roff-escape help text read on stdin: backslashes, and a leading . or ' on a line.
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

# page NAME SUMMARY SYNOPSIS HELPFILE SEEALSO HELPCMD
page() {
    {
        printf '.TH %s 1 "%s" "vo2snn %s" "vo2snn manual"\n' "$(echo "$1" | tr a-z A-Z)" "$date" "$version"
        printf '.SH NAME\n%s \\- %s\n' "$1" "$(printf '%s' "$2" | esc)"
        printf '.SH SYNOPSIS\n.B %s\n' "$3"
        printf '.SH DESCRIPTION\nThe text of\n.BR "%s --help" :\n.PP\n.nf\n' "$6"
        esc < "$4"
        printf '.fi\n.SH SEE ALSO\n%s\n' "$5"
    } > "$out/$1.1.tmp"
    mv "$out/$1.1.tmp" "$out/$1.1"
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$bin" --help > "$tmp"
cmds=$(sed -n '/^commands:/,/^$/p' "$tmp" | sed -n 's/^  \([a-z0-9][a-z0-9_-]*\)  .*/\1/p')
[ -n "$cmds" ] || { echo "gen_man.sh: no commands table in '$bin --help'" >&2; exit 1; }
see=""
for c in $cmds; do see="$see${see:+, }\\fBvo2snn-$c\\fR(1)"; done
page vo2snn "VO2 Mott-device spiking neurons: simulation, characterisation, SNN training and deployment" \
    "vo2snn COMMAND [options]" "$tmp" "$see" "vo2snn"
for c in $cmds; do
    summary=$(sed -n '/^commands:/,/^$/p' "$tmp" | sed -n "s/^  $c  *//p")
    "$bin" "$c" --help > "$tmp.cmd"
    page "vo2snn-$c" "$summary" "vo2snn $c [options]" "$tmp.cmd" '\fBvo2snn\fR(1)' "vo2snn $c"
done
rm -f "$tmp.cmd"
echo "gen_man.sh: $(echo $cmds | wc -w) command pages and vo2snn.1 in $out"
