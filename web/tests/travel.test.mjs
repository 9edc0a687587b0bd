// The travel-time map layer in headless Debian chromium, driven by playwright-core:
//   node web/tests/travel.test.mjs BASE_URL EDIT_TOKEN SCREENSHOT.png
// Turns on "Mapa de tiempo de viaje" for health (PNG tiles from /travel/health/…), creates a
// scenario and proposes a health centre where people are furthest from one: the layer's tiles
// are then asked for with the scenario and differ from the baseline's where the centre is. Then
// "Sugerir sitios": the sites are drawn and listed, and one click proposes the first, which
// brings the people it promised within the standard's time. Last, an existing health
// establishment clicked on the map is closed in the scenario ("Cerrar en este escenario"): it is
// drawn crossed out and people fall out of reach; its popup reopens it. The click-to-updated-map
// times are printed.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [base, token, screenshot] = process.argv.slice(2);
const step = (text) => console.log("travel test:", text);
const fmtList = (v) => v.map((x) => Math.round(x)).join("/");

await withViewerPage("travel test", /(?!)/, async (page, errors) => {
  const api = async (path) => {
    const r = await page.request.fetch(base + path);
    assert.ok(r.ok(), `${path}: HTTP ${r.status()}`);
    return r.json();
  };
  const tiles = [];
  page.on("response", (r) => { if (r.url().includes("/travel/")) tiles.push({ url: r.url(), status: r.status() }); });
  const counter = (name) => page.evaluate((n) => window.microplanViewer[n], name);
  const waitAbove = (name, value) =>
    page.waitForFunction(([n, v]) => window.microplanViewer[n] > v, [name, value], { timeout: 30000 });

  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  const catalogue = await api("/catalogue");
  assert.ok(catalogue.sectors.find((s) => s.id === "health").live_travel, "health is not live in the catalogue");
  let n = await counter("indicatorsLoaded");
  await page.selectOption("#sector", "health");
  await waitAbove("indicatorsLoaded", n);
  await page.check("#travel-layer");
  await page.waitForFunction(() => map.getLayer("travel") && map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  assert.ok(tiles.length > 0 && tiles.every((t) => t.status === 200), `baseline tiles: ${JSON.stringify(tiles.slice(0, 3))}`);
  assert.ok(await page.isVisible("#travel-legend"));
  step(`travel-time layer on: ${tiles.length} baseline tiles, all 200`);

  // Where people are furthest from health care (by the stored run), a proposal.
  const units = (await api("/indicators/circuit?sector=health")).units.filter((u) => u.population_within_minutes !== null);
  const far = units.sort((a, b) => a.population_within_minutes - b.population_within_minutes)[0];
  const g = (await api(`/collections/circuits/items?code=${far.code}`)).features[0].geometry;
  const ring = g.type === "Polygon" ? g.coordinates[0] : g.coordinates[0][0];
  const point = [0, 1].map((k) => ring.slice(1).reduce((s, p) => s + p[k], 0) / (ring.length - 1));
  await page.fill("#token", token);
  page.on("dialog", (d) => d.accept("Taller de tiempos"));
  await page.click("#scenario-new");
  await page.waitForFunction(() => document.getElementById("scenario").value !== "", null, { timeout: 10000 });
  const scenario = await page.inputValue("#scenario");
  await page.selectOption("#propose-sector", "health");
  await page.evaluate((p) => map.jumpTo({ center: p, zoom: 10 }), point);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  tiles.length = 0;
  const edits = await counter("edits");
  await page.click("#add-mode");
  const box = await page.locator("#map").boundingBox();
  const xy = await page.evaluate((p) => map.project(p), point);
  let started = Date.now();
  await page.mouse.click(box.x + xy.x, box.y + xy.y);
  await waitAbove("edits", edits);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  const proposeMs = Date.now() - started;
  const mine = tiles.filter((t) => t.url.includes(`scenario=${scenario}`));
  assert.ok(mine.length > 0 && mine.every((t) => t.status === 200), `scenario tiles: ${JSON.stringify(tiles.slice(0, 3))}`);

  // The tile holding the proposal differs from the baseline's.
  const z = 10, x = Math.floor((point[0] + 180) / 360 * 2 ** z);
  const lat = point[1] * Math.PI / 180;
  const y = Math.floor((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2 * 2 ** z);
  const bytes = async (q) => Buffer.from(await (await page.request.fetch(`${base}/travel/health/${z}/${x}/${y}.png${q}`)).body());
  assert.notDeepEqual(await bytes(`?scenario=${scenario}`), await bytes(""), "the proposal's tile did not change");
  step(`proposal in ${far.code}: ${mine.length} tiles reloaded with scenario ${scenario}; its tile differs from the baseline's`);
  step(`click to updated map (indicators, markers and travel-time tiles of the scenario): ${proposeMs} ms`);

  // Suggested sites: drawn and listed; proposing the first one adds it and the people it promised.
  const compareBefore = await api(`/scenarios/${scenario}/compare?level=circuit&sector=health`);
  let shown = await counter("suggestions") || 0;
  await page.click("#suggest");
  await waitAbove("suggestions", shown);
  const offered = await api(`/scenarios/${scenario}/suggest?sector=health&count=3`);
  assert.equal(await page.locator("[data-testid=suggestion]").count(), offered.features.length);
  assert.equal(await page.locator("[data-testid=suggestions] button[data-rank]").count(), offered.features.length);
  const promised = offered.features[0].properties.added_people;
  const before = await counter("edits");
  await page.click("[data-testid=suggestions] button[data-rank='1']");
  await waitAbove("edits", before);
  const stored = await api(`/scenarios/${scenario}`);
  assert.equal(stored.establishments.features.length, 2, "the suggested site was not proposed");
  const compareAfter = await api(`/scenarios/${scenario}/compare?level=circuit&sector=health`);
  const gained = compareAfter.travel_time.newly_within_minutes - compareBefore.travel_time.newly_within_minutes;
  assert.ok(Math.abs(gained - promised) <= 0.01 * promised, `the site promised ${promised} people, brought ${gained}`);
  assert.equal(await page.locator("[data-testid=suggestion]").count(), offered.features.length - 1);
  step(`suggested ${offered.features.length} sites; the first proposed with one click: +${gained} people within ` +
    `${compareAfter.travel_time.minutes} min (promised ${promised})`);

  // Close an existing health establishment by clicking it on the map, away from the proposals.
  const health = (await api("/collections/establishments/items?sector=health&limit=1000")).features;
  const proposals = stored.establishments.features.map((f) => f.geometry.coordinates);
  const farFrom = (c) => Math.min(...proposals.map((p) => Math.hypot(p[0] - c[0], p[1] - c[1])));
  const target = health.filter((f) => f.geometry).sort((a, b) => farFrom(b.geometry.coordinates) - farFrom(a.geometry.coordinates))[0];
  const at = target.geometry.coordinates;
  await page.evaluate((p) => map.jumpTo({ center: p, zoom: 11 }), at);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  const txy = await page.evaluate((p) => map.project(p), at);
  await page.mouse.click(box.x + txy.x, box.y + txy.y);
  await page.waitForSelector("[data-testid=close-establishment]", { timeout: 10000 });
  const closing = await counter("edits");
  started = Date.now();
  await page.click("[data-testid=close-establishment]");
  await waitAbove("edits", closing);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  const closeMs = Date.now() - started;
  const closedNow = await api(`/scenarios/${scenario}`);
  assert.deepEqual(closedNow.closures.features.map((f) => f.id), [target.id], "the clicked establishment was not closed");
  assert.equal(await page.locator("[data-testid=closed-establishment]").count(), 1, "no crossed-out marker");
  const compareClosed = await api(`/scenarios/${scenario}/compare?level=circuit&sector=health`);
  assert.equal(compareClosed.travel_time.closed, 1);
  const lost = compareAfter.travel_time.within_after.map((v, i) => v - compareClosed.travel_time.within_after[i]);
  assert.ok(lost.every((v) => v >= 0) && lost.some((v) => v > 0), `closing moved no one out of reach: ${lost}`);
  // The click also opened the report of the unit it lies in, which now says before → after, live.
  const liveRow = page.locator("[data-testid=accessibility] tr[data-live=true][data-sector=health]");
  await liveRow.waitFor({ timeout: 10000 });
  assert.match(await liveRow.textContent(), /→/, "the report shows no before → after");
  step(`closed ${target.properties.name} (${target.properties.circuit_code}) with one click: ${fmtList(lost)} people ` +
    `fewer within ${compareClosed.travel_time.thresholds.join("/")} min; map updated in ${closeMs} ms`);
  await page.screenshot({ path: screenshot.replace(/\.png$/, "_closed.png") });
  // Its crossed-out marker reopens it.
  const reopening = await counter("edits");
  await page.click("[data-testid=closed-establishment]");
  await page.click(".maplibregl-popup [data-testid=reopen]");
  await waitAbove("edits", reopening);
  assert.equal((await api(`/scenarios/${scenario}`)).closures.features.length, 0, "not reopened");
  assert.equal(await page.locator("[data-testid=closed-establishment]").count(), 0);
  assert.deepEqual(errors, [], "errors in the page");
  step("reopened from its marker");
  await page.screenshot({ path: screenshot });
});
