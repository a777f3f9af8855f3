# Updates of two compilation units: both switch together; when the second
# unit does not match, nothing is applied (the first unit neither).
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load combo.ko
load combo-bad.ko
orig=$(cat /proc/kstest/text)
[ "$(wc -l < $S/combo/functions)" -eq 2 ] || fail "expected 2 functions"
refused combo-bad apply no_match loaded
expect /proc/kstest/value 1
expect /proc/kstest/dup "10 20"
expect /proc/kstest/text "$orig"
apply combo
expect /proc/kstest/value 2
expect /proc/kstest/dup "10 21"
undo combo
expect /proc/kstest/value 1
expect /proc/kstest/dup "10 20"
expect /proc/kstest/text "$orig"
ok multi-unit
