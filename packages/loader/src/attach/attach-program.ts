/**
 * Attaching one loaded program by its kind: the kinds that need facts a section
 * cannot carry (perf_event, uprobe with a pid or override, xdp, tc) get their own
 * libbpf call; the rest go through bpf_program__attach. Each success is an undo.
 */
import { onlineCpus } from "../online-cpus.ts";
import { AttachError } from "../errors.ts";
import { openCpuClockEvent } from "../ffi/cpu-clock-event.ts";
import { libbpf } from "../ffi/libbpf.ts";
import { lastErrno } from "../ffi/libc.ts";
import { addressOf, pointerOrNull, toCString, type NativePointer } from "../ffi/memory.ts";
import { closeFd } from "../ffi/perf-event.ts";
import { captureLibbpfLog } from "../ffi/print-capture.ts";
import { DEFAULT_PERF_FREQUENCY, type AttachOptions } from "./attach-options.ts";
import { programKind, sectionTarget, type ProgramKind } from "./program-kind.ts";
import { attachRefusalReason, kprobesAvailable, refusedAttach } from "./refusal.ts";
import { attachTc } from "./tc-attachment.ts";
import { parseUprobeTarget } from "./uprobe-target.ts";

/** A loaded program to attach. */
export interface ProgramToAttach {
  prog: NativePointer;
  name: string;
  section: string;
}

/**
 * Undoes one attachment. `link` is set when the attachment is a libbpf link: it may then
 * be destroyed on another thread instead (ffi/link-destroyer.ts), never both.
 */
export interface Detacher {
  (): void;
  readonly link?: NativePointer;
}

const UPROBE_OPTS_BYTES = 40; // sz, ref_ctr_offset, bpf_cookie, bool retprobe (+pad), func_name
const XDP_FLAGS_REPLACE = 1 << 4;

/** Runs a call that returns a link pointer; a null link becomes an AttachError (errno read at once). */
function linkOrThrow(program: ProgramToAttach, kind: ProgramKind, call: () => NativePointer | bigint | null, what?: string): Detacher {
  const { value, log } = captureLibbpfLog(() => {
    const link = pointerOrNull(call());
    return { link, errno: link === null ? lastErrno() : 0 };
  });
  if (value.link === null) {
    const errno = value.errno || 22;
    const reason = attachRefusalReason(kind, errno, kind === "kprobe" || kind === "kretprobe" ? kprobesAvailable() : true);
    if (reason) throw refusedAttach(program.name, program.section, errno, what ? `${reason} (${what})` : reason);
    const op = `attach program '${program.name}' (${program.section})`;
    throw new AttachError(op, errno, { log, detail: what });
  }
  const link = value.link;
  return Object.assign(() => void libbpf().bpf_link__destroy(link), { link });
}

/**
 * Attaches `program` and returns its undos (several for perf_event: one per CPU).
 * Throws {@link AttachError} naming the program and section; on failure nothing of
 * this call stays attached.
 */
export function attachProgram(program: ProgramToAttach, options: AttachOptions = {}): Detacher[] {
  const lib = libbpf();
  const kind = programKind(program.section);
  const own = { ...options, ...options.programs?.[program.name] };
  const op = `attach program '${program.name}' (${program.section})`;
  switch (kind) {
    case "perf_event": {
      const frequency = own.perfEvent?.frequency ?? DEFAULT_PERF_FREQUENCY;
      if (!Number.isInteger(frequency) || frequency <= 0) throw new AttachError(op, 22, { detail: `frequency ${frequency} is not a positive integer` });
      const cpus = own.perfEvent?.cpus ?? onlineCpus();
      const undos: Detacher[] = [];
      try {
        for (const cpu of cpus) {
          const fd = openCpuClockEvent(cpu, frequency);
          try {
            // The link owns the fd from here: destroying it disables and closes the event.
            undos.push(linkOrThrow(program, kind, () => lib.bpf_program__attach_perf_event(program.prog, fd), `cpu ${cpu}`));
          } catch (err) {
            closeFd(fd);
            throw err;
          }
        }
      } catch (err) {
        for (const undo of undos.reverse()) undo();
        if (err instanceof AttachError) throw err;
        throw new AttachError(op, (err as { errno?: number }).errno ?? 22, { detail: (err as Error).message, cause: err });
      }
      return undos;
    }
    case "uprobe":
    case "uretprobe": {
      const fromSection = parseUprobeTarget(sectionTarget(program.section));
      const binary = own.uprobe?.binary ?? fromSection?.binary;
      const func = own.uprobe?.func ?? fromSection?.func;
      if (binary === undefined || func === undefined) {
        throw new AttachError(op, 22, { detail: "the section names no binary and function: give them as options (ecli: --uprobe-binary, --uprobe-func)" });
      }
      const offset = own.uprobe?.func === undefined ? (fromSection?.offset ?? 0) : 0;
      const funcName = toCString(func);
      const binaryPath = toCString(binary);
      const opts = new Uint8Array(UPROBE_OPTS_BYTES);
      const view = new DataView(opts.buffer);
      view.setBigUint64(0, BigInt(UPROBE_OPTS_BYTES), true);
      view.setUint8(24, kind === "uretprobe" ? 1 : 0);
      view.setBigUint64(32, BigInt(addressOf(funcName)), true); // func_name; funcName stays alive below
      const pid = own.uprobe?.pid ?? -1;
      const what = `${binary}:${func}${pid >= 0 ? `, pid ${pid}` : ""}`;
      return [linkOrThrow(program, kind, () => {
        const link = lib.bpf_program__attach_uprobe_opts(program.prog, pid, binaryPath, offset, opts);
        void funcName; // keeps the name's bytes reachable until libbpf has read them
        return link;
      }, what)];
    }
    case "xdp": {
      const xdp = own.xdp;
      if (!xdp) throw new AttachError(op, 22, { detail: "no interface given (package ifindex, or ecli --iface/--ifindex)" });
      const flags = xdp.flags ?? 0;
      if (flags === 0) return [linkOrThrow(program, kind, () => lib.bpf_program__attach_xdp(program.prog, xdp.ifindex), `ifindex ${xdp.ifindex}`)];
      const rc = lib.bpf_xdp_attach(xdp.ifindex, lib.bpf_program__fd(program.prog), flags, null);
      if (rc < 0) throw new AttachError(op, -rc, { detail: `xdp on ifindex ${xdp.ifindex} with flags ${flags}` });
      return [() => void lib.bpf_xdp_detach(xdp.ifindex, flags & ~XDP_FLAGS_REPLACE, null)];
    }
    case "tc": {
      if (!own.tc) throw new AttachError(op, 22, { detail: "no interface given (package tchook.ifindex, or ecli --iface/--ifindex)" });
      return [attachTc(op, lib.bpf_program__fd(program.prog), own.tc)];
    }
    default:
      return [linkOrThrow(program, kind, () => lib.bpf_program__attach(program.prog))];
  }
}
