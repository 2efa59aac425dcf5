/**
 * Histograms in the layout BCC's libbpf-tools print (`print_log2_hist` and
 * `print_linear_hist` of trace_helpers.c), plus a JSON shape holding the same rows.
 * Counts may be numbers or bigints; every computation is exact (no 32-bit wrap-around
 * of the C original, so counts above 2^31 print as themselves).
 */

/** One printed row of a histogram: the values `low..high` (inclusive) were seen `count` times. */
export interface HistogramBucket {
  low: number | bigint;
  high: number | bigint;
  count: number | bigint;
}

/** A histogram as JSON: the unit label and the rows the text form prints. */
export interface HistogramJson {
  unit: string;
  buckets: HistogramBucket[];
}

/** A slot count: a number or bigint (u64 slots decode as bigints). */
export type SlotCount = number | bigint;

const STARS_MAX = 40;
/** BCC widens the layout once the last non-empty log2 slot is past this index. */
const NARROW_LAST_SLOT = 32;

const big = (v: SlotCount): bigint => (typeof v === "bigint" ? v : Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n);
/** A bigint as a number when exact, so JSON consumers get plain numbers where they can. */
const plain = (v: bigint): number | bigint => (v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

/** Counts up to 2^47 keep count*40 exact in a double: the fast path, taken by u32 slots. */
const FAST_LIMIT = 2 ** 47;

/**
 * The counts as numbers when every one is small enough for exact double arithmetic,
 * else as bigints; with the first and last slot above zero (-1 if none).
 */
function counts(slots: readonly SlotCount[]): { values: number[] | bigint[]; first: number; last: number } {
  let first = -1;
  let last = -1;
  let fast = true;
  for (let i = 0; i < slots.length; i++) {
    const v = slots[i];
    if (v > 0) {
      last = i;
      if (first < 0) first = i;
    }
    if (typeof v === "bigint" ? v > FAST_LIMIT || v < -FAST_LIMIT : !(Math.abs(v) <= FAST_LIMIT)) fast = false;
  }
  return { values: fast ? slots.map((v) => Math.trunc(Number(v))) : slots.map(big), first, last };
}

/** `|` + `width` columns of stars (count*width/max of them, rounded down) and spaces + `|`. */
function bar(count: number | bigint, max: number | bigint, width: number): string {
  let stars = 0;
  if (typeof count === "number" && typeof max === "number") {
    if (max > 0) stars = Math.floor((Math.min(count, max) * width) / max);
  } else if (big(max) > 0n) {
    const c = big(count) < big(max) ? big(count) : big(max);
    stars = Number((c * BigInt(width)) / big(max));
  }
  if (stars < 0) stars = 0;
  return `|${"*".repeat(stars)}${" ".repeat(width - stars)}|`;
}

function maxOf(values: number[] | bigint[]): number | bigint {
  let max: number | bigint = typeof values[0] === "bigint" ? 0n : 0;
  for (const v of values) if (v > max) max = v;
  return max;
}

const boundsCache: { low: bigint; high: bigint; lowText: string; highText: string }[] = [];

/** The bounds of log2 slot `i`: 0 -> 1, 2 -> 3, 4 -> 7, ... (cached with their text). */
function log2Bounds(i: number): { low: bigint; high: bigint; lowText: string; highText: string } {
  let b = boundsCache[i];
  if (!b) {
    const high = (1n << BigInt(i + 1)) - 1n;
    let low = (1n << BigInt(i + 1)) >> 1n;
    if (low === high) low -= 1n;
    b = { low, high, lowText: String(low), highText: String(high) };
    if (i < 256) boundsCache[i] = b;
  }
  return b;
}

/**
 * The text BCC's `print_log2_hist` prints for these slots: a header naming `unit`, then
 * one row per slot up to the last non-empty one, with a 40-column bar
 * (`stars = count*40/max`). When slots past index 32 are used, the columns widen
 * (20-digit bounds) and the bar halves to 20 columns, as in BCC.
 * Every line ends in "\n"; all-zero (or no) slots give "".
 *
 * @example
 *   formatLog2Hist([3, 58], "usecs");
 *   // "     usecs               : count    distribution\n" +
 *   // "         0 -> 1          : 3        |**                                      |\n" +
 *   // "         2 -> 3          : 58       |****************************************|\n"
 */
export function formatLog2Hist(slots: readonly SlotCount[], unit: string): string {
  const { values, last } = counts(slots);
  if (last < 0) return "";
  const max = maxOf(values);
  const narrow = last <= NARROW_LAST_SLOT;
  const width = narrow ? 10 : 20;
  const stars = narrow ? STARS_MAX : STARS_MAX / 2;
  let out = `${" ".repeat(narrow ? 5 : 15)}${unit.padEnd(narrow ? 19 : 29)} : count    distribution\n`;
  for (let i = 0; i <= last; i++) {
    const { lowText, highText } = log2Bounds(i);
    const count = values[i];
    out += `${lowText.padStart(width)} -> ${highText.padEnd(width)} : ${String(count).padEnd(8)} ${bar(count, max, stars)}\n`;
  }
  return out;
}

/**
 * The text BCC's `print_linear_hist` prints: slot `i` stands for the value
 * `base + i*step`; only non-empty slots get a row (between the first and last
 * non-empty ones), each with a 40-column bar. Every line ends in "\n"; no counts give "".
 *
 * @example
 *   formatLinearHist([0, 2, 0, 4], 0, 10, "ms");
 *   // "     ms            : count     distribution\n" +
 *   // "        10         : 2        |********************                    |\n" +
 *   // "        30         : 4        |****************************************|\n"
 */
export function formatLinearHist(slots: readonly SlotCount[], base: SlotCount, step: SlotCount, unit: string): string {
  const { values, first, last } = counts(slots);
  if (last < 0) return "";
  const max = maxOf(values);
  let out = `     ${unit.padEnd(13)} : count     distribution\n`;
  for (let i = first; i <= last; i++) {
    const count = values[i];
    if (count <= 0) continue;
    const value = big(base) + BigInt(i) * big(step);
    out += `        ${String(value).padEnd(10)} : ${String(count).padEnd(8)} ${bar(count, max, STARS_MAX)}\n`;
  }
  return out;
}

/**
 * The rows of {@link formatLog2Hist} as data: slot `i` covers `low..high`
 * (0..1, 2..3, 4..7, ...); rows run from slot 0 to the last non-empty slot.
 *
 * @example log2HistJson([3, 58], "usecs")
 *   // { unit: "usecs", buckets: [{ low: 0, high: 1, count: 3 }, { low: 2, high: 3, count: 58 }] }
 */
export function log2HistJson(slots: readonly SlotCount[], unit: string): HistogramJson {
  const { last } = counts(slots);
  const buckets: HistogramBucket[] = [];
  for (let i = 0; i <= last; i++) {
    const { low, high } = log2Bounds(i);
    buckets.push({ low: plain(low), high: plain(high), count: slots[i] });
  }
  return { unit, buckets };
}

/**
 * The rows of {@link formatLinearHist} as data: only non-empty slots, each covering
 * `base + i*step .. base + (i+1)*step - 1`.
 *
 * @example linearHistJson([0, 2], 0, 10, "ms") // { unit: "ms", buckets: [{ low: 10, high: 19, count: 2 }] }
 */
export function linearHistJson(slots: readonly SlotCount[], base: SlotCount, step: SlotCount, unit: string): HistogramJson {
  const { first, last } = counts(slots);
  const buckets: HistogramBucket[] = [];
  if (last < 0) return { unit, buckets };
  for (let i = first; i <= last; i++) {
    if (!(slots[i] > 0)) continue;
    const low = big(base) + BigInt(i) * big(step);
    const high = low + big(step) - 1n;
    buckets.push({ low: plain(low), high: plain(high), count: slots[i] });
  }
  return { unit, buckets };
}
