// @asyncapi/html-template pulls puppeteer (for its optional PDF output), whose install
// step would download a Chrome build. This project never renders PDFs, and the machines it
// runs on cannot download browsers, so the download is skipped here, for every `npm ci`.
module.exports = { skipDownload: true };
