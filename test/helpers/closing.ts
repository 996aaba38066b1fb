import { afterEach } from "vitest";

/** What a test starts and must stop: an emulator, a socket, a server. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Things a test file starts, closed after each test (the last started first): `started(p)` takes
 * what `p` resolves to, `closeLater(x)` anything else (a raw socket).
 */
export function closedAfterEach(): { started: <T extends Closable>(p: Promise<T>) => Promise<T>; closeLater: (x: Closable) => void } {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });
  return {
    started: async (p) => {
      const m = await p;
      open.push(m);
      return m;
    },
    closeLater: (x) => void open.push(x),
  };
}
