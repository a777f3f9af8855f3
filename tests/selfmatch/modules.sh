#!/usr/bin/env bash
# The image's modules MODULE... and their dependencies, as paths under
# $KSPLICE_MODDIR in load order (dependencies first, from modinfo).
#   modules.sh MODULE...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/kernel-env.sh"
mod_path() {
	find "$KSPLICE_MODDIR/kernel" \( -name "$1.ko" -o -name "${1//-/_}.ko" \
		-o -name "${1//_/-}.ko" \) -print -quit
}
order=()
visit() {
	local f d
	f=$(mod_path "$1")
	[ -n "$f" ] || { echo "modules.sh: no module $1 in $KSPLICE_MODDIR" >&2; exit 1; }
	for d in "${order[@]}"; do [ "$d" = "$f" ] && return; done
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do visit "$d"; done
	order+=("$f")
}
for m in "$@"; do visit "$m"; done
printf '%s\n' "${order[@]}"
