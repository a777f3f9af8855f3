#!/bin/sh
# check-needed.sh BINARY...: fail if a binary's DT_NEEDED names anything but
# the C and C++ runtimes and libcrypto (package signatures; production hosts
# have no LLVM, libclang or fmt),
# or if it carries LLVM or clang code linked statically (Debian's LLVM
# libraries are static archives, which DT_NEEDED would not show).
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
      libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|libcrypto.so.3|ld-linux*) ;;
      *)
        echo "check-needed: error: '$bin' needs '$lib'; the production-host tools may link only libc, libm, libstdc++, libgcc_s and libcrypto" >&2
        status=1 ;;
    esac
  done
  llvm=$(nm -C --defined-only "$bin" 2>/dev/null | grep -c -E ' (llvm|clang)::')
  if [ "$llvm" -ne 0 ]; then
    echo "check-needed: error: '$bin' contains $llvm LLVM/clang symbols; the production-host tools must not link LLVM" >&2
    status=1
  fi
done
exit $status
