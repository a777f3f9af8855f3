# Guest side of one real-kernel case: the check must fail before apply,
# pass after apply, fail again after undo; the patch module must be gone.
#   case-guest.sh BIN_DIR PACKAGE CHECK ID PROBE
# (PROBE: tests/e2e/probe.c, for the checks, as $KSPLICE_E2E_PROBE)
set -u
bin=/host$1 pkg=/host$2 check=/host$3 id=$4
export KSPLICE_E2E_PROBE=/host$5
. "$(dirname "$0")/explain.sh"
fail() { echo "FAIL: $id: $*"; exit 1; }
live() { sh "$check" > /dev/null 2>&1; }

live && { explain "$check" "$id"; fail "the check passes before the update is applied"; }
"$bin/ksplice-apply" "$pkg" || fail "ksplice-apply failed"
live || { explain "$check" "$id"; fail "the check fails with the update applied"; }
"$bin/ksplice-view" | grep -q "^$id  *applied " || fail "ksplice-view does not list it as applied"
"$bin/ksplice-view" --id "$id" | grep -q '^+++ ' || fail "ksplice-view --id does not show the patch"
"$bin/ksplice-view" --json | grep -q "\"id\":\"$id\"" || fail "ksplice-view --json does not list it"
"$bin/ksplice-undo" "$id" || fail "ksplice-undo failed"
live && { explain "$check" "$id"; fail "the check still passes after undo"; }
mod=ksplice_$(echo "$id" | tr - _)
! grep -q "^$mod " /proc/modules || fail "the patch module is still loaded"
echo "ok: $id: fails before, passes applied, fails after undo"
