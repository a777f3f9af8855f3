#!/usr/bin/env bash
# The role's dry run (tasks/prepare.yml) and apply loop (tasks/apply.yml)
# on this machine, against a fake ksplice-apply and ksplice-view: an update
# refused target_not_loaded passes its dry run and, applied, waits (with
# its module), and so does a later one built on it; the others are applied
# and the host passes, naming what waits.  Any other refusal, or a
# missing_prerequisite with nothing waiting, fails the host.
#   role-waiting.sh ROLE_DIR WORK_DIR
set -euo pipefail
role=$(readlink -f "$1") work=$2
rm -rf "$work" && mkdir -p "$work/bin" "$work/dest"
work=$(readlink -f "$work")
fail() { echo "FAIL: $*"; exit 1; }

# The apply loop and the checks after it, cut out of apply.yml by name.
python3 - "$role/tasks/apply.yml" "$work" <<'PY'
import sys, yaml
tasks = yaml.safe_load(open(sys.argv[1]))
block = {t['name']: t for t in next(t for t in tasks if 'block' in t)['block']}
def cut(names, path):
    yaml.safe_dump([block[n] for n in names], open(path, 'w'), sort_keys=False)
cut(['Apply the updates (ksplice-apply)',
     'Find the updates that wait for a module'], sys.argv[2] + '/apply.yml')
cut(['Every update is applied, or waits for a module',
     'Report the updates that wait for a module to be loaded'],
    sys.argv[2] + '/check.yml')
prepare = yaml.safe_load(open(sys.argv[1].replace('apply.yml', 'prepare.yml')))
yaml.safe_dump([t for t in prepare if t.get('name', '').startswith('Dry-run')],
               open(sys.argv[2] + '/dry.yml', 'w'), sort_keys=False)
PY

# ksplice-apply --json: FILE's answer in $work/answers/FILE ("STATUS JSON");
# an applied one is added to what ksplice-view shows.
cat > "$work/bin/ksplice-apply" <<'SH'
#!/bin/sh
for p; do :; done
p=${p##*/}
read -r rc json < "$(dirname "$0")/../answers/$p"
echo "$json"
case " $* " in *" --dry-run "*) ;; *) [ "$rc" != 0 ] || echo "$p" >> "$(dirname "$0")/../applied" ;; esac
exit "$rc"
SH
cat > "$work/bin/ksplice-view" <<'SH'
#!/bin/sh
d=$(dirname "$0")/..
printf '{"updates":['
sep=
for p in $(cat "$d/applied" 2> /dev/null); do
	printf '%s{"id":"%s","stage":"applied"}' "$sep" "${p%.tar.gz}"; sep=,
done
echo ']}'
SH
chmod +x "$work/bin/"*

applied() { echo "0 {\"outcome\":\"applied\",\"id\":\"$1\"}"; }
refused() { # ID TOKEN DETAIL
	echo "1 {\"outcome\":\"failed\",\"id\":\"$1\",\"token\":\"$2\",\"detail\":[\"$3\"]}"
}
run() { # [--dry] FILE...: the updates to apply, in order; the playbook's status in $rc
	local tasks="$work/apply.yml $role/tasks/state.yml $work/check.yml"
	[ "$1" != --dry ] || { tasks=$work/dry.yml; shift; }
	rm -f "$work/applied"
	local todo= f
	for f; do todo="$todo{id: ${f%.tar.gz}, file: $f}, "; done
	cat > "$work/pb.yml" <<PB
- hosts: localhost
  gather_facts: false
  vars:
    ksplice_update_bindir: $work/bin
    ksplice_update_dest: $work/answers
    ksplice_update_apply_args: []
    _ksplice_update_todo: [$todo]
    _ksplice_update_packages: [$todo]
    _ksplice_update_pending: [$todo]
  tasks:
$(for t in $tasks; do echo "    - ansible.builtin.import_tasks: $t"; done)
PB
	rc=0
	ANSIBLE_NOCOLOR=1 ansible-playbook -i localhost, -c local "$work/pb.yml" > "$work/out" 2>&1 || rc=$?
}

mkdir -p "$work/answers"
applied a > "$work/answers/a.tar.gz"
refused b target_not_loaded "unit 'fs/afs/volume.o' has table entries that refer to '__SCT__tp_func_afs_volume' of module 'kafs', which the kernel links when the patch module loads; load 'kafs' first" > "$work/answers/b.tar.gz"
refused c missing_prerequisite "" > "$work/answers/c.tar.gz"
applied d > "$work/answers/d.tar.gz"

run --dry a.tar.gz b.tar.gz c.tar.gz d.tar.gz
[ "$rc" = 0 ] || { cat "$work/out"; fail "the dry run of an update that will wait failed the host"; }
[ ! -f "$work/applied" ] || fail "the dry run applied something"
echo "ok: the dry run passes an update that will wait, and one built on it"

run a.tar.gz b.tar.gz c.tar.gz d.tar.gz
[ "$rc" = 0 ] || { cat "$work/out"; fail "an update that waits for its module failed the host"; }
[ "$(cat "$work/applied")" = "$(printf 'a.tar.gz\nd.tar.gz')" ] || fail "a and d were not both applied"
grep -q 'b: waits for module kafs, which is not loaded; nothing was changed for it' "$work/out" ||
	{ cat "$work/out"; fail "b is not reported waiting for kafs"; }
grep -q 'c: builds on an update that waits' "$work/out" ||
	{ cat "$work/out"; fail "c is not reported waiting"; }
echo "ok: an update waits for its module, one built on it too, the others apply, the host passes"

run a.tar.gz c.tar.gz d.tar.gz
[ "$rc" != 0 ] || { cat "$work/out"; fail "a missing prerequisite with nothing waiting passed the host"; }
[ "$(cat "$work/applied")" = a.tar.gz ] || fail "the loop did not stop at c"
echo "ok: a missing prerequisite with nothing waiting fails the host"

refused e no_match "unit 'x.o' function 'f' offset 0x1: site holds unexpected bytes" > "$work/answers/e.tar.gz"
run --dry a.tar.gz e.tar.gz
[ "$rc" != 0 ] || { cat "$work/out"; fail "a dry run refused no_match passed the host"; }
echo "ok: a dry run refused for another cause fails the host"

run a.tar.gz b.tar.gz e.tar.gz d.tar.gz
[ "$rc" != 0 ] || { cat "$work/out"; fail "no_match after an update that waits passed the host"; }
[ "$(cat "$work/applied")" = a.tar.gz ] || fail "the loop did not stop at e"
echo "ok: another refusal after an update that waits fails the host"
