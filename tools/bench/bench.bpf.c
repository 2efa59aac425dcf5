// SPDX-License-Identifier: MIT
/* The event-path benchmark's workload: one event per lseek(2) made by the process
 * whose thread-group id is target_tgid (the generator, tools/bench/gen.c, calls
 * lseek(-1, seq, SEEK_SET), which fails at once with EBADF). Events that find the
 * ring buffer full are counted in eunomia_lost_events, so loss is known exactly. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bench.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Bytes of ring buffer: a power of two, a multiple of the page size. Set at build
 * time (`ecli build --cflag -DBENCH_RING_BYTES=...`); both consumers share the object. */
#ifndef BENCH_RING_BYTES
#define BENCH_RING_BYTES (8 * 1024 * 1024)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BENCH_RING_BYTES);
} events SEC(".maps");

/* Report only the lseek calls of this thread-group id (0: none, so an idle run is quiet). */
const volatile int target_tgid = 0;

/* Events dropped because the ring buffer was full (read by the bench harness). */
__u64 eunomia_lost_events = 0;

SEC("tp/syscalls/sys_enter_lseek")
int handle_lseek(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct event *e;

	if ((int)(id >> 32) != target_tgid)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&eunomia_lost_events, 1);
		return 0;
	}
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->cpu = bpf_get_smp_processor_id();
	e->seq = ctx->args[1];
	e->ts_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	e->fd = ctx->args[0];
	e->whence = ctx->args[2];
	bpf_ringbuf_submit(e, 0);
	return 0;
}
