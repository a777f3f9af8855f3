#!/usr/bin/env bash
# Self-diff sample over the prepared kernel tree (ctest label "kernel").
#
#   scripts/selfdiff-sample.sh KSPLICE_DIFF [COUNT]
#
# Compiles COUNT (default 200) compilation units of $KSPLICE_TREE with the
# kernel's own command line (taken from fs/proc/.cmdline.o.cmd, per-file
# KBUILD_* names substituted) plus -ffunction-sections -fdata-sections, runs
# objtool on them as kbuild does, and into a scratch directory only: the
# shared tree is never written (except fs/proc/cmdline.o via scripts/kmake.sh
# if its .cmd is missing).  Files that do not compile with the borrowed
# command line (per-directory flags) are skipped and counted.
#   1. every object diffed against itself must be "no-change" (exit 3);
#   2. fs/proc/cmdline.c with cmdline_proc_show changed must change exactly
#      that function, and the patch object must be written.
# Prints the timings (compile, and diff per object).
set -euo pipefail
tool=$(realpath "$1")
want=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kernel-env.sh"
tree=$KSPLICE_TREE
jobs=${KSPLICE_JOBS:-2}
scratch=$(mktemp -d /tmp/ksplice-selfdiff.XXXXXX)
trap '[ -n "${KSPLICE_KEEP:-}" ] || rm -rf "$scratch"' EXIT

cmdfile=$tree/fs/proc/.cmdline.o.cmd
[ -f "$cmdfile" ] || "$here/kmake.sh" -s fs/proc/cmdline.o >/dev/null
line=$(grep -m1 '^cmd_fs/proc/cmdline.o := ' "$cmdfile")
line=${line#cmd_fs/proc/cmdline.o := }
gcc_part=${line%%; ./tools/objtool/objtool*}
objtool_part="./tools/objtool/objtool${line#*; ./tools/objtool/objtool}"
objtool_part=${objtool_part% fs/proc/cmdline.o}
# Drop the dependency file and the per-file parts.
gcc_part=$(sed -e 's/-Wp,-MMD,[^ ]*//' \
	-e "s/-DKBUILD_MODFILE=[^ ]*//; s/-DKBUILD_BASENAME=[^ ]*//" \
	-e "s/-DKBUILD_MODNAME=[^ ]*//; s/-D__KBUILD_MODNAME=[^ ]*//" \
	-e 's/ -c -o fs\/proc\/cmdline.o fs\/proc\/cmdline.c *$//' <<<"$gcc_part")
export gcc_part objtool_part scratch tree

compile_one() { # SRC OUT
	local src=$1 out=$2 stem mod
	stem=$(basename "$src" .c)
	mod=${stem//-/_}
	mkdir -p "$(dirname "$out")"
	(cd "$tree" && eval "$gcc_part -DKBUILD_MODFILE='\"${src%.c}\"'" \
		"-DKBUILD_BASENAME='\"$stem\"' -DKBUILD_MODNAME='\"$mod\"'" \
		"-D__KBUILD_MODNAME=kmod_$mod -ffunction-sections -fdata-sections" \
		"-c -o $out $src" && eval "$objtool_part $out") >/dev/null 2>&1
}
export -f compile_one

# Candidates: core directories, in a fixed order.
(cd "$tree" && find kernel fs mm ipc block lib security net/core -maxdepth 1 \
	-name '*.c' | LC_ALL=C sort) >"$scratch/candidates"
t0=$(date +%s.%N)
# Compile in chunks until COUNT objects exist (some candidates are not in
# this configuration or need per-directory flags).
split -l 40 "$scratch/candidates" "$scratch/chunk."
for chunk in "$scratch"/chunk.*; do
	xargs -P "$jobs" -I{} bash -c \
		'compile_one {} "$scratch/obj/{}.o" || echo {} >>"$scratch/failed"' \
		<"$chunk"
	[ "$(find "$scratch/obj" -name '*.o' | wc -l)" -lt "$want" ] || break
done
t1=$(date +%s.%N)
find "$scratch/obj" -name '*.o' | LC_ALL=C sort | head -n "$want" \
	>"$scratch/objects"
n=$(wc -l <"$scratch/objects")
failed=$(cat "$scratch/failed" 2>/dev/null | wc -l)
if [ "$n" -lt "$want" ]; then
	echo "selfdiff: only $n objects compiled ($failed failed); want $want" >&2
	exit 1
fi

bad=0
t2=$(date +%s.%N)
while read -r obj; do
	rc=0
	out=$("$tool" --json "$obj" "$obj" 2>&1) || rc=$?
	if [ "$rc" -ne 3 ]; then
		echo "selfdiff: ${obj#$scratch/obj/}: exit $rc: $out" >&2
		bad=$((bad + 1))
	fi
done <"$scratch/objects"
t3=$(date +%s.%N)

# A real change: cmdline_proc_show prints an extra space.
mkdir -p "$scratch/cmdline/pre/fs/proc" "$scratch/cmdline/post/fs/proc"
cp "$tree/fs/proc/cmdline.c" "$scratch/cmdline/pre/fs/proc/cmdline.c"
sed 's/seq_putc(m, .\\n.);/seq_putc(m, '"'"' '"'"');\n\tseq_putc(m, '"'"'\\n'"'"');/' \
	"$tree/fs/proc/cmdline.c" >"$scratch/cmdline/post/fs/proc/cmdline.c"
if cmp -s "$scratch/cmdline/pre/fs/proc/cmdline.c" \
	"$scratch/cmdline/post/fs/proc/cmdline.c"; then
	echo "selfdiff: could not modify fs/proc/cmdline.c" >&2
	exit 1
fi
for side in pre post; do
	compile_one "$scratch/cmdline/$side/fs/proc/cmdline.c" \
		"$scratch/cmdline/$side.o"
done
rc=0
json=$("$tool" --json --symvers "$KSPLICE_HEADERS/Module.symvers" \
	--unit-name fs/proc/cmdline.o "$scratch/cmdline/pre.o" \
	"$scratch/cmdline/post.o" -o "$scratch/cmdline/patch.o") || rc=$?
expect='{"verdict": "changed", "changed_functions": ["cmdline_proc_show"], "new_functions": [], "removed_functions": [], "new_data": [], "refusals": []}'
if [ "$rc" -ne 0 ] || [ "$json" != "$expect" ] ||
	[ ! -s "$scratch/cmdline/patch.o" ]; then
	echo "selfdiff: fs/proc/cmdline.c change: exit $rc: $json" >&2
	bad=$((bad + 1))
fi

awk -v n="$n" -v f="$failed" -v c="$(echo "$t1 - $t0" | bc)" \
	-v d="$(echo "$t3 - $t2" | bc)" 'BEGIN {
	printf "selfdiff: %d objects (%d candidates skipped: did not compile)\n", n, f
	printf "selfdiff: compile %.1f s; self-diff %.2f s total, %.1f ms/object\n", c, d, d * 1000 / n
}'
[ "$bad" -eq 0 ] || { echo "selfdiff: $bad failure(s)" >&2; exit 1; }
echo "selfdiff: ok"
