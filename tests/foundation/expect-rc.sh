#!/usr/bin/env bash
# Run a command and pass when it exits with exactly the expected status.
#   expect-rc.sh RC COMMAND [ARG...]
want=$1; shift
"$@"
rc=$?
if [ "$rc" != "$want" ]; then
	echo "expect-rc: '$*' exited $rc, expected $want" >&2
	exit 1
fi
echo "expect-rc: exited $rc as expected"
