/**
 * Turns stack addresses into `symbol+offset`: kernel addresses through /proc/kallsyms
 * (read once, on first use), user addresses through /proc/<pid>/maps and the symbol
 * tables of the mapped ELF files (each parsed once, with its separate debug file from
 * /usr/lib/debug/.build-id when one is installed). Everything it cannot resolve stays a
 * bare address; nothing here throws on a vanished process or an unreadable file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  elfBuildId, ElfSymbolTable, findMapping, parseElf, parseKallsyms, parseProcMaps,
  type Elf, type KernelSymbols, type ProcMapping,
} from "@eunomia/decoder";

/** One frame of a stack: the address, and what it resolved to, if anything. */
export interface StackFrame {
  address: bigint;
  /** The function the address is in. */
  symbol?: string;
  /** Bytes from the function's start. */
  offset?: number;
  /** Kernel frames: the module owning the symbol ("bpf" for BPF programs). */
  module?: string;
  /** User frames: the mapped file the address is in. */
  file?: string;
}

/** Options of {@link StackSymbolizer}; the defaults read the live system. */
export interface StackSymbolizerOptions {
  /** Where kernel symbols come from (default "/proc/kallsyms"). */
  kallsymsPath?: string;
  /** Roots searched for `.build-id/xx/rest.debug` files (default ["/usr/lib/debug"]). */
  debugDirs?: string[];
  /** How long a process's maps are reused before being read again (default 1000 ms). */
  mapsTtlMs?: number;
  /** Told once per distinct problem (e.g. kallsyms unreadable), for the CLI to print. */
  onWarning?: (message: string) => void;
}

interface CachedMaps { maps: ProcMapping[]; readAt: number }

const MAX_CACHED_PROCESSES = 1024;

function hex(n: bigint): string {
  return n.toString(16);
}

/**
 * Resolves kernel and user stack addresses of the live system, caching what it reads.
 *
 * @example
 *   const symbolizer = new StackSymbolizer();
 *   symbolizer.kernel([0xffffffff81e4a1b2n]); // [{ address, symbol: "do_syscall_64", offset: 114 }]
 *   symbolizer.user(pid, [0x55d0c8a01139n]);  // [{ address, symbol: "main", offset: 9, file: "/usr/bin/prog" }]
 */
export class StackSymbolizer {
  readonly #opts: Required<Omit<StackSymbolizerOptions, "onWarning">> & Pick<StackSymbolizerOptions, "onWarning">;
  #kernel: KernelSymbols | null | undefined;
  readonly #maps = new Map<number, CachedMaps>();
  readonly #files = new Map<string, ElfSymbolTable | null>();
  readonly #warned = new Set<string>();

  constructor(opts: StackSymbolizerOptions = {}) {
    this.#opts = {
      kallsymsPath: opts.kallsymsPath ?? "/proc/kallsyms",
      debugDirs: opts.debugDirs ?? ["/usr/lib/debug"],
      mapsTtlMs: opts.mapsTtlMs ?? 1000,
      onWarning: opts.onWarning,
    };
  }

  /** Resolves kernel addresses. */
  kernel(addresses: readonly bigint[]): StackFrame[] {
    const table = this.#kernelTable();
    return addresses.map((address) => {
      const m = table?.lookup(address);
      if (!m) return { address };
      return m.module === undefined
        ? { address, symbol: m.name, offset: m.offset }
        : { address, symbol: m.name, offset: m.offset, module: m.module };
    });
  }

  /** Resolves user addresses of process `pid` (which must still be running to resolve). */
  user(pid: number, addresses: readonly bigint[]): StackFrame[] {
    const started = performance.now();
    let cached = this.#processMaps(pid, false);
    if (cached && addresses.some((a) => !findMapping(cached!.maps, a)) && cached.readAt < started) {
      cached = this.#processMaps(pid, true); // something new may have been mapped since
    }
    return addresses.map((address) => {
      const mapping = cached && findMapping(cached.maps, address);
      if (!mapping || !mapping.path.startsWith("/")) return { address };
      const table = this.#fileTable(pid, mapping);
      const m = table?.lookupRuntime(address, mapping);
      return m ? { address, symbol: m.name, offset: m.offset, file: mapping.path } : { address, file: mapping.path };
    });
  }

  #warn(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.#opts.onWarning?.(message);
  }

  #kernelTable(): KernelSymbols | null {
    if (this.#kernel !== undefined) return this.#kernel;
    try {
      this.#kernel = parseKallsyms(readFileSync(this.#opts.kallsymsPath, "utf8"));
      if (this.#kernel.size === 0) this.#warn(`${this.#opts.kallsymsPath} lists no addresses (kptr_restrict?): kernel stacks are printed as addresses`);
    } catch (e) {
      this.#kernel = null;
      this.#warn(`cannot read kernel symbols from ${this.#opts.kallsymsPath}: ${(e as Error).message}`);
    }
    return this.#kernel;
  }

  #processMaps(pid: number, refresh: boolean): CachedMaps | undefined {
    const now = performance.now();
    const held = this.#maps.get(pid);
    if (held && !refresh && now - held.readAt < this.#opts.mapsTtlMs) return held;
    let maps: ProcMapping[];
    try {
      maps = parseProcMaps(readFileSync(`/proc/${pid}/maps`, "utf8"));
    } catch {
      this.#maps.delete(pid);
      return undefined; // the process is gone: its frames stay addresses
    }
    this.#maps.delete(pid);
    if (this.#maps.size >= MAX_CACHED_PROCESSES) this.#maps.delete(this.#maps.keys().next().value!);
    const entry = { maps, readAt: now };
    this.#maps.set(pid, entry);
    return entry;
  }

  #fileTable(pid: number, mapping: ProcMapping): ElfSymbolTable | null {
    const key = `${mapping.dev}:${mapping.inode}:${mapping.path}`;
    const held = this.#files.get(key);
    if (held !== undefined) return held;
    let table: ElfSymbolTable | null = null;
    // Through the process's own root (containers), else through the mapping itself (deleted files).
    const byPath = `/proc/${pid}/root${mapping.path}`;
    const byMapping = `/proc/${pid}/map_files/${hex(mapping.start)}-${hex(mapping.end)}`;
    const candidates = mapping.deleted ? [byMapping, byPath] : [byPath, byMapping];
    for (const path of candidates) {
      try {
        const elf = parseElf(new Uint8Array(readFileSync(path)));
        table = ElfSymbolTable.fromElf(elf, this.#debugElf(elf));
        break;
      } catch {
        // unreadable or not an ELF: try the next way in
      }
    }
    this.#files.set(key, table);
    return table;
  }

  #debugElf(elf: Elf): Elf | undefined {
    const id = elfBuildId(elf);
    if (!id || id.length < 3) return undefined;
    for (const dir of this.#opts.debugDirs) {
      try {
        return parseElf(new Uint8Array(readFileSync(join(dir, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`))));
      } catch {
        // no debug file there
      }
    }
    return undefined;
  }
}
