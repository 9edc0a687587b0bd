// The plan evaluation in the viewer, in headless Debian chromium driven by playwright-core:
//   node web/tests/evaluation.test.mjs BASE_URL SCREENSHOT.png
// The circuits of the demo judged against 11,000 people ± 50 %: the panel lists the six criteria
// with the server's verdicts in Spanish, and the map outlines exactly the units that fail.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [base, screenshot] = process.argv.slice(2);
const step = (text) => console.log("evaluation test:", text);

await withViewerPage("evaluation test", /(?!)/, async (page, errors) => {
  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.deepEqual(errors, [], "errors while loading the viewer");
  const level = await page.inputValue("#level");
  assert.equal(await page.inputValue("#plan-target"), level === "circuit" ? "11000" : "90000");
  await page.fill("#plan-tolerance", "50");
  await page.click("#plan-evaluate");
  await page.waitForFunction(() => window.microplanViewer.evaluations > 0, null, { timeout: 60000 });
  const target = level === "circuit" ? 11000 : 90000;
  const api = await (await page.request.fetch(`${base}/reports/plan-evaluation?level=${level}&target=${target}&tolerance=0.5`)).json();
  const rows = await page.$$eval("[data-testid=plan-criteria] tr[data-criterion]", (trs) =>
    trs.map((tr) => [tr.dataset.criterion, tr.querySelector("[data-testid=verdict]").textContent]));
  const spanish = { pass: "cumple", fail: "no cumple", "not checked": "no evaluado" };
  assert.deepEqual(rows, api.criteria.map((c) => [c.name, spanish[c.result]]));
  assert.equal(rows.length, 7);
  assert.deepEqual(rows.find((r) => r[0] === "nesting"), ["nesting", "cumple"]);
  step("seven criteria, as the API says: " + rows.map((r) => r.join(" ")).join(", "));
  const failing = new Set(api.criteria.filter((c) => c.name !== "splits").flatMap((c) => c.units));
  const filter = await page.evaluate((l) => map.getFilter(l), (level === "circuit" ? "circuits" : "districts") + "-failing");
  assert.deepEqual(new Set(filter[2][1]), failing);
  assert.ok(failing.size > 0, "the demo's circuits are not all within 50 % of 11,000 people");
  step(`${failing.size} failing units outlined on the map`);
  assert.match(await page.textContent("[data-testid=plan-summary]"), /unidades · .* habitantes · desviación media/);

  // A plan that joins two circuits into one: exactly the smaller one's people change unit.
  const items = await (await page.request.fetch(`${base}/collections/${level === "circuit" ? "circuits" : "districts"}/items?limit=2`)).json();
  const polygons = items.features.flatMap((f) => f.geometry.type === "MultiPolygon" ? f.geometry.coordinates : [f.geometry.coordinates]);
  const plan = { type: "FeatureCollection", features: [{ type: "Feature", properties: { code: "JOINED" },
    geometry: { type: "MultiPolygon", coordinates: polygons } }] };
  await page.setInputFiles("#plan-file", { name: "plan.geojson", mimeType: "application/geo+json",
    buffer: Buffer.from(JSON.stringify(plan)) });
  await page.waitForFunction(() => window.microplanViewer.comparisons > 0, null, { timeout: 60000 });
  const people = items.features.map((f) => f.properties.population);
  const summary = await page.textContent("[data-testid=comparison-summary]");
  const moved = Math.min(...people).toLocaleString("es-EC");
  assert.ok(summary.includes(`${moved} de`), `summary "${summary}" should say ${moved} people change unit`);
  const changed = await page.evaluate(() => map.getSource("plan-changes").serialize().data.features.length);
  assert.equal(changed, 1);
  step(`a plan joining two units: ${moved} people change unit; 1 changed area on the map`);
  await page.screenshot({ path: screenshot });
});
