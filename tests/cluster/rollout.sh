#!/usr/bin/env bash
# cluster.vm_rollout (label vm): the Ansible role ksplice_update
# (packaging/ansible) rolls a real update out over two QEMU guests of the
# Debian kernel, with ansible-playbook on this host over SSH.  Each guest
# runs the host's sshd in a Debian root (guest/node.sh) with throwaway keys
# made here; vm-run --ssh forwards a port of 127.0.0.1 to its port 22.
# The update packages are the loader tests' kstest updates (update_mkpkg),
# signed: value2 makes /proc/kstest/value read 2, value3 (on top of it) 3.
# The health check records the value it sees on the host and fails above
# the host's kstest_max.  Both guests stay up for all the runs:
#   A  node2 trusts another key than the packages' (/etc/ksplice/keys): its
#      dry run fails (untrusted_package), no host changes
#   B  a directory holding value2 goes to node1 (canary), then node2: both
#      applied (ksplice-view --json), each health check saw 2
#   C  the same again: already applied everywhere, nothing changes
#   D  value3, node1's health check fails (canary): value3 undone there,
#      node2 never gets it
#   E  value3, node2's health check fails: node1 keeps value3, node2's is
#      undone and the playbook fails
# Then both guests shut down; vm-run fails on a warning in either kernel log.
#
#   tests/cluster/rollout.sh UPDATE_MKPKG BUILD_DIR LOADER_OUT WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -eq 4 ] || { echo "usage: $0 UPDATE_MKPKG BUILD_DIR LOADER_OUT WORK_DIR" >&2; exit 2; }
mkpkg=$1 build=$(cd "$2" && pwd) lo=$(cd "$3" && pwd) work=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
for p in ansible-playbook ssh ssh-keygen /usr/sbin/sshd; do
	command -v "$p" > /dev/null || fail "$p is missing (scripts/install-deps.sh installs ansible-core and openssh-server)"
done
. "$root/scripts/kernel-env.sh"
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
SECONDS=0

# --- update packages ----------------------------------------------------------
printf -- '--- a/kstest_main.c\n+++ b/kstest_main.c\n' > "$work/patch"
for k in signing other; do
	openssl genpkey -algorithm ed25519 -out "$work/$k.pem" 2> /dev/null
	openssl pkey -in "$work/$k.pem" -pubout -out "$work/$k.pub.pem"
done
pkg() {
	"$mkpkg" --sign "$work/signing.pem" --id "$1" --release "$KSPLICE_KREL" \
		--symvers "$KSPLICE_HEADERS/Module.symvers" --core "$lo/core/ksplice.ko" \
		--patch-module "$lo/$1.ko" --patch "$work/patch" \
		--description "cluster test $1" --unit kstest kstest_main.o \
		--function kstest_main.o kstest_value -o "$2"
}
mkdir -p "$work/series"
pkg value2 "$work/series/ksplice-value2.tar.gz"
pkg value3 "$work/ksplice-value3.tar.gz"

# --- throwaway SSH keys and configuration -------------------------------------
ssh_dir=$work/ssh
mkdir -m 700 "$ssh_dir"
ssh-keygen -q -t ed25519 -N '' -C cluster-test-host -f "$ssh_dir/host_key"
ssh-keygen -q -t ed25519 -N '' -C cluster-test-client -f "$ssh_dir/client_key"
cp "$ssh_dir/client_key.pub" "$ssh_dir/authorized_keys"
sed "s|@SSH@|$ssh_dir|g" "$here/sshd_config" > "$ssh_dir/sshd_config"
# Two free ports of 127.0.0.1 (QEMU fails to start if one was taken since).
read -r port1 port2 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
cp_dir=$(mktemp -d /tmp/ksplice-cp.XXXXXX)	# short: ssh's ControlPath is a socket
{
	for n in 1 2; do
		port=port$n
		printf '[127.0.0.1]:%s %s\n' "${!port}" "$(cut -d' ' -f1,2 "$ssh_dir/host_key.pub")"
	done
} > "$ssh_dir/known_hosts"
{
	for n in 1 2; do
		port=port$n
		printf 'Host node%s\n  HostName 127.0.0.1\n  Port %s\n' "$n" "${!port}"
	done
	printf 'Host *\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n' "$ssh_dir/client_key"
	printf '  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n' "$ssh_dir/known_hosts"
	printf '  BatchMode yes\n  ConnectTimeout 20\n'
	printf '  ControlMaster auto\n  ControlPath %s/%%C\n  ControlPersist 600\n' "$cp_dir"
} > "$ssh_dir/config"
on() { local n=$1; shift; ssh -F "$ssh_dir/config" "$n" "$@"; }

# --- the two guests, in the background ----------------------------------------
overlay=$(find "$KSPLICE_MODDIR/kernel/fs/overlayfs" -name overlay.ko)
pids=()
stop_guests() {
	local n pid
	for n in 1 2; do touch "$work/vm$n/stop" 2> /dev/null || true; done
	for n in 1 2; do ssh -F "$ssh_dir/config" -O exit node$n 2> /dev/null || true; done
	for pid in "${pids[@]}"; do
		for _ in $(seq 60); do kill -0 "$pid" 2> /dev/null || break; sleep 1; done
		kill -0 "$pid" 2> /dev/null && kill -- "-$pid" 2> /dev/null
	done
	rm -rf "$cp_dir"
}
trap stop_guests EXIT
for n in 1 2; do
	port=port$n
	mkdir -p "$work/vm$n"
	# setsid: the guest's vm-run, its timeout and QEMU in one process group.
	setsid "$root/scripts/vm-run.sh" --timeout 1200 --ssh "${!port}" --out "$work/vm$n" \
		"$here/guest/node.sh" "$work" "$overlay" > "$work/vm$n.log" 2>&1 &
	pids+=($!)
done
for n in 1 2; do
	until on node$n true 2> "$work/ssh$n.err"; do
		kill -0 "${pids[n-1]}" 2> /dev/null || { cat "$work/vm$n.log"; fail "guest $n stopped before its sshd answered"; }
		[ "$SECONDS" -lt 600 ] || { cat "$work/ssh$n.err"; fail "no SSH to guest $n after $SECONDS s"; }
		sleep 2
	done
done
echo "both guests answer over SSH after $SECONDS s"
# trust NODE KEY: the only key NODE trusts is KEY's.
trust() { on "$1" "mkdir -p /etc/ksplice/keys && cp $work/$2.pub.pem /etc/ksplice/keys/rollout.pem"; }
for n in node1 node2; do
	on $n insmod "$lo/kstest/kstest.ko" || fail "insmod kstest on $n"
done
trust node1 signing
trust node2 other

# --- ansible ------------------------------------------------------------------
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_HOME=$work/ansible-home
cat > "$ANSIBLE_CONFIG" <<EOT
[defaults]
local_tmp = $work/ansible-home/tmp
remote_tmp = /tmp/.ansible-cluster-test
host_key_checking = True
retry_files_enabled = False
[ssh_connection]
pipelining = True
ssh_args = -F $ssh_dir/config
EOT
# inventory MAX1 MAX2: the health check fails on nodeN once the value
# exceeds MAXN.
inventory() {
	cat > "$work/inventory" <<EOT
[cluster]
node1 kstest_max=$1
node2 kstest_max=$2
[cluster:vars]
ansible_user=root
ansible_become=false
ansible_python_interpreter=/usr/bin/python3
EOT
}
# The operator's health check: record the value seen, fail above kstest_max.
cat > "$work/vars.yml" <<EOT
ksplice_update_bindir: $build/cli
ksplice_update_health_check: >-
  v=\$(cat /proc/kstest/value) && echo "\$v" >> /run/cluster-test-health &&
  test "\$v" -le {{ kstest_max }}
EOT
# rollout CASE SRC: ansible-playbook, its output in $work/CASE.log; sets $rc.
rollout() {
	local t=$SECONDS
	set +e
	ansible-playbook -i "$work/inventory" "$root/packaging/ansible/ksplice-rollout.yml" \
		-e @"$work/vars.yml" -e ksplice_update_src="$2" > "$work/$1.log" 2>&1
	rc=$?
	set -e
	echo "case $1: ansible-playbook exited $rc after $((SECONDS - t)) s"
}
show() { echo "--- case $1: ansible-playbook output:"; cat "$work/$1.log"; }
applied() {	# applied NODE: the ids ksplice-view --json shows applied, newest first
	on "$1" "$build/cli/ksplice-view" --json | python3 -c '
import json, sys
print(" ".join(u["id"] for u in json.load(sys.stdin)["updates"] if u["stage"] == "applied"))'
}
value() { on "$1" cat /proc/kstest/value; }
health_log() { on "$1" 'cat /run/cluster-test-health 2> /dev/null' | tr '\n' ' ' | sed 's/ $//'; }
expect() {	# expect CASE WHAT GOT WANT
	[ "$3" = "$4" ] || { show "$1"; fail "case $1: $2 is '$3', want '$4'"; }
}

# A: the dry run fails on node2 (untrusted signer): nobody is updated.
inventory 9 9
rollout A "$work/series"
[ $rc != 0 ] || { show A; fail "case A: the rollout passed with a failing dry run"; }
for n in node1 node2; do
	expect A "$n's applied updates" "$(applied $n)" ""
	expect A "$n's value" "$(value $n)" 1
	expect A "$n's health log" "$(health_log $n)" ""
done
grep -q 'untrusted_package' "$work/A.log" || { show A; fail "case A: no untrusted_package from node2's dry run"; }

# B: value2 (a directory) to both, the canary first.
trust node2 signing
rollout B "$work/series"
[ $rc = 0 ] || { show B; fail "case B: the rollout failed"; }
for n in node1 node2; do
	expect B "$n's applied updates" "$(applied $n)" value2
	expect B "$n's value" "$(value $n)" 2
	expect B "$n's health log" "$(health_log $n)" 2
done
# Two batches, node1 alone first: node1's apply is reported before node2's.
grep -A1 'Apply the updates' "$work/B.log" | grep -o 'node[12]' | tr '\n' ' ' > "$work/B.order"
expect B "the order of the applies" "$(cat "$work/B.order")" "node1 node2 "

# C: again: nothing to do anywhere.
rollout C "$work/series"
[ $rc = 0 ] || { show C; fail "case C: the second rollout failed"; }
grep -qE '^node1 +: ok=[0-9]+ +changed=0 ' "$work/C.log" &&
	grep -qE '^node2 +: ok=[0-9]+ +changed=0 ' "$work/C.log" ||
	{ show C; fail "case C: a host changed on a second rollout of the same update"; }
for n in node1 node2; do
	expect C "$n's applied updates" "$(applied $n)" value2
	expect C "$n's health log" "$(health_log $n)" 2
done

# D: value3 breaks the canary's health: undone there, node2 not touched.
inventory 2 9
rollout D "$work/ksplice-value3.tar.gz"
[ $rc != 0 ] || { show D; fail "case D: the rollout passed with a failing health check"; }
expect D "node1's applied updates" "$(applied node1)" value2
expect D "node1's value" "$(value node1)" 2
expect D "node1's health log" "$(health_log node1)" "2 3"
expect D "node2's applied updates" "$(applied node2)" value2
expect D "node2's health log" "$(health_log node2)" 2
grep -q "Undone on this host: value3" "$work/D.log" || { show D; fail "case D: no undo reported"; }
[ "$(grep -c 'Apply the updates' "$work/D.log")" = 1 ] ||
	{ show D; fail "case D: a batch after the failed canary was applied"; }

# E: value3 breaks node2's health: node1 keeps it, node2 undoes it.
inventory 9 2
rollout E "$work/ksplice-value3.tar.gz"
[ $rc != 0 ] || { show E; fail "case E: the rollout passed with a failing health check"; }
expect E "node1's applied updates" "$(applied node1)" "value3 value2"
expect E "node1's value" "$(value node1)" 3
expect E "node1's health log" "$(health_log node1)" "2 3 3"
expect E "node2's applied updates" "$(applied node2)" value2
expect E "node2's value" "$(value node2)" 2
expect E "node2's health log" "$(health_log node2)" "2 3"
grep -q "Undone on this host: value3" "$work/E.log" || { show E; fail "case E: no undo reported"; }
sed -n '/Stop the rollout/,/^$/p' "$work/E.log"

# --- shut down: both guests' kernel logs must be clean (vm-run checks) ---------
trap - EXIT
stop_guests
grc=0
for n in 1 2; do
	wait "${pids[n-1]}" || { grc=$?; echo "guest $n: vm-run exited $grc:"; cat "$work/vm$n.log"; }
done
[ $grc = 0 ] || fail "a guest failed (see above)"
echo "ok: rolled out, stopped and undone over two guests in $SECONDS s"
