# Guest side of packaging.vm_deb (busybox sh, as root, in the VM): the
# ksplice-tools package installed with dpkg -i in a Debian root, its tools
# apply and undo a real update, dpkg -r and --purge remove it all
# (ksplice-boot.service enabled, then disabled).
#   deb.sh DEB PACKAGE_DIR LOADER_OUT OVERLAY_KO   (host paths)
set -u
here=$(dirname "$0")
. "$here/debian-root.sh"
debian_root "$4"
chroot $root /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	/bin/bash "${0#/host}.inner" "$1" "$2" "$3" || exit 1
# Nothing of the package is left (dpkg's own records aside).
# (A character device in the overlay's upper layer is a whiteout: removed.)
left=$(cd $upper && find . -name '*ksplice*' ! -type c ! -path './var/lib/dpkg/*' ! -path './proc/*')
[ -z "$left" ] || { echo "FAIL: left after dpkg --purge: $left"; exit 1; }
echo "ok: ksplice-tools installs, applies and undoes, and is removed"
