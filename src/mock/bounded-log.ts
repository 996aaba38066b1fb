/** What an emulator keeps for tests, bounded by count and by total size: the oldest go first. */
export class BoundedLog<T> {
  readonly items: T[] = [];
  private readonly sizes: number[] = [];
  private total = 0;

  constructor(
    private readonly maxItems: number,
    private readonly maxSize: number,
  ) {}

  /** Keep `item` (of `size` units); the newest item is always kept. */
  push(item: T, size: number): void {
    this.items.push(item);
    this.sizes.push(size);
    this.total += size;
    while (this.items.length > this.maxItems || (this.total > this.maxSize && this.items.length > 1)) {
      this.items.shift();
      this.total -= this.sizes.shift()!;
    }
  }
}
