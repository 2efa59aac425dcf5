// SPDX-License-Identifier: MIT
/* The bench's event generator: makes exactly N events for bench.bpf.c by calling
 * lseek(-1, seq, SEEK_SET) for seq = 0 .. N-1 (each fails at once with EBADF), as fast
 * as it can or at a given rate, and reports its own elapsed time.
 *
 *   gen N [RATE] [--now]
 *
 * Without --now it first waits for SIGUSR1, so a consumer can be started (filtering on
 * this process id) and attached before the first event. RATE (events per second, 0 =
 * unlimited) paces the calls in batches of 256. On stdout it prints one line:
 *   sent=N elapsed_ns=T rate=R
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PACE_BATCH 256

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int parse_count(const char *text, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(text, &end, 10);
	return errno == 0 && end != text && *end == '\0' && text[0] != '-';
}

int main(int argc, char **argv)
{
	unsigned long long n = 0, rate = 0, start, elapsed, seq;
	int wait_signal = 1, positional = 0;
	sigset_t set;
	int sig;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--now") == 0) {
			wait_signal = 0;
		} else if (positional == 0 && parse_count(argv[i], &n)) {
			positional++;
		} else if (positional == 1 && parse_count(argv[i], &rate)) {
			positional++;
		} else {
			fprintf(stderr, "gen: bad argument '%s' (usage: gen N [RATE] [--now])\n", argv[i]);
			return 2;
		}
	}
	if (positional == 0 || n == 0) {
		fprintf(stderr, "gen: usage: gen N [RATE] [--now]   (N > 0 events)\n");
		return 2;
	}

	if (wait_signal) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		/* Tell the harness the signal mask is in place, so SIGUSR1 cannot kill us. */
		fprintf(stderr, "gen: ready\n");
		if (sigwait(&set, &sig) != 0) {
			fprintf(stderr, "gen: sigwait failed\n");
			return 1;
		}
	}

	start = now_ns();
	for (seq = 0; seq < n; seq++) {
		syscall(SYS_lseek, -1, (long)seq, SEEK_SET);
		if (rate && (seq + 1) % PACE_BATCH == 0) {
			/* When the next batch is due: seq+1 events at `rate` per second. */
			unsigned long long due = start + (seq + 1) * 1000000000ull / rate;

			while (now_ns() < due)
				;
		}
	}
	elapsed = now_ns() - start;
	printf("sent=%llu elapsed_ns=%llu rate=%.0f\n", n, elapsed, n * 1e9 / elapsed);
	return 0;
}
