/**
 * What the `tradeapi` CLI knows about each API. Adding an API to the CLI is adding one
 * `CliApi` object to `src/cli/apis/index.ts`: `list`, `call` and `mock` are generic.
 */
import type { ApiMeta } from "../handwritten/core/meta.js";

export interface EnvVar {
  name: string;
  description: string;
  /** Never echoed. */
  secret?: boolean;
}

export interface CliOperation {
  operationId: string;
  method: string;
  path: string;
  summary: string;
  deprecated?: boolean;
}

export interface CliCallFlags {
  baseUrl?: string;
  /** Further `--name value` flags an API declares in `flags`. */
  [flag: string]: string | undefined;
}

/** Something that runs one operation and resolves to the data to print. */
export interface CliCaller {
  call(operation: string, params: Record<string, unknown>): Promise<unknown>;
  /** Release sockets/timers (optional). */
  close?(): Promise<void>;
}

export interface RunningMock {
  /** Base URL(s) to print, e.g. { url: "http://127.0.0.1:1234" } or { MA: ..., MS: ... }. */
  urls: Record<string, string>;
  close(): Promise<void>;
}

export interface CliApi {
  name: string;
  title: string;
  /** REST APIs: the generated metadata (list/call read operations from it). */
  meta?: ApiMeta;
  /** Non-REST APIs list their operations themselves. */
  operations?: () => CliOperation[];
  env: EnvVar[];
  /** Extra `--flag value` options `call` accepts for this API (besides --base-url, --json). */
  flags?: Array<{ name: string; description: string }>;
  /** Build a caller from the environment and flags; throw CredentialsError/UsageError for missing input. */
  createCaller?(env: NodeJS.ProcessEnv, flags: CliCallFlags): CliCaller;
  /** Start the emulator on 127.0.0.1 (port 0 = any free port). */
  startMock?(opts: { port?: number; host?: string; args: string[] }): Promise<RunningMock>;
  /** Text printed after a mock starts: how to point the CLI at it. */
  mockHint?(mock: RunningMock): string;
  /** Extra top-level commands this API brings (e.g. `ws` for the Quant gateway). */
  commands?: Record<string, { description: string; run(args: string[], io: CliIoLike): Promise<number> }>;
}

/** The CLI's I/O as commands see it (see CliIo in main.ts). */
export interface CliIoLike {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  untilStopped?: () => Promise<void>;
}
