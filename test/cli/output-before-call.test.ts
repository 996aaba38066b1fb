/**
 * `--output FILE` is checked before the call (exit 2 naming --output, nothing sent), for an
 * answer written at once (JSON, a file's bytes) and for Xele's rows written beside FILE and
 * renamed onto it alike: a problem found only after an order went out was exit 1, which a
 * script may read as "not placed" and send again.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";
import { runCliCaptured } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

/** Requests that reached a server: a usage error sent none. */
let hits = 0;
/** A server that only counts requests (XT), and the Xele emulator counting its own (its rows would be written). */
let counter: Server;
let url: string;
let xele: XeleMock;
beforeAll(async () => {
  counter = createServer((_req, res) => {
    hits++;
    res.end("{}");
  });
  await new Promise<void>((r) => counter.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(counter.address() as { port: number }).port}`;
  xele = await startXeleMock({ log: () => void hits++ });
});
afterAll(async () => {
  await new Promise((r) => counter.close(r));
  await xele.close();
});

const env = () => ({ XT_BASE_URL: url, XT_ACCESS_KEY: "ak-out", XT_SECRET_KEY: "sk-out", XELE_MA_URL: xele.maUrl, XELE_MS_URL: xele.msUrl, XELE_USERNAME: XELE_MOCK_USERNAME, XELE_PASSWORD: XELE_MOCK_PASSWORD });
const ORDER = ["call", "xt", "order", "market=btc_usdt", "price=5000", "number=0.002", "type=1", "entrustType=0"];
/** A "|" row answer: written to a temporary file and renamed onto FILE. */
const ROWS = ["call", "xele", "queryOrders"];

describe("--output is checked before the call: exit 2 naming it, nothing sent", () => {
  it.each([
    { what: "a folder that does not exist yet, with a trailing /", name: (d: string) => join(d, "newdir/") },
    { what: "the same, relative", name: () => "newdir-that-is-not-there/" },
    { what: "a name ending in /.", name: (d: string) => join(d, "newdir") + "/." },
    { what: "a path whose parent is a file", name: (d: string) => join(d, "a-file", "x.json") },
  ])("$what: an order and a row answer alike, nothing created", async ({ name }) => {
    const dir = tempDir("tradeapi-out-");
    writeFileSync(join(dir, "a-file"), "kept");
    // (the relative name is in the working directory: what a failure made there goes too)
    onTestFinished(() => rmSync("newdir-that-is-not-there", { force: true, recursive: true }));
    for (const argv of [ORDER, ROWS]) {
      hits = 0;
      const output = name(dir);
      const r = await runCliCaptured([...argv, "--output", output], env());
      expect(r.code, `${argv[1]} ${output}`).toBe(2);
      expect(r.stderr).toMatch(/^tradeapi: --output /);
      expect(r.stdout).toBe("");
      expect(hits).toBe(0);
      // (the row answer made a FILE named newdir and said {"savedTo":"newdir/"})
      expect(readdirSync(dir)).toEqual(["a-file"]);
      expect(readFileSync(join(dir, "a-file"), "utf8")).toBe("kept");
    }
    expect(existsSync("newdir-that-is-not-there")).toBe(false);
  });

  it("an existing file this user cannot write (in a folder it can): refused before the call, the row answer does not rename over it", async (ctx) => {
    // Root writes any file: as root, the CLI runs as a child process without the capabilities
    // that let root pass over a file's mode (util-linux's setpriv). Not as another user: a fresh
    // clone in a folder only root may enter (mktemp -d) would be out of its reach.
    const root = process.getuid?.() === 0;
    const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((f) => existsSync(f));
    if (root && !setpriv) return ctx.skip("running as root without util-linux's setpriv: no way to make a file root cannot write");
    const dir = tempDir("tradeapi-out-");
    chmodSync(dir, 0o777);
    const file = join(dir, "read-only.json");
    writeFileSync(file, "kept");
    chmodSync(file, 0o444);
    const run = async (argv: string[]): Promise<{ code: number; stderr: string }> => {
      if (!root) return runCliCaptured(argv, env());
      const options = { env: { ...process.env, ...env() } };
      try {
        const { stderr } = await promisify(execFile)(setpriv!, ["--bounding-set=-dac_override,-dac_read_search", "--", process.execPath, "--import", "tsx", "src/cli/main-entry.ts", ...argv], options);
        return { code: 0, stderr };
      } catch (e) {
        const failed = e as { code?: number; stderr?: string };
        return { code: failed.code ?? -1, stderr: failed.stderr ?? "" };
      }
    };
    for (const argv of [ORDER, ROWS]) {
      hits = 0;
      const r = await run([...argv, "--output", file]);
      expect([r.code, r.stderr], argv[1]).toEqual([2, expect.stringMatching(/^tradeapi: --output \S+read-only\.json cannot be written \(EACCES\): name a file you may write\n/)]);
      expect(hits).toBe(0);
      expect(readFileSync(file, "utf8")).toBe("kept");
      expect(readdirSync(dir)).toEqual(["read-only.json"]);
    }
  }, 30_000);
});
