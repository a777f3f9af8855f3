#!/usr/bin/env bash
# Host side of the real-kernel suite: run ksplice-create on every patch of
# testdata/kernel-patches against the cached Debian source, check each exit
# status against cases.tsv, and leave the packages in OUTDIR for the VM
# tests.  Also builds data-new on top of meminfo-string (--after) for the
# stacked test, and checks that the same inputs give a byte-identical
# package.
#   create-all.sh KSPLICE_CREATE OUTDIR
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
create=$(readlink -f "$1") out=$2
. "$root/scripts/kernel-env.sh" || exit 1
patches=$root/testdata/kernel-patches
mkdir -p "$out"
out=$(readlink -f "$out")
failed=0

make_update() { # ID EXPECTED ARGS...   (the cache: $cache, else OUTDIR/cache)
	local id=$1 want=$2 rc
	shift 2
	"$create" --id "$id" --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "${cache:-$out/cache}" -o "$out/$id.tar.gz" "$@" "$KSPLICE_SRC" \
		> "$out/$id.log" 2>&1
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $id: ksplice-create exited $rc, expected $want"
		sed 's/^/    /' "$out/$id.log"
		failed=1
	else
		echo "ok: $id: exit $rc: $(grep -E '^(  replaced|refused|  new)' "$out/$id.log" | tr '\n' ';')"
	fi
}

# The user's tree must stay byte-for-byte as it was: names, types, sizes,
# modes and mtimes of everything, and the contents of what the patches touch.
fingerprint() {
	{
		find "$KSPLICE_SRC" -printf '%P %y %s %m %T@\n' | LC_ALL=C sort
		sed -n 's|^+++ b/||p' "$patches"/*.patch | cut -f1 | sort -u |
			(cd "$KSPLICE_SRC" && xargs sha256sum)
	} | sha256sum
}
source_before=$(fingerprint)

# The cases, one lane per CPU (a run of ksplice-create is mostly one
# process at a time): lane N makes every Nth case, in its own cache (a
# cache's farm is one tree: runs on one cache wait for each other).  Each
# case's verdict is printed in the order of cases.tsv once all are made.
lanes=$(nproc)
lane() { # N
	local n=$1 i=0 case want what cache=$out/cache
	[ "$n" = 0 ] || cache=$out/cache-$n
	while IFS=$'\t' read -r case want what; do
		case $case in '#'* | '') continue ;; esac
		i=$((i + 1))
		[ $(((i - 1) % lanes)) = "$n" ] || continue
		make_update "$case" "$want" --patch "$patches/$case.patch" > "$out/$case.verdict"
	done < "$patches/cases.tsv"
}
for n in $(seq 0 $((lanes - 1))); do lane "$n" & done
wait
while IFS=$'\t' read -r case want what; do
	case $case in '#'* | '') continue ;; esac
	cat "$out/$case.verdict"
	! grep -q '^FAIL' "$out/$case.verdict" || failed=1
done < "$patches/cases.tsv"

# Each case of sites.tsv carries the site kinds it is there to exercise.
while IFS=$'\t' read -r case sections; do
	case $case in '#'* | '') continue ;; esac
	ko=$(tar -tzf "$out/$case.tar.gz" 2> /dev/null | grep "/ksplice-$case\.ko$")
	have=$(tar -xzOf "$out/$case.tar.gz" "$ko" 2> /dev/null > "$out/$case.ko" &&
		readelf -SW "$out/$case.ko" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p')
	missing=
	for s in $sections; do
		want=$s
		case $s in klp:*) want=.klp.rela.vmlinux.${s#klp:} ;; esac
		printf '%s\n' "$have" | grep -xF -- "$want" > /dev/null || missing="$missing $want"
	done
	if [ -n "$missing" ]; then
		echo "FAIL: $case: its patch module lacks$missing"
		failed=1
	else
		echo "ok: $case: its patch module has $sections"
	fi
done < "$patches/sites.tsv"

make_update data-new-series 0 --patch "$patches/data-new.patch" \
	--after "$patches/meminfo-string.patch"
# Its manifest names the --after patch by sha256, exactly once: ksplice-apply
# refuses it until the update built from that patch is applied.
after_lines=$(tar -xzOf "$out/data-new-series.tar.gz" \
	ksplice-data-new-series/manifest 2> /dev/null | grep '^after ')
want_after="after $(sha256sum < "$patches/meminfo-string.patch" | cut -d' ' -f1)"
if [ "$after_lines" != "$want_after" ]; then
	echo "FAIL: data-new-series: manifest 'after' lines are '$after_lines', expected '$want_after'"
	failed=1
else
	echo "ok: data-new-series: manifest requires meminfo-string.patch ($want_after)"
fi

# Signed: the package's manifest.sig names the signing key, and both
# modules carry the kernel's module signature (scripts/sign-file).
openssl genpkey -algorithm ed25519 -out "$out/sign.pem" 2> /dev/null
openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 \
	-subj "/CN=ksplice test modules/" -newkey rsa:2048 \
	-keyout "$out/module-key.pem" -out "$out/module-cert.pem" 2> /dev/null
make_update signed 0 --patch "$patches/cmdline-string.patch" \
	--sign "$out/sign.pem" --module-key "$out/module-key.pem" \
	--module-cert "$out/module-cert.pem"
fp=sha256:$(openssl pkey -in "$out/sign.pem" -pubout -outform DER | sha256sum | cut -d' ' -f1)
sig_key=$(tar -xzOf "$out/signed.tar.gz" ksplice-signed/manifest.sig 2> /dev/null | sed -n 's/^key //p')
unsigned_kos=
for ko in ksplice.ko ksplice-signed.ko; do
	tar -xzOf "$out/signed.tar.gz" "ksplice-signed/$ko" 2> /dev/null | tail -c 28 |
		grep -q '~Module signature appended~' || unsigned_kos="$unsigned_kos $ko"
done
if [ "$sig_key" != "$fp" ] || [ -n "$unsigned_kos" ]; then
	echo "FAIL: signed: manifest.sig key '$sig_key' (want '$fp'); modules not signed:$unsigned_kos"
	failed=1
else
	echo "ok: signed: manifest.sig by $fp, both modules signed"
fi

# Two runs on one cache at once: the second waits for the first (the farm
# is not shareable), and both give the packages a lone run gives.
mkdir -p "$out/parallel"
for c in new-function syscall; do
	"$create" --id "$c" --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "$out/cache" -o "$out/parallel/$c.tar.gz" \
		--patch "$patches/$c.patch" "$KSPLICE_SRC" > "$out/parallel/$c.log" 2>&1 &
done
wait
for c in new-function syscall; do
	if ! cmp -s "$out/parallel/$c.tar.gz" "$out/$c.tar.gz"; then
		echo "FAIL: $c: concurrent run on one cache gave another package"
		sed 's/^/    /' "$out/parallel/$c.log"
		failed=1
	fi
done
grep -q 'waiting for another ksplice-create' "$out"/parallel/*.log ||
	{ echo "FAIL: concurrent runs did not wait for each other"; failed=1; }
[ "$failed" = 0 ] && echo "ok: concurrent runs on one cache serialize and agree"

# Ctrl-C in the middle (SIGINT to the whole process group, compiler and
# all, while the patched copy is in the farm): the source stays unchanged,
# and the next run (the rebuild below) repairs the farm.
set -m	# the background job gets its own process group, SIGINT not ignored
"$create" --id interrupted --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$out/cache" -o "$out/interrupted.tar.gz" \
	--patch "$patches/cmdline-string.patch" "$KSPLICE_SRC" > "$out/interrupted.log" 2>&1 &
pid=$!
set +m
for _ in $(seq 1200); do
	grep -q '(post)' "$out/interrupted.log" && break
	sleep 0.05
done
kill -INT -- "-$pid" 2> /dev/null
wait "$pid" && { echo "FAIL: interrupted ksplice-create exited 0"; failed=1; }
if [ -e "$out/interrupted.tar.gz" ]; then
	echo "FAIL: interrupted ksplice-create left a package"
	failed=1
elif [ "$(fingerprint)" != "$source_before" ]; then
	echo "FAIL: the source tree changed after an interrupted ksplice-create"
	failed=1
else
	echo "ok: interrupted at '$(tail -1 "$out/interrupted.log")': source unchanged"
fi

# Reproducible: the same inputs give the same bytes.  The rebuild also
# gives the cache and the output as relative paths (the helper scripts run
# make elsewhere: a regression once).
cp "$out/cmdline-string.tar.gz" "$out/cmdline-string.first.tar.gz"
rm "$out/cmdline-string.tar.gz"
(
	cd "$out" && "$create" --id cmdline-string --config "$KSPLICE_KCONFIG" \
		--headers "$KSPLICE_HEADERS" --cache cache -o cmdline-string.tar.gz \
		--patch "$patches/cmdline-string.patch" "$KSPLICE_SRC" > cmdline-string.log 2>&1
) || { echo "FAIL: cmdline-string with a relative --cache and -o:"; sed 's/^/    /' "$out/cmdline-string.log"; failed=1; }
if cmp -s "$out/cmdline-string.tar.gz" "$out/cmdline-string.first.tar.gz"; then
	echo "ok: cmdline-string: rebuilt package is byte-identical"
else
	echo "FAIL: cmdline-string: rebuilding gave a different package"
	failed=1
fi
if [ "$(fingerprint)" = "$source_before" ]; then
	echo "ok: the source tree is byte-for-byte unchanged"
else
	echo "FAIL: the source tree changed"
	failed=1
fi
exit $failed
