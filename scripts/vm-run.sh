#!/usr/bin/env bash
# Boot the cached Debian kernel in QEMU and run a script in it as root.
#
#   scripts/vm-run.sh [--timeout SECS] [--nokaslr] [--kvm] [--smp N]
#                     [--mem MB] [--out DIR] [--append ARGS] [--ssh PORT]
#                     [--] SCRIPT [ARG...]
#
# In the guest: busybox userland; the host's / is mounted read-only at
# /host, so SCRIPT runs as `sh /host<abs path of SCRIPT> ARG...` and host
# binaries run by path (/host/...); /tmp is a writable tmpfs and the cwd;
# $KSPLICE_OUT is a writable directory shared with the host (--out DIR,
# default a temporary one); $KSPLICE_MODDIR is the kernel's own module
# tree (lib/modules/RELEASE of the Debian image, under /host); debugfs and
# tracefs are mounted.
#
# No network unless --ssh PORT: then the guest has a virtio NIC on QEMU's
# user network (slirp, restrict=on: no route to the host or beyond) with
# 10.0.2.15/24 on eth0 and lo up before SCRIPT starts, and the host's
# 127.0.0.1:PORT (only that address) is forwarded to the guest's port 22.
# SCRIPT starts the SSH server itself.
#
# KASLR is on unless --nokaslr, as in production.  TCG (-cpu max) by
# default: nested KVM on our machines asserts or hangs; --kvm opts in.
# TCG runs the vCPUs in one host thread (thread=single): with a thread per
# vCPU, QEMU 7.2 (Debian 12) can keep executing a stale translation of
# kernel text that another vCPU rewrote with text_poke_bp() (a static key
# in __schedule), and both vCPUs loop on an int3 that is no longer in
# memory.  KSPLICE_TCG_OPTS=,thread=multi brings the threads back.
#
# Exit status: the script's own, or
#   124  the guest exceeded --timeout (default 300 s)
#   125  the kernel log shows Call Trace, BUG:, WARNING:, Oops or a panic
#   126  the guest did not boot or did not run the script
# The script's output is printed; the whole kernel log stays in the out dir
# (console.log, dmesg.log) and its path is printed on failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

timeout=300 kaslr=1 kvm=0 smp=2 mem=1024 out= append= ssh=
usage() { sed -n '2,/^set -e/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--nokaslr) kaslr=0; shift ;;
	--kvm) kvm=1; shift ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--ssh) ssh=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) usage ;;
	-*) echo "vm-run: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
script=$(readlink -f "$1"); shift
[ -f "$script" ] || { echo "vm-run: error: no such script: $script" >&2; exit 2; }
case $ssh in
'') ;;
*[!0-9]*) echo "vm-run: error: --ssh wants a TCP port, not '$ssh'" >&2; exit 2 ;;
esac

. "$here/kernel-env.sh"
initrd=$("$here/vm-initramfs.sh")

keep=1
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/ksplice-vm.XXXXXX")
	keep=0		# removed again when everything passed
fi
mkdir -p "$out"
out=$(readlink -f "$out")
rm -f "$out"/{rc,output.log,dmesg.log,console.log,job.sh}

# The NIC's driver and what it needs, dependencies first (--ssh).
nic_modules() {
	local m=$1 f d
	f=$(find "$KSPLICE_MODDIR/kernel" -name "$m.ko" -print -quit)
	[ -n "$f" ] || { echo "vm-run: error: module $m not found in $KSPLICE_MODDIR" >&2; exit 1; }
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do nic_modules "$d"; done
	echo "$f"
}

[ -z "$ssh" ] || nic_mods=$(nic_modules virtio_net | awk '!seen[$0]++')

# The job: the script by its host path, with its arguments quoted.
{
	printf 'export KSPLICE_MODDIR=%q\n' "/host$KSPLICE_MODDIR"
	if [ -n "$ssh" ]; then
		echo 'set -e'
		for f in $nic_mods; do	# some are in the initramfs already
			m=$(basename "$f" .ko)
			printf '[ -d /sys/module/%s ] || insmod %q\n' "${m//-/_}" "/host$f"
		done
		printf '%s\n' 'ip link set lo up' 'ip link set eth0 up' \
			'ip addr add 10.0.2.15/24 dev eth0' 'ip route add default via 10.0.2.2'
	fi
	printf 'exec sh %q' "/host$script"
	for a in "$@"; do printf ' %q' "$a"; done
	printf '\n'
} > "$out/job.sh"

cmdline="console=ttyS0,115200 panic=-1 rdinit=/init"
[ "$kaslr" = 1 ] || cmdline+=" nokaslr"
[ -z "$append" ] || cmdline+=" $append"

if [ "$kvm" = 1 ]; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel "tcg${KSPLICE_TCG_OPTS-,thread=single}" -cpu max)
fi
nic=(-nic none)
[ -z "$ssh" ] ||
	nic=(-nic "user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:$ssh-:22")

# One boot.  The guest prints "ksplice-vm: running job" before it starts
# the script; a guest that has not got there after $boot_limit s hung while
# booting (seen under heavy host load: a TCG vCPU's timer interrupt lost
# during the 9p mount) and is booted again, up to $boot_tries times.  Once
# the script has started nothing is retried: its outcome is the result.
boot_limit=${KSPLICE_VM_BOOT_LIMIT:-120} boot_tries=3
boot_once() {
	timeout --kill-after=10 "$timeout" qemu-system-x86_64 "${accel[@]}" \
		-m "$mem" -smp "$smp" -no-reboot -display none -monitor none \
		-serial "file:$out/console.log" \
		-kernel "$KSPLICE_VMLINUZ" -initrd "$initrd" -append "$cmdline" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap,id=hostroot" \
		-virtfs "local,path=$out,mount_tag=out,security_model=none,id=out" \
		"${nic[@]}" < /dev/null > "$out/qemu.log" 2>&1 &
	local pid=$! waited=0
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q 'ksplice-vm: running job' "$out/console.log" 2>/dev/null; then
			wait "$pid"
			return
		fi
		if [ "$waited" -ge "$boot_limit" ]; then
			pkill -P "$pid" qemu-system-x86 2>/dev/null
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 200
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$pid"
}

start=$(date +%s.%N)
for try in $(seq 1 $boot_tries); do
	set +e
	boot_once
	qrc=$?
	set -e
	[ "$qrc" = 200 ] || break
	cp "$out/console.log" "$out/console.boot-hang-$try.log"
	echo "vm-run: note: the guest did not start the job within $boot_limit s (boot hang, log: $out/console.boot-hang-$try.log)" >&2
	qrc=126
done
end=$(date +%s.%N)

[ ! -f "$out/output.log" ] || cat "$out/output.log"

fail() {
	echo "vm-run: $1 (kernel log: $out/console.log)" >&2
	exit "$2"
}
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	fail "timed out after $timeout s" 124
fi
# The whole kernel log: the console and the ring buffer the guest saved.
bad=$(cat "$out/console.log" "$out/dmesg.log" 2>/dev/null | tr -d '\r' |
      grep -E 'Call Trace|BUG:|WARNING:|Oops|Kernel panic|general protection fault' |
      sort -u || true)
if [ -n "$bad" ]; then
	printf '%s\n' "$bad" | sed 's/^/vm-run: kernel: /' >&2
	fail "the kernel log shows a warning, oops or panic" 125
fi
if [ ! -f "$out/rc" ]; then
	tail -20 "$out/console.log" >&2 || true
	cat "$out/qemu.log" >&2 || true
	fail "the guest did not run the script" 126
fi
rc=$(cat "$out/rc")
printf 'vm-run: %s exited %s; guest ran %.1f s (%s, %s)\n' "$(basename "$script")" "$rc" \
	"$(echo "$end - $start" | bc)" "$([ $kvm = 1 ] && echo kvm || echo tcg)" \
	"$([ $kaslr = 1 ] && echo kaslr || echo nokaslr)" >&2
if [ "$rc" != 0 ]; then	# what a failure on another machine needs to be read
	printf 'vm-run: host: %s; %s; %s\n' "$(qemu-system-x86_64 --version | head -n 1)" \
		"$(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')" "$(nproc) cores" >&2
fi
[ "$rc" != 0 ] || [ "$keep" = 1 ] || rm -rf "$out"
exit "$rc"
