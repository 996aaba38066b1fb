/**
 * Running the CLI in tests: in-process through runCli with captured output, or as real
 * processes from source (`node --import tsx src/cli/main-entry.ts ...`).
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { runCli, type CliIo } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

/** runCli with stdout/stderr captured; `io` adds e.g. `untilStopped`. */
export async function runCliCaptured(argv: string[], env: NodeJS.ProcessEnv, io: Partial<CliIo> = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, ...io });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as unknown };
}

const FROM_SOURCE = ["--import", "tsx", "src/cli/main-entry.ts"];

/**
 * Start `tradeapi mock <api> --port 0` as a process; resolves once its banner matches `ready`
 * (first group: the URL). Call `stop()` in a finally.
 */
export async function spawnCliMock(
  api: string,
  ready: RegExp = /listening on (http:\/\/127\.0\.0\.1:\d+)/,
): Promise<{ url: string; banner: string; stop: () => void }> {
  const server = spawn(process.execPath, [...FROM_SOURCE, "mock", api, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  const stop = () => void server.kill("SIGTERM");
  try {
    const { url, banner } = await new Promise<{ url: string; banner: string }>((resolve, reject) => {
      let buf = "";
      server.stdout.on("data", (d) => {
        buf += d;
        const m = ready.exec(buf);
        if (m) resolve({ url: m[1]!, banner: buf });
      });
      server.once("exit", () => reject(new Error(`mock ${api} exited: ${buf}`)));
    });
    return { url, banner, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

/** Run `tradeapi <args>` as a process from source; resolves with its stdout (rejects on a non-zero exit). */
export async function runCliProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [...FROM_SOURCE, ...args], { env: { ...process.env, ...env } });
}

/**
 * `tradeapi mock <argv…>` run in-process; resolves once it has printed its credentials (first
 * `listening on` URL: `url`). `stop()` ends it; `done` is its exit code.
 */
export async function mockInProcess(argv: string[]): Promise<{ url: string; out: () => string; stop: () => void; done: Promise<number> }> {
  let out = "";
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  let listening!: () => void;
  const ready = new Promise<void>((r) => (listening = r));
  const done = runCli(["mock", ...argv], {
    stdout: (t) => {
      out += t;
      if (/credentials:/.test(out)) listening();
    },
    stderr: () => undefined,
    env: {},
    untilStopped: () => stopped,
  });
  await Promise.race([ready, done.then((code) => Promise.reject(new Error(`mock ${argv.join(" ")} exited ${code}: ${out}`)))]);
  return { url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!, out: () => out, stop, done };
}
