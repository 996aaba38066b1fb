/** `tradeapi … xt`: XT spot REST v1 as data for `restCliApi`. */
import { meta } from "../../../generated/xt-spot.docs.js";
import { restCliApi } from "./rest.js";

export const xtCli = restCliApi({
  meta,
  client: async () => (await import("../../handwritten/xt/client.js")).createXtClient,
  mock: () => import("../../mock/xt.js").then((m) => ({ start: m.startXtMock, credentials: { accessKey: m.XT_MOCK_ACCESS_KEY, secretKey: m.XT_MOCK_SECRET_KEY } })),
  firstCall: "getBalance",
});
