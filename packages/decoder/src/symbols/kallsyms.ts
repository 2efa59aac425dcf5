/**
 * Kernel symbols from the text of `/proc/kallsyms`: a table sorted by address that maps
 * a kernel address (a stack frame) to the function containing it, as `name+offset`.
 */
import { SymbolError } from "../errors.ts";

/** The kernel function an address falls in. */
export interface KernelSymbolMatch {
  /** The symbol name, e.g. "do_syscall_64". */
  name: string;
  /** The symbol's own address. */
  address: bigint;
  /** How far the looked-up address lies past the symbol's start. */
  offset: number;
  /** The module that owns the symbol ("bpf" for BPF programs); absent for vmlinux. */
  module?: string;
}

/** kallsyms carries no symbol sizes; an address this far past the last symbol is no match. */
const MAX_OFFSET = 1n << 32n;

/** Only code can be on a stack: text symbols, local or global, strong or weak. */
const TEXT_TYPES = new Set(["t", "T", "w", "W"]);

/**
 * A sorted table of the kernel's text symbols. Build it with {@link parseKallsyms}.
 *
 * @example
 *   const ksyms = parseKallsyms(readFileSync("/proc/kallsyms", "utf8"));
 *   ksyms.lookup(0xffffffff81e4a1b2n); // { name: "do_syscall_64", offset: 114, ... }
 */
export class KernelSymbols {
  readonly #addresses: BigUint64Array;
  readonly #names: string[];
  readonly #modules: (string | undefined)[];

  /** @internal Use {@link parseKallsyms}. */
  constructor(addresses: BigUint64Array, names: string[], modules: (string | undefined)[]) {
    this.#addresses = addresses;
    this.#names = names;
    this.#modules = modules;
  }

  /** How many distinct symbol addresses the table holds. */
  get size(): number {
    return this.#addresses.length;
  }

  /**
   * The symbol at or below `address`: the function the address is in. Undefined below
   * the first symbol, or when the address lies 4 GiB or more past the nearest one.
   */
  lookup(address: bigint): KernelSymbolMatch | undefined {
    const addrs = this.#addresses;
    let lo = 0;
    let hi = addrs.length - 1;
    if (hi < 0 || address < addrs[0]) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (addrs[mid] <= address) lo = mid;
      else hi = mid - 1;
    }
    const offset = address - addrs[lo];
    if (offset >= MAX_OFFSET) return undefined;
    const match: KernelSymbolMatch = { name: this.#names[lo], address: addrs[lo], offset: Number(offset) };
    const module = this.#modules[lo];
    if (module !== undefined) match.module = module;
    return match;
  }
}

/**
 * Parses `/proc/kallsyms` text (`<hex address> <type> <name>[\t[module]]` per line).
 * Keeps text symbols (types t, T, w, W) with a non-zero address; where several share an
 * address, the first listed wins. Addresses read as zero (unprivileged readers under
 * `kptr_restrict`) leave an empty table, so every lookup is undefined.
 *
 * @throws SymbolError when a line is not of that shape.
 * @example
 *   const ksyms = parseKallsyms("ffffffff81000000 T _stext\nffffffff81001000 t helper\n");
 *   ksyms.lookup(0xffffffff81001010n)?.name; // "helper"
 */
export function parseKallsyms(text: string): KernelSymbols {
  // Addresses are kept as two 32-bit halves while parsing: BigInt per line is the slow part.
  const his: number[] = [];
  const los: number[] = [];
  const names: string[] = [];
  const modules: (string | undefined)[] = [];
  let sorted = true;
  let start = 0;
  for (let lineNo = 1; start < text.length; lineNo++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    const sp1 = line.indexOf(" ");
    if (sp1 <= 0 || sp1 > 16 || line[sp1 + 2] !== " " || !isHex(line, sp1)) {
      throw new SymbolError(`bad kallsyms line ${lineNo}: ${JSON.stringify(line.slice(0, 80))} (expected "<hex address> <type> <name>")`);
    }
    const hi = sp1 > 8 ? parseInt(line.slice(0, sp1 - 8), 16) : 0;
    const lo = parseInt(line.slice(Math.max(0, sp1 - 8), sp1), 16);
    if (!TEXT_TYPES.has(line[sp1 + 1]) || (hi === 0 && lo === 0)) continue;
    const rest = line.slice(sp1 + 3);
    const tab = rest.indexOf("\t");
    const name = tab < 0 ? rest : rest.slice(0, tab);
    if (name.length === 0) throw new SymbolError(`bad kallsyms line ${lineNo}: no symbol name`);
    const moduleText = tab < 0 ? "" : rest.slice(tab + 1).trim();
    const module = moduleText.startsWith("[") && moduleText.endsWith("]") ? moduleText.slice(1, -1) : moduleText || undefined;
    const n = his.length;
    if (n > 0 && (hi < his[n - 1] || (hi === his[n - 1] && lo < los[n - 1]))) sorted = false;
    his.push(hi);
    los.push(lo);
    names.push(name);
    modules.push(module);
  }
  let order = his.map((_, i) => i);
  // The kernel lists vmlinux in address order and modules after it; sort only if needed (stable: file order breaks ties).
  if (!sorted) order = order.sort((a, b) => his[a] - his[b] || los[a] - los[b] || a - b);
  const kept: number[] = [];
  for (const i of order) {
    const k = kept[kept.length - 1];
    if (k === undefined || his[k] !== his[i] || los[k] !== los[i]) kept.push(i);
  }
  const addresses = new BigUint64Array(kept.length);
  const halves = new Uint32Array(addresses.buffer);
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  kept.forEach((i, j) => {
    halves[2 * j + (littleEndian ? 0 : 1)] = los[i];
    halves[2 * j + (littleEndian ? 1 : 0)] = his[i];
  });
  return new KernelSymbols(addresses, kept.map((i) => names[i]), kept.map((i) => modules[i]));
}

/** Whether `line[0, end)` is all hex digits. */
function isHex(line: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = line.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46))) return false;
  }
  return true;
}
