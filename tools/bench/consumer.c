// SPDX-License-Identifier: MIT
/* The bench's reference consumer: a plain libbpf program, as a C developer would write
 * it, that opens the same bench.bpf.o ecli runs, sets the filter, loads, attaches, and
 * prints every ring buffer event as the JSON line `ecli run -j` prints (same keys, same
 * order) with printf.
 *
 *   consumer OBJECT.bpf.o [--tgid N] [--discard] [--attach-only]
 *
 * --discard      count events in the ring buffer callback, print nothing (the baseline
 *                of "producer slowdown")
 * --attach-only  open, load and attach every program of any object, report, and exit
 *                (the C side of the bootstrap-time comparison)
 *
 * On stderr: "consumer: N programs attached X ms after start" once attached, and at
 * exit (SIGINT/SIGTERM, after a final drain) "consumer: received=R lost=L", where L is
 * the object's .bss eunomia_lost_events.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bench.bpf.h"

#define MAX_LINKS 64

static volatile sig_atomic_t stopping;
static unsigned long long received;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Where global `name` lives: its internal map (.rodata, .bss, ...) and offset, from BTF. */
static struct bpf_map *find_global(struct bpf_object *obj, const char *name, __u32 *offset)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	if (!btf)
		return NULL;
	bpf_object__for_each_map(map, obj) {
		const char *map_name = bpf_map__name(map);
		const char *dot = strchr(map_name, '.');
		const struct btf_var_secinfo *vs;
		const struct btf_type *sec;
		int id;

		if (!dot)
			continue;
		id = btf__find_by_name_kind(btf, dot, BTF_KIND_DATASEC);
		if (id < 0)
			continue;
		sec = btf__type_by_id(btf, id);
		vs = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *var = btf__type_by_id(btf, vs->type);

			if (strcmp(btf__name_by_offset(btf, var->name_off), name) == 0) {
				*offset = vs->offset;
				return map;
			}
		}
	}
	return NULL;
}

/* JSON string literal of a NUL-terminated char[len], escaped like JSON.stringify. */
static void json_string(char *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *p = out;

	*p++ = '"';
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = c;
		} else if (c < 0x20) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[c >> 4];
			p[5] = hex[c & 15];
			p += 6;
		} else {
			*p++ = c;
		}
	}
	*p++ = '"';
	*p = '\0';
}

static int print_event(void *ctx, void *data, size_t size)
{
	const struct event *e = data;
	char comm[TASK_COMM_LEN * 6 + 3];

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	received++;
	json_string(comm, e->comm, sizeof(e->comm));
	printf("{\"pid\":%d,\"tid\":%d,\"uid\":%u,\"cpu\":%u,\"seq\":%llu,\"ts_ns\":%llu,"
	       "\"comm\":%s,\"fd\":%u,\"whence\":%u}\n",
	       e->pid, e->tid, e->uid, e->cpu, e->seq, e->ts_ns, comm, e->fd, e->whence);
	return 0;
}

static int count_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	received++;
	return 0;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	long tgid = -1;
	int discard = 0, attach_only = 0, nprogs = 0, nlinks = 0, err = 0;
	struct bpf_link *links[MAX_LINKS];
	struct ring_buffer *rb = NULL;
	struct bpf_program *prog;
	struct bpf_map *map, *ring = NULL;
	struct bpf_object *obj;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--discard") == 0) {
			discard = 1;
		} else if (strcmp(argv[i], "--attach-only") == 0) {
			attach_only = 1;
		} else if (strcmp(argv[i], "--tgid") == 0 && i + 1 < argc) {
			char *end;

			tgid = strtol(argv[++i], &end, 10);
			if (*end || tgid < 0 || tgid > 0x7fffffff) {
				fprintf(stderr, "consumer: bad --tgid '%s'\n", argv[i]);
				return 2;
			}
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			fprintf(stderr, "consumer: bad argument '%s' (usage: consumer OBJECT.bpf.o "
					"[--tgid N] [--discard] [--attach-only])\n", argv[i]);
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "consumer: no object given\n");
		return 2;
	}
	libbpf_set_print(quiet_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "consumer: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (tgid >= 0) {
		__u32 off;
		size_t size = 0;
		int value = (int)tgid;
		struct bpf_map *rodata = find_global(obj, "target_tgid", &off);
		const void *initial = rodata ? bpf_map__initial_value(rodata, &size) : NULL;
		char *data = initial && off + sizeof(value) <= size ? malloc(size) : NULL;

		if (!data) {
			fprintf(stderr, "consumer: %s has no global target_tgid\n", path);
			err = 1;
			goto out;
		}
		memcpy(data, initial, size);
		memcpy(data + off, &value, sizeof(value));
		err = bpf_map__set_initial_value(rodata, data, size);
		free(data);
		if (err) {
			fprintf(stderr, "consumer: cannot set target_tgid: %s\n", strerror(-err));
			goto out;
		}
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "consumer: load failed: %s\n", strerror(-err));
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link;

		nprogs++;
		link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			fprintf(stderr, "consumer: attach %s failed: %s\n", bpf_program__name(prog), strerror(errno));
			goto out;
		}
		if (nlinks < MAX_LINKS)
			links[nlinks++] = link;
	}
	fprintf(stderr, "consumer: %d programs attached %.1f ms after start\n", nprogs, ms_since(&t0));
	if (attach_only)
		goto out;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
			ring = map;
	}
	if (!ring) {
		fprintf(stderr, "consumer: %s has no ring buffer\n", path);
		err = 1;
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(ring), discard ? count_event : print_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "consumer: ring_buffer__new failed: %s\n", strerror(errno));
		goto out;
	}
	while (!stopping) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "consumer: ring_buffer__poll failed: %s\n", strerror(-err));
			goto out;
		}
	}
	err = ring_buffer__consume(rb); /* the final drain */
	err = err < 0 ? err : 0;
	fflush(stdout);
	{
		__u32 off;
		struct bpf_map *bss = find_global(obj, "eunomia_lost_events", &off);
		unsigned long long lost = 0;
		__u32 key = 0;

		if (bss) {
			size_t size = bpf_map__value_size(bss);
			char *value = calloc(1, size);

			if (value && bpf_map__lookup_elem(bss, &key, sizeof(key), value, size, 0) == 0 &&
			    off + sizeof(lost) <= size)
				memcpy(&lost, value + off, sizeof(lost));
			free(value);
		}
		fprintf(stderr, "consumer: received=%llu lost=%llu\n", received, lost);
	}
out:
	ring_buffer__free(rb);
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
