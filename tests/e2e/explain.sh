# Sourced by the guest scripts: why a check said what it said, for the
# log of a failed test.  Needs $KSPLICE_E2E_PROBE (tests/e2e/probe.c).

# explain CHECK ID...: the check traced, the code each update's patch
# module carries and the first bytes of what it replaces, as the CPUs
# see them (so a jump not written, or a jump label or static call of the
# new code left in its build-time state, shows), and the kernel's last
# words.  (The stub's own functions, ksplice_*, are left out.)
explain() {
	local check=$1 id
	shift
	echo "--- sh -x $check (last lines)"
	sh -x "$check" 2>&1 | tail -n 15
	for id in "$@"; do
		explain_code "$id"
	done
	echo "--- dmesg (last lines)"
	dmesg | tail -n 15
}

explain_code() { # ID
	local mod addr type name rest old
	mod=ksplice_$(echo "$1" | tr - _)
	echo "--- the code of $mod (/proc/kcore)"
	grep "[[:space:]]\[$mod\]\$" /proc/kallsyms |
	while read -r addr type name rest; do
		case $type:$name in
		[tT]:init_module | [tT]:cleanup_module | [tT]:ksplice_*) continue ;;
		[tT]:*) ;;
		*) continue ;;
		esac
		echo "$name [$mod] at $addr:"
		"$KSPLICE_E2E_PROBE" text "$addr" 192
		grep "^[0-9a-f]* [tT] $name\([[:space:]]\|\$\)" /proc/kallsyms |
		grep -v "\[$mod\]\$" |
		while read -r old _ _ rest; do
			echo "  replaced $name ${rest:-[vmlinux]} at $old:"
			"$KSPLICE_E2E_PROBE" text "$old" 16 | sed 's/^/  /'
		done
	done
}
