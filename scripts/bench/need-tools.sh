# Sourced by the benchmarks: need_tools NAME BIN_DIR checks that BIN_DIR
# (KSPLICE_BENCH_BIN, a pinned build) has every tool a run uses, so that a
# partial build fails at once instead of as errors charged to the units
# (ksplice-create calls ksplice-klp-convert beside it for an update with
# load-time relocations; the guests run apply, undo and view).
need_tools() {
	local t
	for t in ksplice-create ksplice-klp-convert ksplice-apply ksplice-undo ksplice-view; do
		[ -x "$2/$t" ] || { echo "$1: error: no $2/$t (build every tool: scripts/setup.sh, or ninja -C BUILD)" >&2; exit 1; }
	done
}
