#!/usr/bin/env bash
# The image's modules MODULE... and their dependencies, as paths under
# $KSPLICE_MODDIR in load order (dependencies first, from modinfo).  A
# soft dependency to load before ("softdep pre:") comes first too, found
# by its name or as NAME_generic (libcrc32c asks the crypto API for
# "crc32c", which only modprobe would load: without it, libcrc32c, and so
# nf_tables and xfs, fail to load in the guest, and their objects go
# unchecked).
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
	for d in $(modinfo -F softdep "$f" | sed -n 's/^pre: *//p'); do
		if [ -n "$(mod_path "$d")" ]; then visit "$d"
		elif [ -n "$(mod_path "${d}_generic")" ]; then visit "${d}_generic"
		fi
	done
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do visit "$d"; done
	order+=("$f")
}
for m in "$@"; do visit "$m"; done
printf '%s\n' "${order[@]}"
