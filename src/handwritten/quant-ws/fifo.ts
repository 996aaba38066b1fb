/**
 * A first-in first-out list whose `shift()` costs the same at any length: an array and the
 * index of its head (Array.prototype.shift moves every element: at 100,000 held notifications,
 * each one dropped for a newer one cost as much as 2,000 notifications read). The array is cut
 * once its taken head is more than half of it, so memory stays within twice what is held.
 */
export class Fifo<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, taken out (undefined when empty). */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) this.clear();
    else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The oldest `n` items (all when `n` is undefined), taken out, in order. */
  take(n?: number): T[] {
    if (n === undefined) {
      const out = this.toArray();
      this.clear();
      return out;
    }
    const out: T[] = [];
    while (out.length < n && this.length) out.push(this.shift()!);
    return out;
  }

  /** Put `items` back in front, in their order (before the oldest item now). */
  unshiftAll(items: readonly T[]): void {
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** Every item, oldest first (not taken out). */
  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
