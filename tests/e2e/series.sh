#!/usr/bin/env bash
# A series of real updates on the real kernel: a series directory of four
# packages of the real-kernel suite (cmdline-string, module-tracepoint,
# meminfo-string, and data-new-series built --after meminfo-string), its
# index written here as ksplice-create --series writes it, then
# series-guest.sh in the VM.  module-tracepoint must find ext4 loaded,
# which the guest has not: it waits while the others apply, and is applied
# by a second run once its check has loaded ext4.
#   series.sh BIN_DIR PKG_DIR CHECK_DIR WORK_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$1 pkgs=$2 checks=$3 work=$4
. "$root/scripts/kernel-env.sh"
rm -rf "$work" && mkdir -p "$work/series"
{
	echo "ksplice-series 1"
	echo "from $KSPLICE_KVER"
	echo "to $KSPLICE_KVER+test"
	echo "kernel-release $KSPLICE_KREL"
	n=0
	for id in cmdline-string module-tracepoint meminfo-string data-new-series; do
		n=$((n + 1))
		f=$(printf '%02d-%s.tar.gz' "$n" "$id")
		cp "$pkgs/$id.tar.gz" "$work/series/$f"
		echo "update $id $f $(sha256sum < "$work/series/$f" | cut -d' ' -f1)"
	done
} > "$work/series/series"
exec "$root/scripts/vm-run.sh" "$(dirname "$0")/series-guest.sh" \
	"$bin" "$work/series" "$checks" 4 cmdline-string,meminfo-string,data-new \
	data-new-series module-tracepoint:ext4
