/*
 * A static helper for the real-kernel checks (testdata/kernel-patches/
 * *.check) that busybox cannot do, run in the guest from /host.
 *
 *   probe getdents-efault DIR   exit 0 iff getdents64() into an unmapped
 *                               user page fails with EFAULT (the kernel's
 *                               exception table caught the fault)
 *   probe yield N               sched_yield() N times
 *   probe text ADDR LEN         LEN bytes of kernel memory at ADDR (hex),
 *                               read from /proc/kcore: what a CPU runs
 *                               there, for a check that failed
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int getdents_efault(const char *dir)
{
	long page = sysconf(_SC_PAGESIZE);
	void *buf;
	long ret;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		perror(dir);
		return 2;
	}
	/* A user address access_ok() accepts, with nothing mapped there. */
	buf = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || munmap(buf, page)) {
		perror("mmap");
		return 2;
	}
	ret = syscall(SYS_getdents64, fd, buf, page);
	if (ret >= 0 || errno != EFAULT) {
		fprintf(stderr, "getdents64 into an unmapped page: %ld (%s)\n",
			ret, ret < 0 ? strerror(errno) : "no error");
		return 1;
	}
	return 0;
}

/* Print LEN bytes of the kernel's memory at ADDR, found in /proc/kcore. */
static int kernel_text(unsigned long addr, unsigned long len)
{
	unsigned char buf[256];
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i;

	if (len > sizeof(buf))
		len = sizeof(buf);
	fd = open("/proc/kcore", O_RDONLY);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh)) {
		perror("/proc/kcore");
		return 2;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		off_t at = eh.e_phoff + (off_t)i * eh.e_phentsize;

		if (pread(fd, &ph, sizeof(ph), at) != sizeof(ph))
			break;
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
		    addr + len > ph.p_vaddr + ph.p_memsz)
			continue;
		if (pread(fd, buf, len, ph.p_offset + (addr - ph.p_vaddr)) !=
		    (ssize_t)len)
			break;
		for (unsigned long k = 0; k < len; k++)
			printf("%02x%c", buf[k], k % 16 == 15 ? '\n' : ' ');
		if (len % 16)
			putchar('\n');
		return 0;
	}
	fprintf(stderr, "%#lx: not readable in /proc/kcore\n", addr);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "getdents-efault"))
		return getdents_efault(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "yield")) {
		for (long i = atol(argv[2]); i > 0; i--)
			sched_yield();
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "text"))
		return kernel_text(strtoul(argv[2], NULL, 16),
				   strtoul(argv[3], NULL, 0));
	fprintf(stderr,
		"usage: probe getdents-efault DIR | yield N | text ADDR LEN\n");
	return 2;
}
