# Sites the kernel rewrites at load in the forms GCC emits
# (kstest_sites.c): "cs call/jmp __x86_indirect_thunk_r11".  With
# retpolines on they stay as compiled; with spectre_v2=off (sites-off)
# apply_retpolines() makes them "call/jmp *%r11" plus nops.  Run-pre
# matching accepts both, so the update of the unit applies; so are the
# static call forms (cs cs cs xor %eax,%eax; a conditional tail call).
# Only a __weak function or object may differ from the running one (it
# may be overridden, even when the unit refers to it): sites-stale, built
# from a source whose kstest_sites_other differs, is refused.
#   sites.sh BUILD_DIR [off]
. "$(dirname "$0")/lib.sh"
mode=${2:-on}
load_core
load_kstest
set -- $(cat /proc/kstest/sites)
[ "$1 $2 $5 $6 $7 $8 $9" = "1 1 1 3 6 1 0" ] ||
	fail "sites is '$*', expected 1 1 . . 1 3 6 1 0 . first"
# A static call to __static_call_return0: cs cs cs xor %eax,%eax.
[ "${10}" = 2e2e2e31c0 ] || fail "the static call site is ${10}, expected 2e2e2e31c0"
case $mode in
on) [ "$3 $4" = "2ee8${3#2ee8} 2ee9${4#2ee9}" ] ||
	fail "the sites are $3 $4, expected cs call/jmp rel32 (retpolines on)" ;;
off) [ "$3 $4" = "41ffd30f1f00 41ffe3cc6690" ] ||
	fail "the sites are $3 $4, expected call/jmp *%r11 and nops" ;;
esac
load sites.ko
echo check > $S/sites/stage || fail "check: $(cat $S/sites/abort_cause)"
apply sites
# Every function of the unit matched, but the overridden __weak ones.
dmesg | grep "'sites'.*differs from every candidate" > /tmp/weak
for w in kstest_weak_value kstest_weak_table; do
	grep -q "'$w' differs" /tmp/weak ||
		fail "the overridden __weak $w was not recognised"
done
! grep -v "'kstest_weak_value'\|'kstest_weak_table'" /tmp/weak ||
	fail "a function of kstest_sites.o did not match"

set -- $(cat /proc/kstest/sites)
[ "$1 $2" = "2 2" ] || fail "sites is '$*' with the update applied, expected 2 2"
undo sites
set -- $(cat /proc/kstest/sites)
[ "$1 $2" = "1 1" ] || fail "sites is '$*' after undo, expected 1 1"
# A global function that is not __weak and differs: a mismatch.
load sites-stale.ko
refused sites-stale check no_match loaded
dmesg | grep -q "'sites-stale': no_match: unit 'kstest_sites.o' function 'kstest_sites_other'" ||
	fail "no no_match naming kstest_sites_other"
rmmod sites_stale || fail "rmmod sites_stale"
ok "sites ($mode: $3 $4)"
