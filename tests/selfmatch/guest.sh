# Guest side of the self-match (busybox sh, as root, in the VM): the
# loader's check of every package ksplice-create --self-match made.
#   guest.sh BIN_DIR PKG_DIR [MODULE.ko...]   (host paths)
# The modules (the targets of module units, dependencies first) are
# loaded, then every PKG_DIR/*.tar.gz is checked with ksplice-apply
# --dry-run.  One line per package:
#   package ID: ok SECONDS
#   package ID: CAUSE SECONDS
# followed by the kernel's ksplice lines about it that name a unit
# (mismatches, and __weak functions that differ: overridden ones), then
#   selfmatch: N packages, M failed
# Exit status 0 when every package passed the check.
set -u
B=/host$1 P=/host$2
shift 2
for m in "$@"; do
	insmod "/host$m" || echo "selfmatch: insmod $m failed"
done
n=0 bad=0
for pkg in "$P"/*.tar.gz; do
	id=$(basename "$pkg" .tar.gz)
	n=$((n + 1))
	t0=$(date +%s)
	if "$B/ksplice-apply" --dry-run --raw-errors "$pkg" > /tmp/out 2> /tmp/err; then
		cause=ok
	else
		cause=$(head -n 1 /tmp/err)
		bad=$((bad + 1))
	fi
	echo "package $id: $cause $(($(date +%s) - t0))"
	dmesg | grep -F "ksplice: '$id': " | grep -E "unit '|: no_match|: failed_to_find" |
		sed 's/^\[[ 0-9.]*\] //' > /tmp/lines
	cat /tmp/lines
	[ "$cause" = ok ] || sed 's/^/  /' /tmp/err | tail -n 3
done
echo "selfmatch: $n packages, $bad failed"
[ "$bad" = 0 ]
