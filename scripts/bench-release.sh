#!/usr/bin/env bash
# Measurement: a whole release as one series (issue 12).  From two Debian
# 6.1 releases, OLD (the running kernel) and NEW (default 6.1.176-1 and
# 6.1.187-1): `ksplice-create --series` on OLD's and NEW's sources, then
# OLD's kernel booted in QEMU applies the whole series while a workload
# runs, the workload runs again (the health check), the series is undone
# with `ksplice-undo --all`, and the workload runs once more; the kernel log
# is checked after each step (scripts/bench-release-guest.sh).
#
#   scripts/bench-release.sh [--sample N] [--series-jobs N] [--redo]
#                            [--header-objects N]
#                            [--full-build | --full-build-only] [OLD NEW]
#
# --sample N: the series of N of the changed .c files (spread evenly over
# the list) instead of all: the later source is OLD's with those N files,
# and the changed headers they #include directly, replaced by NEW's (a
# fixed sample for a quick run).  --series-jobs N
# (default: the CPUs) builds N files at once, -j 1 each.
# --header-objects N: carry a changed header #included by up to N objects
# (ksplice-create --series-header-objects; default 100); run again with a
# larger N after a whole run, only the header groups are built (--resume).
# --full-build
# also times one full build (make vmlinux modules, -j CPUs) of OLD's
# configuration in a tree prepared as a user would: the baseline the
# series' build time is judged against (measured once per OLD and kept;
# it may run in pieces, see below).  --full-build-only does only that.
# The inputs
# are fetched as scripts/bench-realworld.sh fetches them (its cache).
# Results in BENCH/release/OLD_NEW[-sampleN]/: the series, create.log,
# guest results, and table.txt, which is also printed; the cache (farms,
# objects before the changes) in BENCH/release/cache-OLD, for every series
# from OLD: the first run for OLD is the "first series" of the build-time
# figure, any later one (another NEW) a "later series".  An interrupted
# run resumes where it stopped (ksplice-create --resume; the build time is
# the sum of the pieces) when it runs the very same ksplice-create with the
# same data (KSPLICE_BENCH_BIN: the tools' directory, default build/cli;
# KSPLICE_DATA_DIR: the loader's sources they package).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,37p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
old=6.1.176-1 new=6.1.187-1 sample= jobs=$(nproc) redo=0 full=0 headers=
pos=()
while [ $# -gt 0 ]; do
	case $1 in
	--sample) sample=$2; shift 2 ;;
	--series-jobs) jobs=$2; shift 2 ;;
	--header-objects) headers=$2; shift 2 ;;
	--redo) redo=1; shift ;;
	--full-build) full=1; shift ;;
	--full-build-only) full=only; shift ;;
	-h|--help) usage ;;
	-*) echo "bench-release: unknown option $1" >&2; usage ;;
	*) pos+=("$1"); shift ;;
	esac
done
[ ${#pos[@]} = 0 ] || [ ${#pos[@]} = 2 ] || usage
[ ${#pos[@]} = 0 ] || { old=${pos[0]}; new=${pos[1]}; }
log() { printf 'bench-release: %s\n' "$*" >&2; }
. "$root/scripts/bench/metered.sh"
bin=${KSPLICE_BENCH_BIN:-$root/build/cli}
. "$root/scripts/bench/need-tools.sh"
need_tools bench-release "$bin"

# 1. The inputs: OLD's image, headers and source, NEW's source.
"$root/scripts/bench-realworld.sh" --report "$old" "$new" > /dev/null
bench=${KSPLICE_CACHE:-$HOME/.cache/ksplice}/realworld
export KSPLICE_CACHE=$bench KSPLICE_KERNEL_VERSION=$old
. "$root/scripts/kernel-env.sh"
oldsrc=$KSPLICE_SRC newsrc=$bench/source/$new/linux-source-6.1
run=$bench/release/${old}_$new${sample:+-sample$sample}
[ "$redo" = 0 ] || rm -rf "$run"
mkdir -p "$run"
# One cache per running kernel, shared by every series for it (samples
# included): the objects one series compiled before the changes are the
# next one's, as in an operator's cache (the "later series" build time).
# A run from before this cache kept its own, which stays where it is
# (its farms hold absolute paths), named by a link.
cache=$bench/release/cache-$old
[ -e "$cache" ] || [ ! -d "$run/cache" ] || ln -s "$run/cache" "$cache"

# The baseline: one full build of OLD's configuration, measured once, in a
# copy of the tree scripts/prepare-tree.sh prepares from OLD's source and
# config (as a user would).  It takes hours on a small machine, so it may
# run in pieces: make resumes where an interrupted run stopped (the build
# tree is kept until it ends), and each piece's wall and CPU time is added
# to full-build-OLD.time.pieces (metered: a piece whose script is killed
# outright counts to within 10 s).  The CPU time (user + system of every
# compiler) is what the series is compared with when the two did not have
# the machine to themselves.
fullfile=$bench/release/full-build-$old.time
full_build() {
	[ ! -f "$fullfile" ] || return 0
	local fb=$bench/release/full-build-$old rc=0 tree
	if [ ! -f "$fb/.ksplice-full-build" ]; then
		tree=$("$root/scripts/prepare-tree.sh")
		rm -rf "$fb" && cp -a "$tree" "$fb" && touch "$fb/.ksplice-full-build"
	fi
	piece_leftover "$fullfile.piece" "$fullfile.pieces"
	log "timing a full build of $old (make vmlinux modules -j$(nproc)); $(cat "$fullfile.pieces" 2>/dev/null | wc -l) pieces so far"
	metered "$fullfile.piece" nice make -C "$fb" -s -j"$(nproc)" KERNELRELEASE="$KSPLICE_KREL" vmlinux modules \
		>> "$bench/release/full-build-$old.log" 2>&1 || rc=$?
	cat "$fullfile.piece" >> "$fullfile.pieces" && rm "$fullfile.piece"
	[ "$rc" = 0 ] || { echo "bench-release: error: the full build failed or stopped (make exited $rc; see $bench/release/full-build-$old.log); run again to resume" >&2; exit 1; }
	awk '{ w += $1; c += $2 } END { printf "%.1f %.1f %d\n", w, c, NR }' "$fullfile.pieces" > "$fullfile"
	rm -rf "$fb"
}
[ "$full" != only ] || { full_build; cat "$fullfile"; exit 0; }

# 2. The later source: NEW's, or OLD's with a sample of NEW's .c files.
later=$newsrc
if [ -n "$sample" ]; then
	later=$run/later/linux-source-6.1
	if [ ! -d "$later" ]; then
		log "sampling $sample of the changed .c files"
		rm -rf "$run/later" && mkdir -p "$run/later"
		cp -al "$oldsrc" "$later"
		(diff -rq "$oldsrc" "$newsrc" || true) |
			sed -n "s|^Files $oldsrc/\(.*\.c\) and .* differ$|\1|p" | LC_ALL=C sort > "$run/changed-c.txt"
		awk -v n="$sample" -v total="$(wc -l < "$run/changed-c.txt")" '
			BEGIN { step = total / n }
			NR - 1 >= next_at && taken < n { print; taken++; next_at += step }' \
			"$run/changed-c.txt" > "$run/sample.txt"
		# and the changed headers those files include directly: a file
		# that needs a header change gets it, as in the whole release.
		(diff -rq "$oldsrc" "$newsrc" || true) |
			sed -n "s|^Files $oldsrc/\(.*\.h\) and .* differ$|\1|p" | LC_ALL=C sort > "$run/changed-h.txt"
		while read -r f; do
			sed -n 's/^#[[:space:]]*include[[:space:]]*\([<"]\)\([^>"]*\)[>"].*/\1\2/p' "$newsrc/$f" |
			while read -r inc; do
				name=${inc#?}
				case $inc in
				'"'*) echo "$(dirname "$f")/$name" ;;
				*) echo "include/$name"; echo "arch/x86/include/$name" ;;
				esac
			done
		done < "$run/sample.txt" | LC_ALL=C sort -u | comm -12 - "$run/changed-h.txt" > "$run/sample-h.txt"
		cat "$run/sample-h.txt" >> "$run/sample.txt"
		while read -r f; do	# unlink first: the tree is hard-linked to OLD's
			cp --remove-destination "$newsrc/$f" "$later/$f"
		done < "$run/sample.txt"
	fi
fi

# 3. The series, timed.  Another --header-objects than the last run's
# builds it again (resumed: only header groups are new work), its time
# added to the pieces.
last_headers=$(cat "$run/create.header-objects" 2> /dev/null || echo 100)
if [ -f "$run/create.time" ] && [ "$last_headers" != "${headers:-100}" ]; then
	log "--header-objects ${headers:-100} (was $last_headers): the series again, resumed"
	rm -f "$run/create.time" && rm -rf "$run/guest"
fi
if [ ! -f "$run/create.time" ]; then
	echo "${headers:-100}" > "$run/create.header-objects"
	# --resume: the files an interrupted run finished with the same inputs
	# are not built again (their results are in series/results/); the time
	# is then this run's alone.
	# Each run is a piece (create.pieces: wall, CPU), metered: a piece
	# killed outright (its script too) left its last reading in
	# create.cpu.  (Pieces of runs from before the meter, killed, were
	# recorded with their wall time from the log's last write and CPU "?".)
	if [ -f "$run/create.started" ] && [ -f "$run/create.log" ]; then
		cat "$run/create.log" >> "$run/create-earlier.log"
		[ -f "$run/create.cpu" ] ||
			echo "$(($(stat -c %Y "$run/create.log") - $(cat "$run/create.started"))) ?" > "$run/create.cpu"
		piece_leftover "$run/create.cpu" "$run/create.pieces"
	fi
	log "ksplice-create --series --resume ($jobs workers; log in $run/create.log)"
	date +%s > "$run/create.started"
	rc=0
	metered "$run/create.cpu" nice "$bin/ksplice-create" --series "$later" --resume --from "$old" --to "$new" \
		--series-jobs "$jobs" -j 1 ${headers:+--series-header-objects "$headers"} --config "$KSPLICE_KCONFIG" \
		--headers "$KSPLICE_HEADERS" --cache "$cache" -o "$run/series" \
		"$oldsrc" > "$run/create.log" 2>&1 || rc=$?
	cat "$run/create.cpu" >> "$run/create.pieces" && rm "$run/create.started"
	awk -v rc="$rc" '{ w += $1; if ($2 == "?") unknown++; else c += $2 }
		END { printf "%.1f %s %.1f %d %d\n", w, rc, c, NR, unknown }' "$run/create.pieces" > "$run/create.time"
fi
read -r create_s create_rc create_cpu create_pieces create_unknown < "$run/create.time"
[ -f "$run/series/series" ] || { tail "$run/create.log"; echo "bench-release: error: no series (ksplice-create exited $create_rc)" >&2; exit 1; }

[ "$full" != 1 ] || full_build

# 4. The guest.
if [ ! -f "$run/guest/results" ] || [ "$redo" = 1 ]; then
	rm -rf "$run/guest" && mkdir -p "$run/guest"
	n=$(grep -c '^update ' "$run/series/series")
	[ -f "$KSPLICE_MODDIR/modules.dep" ] || depmod -b "$KSPLICE_KDIR/root" "$KSPLICE_KREL"
	"$root/scripts/vm-run.sh" --timeout $((600 + 30 * n)) --out "$run/guest" \
		"$root/scripts/bench-release-guest.sh" "$bin" "$KSPLICE_KDIR/root" "$run/series" \
		> "$run/guest/vm-run.log" 2>&1 || log "vm-run exited $? (see $run/guest/vm-run.log)"
fi

# 5. The table.
res=$run/guest/results
field() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$res" 2>/dev/null; }
{
	echo "bench-release: $old -> $new${sample:+ (sample of $sample .c files)}, kernel $KSPLICE_KREL, $(date -u +%Y-%m-%d)"
	grep -E '^[0-9]+ changed files|^coverage:|^headers:' "$run/series/report.txt"
	"$root/scripts/bench/live-coverage.sh" "$run/series" "$run/guest"
	grep -E '^ksplice-create: compiled once:' "$run/create.log" | sed 's/^ksplice-create: //' || true
	# issue 9's measure on the same files: of the .c files that build
	# and change code (made or refused), how many are made.
	awk -F': ' '$1 ~ /\.c$/ { f = $2; sub(/ .*/, "", f); m += f == "update"; r += f == "refused" }
		END { if (m + r) printf "by .c file: %d of %d that build and change code made (%.1f %%), %d refused\n", m, m + r, 100 * m / (m + r), r }' \
		"$run/series/report.txt"
	printf 'fates:'; sed -n 's/^[^ ]*: \(update\|no functional change\|refused\|not in this configuration\|header, not carried\|needs a header change, not carried\|not a C file, not carried\|error\)\b.*/\1/p' \
		"$run/series/report.txt" | sort | uniq -c | awk '{ c = $1; $1 = ""; printf "%s %s;", c, substr($0, 2) }'; echo
	printf 'build: %.0f s, %.0f s of CPU%s, with %s workers, in %s piece(s) (ksplice-create exit %s)' "$create_s" "${create_cpu:-0}" \
		"$([ "${create_unknown:-0}" = 0 ] || echo " (at least: $create_unknown interrupted pieces' CPU unknown)")" \
		"$jobs" "${create_pieces:-1}" "$create_rc"
	if [ -f "$fullfile" ]; then
		read -r full_s full_cpu full_pieces < "$fullfile"
		printf '; one full build: %.0f s, %.0f s of CPU, in %s piece(s) (series/full: %.2fx of CPU)\n' \
			"$full_s" "$full_cpu" "$full_pieces" "$(echo "${create_cpu:-0} / $full_cpu" | bc -l)"
	else echo "; one full build: not measured (--full-build)"; fi
	echo "apply of the series under load: $(field apply)"
	echo "updates: $(field updates) (waiting: for a module not loaded in the guest)"
	grep -o "wait.* for modules that are not loaded: [^;]*" "$run/guest/apply.out" 2>/dev/null | sed 's/^/  /' || true
	[ -z "$(field apply-loaded)" ] || echo "apply again with those modules loaded: $(field apply-loaded)"
	echo "health after apply: $(field health-applied)"
	echo "undo --all: $(field undo)"
	echo "health after undo: $(field health-undone)"
	echo "kernel log: $(field log)"
	echo "refusals by rule:"
	sed -n 's/^[^ ]*: refused: //p' "$run/series/report.txt" |
		sed -E "s/^[^ ]+\.o: //; s/^[^ ]+:\([^)]*\)( '[^']*')?: //; s/'[^']*'/'X'/g; s/0x[0-9a-f]+/N/g; s/[0-9]+/N/g; s/: .*//" |
		sort | uniq -c | sort -rn | sed 's/^/  /'
} | tee "$run/table.txt"
