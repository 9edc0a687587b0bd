// The viewer opened from the URL `microplan serve` prints on loopback without --edit-token (the
// `make run` case), in headless Debian chromium driven by playwright-core:
//   node web/tests/token.test.mjs VIEWER_URL SCREENSHOT.png
// VIEWER_URL carries the made-up token in its fragment (#token=…). The viewer must take it into
// the token field, drop it from the address bar, and create a scenario with it, with nobody
// typing a token.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [viewer, screenshot] = process.argv.slice(2);
const step = (text) => console.log("token test:", text);
const token = new URLSearchParams(new URL(viewer).hash.slice(1)).get("token");
const base = new URL(viewer).origin;

await withViewerPage("token test", /(?!)/, async (page, errors) => {
  assert.ok(token && token.length >= 16, `no token of 16 or more characters in the printed URL ${viewer}`);
  await page.goto(viewer);
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.deepEqual(errors, [], "errors while loading the viewer");
  assert.equal(await page.inputValue("#token"), token, "token field");
  assert.equal(await page.evaluate(() => location.hash), "", "the token is still in the address bar");
  step("token taken from the URL into the field and dropped from the address bar");

  page.on("dialog", (d) => d.accept("Taller sin clave tecleada"));
  await page.click("#scenario-new");
  await page.waitForFunction(() => document.getElementById("scenario").value !== "", null, { timeout: 10000 });
  const listed = await (await page.request.fetch(base + "/scenarios")).json();
  assert.equal(listed.scenarios.length, 1, "scenarios on the server");
  assert.equal(listed.scenarios[0].name, "Taller sin clave tecleada");
  step(`scenario ${await page.inputValue("#scenario")} created with the URL's token`);

  // A reload keeps the token for this tab (the address bar no longer has it).
  await page.reload();
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.equal(await page.inputValue("#token"), token, "token field after a reload");
  step("the token survives a reload of the tab");
  await page.screenshot({ path: screenshot });
});
