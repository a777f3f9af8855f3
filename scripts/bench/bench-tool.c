/*
 * The guest side of scripts/bench-apply.sh: a static program (the guest
 * has only busybox) that makes sleeping threads and times kernel actions
 * with CLOCK_MONOTONIC.
 *
 *   bench-tool threads N         start N threads that sleep in futex_wait
 *                                and print "ready N" once all exist; runs
 *                                until killed
 *   bench-tool time OP [, OP]... run the operations in order and print the
 *                                nanoseconds they took together; exit 1 with
 *                                a message if one fails.  OP is one of:
 *       insmod FILE              load a module (finit_module)
 *       rmmod NAME               unload a module
 *       write FILE TEXT          write TEXT to FILE (one write(2))
 *       until FILE TEXT          poll FILE every 100 us until it reads TEXT
 *                                or is gone (a livepatch's sysfs directory
 *                                goes once the patch is disabled)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int never;	/* the word every thread waits on; stays 0 */

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static int threads(long n)
{
	pthread_attr_t attr;
	pthread_t t;
	long i;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < n; i++) {
		err = pthread_create(&t, &attr, sleeper, NULL);
		if (err) {
			fprintf(stderr, "bench-tool: thread %ld: %s\n", i,
				strerror(err));
			return 1;
		}
	}
	printf("ready %ld\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int do_insmod(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

static int do_write(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* Whether FILE's contents, without a trailing newline, are TEXT. */
static int reads(const char *file, const char *text)
{
	char buf[256];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return !strcmp(buf, text);
}

static int do_until(const char *file, const char *text)
{
	const struct timespec step = { 0, 100000 };
	long long deadline = now_ns() + 600 * 1000000000LL;

	while (!reads(file, text)) {
		if (now_ns() > deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&step, NULL);
	}
	return 0;
}

/* Runs the operation at argv[0]; returns the number of words it used. */
static int run_op(char **argv, int argc)
{
	int ret, used;

	if (argc >= 2 && !strcmp(argv[0], "insmod")) {
		ret = do_insmod(argv[1]);
		used = 2;
	} else if (argc >= 2 && !strcmp(argv[0], "rmmod")) {
		ret = syscall(SYS_delete_module, argv[1], O_NONBLOCK);
		used = 2;
	} else if (argc >= 3 && !strcmp(argv[0], "write")) {
		ret = do_write(argv[1], argv[2]);
		used = 3;
	} else if (argc >= 3 && !strcmp(argv[0], "until")) {
		ret = do_until(argv[1], argv[2]);
		used = 3;
	} else {
		fprintf(stderr, "bench-tool: bad operation '%s'\n", argv[0]);
		exit(2);
	}
	if (ret) {
		fprintf(stderr, "bench-tool: %s %s: %s\n", argv[0], argv[1],
			strerror(errno));
		exit(1);
	}
	return used;
}

static int time_ops(char **argv, int argc)
{
	long long t = now_ns();
	int i = 0;

	while (i < argc) {
		i += run_op(argv + i, argc - i);
		if (i < argc && strcmp(argv[i++], ",")) {
			fprintf(stderr, "bench-tool: expected ',' before '%s'\n",
				argv[i - 1]);
			return 2;
		}
	}
	printf("%lld\n", now_ns() - t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "threads"))
		return threads(atol(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "time"))
		return time_ops(argv + 2, argc - 2);
	fprintf(stderr, "usage: bench-tool threads N | time OP [, OP]...\n");
	return 2;
}
