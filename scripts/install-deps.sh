#!/usr/bin/env bash
# Install the Debian 12 packages the project needs (idempotent: a machine
# that has them all is left alone, without touching the network).
set -euo pipefail
pkgs=(
	# build
	build-essential cmake ninja-build git pkg-config
	# libraries: ELF reading/writing, LLVM libObject (create side only),
	# formatting, option parsing, tests
	libelf-dev llvm-14-dev llvm-14-tools libfmt-dev libcli11-dev googletest
	# clang for the libFuzzer target
	clang-14 libclang-rt-14-dev
	# kernel side: compiling kernel objects and modules, the test VM
	gcc-12 make flex bison bc libssl-dev kmod cpio xz-utils zstd rsync
	# pahole: Kconfig keeps the kernel's BTF options only when it is there
	# (ksplice-create checks the farm's configuration is the target's)
	dwarves
	qemu-system-x86 busybox-static
	# scripts
	file python3
	# Debian packages (scripts/build-deb.sh): man pages, the package check
	help2man lintian
	# the Ansible role's test (tests/cluster): ansible-playbook over SSH to
	# QEMU guests that run this machine's sshd
	ansible-core openssh-client openssh-server
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep '^install ok installed$' > /dev/null ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# openssh-server is here for the binary the test guests run, not to serve
# this machine: if this script installed it and systemd started it, stop
# it and keep it from starting at boot.  (A machine that had it before
# keeps its own sshd as it was.)
if [[ " ${missing[*]} " == *" openssh-server "* ]] && [ -d /run/systemd/system ]; then
	$SUDO systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
	echo "install-deps: installed openssh-server for the test guests; its ssh.service on this machine is disabled and stopped" >&2
fi
