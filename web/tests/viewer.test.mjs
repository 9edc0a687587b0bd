// The workshop viewer in headless Debian chromium, driven by playwright-core:
//   node web/tests/viewer.test.mjs BASE_URL EDIT_TOKEN SCREENSHOT.png
// Opens the viewer, waits for the tiles, switches the indicator, clicks a circuit and checks
// the panel against the API, creates a scenario and adds a proposed health centre with the
// token (the circuit's deficit drops by one), checks edits without the token are refused,
// and saves a screenshot. Exits non-zero with the failed check on stderr.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [base, token, screenshot] = process.argv.slice(2);
const step = (text) => console.log("viewer test:", text);

// Refused edits (401, 403) are part of the test.
await withViewerPage("viewer test", /status of 40[13]/, async (page, errors) => {
  const api = async (path, options = {}) => {
    const r = await page.request.fetch(base + path, options);
    assert.ok(r.ok(), `${path}: HTTP ${r.status()}`);
    return r.json();
  };
  const counter = (name) => page.evaluate((n) => window.microplanViewer[n], name);
  const waitAbove = (name, value) =>
    page.waitForFunction(([n, v]) => window.microplanViewer[n] > v, [name, value], { timeout: 30000 });

  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  const drawn = await page.evaluate(() => map.querySourceFeatures("microplan", { sourceLayer: "circuits" }).length);
  assert.ok(drawn > 100, `only ${drawn} circuit features drawn`);
  assert.deepEqual(errors, [], "errors while loading the viewer");
  step(`viewer ready, ${drawn} circuit features in the loaded tiles`);

  // The circuit to work on: the largest health gap with a missing "Centro de Salud Tipo A".
  const health = await api("/indicators/circuit?sector=health");
  let target = null;
  for (const u of [...health.units].sort((a, b) => b.deficit - a.deficit).slice(0, 30)) {
    const report = await api(`/reports/unit/${u.code}?level=circuit`);
    const h = report.sectors.find((s) => s.sector === "health");
    const typeA = h.typologies.find((x) => x.typology === "Centro de Salud Tipo A");
    const inside = await api(`/collections/establishments/items?circuit_code=${u.code}&limit=1`);
    if (typeA && typeA.deficit >= 1 && inside.features.length) {
      target = { ...u, health: h.deficit, point: inside.features[0].geometry.coordinates };
      break;
    }
  }
  assert.ok(target, "no circuit with a missing health centre to test with");
  step(`target circuit ${target.code} (health deficit ${target.health})`);

  // Switch the indicator: the choropleth takes the API's values by feature id.
  const loaded = await counter("indicatorsLoaded");
  await page.selectOption("#indicator", "deficit");
  await waitAbove("indicatorsLoaded", loaded);
  const all = await api("/indicators/circuit");
  const expected = all.units.find((u) => u.code === target.code);
  const fstate = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }), expected.id);
  assert.equal(fstate.value, expected.deficit, "feature-state value of the target circuit");
  assert.match(await page.textContent("#legend"), /Brecha/);
  step("indicator switched to deficit; feature-state equals the API");

  // Population within the standard's travel time (stored accessibility), for health.
  let n = await counter("indicatorsLoaded");
  await page.selectOption("#sector", "health");
  await waitAbove("indicatorsLoaded", n);
  n = await counter("indicatorsLoaded");
  await page.selectOption("#indicator", "population_within_minutes");
  await waitAbove("indicatorsLoaded", n);
  const within = await api("/indicators/circuit?sector=health");
  assert.equal(within.minutes, 30, "health's standard travel time at circuit level");
  assert.equal(await page.inputValue("#minutes"), "30");
  const w = within.units.find((u) => u.code === target.code);
  assert.ok(w.population_within_minutes !== null, "population within 30 min of the target circuit");
  const ws = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }), w.id);
  assert.equal(ws.value, w.population_within_minutes, "feature-state value within 30 min");
  assert.match(await page.textContent("#legend"), /Población a ≤ 30 min/);
  n = await counter("indicatorsLoaded");
  await page.selectOption("#minutes", "60");
  await waitAbove("indicatorsLoaded", n);
  const w60 = (await api("/indicators/circuit?sector=health&minutes=60")).units.find((u) => u.code === target.code);
  const ws60 = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }), w.id);
  assert.equal(ws60.value, w60.population_within_minutes, "feature-state value within 60 min");
  assert.ok(w60.population_within_minutes >= w.population_within_minutes);
  step(`population within 30 / 60 min of health: ${w.population_within_minutes} / ${w60.population_within_minutes} %`);
  // A household network: its gap is named in households, its values are the API's households.
  n = await counter("indicatorsLoaded");
  await page.selectOption("#indicator", "deficit");
  await waitAbove("indicatorsLoaded", n);
  n = await counter("indicatorsLoaded");
  await page.selectOption("#sector", "water");
  await waitAbove("indicatorsLoaded", n);
  assert.match(await page.textContent("#legend"), /Brecha \(hogares sin conexión\)/);
  assert.equal(await page.$eval("#indicator option[value=deficit]", (o) => o.textContent), "Brecha (hogares sin conexión)");
  const water = (await api("/indicators/circuit?sector=water")).units.find((u) => u.code === target.code);
  const wstate = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }), water.id);
  assert.equal(wstate.value, water.deficit, "households not connected to water in the target circuit");
  assert.ok(!(await page.$$eval("#propose-sector option", (os) => os.map((o) => o.value))).includes("water"),
    "networks are not proposed as establishments");
  step(`water: ${water.deficit} households not connected in ${target.code}`);
  n = await counter("indicatorsLoaded");
  await page.selectOption("#sector", "");
  await waitAbove("indicatorsLoaded", n);
  assert.match(await page.textContent("#legend"), /Brecha \(establecimientos\)/);

  // Click the circuit: the panel shows its code and the API's numbers.
  await page.evaluate(([lon, lat]) => map.jumpTo({ center: [lon, lat], zoom: 12 }), target.point);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  const clickAt = async () => {
    const box = await page.locator("#map").boundingBox();
    const xy = await page.evaluate((p) => map.project(p), target.point);
    await page.mouse.click(box.x + xy.x, box.y + xy.y);
  };
  let shown = await counter("reportsShown");
  await clickAt();
  await waitAbove("reportsShown", shown);
  assert.equal((await page.textContent("[data-testid=unit-code]")).trim(), target.code);
  const healthCell = () => page.textContent("[data-testid=sectors] tr[data-sector=health] td.deficit");
  const number = (text) => Number(text.replace(/\./g, "").replace(",", "."));
  assert.equal(number(await healthCell()), target.health, "panel health deficit");
  assert.ok(await page.locator("[data-testid=accessibility] tr[data-sector=health]").count() === 1,
    "accessibility row for health in the panel");
  step(`panel shows ${target.code} with health deficit ${target.health} and its accessibility`);

  // Without the token, creating a scenario is refused.
  page.on("dialog", (d) => d.accept("Taller de prueba"));
  await page.click("#scenario-new");
  await page.waitForFunction(() => /401/.test(document.getElementById("message").textContent) ||
    /clave/.test(document.getElementById("message").textContent), null, { timeout: 10000 });
  assert.equal((await api("/scenarios")).scenarios.length, 0, "a scenario was created without the token");
  step("scenario creation without the token refused");

  // With the token: a scenario, and a health centre proposed in the circuit.
  await page.fill("#token", token);
  await page.click("#scenario-new");
  await page.waitForFunction(() => document.getElementById("scenario").value !== "", null, { timeout: 10000 });
  const scenario = await page.inputValue("#scenario");
  await page.selectOption("#propose-sector", "health");
  await page.selectOption("#propose-typology", "Centro de Salud Tipo A");
  // The map shows health's population within its standard time while the proposal is made: it
  // must follow the scenario (recomputed live over the friction surface).
  n = await counter("indicatorsLoaded");
  await page.selectOption("#sector", "health");
  await waitAbove("indicatorsLoaded", n);
  n = await counter("indicatorsLoaded");
  await page.selectOption("#indicator", "population_within_minutes");
  await waitAbove("indicatorsLoaded", n);
  let edits = await counter("edits");
  await page.click("#add-mode");
  const clicked = Date.now();
  await clickAt();
  await waitAbove("edits", edits);
  const refreshed = Date.now() - clicked;
  const after = await api(`/reports/unit/${target.code}?level=circuit&scenario=${scenario}`);
  const afterHealth = after.sectors.find((s) => s.sector === "health").deficit;
  assert.equal(afterHealth, target.health - 1, "API deficit after the proposal");
  await page.waitForFunction((v) => {
    const cell = document.querySelector("[data-testid=sectors] tr[data-sector=health] td.deficit");
    return cell && Number(cell.textContent.replace(/\./g, "").replace(",", ".")) === v;
  }, afterHealth, { timeout: 10000 });
  assert.equal(await page.locator("[data-testid=proposal]").count(), 1);
  step(`proposed a Centro de Salud Tipo A: ${target.code} health deficit ${target.health} -> ${afterHealth}; ` +
    `click to map (people within minutes, live) and panel updated in ${refreshed} ms`);

  // The choropleth of people within minutes is the scenario's, live; compare lists them.
  const live = await api(`/indicators/circuit?sector=health&scenario=${scenario}`);
  assert.match(live.note, /live/);
  const liveUnit = live.units.find((u) => u.code === target.code);
  const baseUnit = (await api("/indicators/circuit?sector=health")).units.find((u) => u.code === target.code);
  assert.ok(liveUnit.population_within_minutes >= baseUnit.population_within_minutes, "fewer people within minutes");
  const liveState = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }), liveUnit.id);
  assert.equal(liveState.value, liveUnit.population_within_minutes, "feature-state value of the scenario, within minutes");
  await page.click("#compare");
  await page.waitForSelector("[data-testid=compare-travel]", { timeout: 10000 });
  const cmp = await api(`/scenarios/${scenario}/compare?level=circuit&sector=health`);
  assert.equal(await page.locator("[data-testid=compare-travel] tr[data-minutes]").count(), cmp.travel_time.thresholds.length);
  const newly = number(await page.textContent("[data-testid=newly-within]"));
  await page.waitForSelector("[data-testid=compare-capacity]", { timeout: 30000 });
  const capacity = (await api(`/scenarios/${scenario}/compare?level=circuit&sector=health&capacity=true`)).travel_time.capacity;
  assert.match(await page.textContent("[data-testid=compare-capacity]"),
    new RegExp(capacity.covered_after.toLocaleString("es-EC").replace(/\./g, "\\.")), "people served within capacity");
  assert.equal(newly, cmp.travel_time.newly_within_minutes, "people newly within minutes in the panel");
  step(`people within ${cmp.travel_time.minutes} min of health in ${target.code}: ${baseUnit.population_within_minutes} -> ` +
    `${liveUnit.population_within_minutes} %; ${newly} people newly within, recomputed in ${cmp.travel_time.update_ms} ms`);

  // A second proposal where people are furthest from health care: the map's value there rises.
  const far = live.units.filter((u) => u.population_within_minutes !== null)
    .sort((a, b) => a.population_within_minutes - b.population_within_minutes)[0];
  const farGeometry = (await api(`/collections/circuits/items?code=${far.code}`)).features[0].geometry;
  const ring = farGeometry.type === "Polygon" ? farGeometry.coordinates[0] : farGeometry.coordinates[0][0];
  const farPoint = [0, 1].map((k) => ring.slice(1).reduce((s, p) => s + p[k], 0) / (ring.length - 1));
  await page.evaluate((p) => map.jumpTo({ center: p, zoom: 11 }), farPoint);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  edits = await counter("edits");
  await page.click("#add-mode");
  const farClicked = Date.now();
  const box = await page.locator("#map").boundingBox();
  const xy = await page.evaluate((p) => map.project(p), farPoint);
  await page.mouse.click(box.x + xy.x, box.y + xy.y);
  await waitAbove("edits", edits);
  const farRefreshed = Date.now() - farClicked;
  const farAfter = (await api(`/indicators/circuit?sector=health&scenario=${scenario}`)).units.find((u) => u.code === far.code);
  assert.ok(farAfter.population_within_minutes > far.population_within_minutes,
    `${far.code}: ${far.population_within_minutes} % within minutes before, ${farAfter.population_within_minutes} % after`);
  const farState = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }), far.id);
  assert.equal(farState.value, farAfter.population_within_minutes, "feature-state value where people were furthest");
  step(`proposed a health centre in ${far.code}: people within minutes ${far.population_within_minutes} -> ` +
    `${farAfter.population_within_minutes} %; click to updated map in ${farRefreshed} ms`);
  await page.evaluate(([lon, lat]) => map.jumpTo({ center: [lon, lat], zoom: 12 }), target.point);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });

  // Without the token the next edit is refused and nothing changes.
  await page.fill("#token", "");
  edits = await counter("edits");
  await page.click("#add-mode");
  await clickAt();
  await waitAbove("edits", edits);
  assert.match(await page.textContent("#message"), /401/);
  const stored = await api(`/scenarios/${scenario}`);
  assert.equal(stored.establishments.features.length, 2, "an edit without the token changed the scenario");
  step("edit without the token refused (401), scenario unchanged");

  await page.screenshot({ path: screenshot });
  step(`screenshot ${screenshot}`);
  assert.deepEqual(errors, [], "errors in the page");
});
