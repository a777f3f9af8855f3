# Sourced by the guest tests (busybox sh, as root, in the VM).  Each test
# gets the host path of the build-tests.sh output directory as $1.
[ -n "${1:-}" ] || { echo "usage: $0 BUILD_DIR"; exit 2; }
B=/host$1
S=/sys/kernel/ksplice

fail() {
	echo "FAIL: $*"
	dmesg | grep 'ksplice' | tail -n 20
	exit 1
}

ok() { echo "ok: $*"; }

# expect FILE VALUE: FILE's contents are exactly VALUE.
expect() {
	_v=$(cat "$1")
	[ "$_v" = "$2" ] || fail "$1 is '$_v', expected '$2'"
}

load() {
	insmod "$B/$1" || fail "insmod $1"
}

load_core() { load core/ksplice.ko; }
load_kstest() { load kstest/kstest.ko; }

apply() {
	echo apply > "$S/$1/stage" ||
		fail "apply $1: $(cat "$S/$1/abort_cause")"
	expect "$S/$1/stage" applied
	expect "$S/$1/abort_cause" none
}

undo() {
	echo undo > "$S/$1/stage" ||
		fail "undo $1: $(cat "$S/$1/abort_cause")"
	expect "$S/$1/stage" reversed
}

# refused ID ACTION CAUSE STAGE: ACTION fails with CAUSE, stage stays STAGE.
refused() {
	if echo "$2" > "$S/$1/stage" 2>/dev/null; then
		fail "$2 $1 succeeded; expected $3"
	fi
	expect "$S/$1/abort_cause" "$3"
	expect "$S/$1/stage" "$4"
}

# The hooks of the kstest variants log "kstest-hook NAME" (kstest.h):
# hooklog prints the names since the last clearlog, as "NAME, NAME".
clearlog() { dmesg -c >/dev/null; }
hooklog() { dmesg | sed -n 's/.*kstest-hook //p' | tr '\n' ',' | sed 's/,$//; s/,/, /g'; }

# expect_log TEXT: the hooks that ran since the last clearlog.
expect_log() {
	_l=$(hooklog)
	[ "$_l" = "$1" ] || fail "hooks ran: '$_l', expected '$1'"
	clearlog
}

# kind_order ID KIND: the KIND hooks of update ID in the order they run:
# as sysfs lists them (unit order, then their order in the unit's
# section), backward for the reverse kinds.
kind_order() {
	_k=$(sed -n "s/^$2 //p" "$S/$1/hooks")
	case $2 in *reverse) _k=$(printf '%s\n' "$_k" | sed '1!G;h;$!d') ;; esac
	printf '%s\n' "$_k" | tr '\n' ',' | sed 's/,$//; s/,/, /g'
}

# kaddr SYM: SYM's address in /proc/kallsyms (the first, if several).
kaddr() { awk -v s="$1" '$3 == s { print $1; exit }' /proc/kallsyms; }

# The Debian module binfmt_misc: binfmt_status loads it if needed, mounts
# its filesystem, prints the status file and unmounts (the module stays);
# binfmt_unload removes it if it is loaded.
binfmt_status() {
	_m=$KSPLICE_MODDIR/kernel/fs/binfmt_misc.ko
	grep -q '^binfmt_misc ' /proc/modules || insmod "$_m" ||
		fail "insmod $_m"
	mkdir -p /tmp/binfmt_misc
	mount -t binfmt_misc binfmt_misc /tmp/binfmt_misc || fail "mount binfmt_misc"
	cat /tmp/binfmt_misc/status
	umount /tmp/binfmt_misc
}
binfmt_unload() {
	if grep -q '^binfmt_misc ' /proc/modules; then
		rmmod binfmt_misc || fail "rmmod binfmt_misc"
	fi
}
