/** `tradeapi … xt`: XT spot REST v1 as data for `restCliApi`. */
import { meta } from "../../../generated/xt-spot.docs.js";
import { CliUsageError, numberFlag, quotedValue } from "../args.js";
import { restCliApi } from "./rest.js";

/** `--balances COIN=AMOUNT[,COIN=AMOUNT…]`: the emulator's `balances` (the amounts are checked by the emulator). */
function balancesFlag(value: string): Record<string, string> {
  // (no prototype: a coin named __proto__ is a key the emulator refuses, not a prototype set)
  const out = Object.create(null) as Record<string, string>;
  for (const pair of value.split(",")) {
    const m = /^([^=\s]+)=(\S*)$/.exec(pair.trim());
    if (!m) throw new CliUsageError(`--balances takes COIN=AMOUNT pairs separated by commas (usdt=100000,btc=10), got ${quotedValue(value)}`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export const xtCli = restCliApi({
  meta,
  client: async () => (await import("../../handwritten/xt/client.js")).createXtClient,
  mock: () => import("../../mock/xt.js").then((m) => ({ start: m.startXtMock, credentials: { accessKey: m.XT_MOCK_ACCESS_KEY, secretKey: m.XT_MOCK_SECRET_KEY } })),
  mockOptions: (flags) => {
    if (flags["rate-limit-lock"] !== undefined && flags["rate-limits"] !== "true") throw new CliUsageError("--rate-limit-lock sets the lock of --rate-limits: give both");
    return {
      ...(flags.balances !== undefined ? { balances: balancesFlag(flags.balances) } : {}),
      ...(flags["rate-limits"] === "true" ? { rateLimits: true } : {}),
      ...(flags["rate-limit-lock"] !== undefined ? { rateLimitLockMs: numberFlag("rate-limit-lock", flags["rate-limit-lock"], 0) } : {}),
    };
  },
  firstCall: "getBalance",
});
