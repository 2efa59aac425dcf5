/**
 * @module @eunomia/loader
 *
 * The eunomia runtime: reads and writes packages (also importable alone, without
 * FFI, as `@eunomia/loader/package`), opens, configures, loads and attaches BPF
 * objects through the system libbpf (`libbpf.so.1`) via bun:ffi, and reads ring
 * buffers and perf event arrays straight from their mmap'd pages. Nothing is
 * dlopen'ed until first use.
 *
 * @example
 * import { openObject, readPackage, RingBufferReader } from "@eunomia/loader";
 * const pkg = readPackage(await Bun.file("package.json").text());
 * using obj = openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
 * obj.load();
 * obj.attachAll();
 * using ring = new RingBufferReader(obj.mapFd("rb"));
 * for (;;) if (await ring.wait(100)) ring.drain((data) => console.log(data.length));
 */
export * from "./package/index.ts";
export { openObject, type OpenObjectOptions } from "./open-object.ts";
export { BpfObject, type MapInfo, type ProgramInfo } from "./bpf-object.ts";
export {
  BPF_TC_EGRESS, BPF_TC_INGRESS, DEFAULT_PERF_FREQUENCY,
  type AttachOptions, type PerfEventOptions, type TcOptions, type UprobeOptions, type XdpOptions,
} from "./attach/attach-options.ts";
export { programKind, sectionTarget, type ProgramKind } from "./attach/program-kind.ts";
export { findTwinPairs, chooseTwins, type TwinCandidate, type TwinChoice, type TwinPair } from "./attach/twin-programs.ts";
export { fentryLoads } from "./attach/tracing-support.ts";
export { kprobesAvailable } from "./attach/refusal.ts";
export { parseUprobeTarget, type UprobeTarget } from "./attach/uprobe-target.ts";
export { BPF_ANY, BPF_EXIST, BPF_NOEXIST, BpfMap, type BpfMapShape } from "./bpf-map.ts";
export { AttachError, LibbpfError, LoadError, OpenError, LOG_TAIL_LINES, type LibbpfErrorOptions } from "./errors.ts";
export { errnoName, errnoText } from "./errno.ts";
export { BPF_MAP_TYPE_RINGBUF, RingBufferReader } from "./ring-buffer-reader.ts";
export { RINGBUF_BUSY_BIT, RINGBUF_DISCARD_BIT, RINGBUF_HEADER_BYTES } from "./ring-walker.ts";
export { BPF_MAP_TYPE_PERF_EVENT_ARRAY, PerfBufferReader, type PerfBufferOptions } from "./perf-buffer-reader.ts";
export { openPackage, PackageProgram, type StartOptions } from "./package-program.ts";
export { RunningProgram, type EventRecord, type EventsOptions, type MapEntry } from "./running-program.ts";
export { GlobalValueError, type GlobalInfo, type GlobalInput } from "./program-globals.ts";
export { LOST_COUNTER, lostCounterPlace } from "./lost-counter.ts";
export { isWasmModule, runWasmModule, WASM_MAGIC, WasmError, type OutputSink, type WasmRunOptions } from "./wasm/index.ts";
