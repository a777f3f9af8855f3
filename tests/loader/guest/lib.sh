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
