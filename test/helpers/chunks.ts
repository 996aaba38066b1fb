/** A text as UTF-8 chunks of `size` bytes (so multi-byte characters and escapes are split too). */
export function bytesIn(text: string, size: number): Uint8Array[] {
  const all = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size));
  return out;
}

/** The items, one at a time, as an async iterable (a body's chunks as a stream gives them). */
export async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}
