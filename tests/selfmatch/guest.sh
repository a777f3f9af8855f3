# Guest side of the self-match (busybox sh, as root, in the VM): the
# loader's check of every package ksplice-create --self-match made.
#   guest.sh BIN_DIR PKG_DIR [MODULE.ko...]   (host paths)
# The modules (the targets of module units, dependencies first) are
# loaded, then every PKG_DIR/*.tar.gz is checked: its patch module is
# loaded by hand and ksplice-apply --dry-run checks it where it is, so that
# the loader's reports stay readable.  Per package:
#   package ID: ok|CAUSE SECONDS
#   match <the loader's sysfs 'match': per unit and per unsettled section>
#   detail <the loader's sysfs 'detail', when the check failed>
# then
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
	rm -rf /tmp/pkg && mkdir /tmp/pkg && tar -xzf "$pkg" -C /tmp/pkg ||
		{ echo "package $id: cannot unpack 0"; bad=$((bad + 1)); continue; }
	[ -d /sys/kernel/ksplice ] || insmod /tmp/pkg/ksplice-$id/ksplice.ko ||
		echo "selfmatch: cannot load the core module"
	insmod /tmp/pkg/ksplice-$id/ksplice-$id.ko ||
		echo "selfmatch: cannot load the patch module of $id"
	if "$B/ksplice-apply" --dry-run --raw-errors "$pkg" > /tmp/out 2> /tmp/err; then
		cause=ok
	else
		cause=$(head -n 1 /tmp/err)
		bad=$((bad + 1))
	fi
	echo "package $id: $cause $(($(date +%s) - t0))"
	d=/sys/kernel/ksplice/$id
	[ ! -r $d/match ] || sed 's/^/match /' $d/match
	[ "$cause" = ok ] || [ ! -r $d/detail ] || sed 's/^/detail /' $d/detail
	[ "$cause" = ok ] || [ -r $d/detail ] || sed 's/^/  /' /tmp/err | tail -n 3
	rmmod "ksplice_$(echo "$id" | tr - _)" || echo "selfmatch: cannot unload $id"
done
echo "selfmatch: $n packages, $bad failed"
[ "$bad" = 0 ]
