#!/usr/bin/env bash
# No `PRODUCER | grep -q` in a host script with `set -o pipefail`: grep -q
# leaves at its first match, the producer still writing is killed by
# SIGPIPE, and the pipeline fails although grep matched.  It skipped
# build-patch-module.sh's livepatch conversion now and then (stop 21).
# Match in the shell, in awk, or with grep > /dev/null (reads all input).
#   pipefail-lint.sh ROOT
set -uo pipefail
root=$1 bad=0
while IFS= read -r f; do
	grep -q 'pipefail' "$f" || continue
	if grep -nE '\|[[:space:]]*grep[[:space:]]+-[[:alnum:]]*q' "$f" |
		grep -vE '^[0-9]+:[[:space:]]*#' | sed "s|^|${f#$root/}:|" | grep .; then
		bad=1
	fi
done < <(find "$root/scripts" "$root/tests" "$root/loader-kmod" "$root/.ci" \
	-name '*.sh' -type f | sort)
[ "$bad" = 0 ] || { echo "FAIL: grep -q at the end of a pipeline under pipefail (above)"; exit 1; }
echo "ok: no grep -q at the end of a pipeline under pipefail"
