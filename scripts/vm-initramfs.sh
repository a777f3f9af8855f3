#!/usr/bin/env bash
# Build (or reuse) the test VM's initramfs for the cached kernel:
# busybox-static, the image's own virtio-pci and 9p modules in dependency
# order, and an /init that mounts the host's / read-only at /host, runs the
# job the host left in the shared out dir, and powers off.
#
#   scripts/vm-initramfs.sh            prints the initramfs path
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kernel-env.sh"

# Modules the guest needs, roots only: dependencies are added below.
roots=(virtio_pci 9pnet_virtio 9p)

out=$KSPLICE_KDIR/initramfs.cpio.gz
key=$( { cat "$0"; echo "${roots[*]}"; sha256sum /bin/busybox; } | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
	echo "$out"
	exit 0
fi

command -v busybox >/dev/null && file -L "$(command -v busybox)" | grep 'statically linked' > /dev/null ||
	{ echo "vm-initramfs: error: needs busybox-static (apt-get install busybox-static)" >&2; exit 1; }

mod_path() { find "$KSPLICE_MODDIR/kernel" -name "$1.ko" -print -quit; }

# Depth-first post-order over `modinfo -F depends`: dependencies first.
order=()
visit() {
	local m=$1 f d
	for d in "${order[@]}"; do [ "$d" = "$m" ] && return; done
	f=$(mod_path "$m")
	[ -n "$f" ] || { echo "vm-initramfs: error: module $m not found in $KSPLICE_MODDIR" >&2; exit 1; }
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do
		visit "$d"
	done
	order+=("$m")
}
for m in "${roots[@]}"; do visit "$m"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,tmp,host,out,etc,modules,root}
cp /bin/busybox "$work/bin/busybox"
for m in "${order[@]}"; do
	cp "$(mod_path "$m")" "$work/modules/$m.ko"
done
printf '%s\n' "${order[@]}" > "$work/modules/order"

# Host binaries run unchanged: their loader and libraries come from /host.
ln -s host/lib64 "$work/lib64"
ln -s host/lib "$work/lib"
ln -s host/usr "$work/usr"
ln -s ../host/etc/ld.so.cache "$work/etc/ld.so.cache"
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/etc/passwd"
echo 'root:x:0:' > "$work/etc/group"

cat > "$work/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
for m in $(cat /modules/order); do
	insmod /modules/$m.ko || echo "ksplice-vm: insmod $m failed"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /host &&
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out || {
	echo "ksplice-vm: cannot mount the 9p shares"
	poweroff -f
}
echo "ksplice-vm: running job"
cd /tmp
KSPLICE_OUT=/out KSPLICE_HOST=/host HOME=/root sh /out/job.sh > /out/output.log 2>&1
echo $? > /out/rc
dmesg > /out/dmesg.log
sync
echo "ksplice-vm: job done"
poweroff -f
EOF
chmod +x "$work/init"
(cd "$work" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
echo "$key" > "$out.key"
echo "$out"
