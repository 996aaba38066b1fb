/** `tradeapi … bhex`: the BHEX broker Org API as data for `restCliApi`, with its `--all-as-post` flag. */
import { meta } from "../../../generated/bhex-org.docs.js";
import { balancesFlag } from "../args.js";
import { restCliApi } from "./rest.js";

export const bhexCli = restCliApi({
  meta,
  client: async () => (await import("../../handwritten/bhex/client.js")).createBhexOrgClient,
  clientOptions: (flags) => ({ allAsPost: flags["all-as-post"] === "true" }),
  mock: () => import("../../mock/bhex.js").then((m) => ({ start: m.startBhexMock, credentials: { accessKey: m.BHEX_MOCK_ACCESS_KEY, secretKey: m.BHEX_MOCK_SECRET_KEY } })),
  mockOptions: (flags) => ({
    ...(flags.balances !== undefined ? { balances: balancesFlag(flags.balances) } : {}),
    ...(flags["rate-limits"] === "true" ? { rateLimits: true } : {}),
  }),
  firstCall: "statisticsLockRecord user_id=217235926081077248",
});
