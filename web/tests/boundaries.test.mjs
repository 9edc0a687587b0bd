// The viewer on a store without standards (boundaries and people only, e.g. the national base
// of `microplan build-ecuador`), in headless Debian chromium driven by playwright-core:
//   node web/tests/boundaries.test.mjs BASE_URL SCREENSHOT.png
// The map must load without errors, colour the units by population (the same numbers as the
// OGC API items), say why there are no gaps, and show a unit's people when clicked.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [base, screenshot] = process.argv.slice(2);
const step = (text) => console.log("boundaries test:", text);

// The indicators and catalogue answer 404 on such a store: that is the expected signal.
await withViewerPage("boundaries test", /status of 404/, async (page, errors) => {
  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.deepEqual(errors, [], "errors while loading the viewer");
  const message = await page.textContent("#message");
  assert.match(message, /no tiene estándares de servicio/, message);
  assert.match(await page.textContent("#legend"), /Población \(habitantes\)/);
  step("viewer ready in population mode");

  const items = await (await page.request.fetch(base + "/collections/circuits/items?limit=10000")).json();
  assert.ok(items.features.length > 100, "circuits served");
  for (const f of items.features.slice(0, 25)) {
    const v = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }).value, f.id);
    assert.equal(v, f.properties.population, `circuit ${f.properties.code}: map ${v}, API ${f.properties.population}`);
  }
  step("feature-state population equals the OGC API items for 25 circuits");

  // Click the middle of the map: the panel shows the unit's people from the same items.
  await page.mouse.click(610, 425);
  await page.waitForFunction(() => window.microplanViewer.state.selected, null, { timeout: 10000 });
  const code = await page.textContent("[data-testid=unit-code]");
  const shown = await page.textContent("[data-testid=unit-population]");
  const feature = items.features.find((f) => f.properties.code === code);
  assert.ok(feature, `clicked unit ${code} is a circuit`);
  assert.equal(shown.replace(/\D/g, ""), String(Math.round(feature.properties.population)));
  step(`clicked ${code}: ${shown} people`);
  await page.screenshot({ path: screenshot });
});
