/** Every emulator takes the same `host` option (issue: XtMockOptions lacked it). */
import { describe, expect, it } from "vitest";
import { startBhexMock } from "../../src/mock/bhex.js";
import { startHubiMock } from "../../src/mock/hubi.js";
import { startQuantWsMock } from "../../src/mock/quant-ws.js";
import { startXeleMock } from "../../src/mock/xele.js";
import { startXtMock } from "../../src/mock/xt.js";

type HostOf<F extends (...args: never[]) => unknown> = NonNullable<Parameters<F>[0]> extends infer O ? (O extends { host?: unknown } ? ("host" extends keyof O ? O["host"] : never) : never) : never;

describe("host option", () => {
  it("is typed `host?: string` on every start<Api>Mock (tsc checks these lines)", () => {
    const hosts: Record<string, string | undefined> = {
      xt: "127.0.0.1" satisfies HostOf<typeof startXtMock>,
      hubi: "127.0.0.1" satisfies HostOf<typeof startHubiMock>,
      bhex: "127.0.0.1" satisfies HostOf<typeof startBhexMock>,
      xele: "127.0.0.1" satisfies HostOf<typeof startXeleMock>,
      quantWs: "127.0.0.1" satisfies HostOf<typeof startQuantWsMock>,
    };
    expect(Object.keys(hosts)).toHaveLength(5);
  });

  it("the XT emulator listens on the host it is given", async () => {
    const mock = await startXtMock({ host: "127.0.0.1", port: 0 });
    try {
      expect((mock.server.address() as { address: string }).address).toBe("127.0.0.1");
      expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
    } finally {
      await mock.close();
    }
  });
});
