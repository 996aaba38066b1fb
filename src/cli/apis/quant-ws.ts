/**
 * The Quant gateway in the CLI:
 *
 *   tradeapi list quant-ws                        request messages of the spec
 *   tradeapi mock quant-ws [--port N] [faults]    the loopback gateway (src/mock/quant-ws.ts)
 *   tradeapi call quant-ws <op> [k=v ...]         log in, wait READY, one request, print, log out
 *   tradeapi ws demo | login | place | send       see src/cli/commands/ws.ts
 */
import { quantWsMeta } from "../../../generated/quant-ws.js";
import { CredentialsError, UsageError } from "../../handwritten/core/errors.js";
import { KNOWN_PLATFORMS } from "../../handwritten/quant-ws/errors.js";
import { checkRequest } from "../../handwritten/quant-ws/request-check.js";
import type { SchemaMeta } from "../../handwritten/core/meta.js";
import type { QuantWsClient } from "../../handwritten/quant-ws/client.js";
import type { QuantWsLogin, SessionOp } from "../../handwritten/quant-ws/session.js";
import { CliUsageError, MAX_TIMER_SECONDS, numberFlag, timeoutFlag } from "../args.js";
import { MAX_TIMEOUT_MS } from "../../handwritten/core/validate.js";
import type { CliOperation, CliParam } from "../coerce.js";
import type { CliApi, CliSettings } from "../registry.js";
import { envAssignments, envNameOf, envValues } from "../registry.js";
import { decimalsOption } from "./rest.js";
import { OPERATIONS } from "../../handwritten/quant-ws/operations.js";

const API = "quant-ws";

/** Every request message; the wire op (`place_order`) is the name, the operationId an alias. */
export const quantWsOperations: CliOperation[] = Object.entries(OPERATIONS).map(([op, m]) => ({
  operationId: op,
  ...(m.operationId !== op ? { aliases: [m.operationId] } : {}),
  method: "WS",
  path: quantWsMeta.channel,
  summary: m.summary,
  // login and ping are made by the CLI itself; their fields are not the user's to give.
  params:
    op === "login" || op === "ping"
      ? []
      : Object.entries(m.fields).map(([name, f]): CliParam => ({
          name,
          in: "frame",
          required: f.required,
          schema: { type: f.type, ...(f.enum ? { enum: f.enum } : {}) } as SchemaMeta,
        })),
}));

export interface QuantWsTarget {
  url: string;
  /** The proxy the environment gives the gateway URL (HTTP_PROXY for ws://, HTTPS_PROXY for wss://). */
  proxy?: string;
  login: QuantWsLogin;
}

function splitList(text: string | undefined): string[] | undefined {
  const list = text?.split(",").map((s) => s.trim()).filter(Boolean);
  return list?.length ? list : undefined;
}

/**
 * Where and how to log in, from the settings (flags over environment). The platform is never
 * guessed: a gateway deployment decides which it serves. `symbols` falls back to the request's
 * own symbol; with none, the CLI asks for them (the gateway refuses a login without a symbol,
 * even for account-level requests such as asset).
 */
export function loginTarget(settings: CliSettings, fallback: { symbols?: string[]; accessKey?: string; secretKey?: string; platform?: string } = {}): QuantWsTarget {
  const url = settings.baseUrl ?? quantWsMeta.serverUrl;
  const accessKey = settings.accessKey ?? fallback.accessKey;
  const secretKey = settings.secretKey ?? fallback.secretKey;
  if (!accessKey) throw new CredentialsError(`missing access key: set ${envNameOf(API, "accessKey")} or pass --access-key`, { api: API });
  if (!secretKey) throw new CredentialsError(`missing secret key: set ${envNameOf(API, "secretKey")} (or pass --secret-key)`, { api: API });
  const platform = settings.platform ?? fallback.platform;
  if (!platform) {
    throw new CliUsageError(`which platform? set ${envNameOf(API, "platform")} or pass --platform (the gateway's exchange adapter; the deployment decides which it serves, e.g. ${KNOWN_PLATFORMS.join(", ")})`);
  }
  const symbols = splitList(settings.symbols) ?? fallback.symbols ?? [];
  if (symbols.length === 0) {
    throw new CliUsageError(`which symbols? set ${envNameOf(API, "symbols")} or pass --symbols (the gateway refuses a login without one, even for account-level requests such as asset)`);
  }
  const account = settings.account;
  return {
    url,
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
    login: { platform: platform as QuantWsLogin["platform"], symbols, accessKey, secretKey, ...(account ? { account } : {}) },
  };
}

/** Without --timeout, how long the CLI's commands wait for READY (the library's default is 30 s). */
export const CLI_LOGIN_TIMEOUT_MS = 15_000;

/**
 * Run `fn` within `ms` (or forever); on expiry close the client so nothing keeps waiting. The
 * `ws` commands use it too, `operation` "login" for a login with no request after it. The
 * error says what was being waited for: `stage()` is "connect" until the socket is open (when the
 * caller tells), "login" until the session is READY. Once
 * the request went out, the timeout of one that changes state (the spec's `x-retryable: false`)
 * is `outcomeUnknown`, as the request's own timeout would be: it may have taken effect.
 */
export async function within<T>(
  ms: number | undefined,
  signal: AbortSignal | undefined,
  client: () => QuantWsClient | undefined,
  operation: string,
  fn: () => Promise<T>,
  stage: () => "connect" | "login" | "request" = () => "request",
): Promise<T> {
  if (ms === undefined && signal === undefined) return fn();
  const { AbortedError, markOutcomeUnknown, TimeoutError } = await import("../../handwritten/core/errors.js");
  const notSent = operation === "login" ? "" : `: the ${operation} request was not sent`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let off = () => undefined as void;
  const ends: Array<Promise<never>> = [];
  if (ms !== undefined) {
    ends.push(
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const now = stage();
          const login = now !== "request";
          const what =
            now === "connect" ? `no connection to the gateway within --timeout ${ms} ms${notSent}`
            : login ? `the login did not reach READY within --timeout ${ms} ms${notSent}`
            : `no answer within --timeout ${ms} ms`;
          void client()?.close();
          const error = new TimeoutError(what, { api: API, operation, timeoutMs: ms });
          // Sent and unanswered: an order or a cancel may have taken effect, as when the request's own timeout ends it.
          reject(login || OPERATIONS[operation]?.retryable !== false ? error : markOutcomeUnknown(error));
        }, ms);
      }),
    );
  }
  if (signal) {
    // Stopped while connecting or logging in: nothing was sent. Once the request is out, its own
    // signal ends it (an order then says its outcome is unknown).
    ends.push(
      new Promise<never>((_, reject) => {
        const stopped = () => {
          const now = stage();
          if (now === "request") return;
          void client()?.close();
          const what =
            operation === "ping" ? "stopped before the gateway answered the ping"
            : now === "connect" ? `stopped before the gateway was connected${notSent}`
            : `stopped before the login reached READY${notSent}`;
          reject(new AbortedError(what, { api: API, operation, cause: signal.reason }));
        };
        if (signal.aborted) return stopped();
        signal.addEventListener("abort", stopped, { once: true });
        off = () => signal.removeEventListener("abort", stopped);
      }),
    );
  }
  try {
    return await Promise.race([fn(), ...ends]);
  } finally {
    clearTimeout(timer);
    off();
  }
}

export const quantWsCli: CliApi = {
  title: quantWsMeta.title,
  operations: quantWsOperations,
  defaults: { baseUrl: quantWsMeta.serverUrl },
  async createCaller(settings, flags) {
    // --timeout: one bound for connect, login until READY and the request.
    const timeout = timeoutFlag(flags);
    const { createQuantWsClient } = await import("../../handwritten/quant-ws/client.js");
    let client: QuantWsClient | undefined;
    return {
      async call(op, params, signal) {
        if (op.operationId === "login") throw new UsageError("login happens by itself: pass --platform/--symbols and the key env vars, then call another op", { api: API });
        const limits = { ...(timeout ? { requestTimeoutMs: timeout, loginTimeoutMs: timeout } : { loginTimeoutMs: CLI_LOGIN_TIMEOUT_MS }), ...decimalsOption(flags) };
        if (op.operationId === "ping") {
          const url = settings.baseUrl ?? quantWsMeta.serverUrl;
          client = createQuantWsClient({ url, ...(settings.proxy ? { proxy: settings.proxy } : {}), ...limits });
          let connected = false;
          return within(timeout, signal, () => client, "ping", async () => {
            await client!.connect();
            connected = true;
            return { rttMs: await client!.ping() };
          }, () => (connected ? "login" : "connect"));
        }
        // The library checks the fields again, but only after logging in: check them first.
        checkRequest(op.operationId, params);
        const symbol = typeof params.symbol === "string" ? [params.symbol] : undefined;
        const t = loginTarget(settings, { ...(symbol ? { symbols: symbol } : {}) });
        client = createQuantWsClient({ url: t.url, ...(t.proxy ? { proxy: t.proxy } : {}), ...limits });
        // (a gateway that takes the connection and never upgrades it: a connect that timed out, not a login)
        let stage: "connect" | "login" | "request" = "connect";
        const options = signal ? { signal } : {};
        return within(timeout, signal, () => client, op.operationId, async () => {
          await client!.connect();
          stage = "login";
          const session = await client!.login(t.login);
          stage = "request";
          // An empty order_nos cancels every open order and the gateway sends no reply:
          // cancelAll confirms it from the order notifications instead of timing out.
          if (op.operationId === "cancel_order" && Array.isArray(params.order_nos) && params.order_nos.length === 0) {
            return await session.cancelAll(String(params.symbol), options);
          }
          const reply = (await (session.request as (op: SessionOp, fields: object, opts: object) => Promise<unknown>)(op.operationId as SessionOp, { ...params }, options)) as Record<string, unknown>;
          const dataField = OPERATIONS[op.operationId]?.dataField;
          return dataField ? reply[dataField] : { result: reply.result };
        }, () => stage);
      },
      async close() {
        await client?.close();
      },
    };
  },
  async startMock({ port, flags, log }) {
    const { startQuantWsMock, MAX_REORDER_WINDOW } = await import("../../mock/quant-ws.js");
    // (each checked against the emulator's bounds here, so that a refusal names the flag, not the option)
    const opt = (name: string, max?: number) => (flags[name] === undefined ? undefined : numberFlag(name, flags[name], 0, max));
    const reorder = opt("reorder", MAX_REORDER_WINDOW);
    if (reorder !== undefined && !Number.isInteger(reorder)) throw new CliUsageError(`--reorder must be a whole number, got ${JSON.stringify(flags.reorder)}`);
    const options = {
      ...(flags["ready-delay"] !== undefined ? { readyDelayMs: opt("ready-delay", MAX_TIMEOUT_MS) } : {}),
      ...(flags["idle-timeout"] !== undefined ? { idleTimeoutMs: opt("idle-timeout") } : {}),
      ...(flags["reply-delay"] !== undefined ? { replyDelayMs: opt("reply-delay", MAX_TIMEOUT_MS) } : {}),
      ...(reorder !== undefined ? { reorderWindow: reorder } : {}),
      ...(flags["no-pong"] === "true" ? { answerPings: false } : {}),
    };
    // Each period is a timer's (a longer one would fire every millisecond).
    const seconds = (name: string) => (flags[name] === undefined ? 0 : numberFlag(name, flags[name], 0, MAX_TIMER_SECONDS));
    const dropEverySec = seconds("drop-every");
    const halfOpenEverySec = seconds("half-open-every");
    const outageEverySec = seconds("outage-every");
    const outageMs = flags["outage-ms"] === undefined ? 2_000 : numberFlag("outage-ms", flags["outage-ms"], 0, MAX_TIMEOUT_MS);
    const mock = await startQuantWsMock({ ...options, port, log });
    const timers: Array<ReturnType<typeof setInterval>> = [];
    if (dropEverySec > 0) timers.push(setInterval(() => mock.dropSockets(), dropEverySec * 1000));
    if (halfOpenEverySec > 0) timers.push(setInterval(() => mock.halfOpen(), halfOpenEverySec * 1000));
    if (outageEverySec > 0) timers.push(setInterval(() => mock.outage(outageMs), outageEverySec * 1000));
    const values = { baseUrl: mock.url, accessKey: "k", secretKey: "s", platform: "okex", symbols: "ETH/USDT" };
    const env = envAssignments(API, values);
    return {
      urls: { url: mock.url },
      env: envValues(API, values),
      hint:
        `platforms ${KNOWN_PLATFORMS.join(", ")} (others: PARAM_MISS "platform not found"); any keys log in (an access key starting with\n` +
        `"fail-param" gives PARAM_MISS, "bad-key" GENERAL_ERROR 7 (keys refused), "broken" GENERAL_ERROR 7 (a setup step failed), "flaky" CONNECT_FAILED then READY,\n` +
        `other "fail..." CONNECT_FAILED retried forever; an empty symbols list PARAM_MISS "param symbols miss")\n` +
        `faults: --ready-delay MS --reply-delay MS --reorder N --idle-timeout MS --no-pong --drop-every SEC --half-open-every SEC --outage-every SEC [--outage-ms MS] --lose-answers OP[:N]\n` +
        `try: ${env} npx tradeapi ws demo\n` +
        `     ${env} npx tradeapi call quant-ws asset`,
      loseAnswers: (op: string, count: number) => mock.loseAnswers(op, count),
      async close() {
        for (const t of timers) clearInterval(t);
        await mock.close();
      },
    };
  },
};
