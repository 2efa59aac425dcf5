/**
 * Raw records from one export map of a loaded object: a ring buffer (read in place, with
 * the program's `eunomia_lost_events` counter) or a perf event array (with its lost
 * samples). The same reading `ecli run` does, behind one small interface.
 */
import type { Btf, Elf } from "@eunomia/decoder";
import { lostCounterPlace, PerfBufferReader, RingBufferReader, type BpfObject } from "@eunomia/loader";
import type { ExportTarget } from "./export-plan.ts";

/** Called per record with the bytes holding it, its offset and length (valid only during the call). */
export type OnRecord = (bytes: Uint8Array, offset: number, length: number) => void;

/** A stream of raw records from one export map. */
export interface RecordStream extends Disposable {
  /** Resolves true when records may be ready, false after `timeoutMs` or once closed. */
  wait(timeoutMs: number): Promise<boolean>;
  /** Hands over at most `limit` records (a perf array: what its rings hold); returns how many. */
  drain(onRecord: OnRecord, limit: number): number;
  /** Events the kernel side lost, when the program keeps count. */
  lost(): bigint | undefined;
}

/** Opens the reader of `target`, a ring buffer or perf event array of the loaded `obj`. */
export function openRecordStream(obj: BpfObject, target: ExportTarget, elf: Elf, btf: Btf): RecordStream {
  const fd = obj.mapFd(target.map);
  if (target.source === "perf") {
    const reader = new PerfBufferReader(fd);
    return {
      wait: (ms) => reader.wait(ms),
      drain: (onRecord) => reader.drain((data) => onRecord(data, 0, data.length)),
      lost: () => reader.lost,
      [Symbol.dispose]: () => reader.close(),
    };
  }
  const reader = new RingBufferReader(fd);
  const counter = lostCounterPlace(elf, btf);
  const lost = () => {
    if (!counter) return undefined;
    const bytes = obj.readSection(counter.section, counter.offset, 8);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  };
  return {
    wait: (ms) => reader.wait(ms),
    drain: (onRecord, limit) => reader.drainInPlace(onRecord, limit),
    lost,
    [Symbol.dispose]: () => reader.close(),
  };
}
