# Source me: sets KSPLICE_* variables for the cached test kernel
# (scripts/fetch-kernel.sh writes them; see there for the layout).
#   KSPLICE_KVER     Debian version, e.g. 6.1.192-2
#   KSPLICE_KREL     kernel release, e.g. 6.1.0-56-amd64
#   KSPLICE_VMLINUZ, KSPLICE_KCONFIG, KSPLICE_SYSMAP, KSPLICE_MODDIR
#   KSPLICE_HEADERS  headers build dir (Module.symvers), for external modules
#   KSPLICE_SRC      pristine linux-source-6.1
#   KSPLICE_TREE     prepared tree (scripts/prepare-tree.sh)
_ksplice_cache=${KSPLICE_CACHE:-$HOME/.cache/ksplice}
if [ -n "${KSPLICE_KERNEL_VERSION:-}" ]; then
	_ksplice_env=$_ksplice_cache/kernel/$KSPLICE_KERNEL_VERSION/env
else
	_ksplice_env=$_ksplice_cache/kernel/current/env
fi
if [ -f "$_ksplice_env" ]; then
	set -a
	. "$_ksplice_env"
	set +a
else
	echo "kernel-env: no cached kernel at $_ksplice_env; run scripts/fetch-kernel.sh" >&2
	return 1 2>/dev/null || exit 1
fi
unset _ksplice_cache _ksplice_env
