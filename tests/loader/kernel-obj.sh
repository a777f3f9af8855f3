#!/usr/bin/env bash
# Test tool: compile files of the prepared kernel tree as the Debian kernel
# does (same gcc command line and objtool pass, taken from kbuild's dry
# run), plus -ffunction-sections -fdata-sections, without writing into the
# tree.  Each SPEC is FILE.c:OUT.o or FILE.c:OUT.o:PATCH; with PATCH, the
# file is compiled after applying the patch (patch -p1 of a copy).  One dry
# run serves every SPEC (it costs several seconds of make, more than most
# compiles); the compiles then run side by side.
#
#   tests/loader/kernel-obj.sh SPEC...     e.g. fs/proc/cmdline.c:pre.o
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/kernel-env.sh"
[ $# -ge 1 ] || { echo "usage: $0 FILE.c:OUT.o[:PATCH]..." >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ksplice-kobj.XXXXXX")
trap 'rm -rf "$work"' EXIT

objs=()
for spec in "$@"; do
	src=${spec%%:*}
	objs+=("${src%.c}.o")
done
dry=$("$here/../../scripts/kmake.sh" -n V=1 $(printf '%s\n' "${objs[@]}" | sort -u) \
	KCFLAGS="-ffunction-sections -fdata-sections" 2>/dev/null) ||
	{ echo "kernel-obj: kbuild's dry run of ${objs[*]} failed" >&2; exit 1; }

# compile N FILE.c OUT.o [PATCH]: the N-th object, in $work/N.
compile() {
	local n=$1 src=$2 out=$3 patchfile=${4:-} obj=${2%.c}.o cc objtool file
	cc=$(printf '%s\n' "$dry" | grep -o "gcc -Wp,-MMD,[^;]* -c -o $obj $src" | sed -n 1p)
	objtool=$(printf '%s\n' "$dry" | grep -o "\./tools/objtool/objtool [^;']* $obj" | sed -n 1p)
	[ -n "$cc" ] || { echo "kernel-obj: no compile command for $src" >&2; return 1; }
	mkdir -p "$work/$n/a" "$(dirname "$out")"
	out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
	file=$KSPLICE_TREE/$src
	if [ -n "$patchfile" ]; then
		mkdir -p "$work/$n/a/$(dirname "$src")"
		cp "$file" "$work/$n/a/$src"
		(cd "$work/$n/a" && patch -s -p1 < "$patchfile")
		file=$work/$n/a/$src
	fi
	# Same __FILE__ and quote-includes as in the tree.  kbuild's command
	# line is shell-quoted (-DKBUILD_MODNAME='"name"'), and the dry run
	# prints it inside single quotes ('\'' for each quote): unescape, then
	# eval it.
	cc=${cc% -c -o $obj $src}
	cc=${cc//\'\\\'\'/\'}
	cc=${cc/-Wp,-MMD,*.d /-Wp,-MMD,$work/$n/dep.d }
	(
		cd "$KSPLICE_TREE"
		eval "$cc" -fmacro-prefix-map='"$work/$n/a/="' -iquote '"$(dirname "$src")"' \
			-c -o '"$out"' '"$file"'
		[ -z "$objtool" ] || ${objtool% $obj} "$out"
	)
}

n=0 running=0 rc=0
for spec in "$@"; do
	IFS=: read -r src out patchfile <<< "$spec"
	compile $n "$src" "$out" "${patchfile:+$(readlink -f "$patchfile")}" &
	n=$((n + 1)) running=$((running + 1))
	if [ "$running" -ge "$(nproc)" ]; then
		wait -n || rc=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || rc=1
	running=$((running - 1))
done
exit $rc
