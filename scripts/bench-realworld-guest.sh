# Guest side of scripts/bench-realworld.sh (busybox sh, in the VM booted
# from the old release's kernel): one batch of updates, each applied,
# checked and undone live, with the kernel log watched after every step.
#
#   bench-realworld-guest.sh BIN_DIR MODROOT LIST
#
# BIN_DIR holds ksplice-apply/-view/-undo; MODROOT is the unpacked image
# (MODROOT/lib/modules/<release>/ with modules.dep), for modprobe -d; LIST
# has one line per unit: "UNIT PACKAGE ID MODULES" (host paths; MODULES
# comma-separated target modules, or "-" for vmlinux only).
#
# For each unit, in LIST order: load its target modules, ksplice-apply,
# ksplice-view --id; then the workload runs with the whole batch applied;
# then every applied update is undone, newest first, and the workload runs
# again.  Results go to $KSPLICE_OUT/results, one line per step, written
# as they happen (the host reads them even if the guest dies):
#   UNIT STEP RC DETAIL
# STEP is modprobe, apply, coming (a target module that did not load was
# loaded again with the update applied: RC 0 when the loader patched it as
# it came, whatever its init then did), view, undo or dirty (the kernel
# log gained a Call Trace, BUG:, WARNING:, Oops or panic line during the
# unit's last step), and "- workload-applied|workload-undone RC DETAIL"
# for the batch.
# $KSPLICE_OUT/now holds "UNIT STEP" before each step, so that a hang or
# panic is charged to the step that caused it.
set -u
bin=/host$1 modroot=/host$2 list=/host$3
out=$KSPLICE_OUT
: > "$out/results"
note() { echo "$*" >> "$out/results"; sync; }
now() { echo "$*" > "$out/now"; sync; }
one_line() { tr '\n' ' ' < "$1" | sed 's/  */ /g; s/ $//' | cut -c1-1500; }

# The kernel log's bad lines so far (vm-run.sh's patterns).
pattern='Call Trace|BUG:|WARNING:|Oops|Kernel panic|general protection fault'
bad_lines() { dmesg | grep -E "$pattern"; }
seen=$(bad_lines | wc -l)
# After a step of UNIT: a "dirty" line if the log gained bad lines.
watch() {
	n=$(bad_lines | wc -l)
	if [ "$n" -gt "$seen" ]; then
		note "$1 dirty $2 $(bad_lines | tail -n +$((seen + 1)) | head -3 | tr '\n' '|')"
		seen=$n
		return 1
	fi
	return 0
}

# The workload, modprobe and loaded: scripts/bench-workload.sh.
. "$(dirname "$0")/bench-workload.sh"

health() { # WHEN
	now - "workload-$1"
	if (workload) > /tmp/workload.log 2>&1; then
		note "- workload-$1 0 ok"
	else
		note "- workload-$1 1 $(one_line /tmp/workload.log)"
	fi
	watch - "workload-$1"
}

# One step of the loader on the current unit ($pkg, $id), its words in /tmp/step.*.
apply() { "$bin/ksplice-apply" --raw-errors "$pkg" > /tmp/step.out 2> /tmp/step.err; }
undo() { "$bin/ksplice-undo" --raw-errors "$id" > /tmp/step.out 2> /tmp/step.err; }

# An update refused because a target module is loaded: one that replaces
# its __init code (module_init_ran) or changes its data (module_data_live).
needs_unloaded() { grep -qE 'module_(init_ran|data_live)' /tmp/step.err; }
unload() { # UNIT: remove $mods (comma-separated), noted as a modprobe step
	for m in $(echo "$mods" | tr , ' '); do
		loaded "$m" || continue
		if ! modprobe -r "$m" > /tmp/rm.err 2>&1; then
			note "$1 modprobe 1 -r $m: $(one_line /tmp/rm.err)"
			return 1
		fi
		note "$1 modprobe 0 -r $m"
	done
}
reload() { # UNIT: load $mods again, patched as they come
	for m in $(echo "$mods" | tr , ' '); do
		if modprobe "$m" > /tmp/rm.err 2>&1; then
			note "$1 modprobe 0 $m (patched as it loads)"
		else
			note "$1 modprobe 1 $m: $(one_line /tmp/rm.err)"
		fi
	done
	return 0
}

# A target module that does not load here (its init fails without its
# hardware: no such device, no VMX under TCG) still comes: the loader
# run-pre matches it and patches it at MODULE_STATE_COMING, before its
# init runs and fails.  So the update is applied with the module absent
# and the module loaded once more; a "coming" step says whether the
# loader's log shows it patched (or its data written) as it loaded.
came() { # UNIT MODULE: after a load of MODULE, with the log from line $mark
	m=$(echo "$2" | tr - _)
	dmesg | tail -n +$((mark + 1)) |
		grep -E "ksplice: '$id': (patched|wrote .*) (of )?module '$m' as it loads" > /tmp/came.log
	if [ -s /tmp/came.log ]; then
		note "$1 coming 0 $2: $(one_line /tmp/came.log); modprobe: $(one_line /tmp/rm.err)"
	else
		note "$1 coming 1 $2: not patched as it loaded; modprobe: $(one_line /tmp/rm.err)"
	fi
}
load_absent() { # UNIT: load each module of $absent once, patched as it comes
	for m in $absent; do
		now "$1" coming
		mark=$(dmesg | wc -l)
		modprobe "$m" > /tmp/rm.err 2>&1 || true
		came "$1" "$m"
		watch "$1" coming
		# One that did load after all stays, as any target would.
	done
}

applied=
while read -r unit pkg id mods; do
	[ -n "$unit" ] || continue
	pkg=/host$pkg
	ok=1 absent=
	if [ "$mods" != - ]; then
		for m in $(echo "$mods" | tr , ' '); do
			loaded "$m" && continue
			now "$unit" modprobe
			if modprobe "$m" > /tmp/step.err 2>&1; then
				note "$unit modprobe 0 $m"
			else
				note "$unit modprobe 1 $m: $(one_line /tmp/step.err)"
				absent="$absent $m"
			fi
			watch "$unit" modprobe || ok=0
		done
	fi
	[ "$ok" = 1 ] || continue
	now "$unit" apply
	rc=0
	apply || rc=$?
	if [ "$rc" != 0 ] && [ "$mods" != - ] && needs_unloaded &&
		unload "$unit"; then
		# It changes a module's __init code or data: applied with its
		# modules unloaded, which then load patched.
		rc=0
		apply || rc=$?
		[ "$rc" = 0 ] && reload "$unit"
	fi
	if [ "$rc" = 0 ]; then
		note "$unit apply 0 $(one_line /tmp/step.out)"
		applied="$unit:$id:$mods $applied"
		load_absent "$unit"
	else
		# The loader's own words are in the kernel log.
		dmesg | grep -E "ksplice: '$id'|livepatch:" |
			grep -vE "': (loaded|unloaded)" | tail -n 3 > /tmp/step.log
		note "$unit apply 1 $(one_line /tmp/step.err) | $(one_line /tmp/step.log)"
	fi
	watch "$unit" apply || continue
	case " $applied" in *" $unit:$id:"*) ;; *) continue ;; esac
	now "$unit" view
	if "$bin/ksplice-view" --id "$id" > /tmp/step.out 2> /tmp/step.err &&
		grep -q "applied" /tmp/step.out; then
		note "$unit view 0 ok"
	else
		note "$unit view 1 $(one_line /tmp/step.out) $(one_line /tmp/step.err)"
	fi
	watch "$unit" view
done < "$list"

health applied
for a in $applied; do		# newest first
	unit=${a%%:*} rest=${a#*:}
	id=${rest%%:*} mods=${rest#*:}
	now "$unit" undo
	# An update of a module's data is undone with the module unloaded.
	rc=0
	undo || rc=$?
	if [ "$rc" != 0 ] && [ "$mods" != - ] &&
		grep -q module_data_live /tmp/step.err && unload "$unit"; then
		rc=0
		undo || rc=$?
	fi
	if [ "$rc" = 0 ]; then
		note "$unit undo 0 $(one_line /tmp/step.out)"
	else
		note "$unit undo 1 $(one_line /tmp/step.err)"
	fi
	watch "$unit" undo
done
health undone
now - done
