#!/bin/sh
# energy_periphery.sh -- energy per inference of the default network against the op-amps'
# supply and quiescent current (issue 14): `vo2snn infer` on the first 100 test images at each
# setting, printing the total, the neurons' part (input + hidden + output sources) and the
# op-amps' quiescent part. Usage: sh bench/energy_periphery.sh CHECKPOINT [DATA_DIR]
set -eu
BIN=${VO2SNN_BIN:-build/vo2snn}
CK=$1
DATA=${2:-../shared/data/mnist}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf '%-8s %-8s %12s %12s %12s %9s\n' supply_v iq_a total_uj neurons_uj opamp_q_uj accuracy
for supply in 13.5 15 18; do
    for iq in 0.1m 0.5m 1m; do
        "$BIN" infer --checkpoint "$CK" --data "$DATA" --limit 100 --opamp-supply "$supply" --opamp-iq "$iq" \
            --out "$T/o" --no-plot --json > "$T/j"
        awk -v s="$supply" -v i="$iq" '
            /"spiking_accuracy":/ { gsub(/[",]/, ""); acc = $2 }
            /"energy_per_inference_j": \{/ { in_e = 1 }
            in_e && /"total":/ { gsub(/[",]/, ""); tot = $2 }
            in_e && /"neurons":/ { gsub(/[",]/, ""); neu = $2 }
            in_e && /"opamp_quiescent":/ { gsub(/[",]/, ""); q = $2; in_e = 0 }
            END { printf "%-8s %-8s %12.2f %12.2f %12.2f %8.1f%%\n", s, i, tot * 1e6, neu * 1e6, q * 1e6, acc * 100 }' "$T/j"
    done
done
