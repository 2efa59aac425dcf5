/**
 * `BpfMap`: one map of a loaded object, read and written from user space through
 * libbpf's low-level calls (bpf_map_lookup_elem and friends), one syscall each.
 */
import { Errno } from "./errno.ts";
import { LibbpfError } from "./errors.ts";
import { libbpf } from "./ffi/libbpf.ts";

/** `flags` of {@link BpfMap.update}: create or replace. */
export const BPF_ANY = 0;
/** `flags` of {@link BpfMap.update}: create only; EEXIST if the key is there. */
export const BPF_NOEXIST = 1;
/** `flags` of {@link BpfMap.update}: replace only; ENOENT if the key is missing. */
export const BPF_EXIST = 2;

// enum bpf_map_type values with one value slot per possible CPU.
const PER_CPU_TYPES = new Set([5 /* PERCPU_HASH */, 6 /* PERCPU_ARRAY */, 10 /* LRU_PERCPU_HASH */, 21 /* PERCPU_CGROUP_STORAGE */]);
// Arrays: every key 0..max_entries-1 exists; elements cannot be deleted, only overwritten.
const ARRAY_TYPES = new Set([2 /* ARRAY */, 6 /* PERCPU_ARRAY */]);

let possibleCpus: number | undefined;

/** Number of possible CPUs (the count of values a per-CPU map holds per key). */
function numPossibleCpus(): number {
  if (possibleCpus === undefined) {
    const n = libbpf().libbpf_num_possible_cpus();
    if (n <= 0) throw new LibbpfError("count possible CPUs", -n || Errno.EINVAL);
    possibleCpus = n;
  }
  return possibleCpus;
}

/** What libbpf says about a map; `valueSize` is the size of one value as the program sees it. */
export interface BpfMapShape {
  name: string;
  fd: number;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

/**
 * A loaded map. Get it with `BpfObject.map(name)`; it stays usable until the object is
 * closed (then every call throws EBADF). Keys and values are raw little-endian bytes
 * laid out as in the program. Needs CAP_BPF (or root).
 *
 * Per-CPU maps (`perCpu`): a value holds one copy per possible CPU, each rounded up to
 * 8 bytes, so `valueSize` is `cpuCount * roundup(size, 8)`; {@link cpuValues} splits it.
 *
 * @example
 * const hists = obj.map("hists");
 * for (const { key, value } of hists.entries()) console.log(key, value);
 * hists.clear();
 */
export class BpfMap {
  readonly name: string;
  /** The map's file descriptor; owned by the object, closed with it. */
  readonly fd: number;
  /** `enum bpf_map_type`, e.g. 1 for BPF_MAP_TYPE_HASH. */
  readonly type: number;
  readonly keySize: number;
  /** Bytes of a value as lookup returns it (for per-CPU maps: all CPUs' copies, each rounded up to 8). */
  readonly valueSize: number;
  readonly maxEntries: number;
  /** True for per-CPU hash/array maps. */
  readonly perCpu: boolean;
  /** Copies of a value per key: the number of possible CPUs for per-CPU maps, else 1. */
  readonly cpuCount: number;
  readonly #alive: () => boolean;
  readonly #objectName: string;
  #noBatch = false;

  /** @internal Use `BpfObject.map(name)`. `alive` says whether the owning object is still open. */
  constructor(shape: BpfMapShape, objectName: string, alive: () => boolean) {
    this.name = shape.name;
    this.fd = shape.fd;
    this.type = shape.type;
    this.keySize = shape.keySize;
    this.maxEntries = shape.maxEntries;
    this.perCpu = PER_CPU_TYPES.has(shape.type);
    this.cpuCount = this.perCpu ? numPossibleCpus() : 1;
    this.valueSize = this.perCpu ? this.cpuCount * roundUp8(shape.valueSize) : shape.valueSize;
    this.#objectName = objectName;
    this.#alive = alive;
  }

  /** The value stored under `key`, or undefined if there is none. Throws {@link LibbpfError}. */
  lookup(key: Uint8Array): Uint8Array | undefined {
    const op = `look up a key in map '${this.name}'`;
    this.#check(op, key);
    const value = new Uint8Array(Math.max(this.valueSize, 1));
    const rc = libbpf().bpf_map_lookup_elem(this.fd, key, value);
    if (rc === -2 /* ENOENT */) return undefined;
    if (rc < 0) throw new LibbpfError(op, -rc);
    return value.subarray(0, this.valueSize);
  }

  /**
   * Stores `value` under `key`. `flags`: {@link BPF_ANY} (default), {@link BPF_NOEXIST}
   * or {@link BPF_EXIST}. Throws {@link LibbpfError} (EEXIST, ENOENT, E2BIG when full, ...).
   */
  update(key: Uint8Array, value: Uint8Array, flags: number = BPF_ANY): void {
    const op = `update a key in map '${this.name}'`;
    this.#check(op, key);
    if (!(value instanceof Uint8Array) || value.length !== this.valueSize) {
      throw new LibbpfError(op, Errno.EINVAL, { detail: `the value is ${describeLength(value)}, the map's values are ${this.valueSize} bytes` });
    }
    const rc = libbpf().bpf_map_update_elem(this.fd, key, value, BigInt(flags));
    if (rc < 0) throw new LibbpfError(op, -rc);
  }

  /** Removes `key`; false if it was not there. Arrays cannot delete (EINVAL). Throws {@link LibbpfError}. */
  delete(key: Uint8Array): boolean {
    const op = `delete a key from map '${this.name}'`;
    this.#check(op, key);
    const rc = libbpf().bpf_map_delete_elem(this.fd, key);
    if (rc === -2 /* ENOENT */) return false;
    if (rc < 0) throw new LibbpfError(op, -rc);
    return true;
  }

  /**
   * Every key, in the kernel's iteration order (arrays: 0..maxEntries-1 as u32).
   * Keys deleted by the program during the walk may be skipped, never repeated.
   */
  keys(): Uint8Array[] {
    const op = `list the keys of map '${this.name}'`;
    this.#assertOpen(op);
    if (ARRAY_TYPES.has(this.type)) {
      return Array.from({ length: this.maxEntries }, (_, i) => new Uint8Array(new Uint32Array([i]).buffer));
    }
    this.#assertHasKeys(op);
    const lib = libbpf();
    const keys: Uint8Array[] = [];
    const seen = new Set<string>();
    let previous: Uint8Array | null = null;
    for (;;) {
      const next = new Uint8Array(this.keySize);
      const rc = lib.bpf_map_get_next_key(this.fd, previous, next);
      if (rc === -2 /* ENOENT: no more keys */) break;
      if (rc < 0) throw new LibbpfError(op, -rc);
      // A key deleted under us makes the kernel restart from the first key: stop there.
      const id = next.join(",");
      if (seen.has(id)) break;
      seen.add(id);
      keys.push(next);
      previous = next;
    }
    return keys;
  }

  /** Every key with its value (keys removed between listing and lookup are left out). */
  entries(): { key: Uint8Array; value: Uint8Array }[] {
    const out: { key: Uint8Array; value: Uint8Array }[] = [];
    for (const key of this.keys()) {
      const value = this.lookup(key);
      if (value !== undefined) out.push({ key, value });
    }
    return out;
  }

  /**
   * Every key with its value like {@link entries}, read in batches of up to `chunk`
   * entries per syscall (BPF_MAP_LOOKUP_BATCH) instead of two syscalls per key; falls back
   * to {@link entries} where the kernel or map type has no batch lookup. Throws {@link LibbpfError}.
   */
  entriesBatched(chunk = 4096): { key: Uint8Array; value: Uint8Array }[] {
    const op = `read map '${this.name}' in batches`;
    this.#assertOpen(op);
    this.#assertHasKeys(op);
    if (this.#noBatch) return this.entries();
    const lib = libbpf();
    const size = Math.max(1, Math.min(chunk, this.maxEntries));
    const count = new Uint32Array(1);
    // The batch token is opaque; a key's size (at least 8 bytes) holds it for every map type.
    let inBatch: Uint8Array | null = null;
    const outBatch = new Uint8Array(Math.max(8, this.keySize));
    const out: { key: Uint8Array; value: Uint8Array }[] = [];
    for (;;) {
      // Fresh buffers per batch: the entries handed out are views into them.
      const keys = new Uint8Array(size * this.keySize);
      const values = new Uint8Array(size * this.valueSize);
      count[0] = size;
      const rc = lib.bpf_map_lookup_batch(this.fd, inBatch, outBatch, keys, values, count, null);
      if (rc < 0 && rc !== -2 /* ENOENT: this was the last batch */) {
        // EINVAL/ENOTSUPP: no batch ops for this map; ENOSPC: a hash bucket larger than the chunk.
        if (out.length === 0 && (rc === -22 || rc === -524 || rc === -95 || rc === -28)) {
          if (rc !== -28) this.#noBatch = true;
          return this.entries();
        }
        throw new LibbpfError(op, -rc);
      }
      for (let i = 0; i < count[0]; i++) {
        out.push({ key: keys.subarray(i * this.keySize, (i + 1) * this.keySize), value: values.subarray(i * this.valueSize, (i + 1) * this.valueSize) });
      }
      if (rc === -2) return out;
      inBatch ??= new Uint8Array(outBatch.length);
      inBatch.set(outBatch);
    }
  }

  /**
   * Empties the map: deletes every key, or for arrays (whose elements cannot be deleted)
   * zeroes every element that is not already zero. Returns how many entries it
   * deleted or zeroed. Throws {@link LibbpfError}.
   */
  clear(): number {
    let cleared = 0;
    if (ARRAY_TYPES.has(this.type)) {
      const zero = new Uint8Array(this.valueSize);
      for (const { key, value } of this.entries()) {
        if (value.some((b) => b !== 0)) {
          this.update(key, zero, BPF_EXIST);
          cleared++;
        }
      }
      return cleared;
    }
    for (const key of this.keys()) if (this.delete(key)) cleared++;
    return cleared;
  }

  /**
   * The per-CPU copies inside a value returned by {@link lookup}: `cpuCount` views of
   * `valueSize / cpuCount` bytes each (one view, the value itself, for other maps).
   */
  cpuValues(value: Uint8Array): Uint8Array[] {
    const stride = this.valueSize / this.cpuCount;
    return Array.from({ length: this.cpuCount }, (_, cpu) => value.subarray(cpu * stride, (cpu + 1) * stride));
  }

  #assertOpen(op: string): void {
    if (!this.#alive()) throw new LibbpfError(op, Errno.EBADF, { detail: `object '${this.#objectName}' is closed` });
  }

  #assertHasKeys(op: string): void {
    if (this.keySize === 0) {
      throw new LibbpfError(op, Errno.EINVAL, { detail: `maps of type ${this.type} have no keys` });
    }
  }

  #check(op: string, key: Uint8Array): void {
    this.#assertOpen(op);
    this.#assertHasKeys(op);
    if (!(key instanceof Uint8Array) || key.length !== this.keySize) {
      throw new LibbpfError(op, Errno.EINVAL, { detail: `the key is ${describeLength(key)}, the map's keys are ${this.keySize} bytes` });
    }
  }
}

function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function describeLength(bytes: unknown): string {
  return bytes instanceof Uint8Array ? `${bytes.length} bytes` : "not a Uint8Array";
}
