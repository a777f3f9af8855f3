#!/usr/bin/env bash
# Measurement: the real fixes between two Debian releases of the 6.1
# kernel, as hot updates of the older one (a benchmark, not a test: it
# takes hours for the whole corpus, and it asserts nothing).
#
#   scripts/bench-realworld.sh [--only REGEX] [--limit N] [--sample N]
#       [--class CLASS,...] [--batch N] [-j N]
#       [--create-only | --guest-only | --report] [--redo] [OLD NEW]
#                                          default 6.1.176-1 6.1.187-1
#
# 1. Fetches what it needs itself, into its own cache BENCH =
#    ${KSPLICE_CACHE:-~/.cache/ksplice}/realworld: OLD's image, headers
#    and source with scripts/fetch-kernel.sh (KSPLICE_CACHE=BENCH, pinned:
#    the default test kernel is not touched), NEW's source with apt-get
#    download.  The image's modules get a modules.dep (depmod -b).
# 2. Splits the difference of the two sources into units: one per .c file
#    that differs (or is gone in NEW) and that OLD's configuration compiles
#    into vmlinux or a module, or #includes into such an object
#    (tests/create/check.cc "sources": ksplice-create's own kbuild
#    reading); the unit's patch is that file's diff alone.
# 3. Runs ksplice-create on each unit against OLD's source, config and
#    headers (nice'd; -j N runs N at a time, default 2, each with its own
#    cache and farm) and classifies it by exit status:
#    made (0), refused (2, grouped by rule: the reason without symbol and
#    place), no change (3), error (1).  An error whose post compile failed
#    is checked: the object is compiled again in ksplice-create's farm with
#    NEW's version of every changed header (.h) put in; if it compiles
#    then, the unit "needs a header change" (the headers it read are
#    named), else it stays an error.
# 4. Boots OLD's kernel in QEMU (scripts/vm-run.sh, KASLR on) and, in
#    batches of N updates (default 12) per boot, loads each update's target
#    modules (modprobe from OLD's image), applies it, checks it with
#    ksplice-view, runs a workload with the whole batch applied, undoes
#    them newest first and runs the workload again
#    (scripts/bench-realworld-guest.sh).  The kernel log is checked after
#    every step.  A target module that does not load in the guest (its
#    init fails without its hardware) gets the update anyway and is
#    loaded once more: "live-at-load" when the loader patched it as it
#    came (MODULE_STATE_COMING, before its init ran and failed) and the
#    update applied and undid cleanly.  A batch whose log got dirty, whose workload failed or
#    whose guest died is run again one update per boot, so that the
#    failure is charged to the update that caused it.
# 5. Prints the table (also in BENCH/runs/OLD_NEW/report.txt).
#
# Every unit's results are kept (BENCH/runs/OLD_NEW/units/<unit>/): a
# rerun skips what is done, so an interrupted run resumes; --redo does the
# selected units again.  --only REGEX selects the units whose file matches,
# --class the units whose ksplice-create result is one of those classes
# (made, refused, nochange, header, error, not-built);
# --limit N the first N of those, --sample N N of them spread evenly over
# the list.  --create-only and --guest-only run one phase (they may run at
# the same time); --report only prints.  Needs scripts/setup.sh to have
# run (build/ with ksplice-create and create_check; KSPLICE_BENCH_BIN and
# KSPLICE_BENCH_CHECK name others, to pin the tools for a long run).
# (The body is one block, read whole before it runs: editing this file
# does not disturb a run in progress.)
{
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,54p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

old=6.1.176-1 new=6.1.187-1
only= class_only= limit= sample= batch=12 jobs=2 redo=0 do_create=1 do_guest=1
pos=()
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=$2; shift 2 ;;
	--limit) limit=$2; shift 2 ;;
	--sample) sample=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	--redo) redo=1; shift ;;
	--class) class_only=$2; shift 2 ;;
	--create-only) do_guest=0; shift ;;
	--guest-only) do_create=0; shift ;;
	--report) do_create=0 do_guest=0; shift ;;
	-h|--help) usage ;;
	-*) echo "bench-realworld: unknown option $1" >&2; usage ;;
	*) pos+=("$1"); shift ;;
	esac
done
[ ${#pos[@]} = 0 ] || [ ${#pos[@]} = 2 ] || usage
[ ${#pos[@]} = 0 ] || { old=${pos[0]}; new=${pos[1]}; }

# KSPLICE_BENCH_BIN pins the tools (a long run beside development);
# KSPLICE_DATA_DIR then names the sources they package the loader from.
bin=${KSPLICE_BENCH_BIN:-$root/build/cli}
check=${KSPLICE_BENCH_CHECK:-$root/build/tests/create/create_check}
. "$root/scripts/bench/need-tools.sh"
need_tools bench-realworld "$bin"
[ -x "$check" ] ||
	{ echo "bench-realworld: error: build first (scripts/setup.sh)" >&2; exit 1; }
bench=${KSPLICE_CACHE:-$HOME/.cache/ksplice}/realworld
run=$bench/runs/${old}_$new
mkdir -p "$run/units" "$run/batches"
log() { printf 'bench-realworld: %s\n' "$*" >&2; }

# 1. The inputs.
KSPLICE_CACHE=$bench KSPLICE_KERNEL_VERSION=$old "$root/scripts/fetch-kernel.sh" > /dev/null
export KSPLICE_CACHE=$bench KSPLICE_KERNEL_VERSION=$old
. "$root/scripts/kernel-env.sh"
oldsrc=$KSPLICE_SRC
modroot=$KSPLICE_KDIR/root
[ -f "$KSPLICE_MODDIR/modules.dep" ] || depmod -b "$modroot" "$KSPLICE_KREL"

fetch_source() { # VERSION: NEW's source only
	local d=$bench/source/$1
	if [ -f "$d/.done" ] && (cd "$d/debs" && sha256sum --quiet -c SHA256SUMS); then
		echo "$d/linux-source-6.1"
		return
	fi
	log "fetching linux-source-6.1 $1"
	rm -rf "$d"
	mkdir -p "$d/debs" "$d/x"
	(cd "$d/debs" && apt-get download -q "linux-source-6.1=$1" 2>&1 |
		grep -v '^W: Download is performed unsandboxed' >&2) ||
		{ echo "bench-realworld: error: cannot download linux-source-6.1=$1" >&2; exit 1; }
	(cd "$d/debs" && sha256sum -- *.deb > SHA256SUMS)
	dpkg -x "$d"/debs/*.deb "$d/x"
	tar -xf "$d/x/usr/src/linux-source-6.1.tar.xz" -C "$d"
	rm -rf "$d/x"
	touch "$d/.done"
	echo "$d/linux-source-6.1"
}
newsrc=$(fetch_source "$new")

# 2. The units.  files.tsv: every file that differs (M), is gone (D) or
# new (A) in NEW; units.tsv: UNIT FILE KIND TARGETS for the .c files the
# configuration builds (KIND object, guess: an object of a Makefile the
# evaluator reads only roughly, included: #included by objects).
if [ ! -s "$run/units.tsv" ]; then
	log "comparing $old and $new"
	(cd "$bench" && diff -rq "$oldsrc" "$newsrc" || true) | awk -v o="$oldsrc/" -v n="$newsrc/" '
		/^Files / { f = $2; sub("^" o, "", f); print "M\t" f; next }
		/^Only in / { d = $3; sub(":$", "", d); p = d "/" $4
			if (index(p, o) == 1) print "D\t" substr(p, length(o) + 1)
			else print "A\t" substr(p, length(n) + 1) }' |
		LC_ALL=C sort -k2 > "$run/files.tsv.tmp"
	# A directory that is only in one tree: its files, one by one.
	while IFS=$'\t' read -r k f; do
		base=$oldsrc; [ "$k" = A ] && base=$newsrc
		if [ -d "$base/$f" ]; then
			(cd "$base" && find "$f" -type f | LC_ALL=C sort | sed "s/^/$k\t/")
		else
			printf '%s\t%s\n' "$k" "$f"
		fi
	done < "$run/files.tsv.tmp" > "$run/files.tsv"
	rm -f "$run/files.tsv.tmp"
	awk -F'\t' '$1 != "A" && $2 ~ /\.c$/ { print $2 }' "$run/files.tsv" |
		xargs "$check" sources "$oldsrc" "$KSPLICE_KCONFIG" > "$run/objects.txt"
	awk '$2 != "none" {
		kind = $2 == "object" ? ($5 == "guess" ? "guess" : "object") : "included"
		t = ""
		if ($2 == "object") t = $4
		else for (i = 3; i <= NF; i++) { split($i, p, ":"); t = t (t == "" ? "" : ",") p[1] }
		print $1 "\t" kind "\t" t }' "$run/objects.txt" |
	while IFS=$'\t' read -r f kind t; do
		printf 'u%s\t%s\t%s\t%s\n' "$(printf %s "$f" | sha256sum | cut -c1-8)" "$f" "$kind" "$t"
	done > "$run/units.tsv"
fi

# A field of a unit's ksplice-create result (create.result).
result_of() { sed -n "s/^$2 //p" "$run/units/$1/create.result" 2>/dev/null | head -1; }

# The selected units, in file order.
select_units() {
	local all
	all=$(if [ -n "$only" ]; then awk -F'\t' -v re="$only" '$2 ~ re' "$run/units.tsv"
	      else cat "$run/units.tsv"; fi)
	if [ -n "$class_only" ]; then
		all=$(while IFS=$'\t' read -r uid rest; do
			case ",$class_only," in *",$(result_of "$uid" class),"*)
				printf '%s\t%s\n' "$uid" "$rest" ;; esac
		done <<< "$all")
	fi
	[ -n "$all" ] || return 0
	if [ -n "$sample" ]; then
		awk -v n="$sample" -v total="$(printf '%s\n' "$all" | wc -l)" '
			BEGIN { step = total / n }
			NR - 1 >= next_at && taken < n { print; taken++; next_at += step }' <<< "$all"
	elif [ -n "$limit" ]; then
		head -n "$limit" <<< "$all"
	else
		printf '%s\n' "$all"
	fi
}
# This invocation's own lists (another may run at the same time).
sel=$(mktemp "$run/selected.XXXXXX")
data=$(mktemp "$run/report.XXXXXX")
trap 'rm -f "$sel" "$data"' EXIT
select_units > "$sel"
log "$(wc -l < "$sel") of $(wc -l < "$run/units.tsv") units selected ($run)"

# 3. ksplice-create per unit.
unit_patch() { # FILE OUT
	local f=$1 out=$2 minus=a/$1 plus=b/$1 newf=$newsrc/$1
	if [ ! -e "$newf" ]; then plus=/dev/null; newf=/dev/null; fi
	diff -u --label "$minus" --label "$plus" "$oldsrc/$f" "$newf" > "$out" || [ $? = 1 ]
}

# Each stderr line with the time it arrived: where the time goes.
stamp() { while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }

# The rule of a refusal: its reason without the symbol, the place and the
# particulars (numbers, quoted names, what follows the first ': ').
rule_of() {
	sed -E "s/^refused: //; s/^[^ ]+\.(o|lds): //; s/^[^ ]+:\([^)]*\)( '[^']*')?: //;
		s/^[^ ]+\.(c|h|S|s)[^ ]*: //; s/^'\.text\.[^']*' refers to/.text.* refers to/; s/^'([^']*)' refers to/\1 refers to/; s/'[^']*'/'X'/g; s/(pre|post)\/[^ ,:)]*/OBJ/g;
		s/0x[0-9a-f]+/N/g;
		s/[0-9]+/N/g; s/: .*//"
}

# Whether OBJECTS, which did not compile with the unit's diff alone,
# compile with NEW's version of every changed header (.h) beside it, in
# ksplice-create's farm (under its lock; the farm's next sync removes
# what this builds, the links are put back here).  Prints the changed
# headers the compiler read, or the compile error.
header_check() { # FILE OBJECTS...
	local f=$1 o rc=0 added=() replaced=()
	shift
	local farm=$cache/farm
	exec 9> "$cache/.lock"
	flock 9
	[ -e "$farm/.ksplice-patched" ] || echo "header check" > "$farm/.ksplice-patched"
	while IFS=$'\t' read -r k h; do
		[ "$k" != D ] || continue
		case $h in *.h) ;; *) continue ;; esac
		case $h in tools/* | scripts/* | Documentation/*) continue ;; esac
		case $h in arch/*) case $h in arch/x86/*) ;; *) continue ;; esac ;; esac
		if [ -e "$farm/$h" ] || [ -L "$farm/$h" ]; then replaced+=("$h"); else added+=("$h"); fi
		mkdir -p "$(dirname "$farm/$h")"
		rm -f "$farm/$h"
		cp "$newsrc/$h" "$farm/$h"
	done < "$run/files.tsv"
	rm -f "$farm/$f"
	cp "$newsrc/$f" "$farm/$f"
	for o in "$@"; do rm -f "$farm/$o"; done
	local args
	args=$("$check" descent "$farm" "$@" | sed '/^make \|^descent: /,$d')
	# shellcheck disable=SC2086
	(cd "$farm" && nice -n 10 make -s KERNELRELEASE="$KSPLICE_KREL" \
		KCFLAGS="-ffunction-sections -fdata-sections" $args) > "$hc_log" 2>&1 || rc=$?
	for o in "$@"; do [ -f "$farm/$o" ] || rc=1; done
	if [ "$rc" = 0 ]; then
		for o in "$@"; do
			tr ' \\' '\n\n' < "$farm/$(dirname "$o")/.$(basename "$o").cmd"
		done | sed 's|^\$(wildcard ||; s|)$||' | sort -u |
			comm -12 - <(printf '%s\n' "${replaced[@]}" "${added[@]}" | sort -u) |
			tr '\n' ' '
	fi
	for h in "${replaced[@]}" "$f"; do rm -f "$farm/$h"; ln -s "$oldsrc/$h" "$farm/$h"; done
	for h in "${added[@]}"; do rm -f "$farm/$h"; done
	for o in "$@"; do rm -f "$farm/$o"; done
	exec 9>&-
	return "$rc"
}

create_unit() { # UNIT FILE KIND TARGETS
	local uid=$1 f=$2 kind=$3 u=$run/units/$1 rc=0 t0 t1 class detail=
	mkdir -p "$u"
	unit_patch "$f" "$u/patch"
	t0=$EPOCHREALTIME
	set +e
	{ nice -n 10 "$bin/ksplice-create" --patch "$u/patch" --id "$uid" \
		--description "$f ($old to $new)" --config "$KSPLICE_KCONFIG" \
		--headers "$KSPLICE_HEADERS" --cache "$cache" -j 1 \
		-o "$u/pkg.tar.gz" "$oldsrc" 2>&1 1>&3 3>&- | stamp > "$u/create.err"
	  rc=${PIPESTATUS[0]}; } 3> "$u/create.out"
	set -e
	t1=$EPOCHREALTIME
	case $rc in
	0) class=made ;;
	2) class=refused ;;
	3) if grep -q '^summary: 0 units compared' "$u/create.out"; then class=not-built
	   else class=nochange; fi ;;
	*) class=error
	   detail=$(sed -n 's/^[0-9.]* ksplice-create: error: //p' "$u/create.err" | head -1)
	   # The post compile failed: does it compile with NEW's headers?
	   if grep -q ' ksplice-create: compiling .* (post)$' "$u/create.err" &&
	      grep -q '^[0-9.]* ksplice-create: error: compiling .* failed' "$u/create.err"; then
		local objs hdrs
		objs=$(sed -n 's/^[0-9.]* ksplice-create: compiling \(.*\) (post)$/\1/p' "$u/create.err")
		case $objs in *" objects") objs=$(awk '/^[^ ]+ \(.*\): /' "$u/create.out") ;; esac
		hc_log=$u/header-check.log
		if hdrs=$(header_check "$f" $objs); then
			class=header
			set -- $hdrs
			detail="$(grep -m1 -E '^[0-9.]+ [^ ]+:[0-9]+:[0-9]+: error: ' "$u/create.err" | sed 's/^[0-9.]* //') (compiles with $new's headers; it reads $# changed ones: $(printf '%s\n' "$@" | awk -v d="$(dirname "$f")/" 'index($0, d) == 1' | head -3 | tr '\n' ' ')...)"
		else
			detail="does not compile with $new's headers either: $(grep -m1 'error' "$hc_log" || tail -1 "$hc_log")"
		fi
	   fi ;;
	esac
	{
		echo "class $class"
		echo "rc $rc"
		echo "file $f"
		echo "kind $kind"
		printf 'seconds %.1f\n' "$(echo "$t1 - $t0" | bc)"
		echo "ksplice $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
		[ -z "$detail" ] || echo "detail $detail"
		sed -n 's/^\([^ ]*\) (\([^)]*\)): changed$/target \2 \1/p' "$u/create.out"
		{ grep '^refused: ' "$u/create.out" || true; } | rule_of | sed 's/^/rule /'
		grep '^summary: ' "$u/create.out" || true
	} > "$u/create.result"
	# Where the time went: each progress line's time until the next one.
	awk -v end="$t1" -v start="$t0" '
		function key(l) {
			if (l ~ /^syncing/) return "sync"
			if (l ~ /^source tree/) return "plan"
			if (l ~ /^preparing/) return "prepare"
			if (l ~ /^compiling .*\(pre\)/) return "compile-pre"
			if (l ~ /^applying/) return "apply-patch"
			if (l ~ /^compiling .*\(post\)/) return "compile-post"
			if (l ~ /^comparing/) return "diff"
			if (l ~ /^building the core/) return "core-module"
			if (l ~ /^building the patch module/) return "patch-module"
			if (l ~ /^writing/) return "package"
			return "other" }
		{ t = $1; l = $0; sub(/^[^ ]+ ksplice-create: /, "", l)
		  if (prev != "") s[prev] += t - pt; else s["startup"] += t - start
		  prev = key(l); pt = t }
		END { if (prev != "") s[prev] += end - pt
		      for (k in s) printf "%s %.3f\n", k, s[k] }' "$u/create.err" > "$u/create.times"
	log "$(printf '%-55s %-9s %5.1f s %s' "$f" "$class" "$(echo "$t1 - $t0" | bc)" "$detail" | cut -c1-200)"
}

# Worker K of JOBS: every JOBS-th unit, with a cache (and farm) of its own.
create_worker() { # K
	local cache=$run/create n=0
	[ "$1" = 0 ] || cache=$run/create-$1
	while IFS=$'\t' read -r uid f kind t; do
		n=$((n + 1))
		[ $(((n - 1) % jobs)) = "$1" ] || continue
		[ "$redo" = 1 ] || [ ! -f "$run/units/$uid/create.result" ] || continue
		create_unit "$uid" "$f" "$kind" "$t" < /dev/null
	done < "$sel"
}
if [ "$do_create" = 1 ]; then
	pids=()
	for k in $(seq 0 $((jobs - 1))); do create_worker "$k" & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p"; done
fi

# 4. Live in the guest.

# GUEST: one line, the unit's outcome in the VM.  From the results of a
# run (batch or alone), for a unit that was in it.
guest_outcome() { # UNIT RESULTS
	# A target module that cannot load here (its init fails without its
	# hardware) counts as live-at-load when the loader patched it as it
	# came (a "coming" step) and the update applied and undid cleanly;
	# an update that must find it loaded (target_not_loaded) cannot be
	# tried here.
	awk -v u="$1" '
		$1 == u && $2 == "dirty" { print "dirty kernel log at " $3 ": " substr($0, index($0, $4)); d = 1; exit }
		$1 == u && $2 == "modprobe" && $3 != 0 && $4 != "-r" {
			absent = substr($0, index($0, $4)); next }
		$1 == u && $2 == "coming" && $3 == 0 { came = substr($0, index($0, $4)); next }
		$1 == u && $2 == "coming" { notcame = 1; next }
		$1 == u && $2 == "modprobe" && $3 != 0 {
			fail = "target module not loadable in the guest: " substr($0, index($0, $4)); exit }
		# Refused for want of the module the guest could not load (its
		# hooks or its own static keys need it loaded at apply).
		$1 == u && $2 == "apply" && $3 != 0 && $4 == "target_not_loaded" && absent != "" {
			fail = "target module not loadable in the guest: " absent; exit }
		$1 == u && $3 != 0 && ($2 == "apply" || $2 == "undo") {
			fail = $2 " failed (" $4 "): " substr($0, index($0, $5)); exit }
		$1 == u && $3 != 0 { fail = $2 " failed: " substr($0, index($0, $4)); exit }
		$1 == u { ok[$2] = 1 }
		END { if (d) exit
		      if (fail != "") { print fail; exit }
		      live = ok["apply"] && ok["view"] && ok["undo"]
		      if (absent != "" && (notcame || came == "" || !live)) {
			      print "target module not loadable in the guest: " absent; exit }
		      if (absent != "") print "live-at-load: " came
		      else if (live) print "live"
		      else print "incomplete" }' "$2"
}

run_batch() { # NAME UNIT...
	local name=$1 b=$run/batches/$1 uid rc=0 n
	shift
	n=$#
	rm -rf "$b"
	mkdir -p "$b/vm"
	for uid in "$@"; do
		mods=$(awk '$1 == "target" && $2 != "vmlinux" { print $2 }' \
			"$run/units/$uid/create.result" | sort -u | paste -sd, -)
		echo "$uid $run/units/$uid/pkg.tar.gz $uid ${mods:--}"
	done > "$b/list"
	local t0=$EPOCHREALTIME
	"$root/scripts/vm-run.sh" --timeout $((300 + 120 * n)) --out "$b/vm" \
		"$root/scripts/bench-realworld-guest.sh" "$bin" "$modroot" "$b/list" \
		> "$b/vm-run.log" 2>&1 || rc=$?
	printf '%s %.1f\n' "$rc" "$(echo "$EPOCHREALTIME - $t0" | bc)" > "$b/status"
	touch "$b/vm/results"
	# A clean batch: every unit's outcome stands.
	local clean=1
	[ "$rc" = 0 ] || clean=0
	grep -q ' dirty ' "$b/vm/results" && clean=0
	grep -q '^- workload-[a-z]* [^0]' "$b/vm/results" && clean=0
	if [ "$clean" = 1 ]; then
		for uid in "$@"; do
			{ guest_outcome "$uid" "$b/vm/results"; echo "batch $name"; } > "$run/units/$uid/guest.result"
		done
		return 0
	fi
	if [ "$n" -gt 1 ]; then
		log "batch $name: not clean (vm-run $rc); its updates run again one per boot"
		for uid in "$@"; do run_batch "$name-$uid" "$uid"; done
		return 0
	fi
	uid=$1
	local what
	what=$(guest_outcome "$uid" "$b/vm/results")
	case $rc in
	126) log "$name: the guest did not boot; left for the next run"; return 0 ;;
	124) what="guest hung at $(cut -d' ' -f2 "$b/vm/now" 2>/dev/null || true): vm-run timed out" ;;
	esac
	case $what in
	dirty*) ;;
	*) if grep -q '^- workload-[a-z]* [^0]' "$b/vm/results"; then
		what="workload failed: $(grep '^- workload-[a-z]* [^0]' "$b/vm/results" | head -1 | cut -d' ' -f2-)"
	   elif [ "$rc" = 125 ]; then
		what="dirty kernel log at $(cut -d' ' -f2 "$b/vm/now" 2>/dev/null || true): $(grep -h -m1 -E 'Call Trace|BUG:|WARNING:|Oops|panic' "$b/vm/console.log" | tr -d '\r' || true)"
	   elif [ "$rc" != 0 ] && [ "$rc" != 124 ]; then
		what="guest run failed (vm-run $rc): at $(cat "$b/vm/now" 2>/dev/null || true)"
	   fi ;;
	esac
	{ echo "$what"; echo "batch $name"; } > "$run/units/$uid/guest.result"
}

if [ "$do_guest" = 1 ]; then
	pending=()
	while IFS=$'\t' read -r uid f kind t; do
		[ "$(result_of "$uid" class)" = made ] || continue
		[ "$redo" = 1 ] || [ ! -f "$run/units/$uid/guest.result" ] || continue
		pending+=("$uid")
	done < "$sel"
	log "${#pending[@]} updates to apply in the guest, $batch per boot"
	i=0
	while [ $i -lt ${#pending[@]} ]; do
		name=$(date +%Y%m%d-%H%M%S)-$i
		run_batch "$name" "${pending[@]:$i:$batch}"
		log "batch $name: $(for u in "${pending[@]:$i:$batch}"; do
			head -1 "$run/units/$u/guest.result" 2>/dev/null | sed 's/: .*//'; done | sort | uniq -c | tr -s ' \n' ' ')"
		i=$((i + batch))
	done
fi

# 5. The table, over the selected units.
report() {
	local uid f kind t
	while IFS=$'\t' read -r uid f kind t; do
		local r=$run/units/$uid
		[ -f "$r/create.result" ] || { echo "U $uid pending"; continue; }
		echo "U $uid $(result_of "$uid" class) $kind $(result_of "$uid" seconds) $f"
		[ "$(result_of "$uid" class)" != made ] || [ -n "$t" ] || t=vmlinux
		echo "T $uid ${t:-vmlinux}"
		sed -n "s/^detail /D $uid /p" "$r/create.result"
		{ grep '^refused: ' "$r/create.out" || true; } | rule_of | sed "s/^/R $uid /"
		[ ! -f "$r/create.times" ] || sed "s/^/P $uid /" "$r/create.times"
		[ ! -f "$r/guest.result" ] || echo "G $uid $(head -1 "$r/guest.result")"
	done < "$sel" > "$data"
	for b in "$run"/batches/*/status; do
		[ ! -f "$b" ] || sed 's/^/B /' "$b"
	done >> "$data"
	awk -v old="$old" -v new="$new" -v rel="$KSPLICE_KREL" -v date="$(date -u +%F)" \
	    -v changed="$(awk -F'\t' '$2 ~ /\.c$/ && $1 == "M"' "$run/files.tsv" | wc -l)" \
	    -v gone="$(awk -F'\t' '$2 ~ /\.c$/ && $1 == "D"' "$run/files.tsv" | wc -l)" \
	    -v added="$(awk -F'\t' '$2 ~ /\.c$/ && $1 == "A"' "$run/files.tsv" | wc -l)" \
	    -v units="$(wc -l < "$run/units.tsv")" '
	function row(k, v) { printf "| %s | %s |\n", k, v }
	$1 == "U" { n++; cls[$3]++; kinds[$4]++; if ($3 != "pending") { secs += $5; csecs[$3] += $5 } }
	$1 == "R" { r = $0; sub(/^R [^ ]+ /, "", r); if (!((r, $2) in seenr)) { seenr[r, $2] = 1; rule[r]++ } }
	$1 == "P" { phase[$3] += $4 }
	$1 == "G" { g = $0; sub(/^G [^ ]+ /, "", g); k = g
		sub(/: .*/, "", k); gk[k]++; gn++
		if (!(k in gex)) gex[k] = $2 ": " g }
	$1 == "B" { boots++; gsecs += $3 }
	END {
		printf "Real fixes %s -> %s as hot updates of %s (%s)\n\n", old, new, rel, date
		printf "changed .c files: %d modified, %d gone, %d new; units (built by the %s configuration): %d, selected: %d\n\n", changed, gone, added, rel, units, n
		print "| ksplice-create | units |"
		print "|---|---|"
		row("made", cls["made"] + 0)
		row("refused", cls["refused"] + 0)
		# by count, most first
		nr = 0
		for (r in rule) order[++nr] = r
		for (i = 2; i <= nr; i++)
			for (j = i; j > 1 && rule[order[j]] > rule[order[j - 1]]; j--) {
				x = order[j]; order[j] = order[j - 1]; order[j - 1] = x }
		for (i = 1; i <= nr; i++) printf "| &nbsp; refused: %s | %d |\n", order[i], rule[order[i]]
		row("no change", cls["nochange"] + 0)
		row("needs a header change", cls["header"] + 0)
		row("error", cls["error"] + 0)
		if (cls["not-built"]) row("not built after all (a guessed object)", cls["not-built"])
		if (cls["pending"]) row("not run yet", cls["pending"])
		print ""
		print "| live in the guest (of the made) | updates |"
		print "|---|---|"
		row("applied, checked, undone; kernel log clean, workload ran", gk["live"] + 0)
		if (gk["live-at-load"]) row("the same, the target module patched as it loaded (its init then failed without its hardware)", gk["live-at-load"])
		for (k in gk) if (k != "live" && k != "live-at-load") printf "| %s | %d |\n", k, gk[k]
		if (cls["made"] - gn > 0) row("not run yet", cls["made"] - gn)
		build = cls["made"] + cls["refused"] + cls["error"]
		unloadable = gk["target module not loadable in the guest"] + 0
		live = gk["live"] + gk["live-at-load"]
		print ""
		printf "units that build and change code: %d; made and live: %d (%.1f %%)", build, live, build ? 100 * live / build : 0
		if (gk["live-at-load"]) printf "; %d of them with a module patched as it loaded", gk["live-at-load"]
		if (unloadable) printf "; %.1f %% without the %d whose module the guest cannot load", build - unloadable ? 100 * live / (build - unloadable) : 0, unloadable
		printf "\nerrors: %d\n\n", cls["error"]
		printf "time: ksplice-create %.0f s for %d units (%.1f s each)", secs, n - cls["pending"], n - cls["pending"] ? secs / (n - cls["pending"]) : 0
		printf "; guest %.0f s in %d boots\n", gsecs, boots
		printf "ksplice-create, by step (s):"
		for (p in phase) printf " %s %.0f;", p, phase[p]
		printf "\nksplice-create, by outcome (s, mean):"
		for (c in csecs) printf " %s %.1f;", c, csecs[c] / cls[c]
		print ""
		if (length(gex)) { print "\nexamples of guest outcomes:"; for (k in gex) if (k != "live") print "  " gex[k] }
	}' "$data"
	echo
	echo "not live in the guest:"
	awk '$1 == "G" && $3 != "live" && $3 != "live-at-load:"' "$data" | sort -k3 |
		while read -r _ uid what; do echo "  $(result_of "$uid" file): $what"; done | cut -c1-400
	echo
	echo "errors and header changes:"
	awk '$1 == "D" { sub(/^D /, ""); print "  " $0 }' "$data" |
		while read -r uid d; do echo "  $(result_of "$uid" file): $d"; done | cut -c1-400
}
if [ -z "$only$limit$sample" ]; then
	report | tee "$run/report.txt"
else
	report
fi
exit
}
