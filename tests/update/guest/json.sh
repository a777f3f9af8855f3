# Guest side of update.vm_json (busybox sh, as root, in the VM): the
# --json reports of ksplice-apply, --dry-run and ksplice-undo on the real
# kernel, and the loader's detail lines (text and JSON) when the core has
# its 'detail' file.
#   json.sh BIN_DIR PACKAGE_DIR LOADER_OUT   (host paths)
set -u
B=/host$1 P=/host$2 L=/host$3
. "$(dirname "$0")/lib.sh"
quiet() { [ -s $err ] && fail "stderr not empty with --json"; :; }

run 1 ksplice-apply --json $P/wrong-release.tar.gz
quiet
has $out '^{"outcome":"failed","dry_run":false,"package":"[^"]*","id":"cmdline","description":"tools test cmdline","signer":"sha256:[0-9a-f]*","signature_verified":true,"token":"other","sentence":null,"message":"update '"'"'cmdline'"'"' in '
has $out '"phases":\[{"name":"verify","ns":[0-9]*}\]'

insmod $L/kstest/kstest.ko || fail "insmod kstest"
# A mismatching update: no_match, rolled back (a rollback phase), nothing
# left loaded.
run 1 ksplice-apply --json $P/mismatch.tar.gz
quiet
has $out '^{"outcome":"failed",'
has $out '"token":"no_match","sentence":"The running kernel'"'"'s code does not match'
has $out '{"name":"load_core","ns":[0-9]*},{"name":"load_patch","ns":[0-9]*},{"name":"apply","ns":[0-9]*},{"name":"rollback","ns":[0-9]*}\]'
loaded mismatch && fail "mismatch left loaded"
loaded ksplice && fail "core left loaded"

run 0 ksplice-apply --dry-run --json $P/value2.tar.gz
quiet
has $out '^{"outcome":"would_apply","dry_run":true,"package":"[^"]*","id":"value2",'
has $out '"functions":\[{"name":"kstest_value","object":"kstest"}\],"pause_ns":[1-9]'
loaded value2 && fail "value2 left loaded by a dry run"

run 0 ksplice-apply --json $P/value2.tar.gz
quiet
has $out '^{"outcome":"applied",.*"token":null,'
has $out '"pause_ns":[1-9][0-9]*,'
has $out '{"name":"apply","ns":[0-9]*},{"name":"record","ns":[0-9]*},{"name":"persist","ns":[0-9]*}\],"warnings":\[\]}$'
[ "$(cat /proc/kstest/value)" = 2 ] || fail "value is not 2"

# The loader's detail, from a core that has it (older ones print nothing).
if [ -e /sys/kernel/ksplice/value2/detail ]; then
	run 1 ksplice-apply $P/mismatch.tar.gz
	has $err "^ksplice-apply: note: no_match: unit '"
	run 1 ksplice-apply --json $P/mismatch.tar.gz
	has $out '"detail":\["no_match: unit '"'"
	has $out '"match":\["[^"]* kstest pre=[0-9]* matched='
	echo "the core has detail: $(grep -o '"detail":\[[^]]*' $out | head -c 300)"
else
	echo "the core has no detail file: not checked"
fi

run 0 ksplice-undo --json value2
quiet
has $out '^{"outcome":"undone","token":null,'
has $out '"updates":\[{"id":"value2","outcome":"undone","stage":"applied","module":"value2",'
has $out '"phases":\[{"name":"lock","ns":[0-9]*},{"name":"undo","ns":[0-9]*},{"name":"unload","ns":[0-9]*}\]}$'
[ "$(cat /proc/kstest/value)" = 1 ] || fail "value is not 1 after undo"

run 1 ksplice-undo --json value2
quiet
has $out '^{"outcome":"failed","token":"other",'
run 0 ksplice-undo --json --all
has $out '^{"outcome":"nothing_to_undo",'
echo "ok: --json on the real kernel"
