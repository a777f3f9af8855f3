# Shared by the guest scripts of tests/update (sourced; busybox sh, in the
# VM): the output files and the assertion helpers.  Needs $B (the tools).
out=/tmp/out err=/tmp/err
# The packages are signed (vm-tools.sh); this host trusts their key.
mkdir -p /etc/ksplice/keys && cp $P/keys/*.pem /etc/ksplice/keys/ ||
	{ echo "FAIL: cannot install the trusted key"; exit 1; }
fail() {
	echo "FAIL: $*"
	echo "--- stdout"; cat $out; echo "--- stderr"; cat $err
	dmesg | grep ksplice | tail -n 20
	exit 1
}
# run EXPECTED_RC TOOL ARGS...: stdout in $out, stderr in $err
run() {
	_want=$1; shift
	"$B/$@" > $out 2> $err
	_rc=$?
	[ $_rc -eq $_want ] || fail "$* exited $_rc, expected $_want"
}
has() { grep -q -- "$2" "$1" || fail "$1 lacks '$2'"; }
first() { [ "$(head -n 1 "$1")" = "$2" ] || fail "first line of $1 is not '$2'"; }
loaded() { grep -q "^$1 " /proc/modules; }
