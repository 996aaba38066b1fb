/// <reference types="node" preserve="true" />
/**
 * `tradeapi/mock`: the local emulators, to start from a service's own tests (`tradeapi mock
 * <api>` runs the same servers from the command line). Each listens on 127.0.0.1 (`port` 0 or
 * none: a free one) and takes the credentials exported beside it unless given others;
 * `close()` stops it.
 *
 *   const mock = await startXtMock();
 *   const xt = createXtClient({ baseUrl: mock.url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY });
 *   mock.loseAnswers("order");   // the next order is placed, and its answer lost
 */
export { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY, XT_MOCK_RATE_LIMIT_LOCK_MS, type XtMockOptions } from "./xt.js";
export { startHubiMock, HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_SECRET_KEY, HUBI_MOCK_ACCESS_TOKEN, type HubiMock, type HubiMockOptions } from "./hubi.js";
export { startBhexMock, BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, BHEX_MOCK_USER_IDS, type BhexMockOptions } from "./bhex.js";
export { startXeleMock, XELE_MOCK_USERNAME, XELE_MOCK_PASSWORD, type XeleMock, type XeleMockOptions, type XeleMockSettings, type ReceivedRequest } from "./xele.js";
export { startQuantWsMock, type QuantWsMock, type QuantWsMockOptions, type ReceivedFrame } from "./quant-ws.js";
export { MOCK_MAX_BODY_BYTES, MOCK_MAX_PARAMS, type HttpMock, type MockReply, type MockRequest } from "./http-mock.js";
