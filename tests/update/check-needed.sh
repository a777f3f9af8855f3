#!/bin/sh
# check-needed.sh BINARY...: fail if a binary's DT_NEEDED names anything but
# the C and C++ runtimes (production hosts have no LLVM, libclang or fmt).
status=0
for bin in "$@"; do
  needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  if [ -z "$needed" ]; then
    echo "check-needed: error: no DT_NEEDED entries read from '$bin'" >&2
    status=1
    continue
  fi
  for lib in $needed; do
    case $lib in
      libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|ld-linux*) ;;
      *)
        echo "check-needed: error: '$bin' needs '$lib'; the production-host tools may link only libc, libm, libstdc++ and libgcc_s" >&2
        status=1 ;;
    esac
  done
done
exit $status
