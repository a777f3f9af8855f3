# Guest side of packaging.vm_boot (busybox sh, as root, in the VM): one
# boot.  /out/state (kept between boots) is /var/lib/ksplice of the Debian
# root where ksplice-tools is installed.
#   boot.sh STAGE DEB PACKAGE_DIR LOADER_OUT OVERLAY_KO   (host paths)
set -u
here=$(dirname "$0")
. "$here/debian-root.sh"
debian_root "$5"
mkdir -p $root/var/lib/ksplice
mount -o bind /out/state $root/var/lib/ksplice ||
	{ echo "FAIL: cannot bind /out/state"; exit 1; }
exec chroot $root /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	/bin/bash "${0#/host}.inner" "$1" "$2" "$3" "$4"
