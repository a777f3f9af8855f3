/*
 * A static helper for the real-kernel checks (testdata/kernel-patches/
 * *.check) that busybox cannot do, run in the guest from /host.
 *
 *   probe getdents-efault DIR   exit 0 iff getdents64() into an unmapped
 *                               user page fails with EFAULT (the kernel's
 *                               exception table caught the fault)
 *   probe yield N               sched_yield() N times
 */
#define _GNU_SOURCE
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

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "getdents-efault"))
		return getdents_efault(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "yield")) {
		for (long i = atol(argv[2]); i > 0; i--)
			sched_yield();
		return 0;
	}
	fprintf(stderr, "usage: probe getdents-efault DIR | yield N\n");
	return 2;
}
