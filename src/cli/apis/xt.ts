/** `tradeapi … xt`: XT spot REST v1 as data for `restCliApi`. */
import { meta } from "../../../generated/xt-spot.docs.js";
import { balancesFlag, CliUsageError, numberFlag } from "../args.js";
import { restCliApi } from "./rest.js";

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
