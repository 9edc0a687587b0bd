// The viewer's cartography, in headless Debian chromium driven by playwright-core:
//   node web/tests/cartography.test.mjs BASE_URL SCREENSHOT.png
// on a store of two zones whose second has an island far away (like the Galápagos in zone 5):
// the map opens on the mainland, the island is one button away (its label in Spanish, English
// after the switch), and each zone is labelled once, from the tiles' label points.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [base, screenshot] = process.argv.slice(2);
const step = (text) => console.log("cartography test:", text);

// A store without standards or circuits answers 404 to the indicators: expected.
await withViewerPage("cartography test", /status of 404/, async (page, errors) => {
  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.deepEqual(errors, [], "errors while loading the viewer");

  const tj = await (await page.request.fetch(base + "/tiles/all.json")).json();
  assert.equal(tj.views.length, 2, JSON.stringify(tj.views));
  assert.deepEqual(tj.views[1].names, ["ISLAS LEJANAS"]);
  assert.ok(tj.vector_layers.some((l) => l.id === "zones_labels"), "zones_labels served");
  const west = await page.evaluate(() => map.getBounds().getWest());
  assert.ok(west > -86, `opens on the mainland, not on the island (west edge ${west})`);
  step(`opens on the mainland (west edge ${west.toFixed(2)})`);

  await page.waitForFunction(() => map.queryRenderedFeatures({ layers: ["zones-label"] }).length >= 2, null,
    { timeout: 20000 });
  const labels = await page.evaluate(() => map.queryRenderedFeatures({ layers: ["zones-label"] }).map((f) => f.properties.code));
  assert.deepEqual(labels.sort(), ["Z1", "Z2"], `one label per zone: ${labels}`);
  step("one label per zone: " + labels.join(", "));

  const button = page.locator("[data-testid=view-outlying-1]");
  assert.equal(await button.textContent(), "Ver Islas Lejanas");
  assert.equal(await page.locator("[data-testid=view-main]").textContent(), "Continente");
  await page.click("#lang");
  assert.equal(await button.textContent(), "Show Islas Lejanas");
  assert.equal(await page.locator("[data-testid=view-main]").textContent(), "Mainland");
  await button.click();
  const island = await page.evaluate(() => map.getBounds().contains([-90, -0.5]));
  assert.ok(island, "the island is in view after its button");
  step("the island is one button away");
  await page.click("[data-testid=view-main]");
  assert.ok(await page.evaluate(() => map.getBounds().getWest() > -86), "back on the mainland");
  await page.screenshot({ path: screenshot });
});
