// The viewer on a catalogue whose standards are all per district (as Ecuador's shipped ones), in
// headless Debian chromium driven by playwright-core:
//   node web/tests/planned.test.mjs BASE_URL SCREENSHOT.png
// It must open at the district level (the finest that has a standard) with values, and at the
// circuit level show no value ("sin dato", not a coverage of 100 %), say where the sector is
// planned, and say so in a circuit's report.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [base, screenshot] = process.argv.slice(2);
const step = (text) => console.log("planned test:", text);
const loaded = (page) => page.evaluate(() => window.microplanViewer.indicatorsLoaded);
const after = (page, n) => page.waitForFunction((v) => window.microplanViewer.indicatorsLoaded > v, n, { timeout: 30000 });

await withViewerPage("planned test", /(?!)/, async (page, errors) => {
  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.deepEqual(errors, [], "errors while loading the viewer");
  assert.equal(await page.inputValue("#level"), "district");
  const districts = await (await page.request.fetch(base + "/indicators/district")).json();  // all sectors, as shown
  assert.equal(districts.planned_at, undefined);
  const first = districts.units[0];
  assert.equal(typeof first.coverage_pct, "number");
  const v = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "districts", id }).value, first.id);
  assert.equal(v, first.coverage_pct, `district ${first.code}: map ${v}, API ${first.coverage_pct}`);
  step(`opens at the district level; ${first.code} coverage ${v} %`);

  let n = await loaded(page);
  await page.selectOption("#sector", "education");
  await after(page, n);
  n = await loaded(page);
  await page.selectOption("#level", "circuit");
  await after(page, n);
  const circuits = await (await page.request.fetch(base + "/indicators/circuit?sector=education")).json();
  assert.equal(circuits.planned_at, "district");
  assert.ok(circuits.units.every((u) => u.coverage_pct === null && u.deficit === null), "circuits have no value");
  const c = circuits.units[0];
  const cv = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }).value, c.id);
  assert.equal(cv, null, `circuit ${c.code} coloured ${cv}`);
  assert.match(await page.textContent("#message"), /Educación: sin estándar por circuito.*por distrito/);
  assert.doesNotMatch(await page.textContent("#legend"), /≥/);
  step("circuits: no value, the message says the sector is planned per district");

  const shown = await page.evaluate(() => window.microplanViewer.reportsShown);
  await page.evaluate(() => new Promise((done) => (map.loaded() ? done() : map.once("idle", done))));
  await page.mouse.click(610, 425);  // the middle of the map, as the boundaries test
  await page.waitForFunction((s) => window.microplanViewer.reportsShown > s, shown, { timeout: 10000 });
  const cell = await page.textContent("[data-sector=education] [data-testid=planned-at]");
  assert.equal(cell, "se planifica por distrito");
  step("a circuit's report: education " + cell);
  await page.screenshot({ path: screenshot });
});
