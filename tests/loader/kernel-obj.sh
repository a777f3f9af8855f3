#!/usr/bin/env bash
# Test tool: compile one file of the prepared kernel tree as the Debian
# kernel does (same gcc command line and objtool pass, taken from kbuild's
# dry run), plus -ffunction-sections -fdata-sections, into OUT.o, without
# writing into the tree.  With PATCH, compile the file after applying the
# patch (patch -p1 of a copy).
#
#   tests/loader/kernel-obj.sh FILE.c OUT.o [PATCH]      e.g. fs/proc/cmdline.c
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/kernel-env.sh"
[ $# -ge 2 ] || { echo "usage: $0 FILE.c OUT.o [PATCH]" >&2; exit 2; }
src=$1 obj=${1%.c}.o
mkdir -p "$(dirname "$2")"
out=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
patchfile=${3:+$(readlink -f "$3")}
work=$(mktemp -d "${TMPDIR:-/tmp}/ksplice-kobj.XXXXXX")
trap 'rm -rf "$work"' EXIT

dry=$("$here/../../scripts/kmake.sh" -n V=1 "$obj" \
	KCFLAGS="-ffunction-sections -fdata-sections" 2>/dev/null)
cc=$(printf '%s\n' "$dry" | grep -o "gcc -Wp,-MMD,[^;]* -c -o $obj $src" | sed -n 1p)
objtool=$(printf '%s\n' "$dry" | grep -o "\./tools/objtool/objtool [^;']* $obj" | sed -n 1p)
[ -n "$cc" ] || { echo "kernel-obj: no compile command for $src" >&2; exit 1; }

file=$KSPLICE_TREE/$src
if [ -n "$patchfile" ]; then
	mkdir -p "$work/a/$(dirname "$src")"
	cp "$file" "$work/a/$src"
	(cd "$work/a" && patch -s -p1 < "$patchfile")
	file=$work/a/$src
fi
# Same __FILE__ and quote-includes as in the tree.  kbuild's command line
# is shell-quoted (-DKBUILD_MODNAME='"name"'), and the dry run prints it
# inside single quotes ('\'' for each quote): unescape, then eval it.
cc=${cc% -c -o $obj $src}
cc=${cc//\'\\\'\'/\'}
cc=${cc/-Wp,-MMD,*.d /-Wp,-MMD,$work/dep.d }
cd "$KSPLICE_TREE"
eval "$cc" -fmacro-prefix-map='"$work/a/="' -iquote '"$(dirname "$src")"' \
	-c -o '"$out"' '"$file"'
if [ -n "$objtool" ]; then
	${objtool% $obj} "$out"
fi
