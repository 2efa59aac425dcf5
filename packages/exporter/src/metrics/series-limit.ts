/**
 * The cardinality guard: a metric keeps at most `max` series; updates for series past
 * that are dropped and counted (a runaway label such as a file name must not eat memory).
 */
export class SeriesLimit<T> {
  readonly #series = new Map<string, T>();
  readonly #max: number;
  readonly #onDrop: () => void;

  constructor(max: number, onDrop: () => void) {
    this.#max = max;
    this.#onDrop = onDrop;
  }

  /** The series for `key`, made by `make` if there is room; undefined (and counted) if not. */
  get(key: string, make: () => T): T | undefined {
    let series = this.#series.get(key);
    if (series !== undefined) return series;
    if (this.#series.size >= this.#max) {
      this.#onDrop();
      return undefined;
    }
    series = make();
    this.#series.set(key, series);
    return series;
  }

  get size(): number {
    return this.#series.size;
  }
}
