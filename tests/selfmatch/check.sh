#!/usr/bin/env bash
# The CI self-match (label "vm"): the guest loads the modules that units
# of the sample target and runs the loader's check on every package
# create.sh made (guest.sh): every function of every unit must match the
# running kernel, which is the one the objects were built for.
#   check.sh BIN_DIR OUTDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$1 out=$2
mods=$(cat "$out/sm"/*.units | awk -F'\t' '!/^#/ && $2 != "vmlinux" { print $2 }' | sort -u)
paths=$("$here/modules.sh" $mods) || exit 1
n=$(ls "$out/sm"/*.tar.gz | wc -l)
exec "$root/scripts/vm-run.sh" --mem 2048 --timeout $((600 + 120 * n)) \
	"$here/guest.sh" "$bin" "$out/sm" $paths
