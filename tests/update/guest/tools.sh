# Guest side of update.vm_tools (busybox sh, as root, in the VM).
#   tools.sh BIN_DIR PACKAGE_DIR LOADER_OUT   (host paths)
set -u
B=/host$1 P=/host$2 L=/host$3
. "$(dirname "$0")/lib.sh"

run 1 ksplice-apply $P/wrong-release.tar.gz
has $err "is for kernel '0.0.0-not-this-kernel', but this host runs '$(uname -r)'"
[ -d /sys/kernel/ksplice ] && fail "core loaded for a package of another kernel"

# kstest is not loaded yet: the update applies and waits for it; kstest
# then loads patched.  ksplice-view shows the target waiting, then not.
run 0 ksplice-apply $P/value2.tar.gz
has $out "applied update 'value2'"
has $out "will replace 'kstest_value' in kstest when it is loaded (not loaded now)"
run 0 ksplice-view
has $out "^value2  applied  .*  targets kstest waiting$"
run 0 ksplice-view --id value2
has $out "^  kstest: not loaded; patched when it is loaded$"
run 0 ksplice-view --json
has $out '"targets":\[{"name":"kstest","state":"waiting"}\]'
insmod $L/kstest/kstest.ko || fail "insmod kstest"
[ "$(cat /proc/kstest/value)" = 2 ] || fail "kstest did not load patched"
run 0 ksplice-view --id value2
has $out "^  kstest: loaded and patched$"
run 0 ksplice-undo value2
[ "$(cat /proc/kstest/value)" = 1 ] || fail "value is not 1 after undo"

run 1 ksplice-apply $P/mismatch.tar.gz
has $err "ksplice-apply: error: no_match: "
loaded mismatch && fail "mismatch left loaded"

# code_busy names the sleeping task; then apply, then undo busy, then undo.
echo 1 > /proc/kstest/sleeper; sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
[ -n "$pid" ] || fail "no kstest_sleeper thread"
run 1 ksplice-apply --raw-errors --retries 2 $P/sleeper.tar.gz
first $err code_busy
has $err "ksplice-apply: note: task 'kstest_sleeper' (pid $pid) is running 'kstest_sleeper'"
echo 0 > /proc/kstest/sleeper; sleep 1
run 0 ksplice-apply $P/sleeper.tar.gz
has $out "applied update 'sleeper': tools test sleeper"
has $out "replaced 'kstest_sleeper' in kstest"
has $out "the kernel was paused for "
run 0 ksplice-apply $P/sleeper.tar.gz
has $out "update 'sleeper' is already applied"
echo 1 > /proc/kstest/sleeper; sleep 1
run 1 ksplice-undo sleeper
has $err "ksplice-undo: error: code_busy: "
echo 0 > /proc/kstest/sleeper; sleep 1
run 0 ksplice-undo sleeper
has $out "undid update 'sleeper'"
loaded sleeper && fail "sleeper still loaded after undo"
[ -e /run/ksplice/sleeper ] && fail "record of sleeper left"

# Stacked: value3 is built on value2.
run 0 ksplice-apply $P/value2.tar.gz
run 0 ksplice-apply $P/value3.tar.gz
[ "$(cat /proc/kstest/value)" = 3 ] || fail "value is not 3"
run 1 ksplice-undo --raw-errors value2
first $err dependent_update
[ "$(cat /proc/kstest/value)" = 3 ] || fail "value changed by a refused undo"
run 0 ksplice-view
[ "$(cut -d' ' -f1 $out | tr '\n' ' ')" = "value3 value2 " ] || fail "view order"
has $out "^value3  applied  'loader test update value3'  applied-at "
run 0 ksplice-view --json
has $out '^{"updates":\[{"id":"value3","stage":"applied",'
run 0 ksplice-view --id value2
has $out "update 'value2' is applied"
has $out "kstest_value (kstest)"
has $out "+++ b/kstest_main.c"
run 0 ksplice-undo --all
[ "$(cat $out)" = "undid update 'value3'
undid update 'value2'" ] || fail "undo --all order"
[ "$(cat /proc/kstest/value)" = 1 ] || fail "value is not 1 after undo --all"
loaded value2 && fail "value2 still loaded"
loaded value3 && fail "value3 still loaded"
run 0 ksplice-view
[ "$(cat $out)" = "no updates are loaded" ] || fail "updates remain"
echo "ok: update tools on the real kernel"
