#!/usr/bin/env bash
# The role's reading of module targets (tasks/state.yml and the two tasks
# after the apply), on this machine, against a fake ksplice-view --json:
# a target that waits for its module is reported and the host passes; a
# refused one fails the host, naming update, module and token.
#   role-targets.sh ROLE_DIR WORK_DIR
set -euo pipefail
role=$(readlink -f "$1") work=$2
rm -rf "$work" && mkdir -p "$work/bin"
fail() { echo "FAIL: $*"; exit 1; }

# The apply tasks' target checks, cut out of apply.yml by their names.
python3 - "$role/tasks/apply.yml" "$work/targets.yml" <<'PY'
import sys, yaml
tasks = yaml.safe_load(open(sys.argv[1]))
block = next(t for t in tasks if 'block' in t)['block']
want = [t for t in block if 'module target' in t.get('name', '')]
assert len(want) == 2, [t.get('name') for t in block]
yaml.safe_dump(want, open(sys.argv[2], 'w'), sort_keys=False)
PY

run() { # JSON: the playbook's output; its status in $rc
	printf '#!/bin/sh\ncat <<"J"\n%s\nJ\n' "$1" > "$work/bin/ksplice-view"
	chmod +x "$work/bin/ksplice-view"
	cat > "$work/pb.yml" <<PB
- hosts: localhost
  gather_facts: false
  vars:
    ksplice_update_bindir: $work/bin
    _ksplice_update_packages: [{id: fix-1}, {id: fix-2}]
  tasks:
    - ansible.builtin.import_tasks: $role/tasks/state.yml
    - ansible.builtin.import_tasks: $work/targets.yml
PB
	rc=0
	ANSIBLE_NOCOLOR=1 ansible-playbook -i localhost, -c local "$work/pb.yml" > "$work/out" 2>&1 || rc=$?
}

run '{"updates":[{"id":"fix-1","stage":"applied","targets":[{"name":"vmlinux","state":"loaded-patched"},{"name":"dummy","state":"waiting"}]},{"id":"other","stage":"applied","targets":[{"name":"loop","state":"waiting"}]},{"id":"fix-2","stage":"applied"}]}'
[ "$rc" = 0 ] || { cat "$work/out"; fail "waiting targets failed the host"; }
grep -q 'fix-1: module dummy is not loaded; it is patched when it loads' "$work/out" ||
	{ cat "$work/out"; fail "the waiting target is not reported"; }
! grep -q 'module loop' "$work/out" || fail "another rollout's update is reported"
echo "ok: a waiting module target is reported, the host passes"

run '{"updates":[{"id":"fix-2","stage":"applied","targets":[{"name":"dummy","state":"refused","token":"no_match"}]}]}'
[ "$rc" != 0 ] || { cat "$work/out"; fail "a refused target passed the host"; }
grep -q 'fix-2: module dummy refused (no_match)' "$work/out" ||
	{ cat "$work/out"; fail "the refusal does not name update, module and token"; }
echo "ok: a refused module target fails the host"
