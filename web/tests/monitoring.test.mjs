// The viewer's monitoring view and scorecard on the demo (issue 20, items 5 and 6):
//   node web/tests/monitoring.test.mjs BASE_URL SCREENSHOT.png
// The projects layer holds the served projects, coloured by their status in the period; the
// period slider moves through the months of execution; a zone's panel draws its plan against
// actual and lists its projects with their progress in the period, which changes with the
// slider as served; the scorecard draws the strategy map and the served traffic lights.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [base, screenshot] = process.argv.slice(2);
const step = (text) => console.log("monitoring test:", text);

await withViewerPage("monitoring test", /(?!)/, async (page, errors) => {
  const api = async (path) => {
    const r = await page.request.fetch(base + path);
    assert.ok(r.ok(), `${path}: HTTP ${r.status()}`);
    return r.json();
  };
  const counter = (name) => page.evaluate((n) => window.microplanViewer[n] || 0, name);
  const waitAbove = (name, value) =>
    page.waitForFunction(([n, v]) => (window.microplanViewer[n] || 0) > v, [name, value], { timeout: 60000 });
  const slideTo = async (month) => {
    const stops = await page.evaluate(() => window.microplanViewer.state.periods);
    await page.$eval("#period", (el, i) => { el.value = String(i); el.dispatchEvent(new Event("change")); }, stops.indexOf(month));
  };

  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.deepEqual(errors, [], "errors while loading the viewer");
  const served = await api("/monitoring/projects");
  assert.equal(await page.textContent("[data-testid=period-label]"), served.period);
  assert.equal(Number(await page.getAttribute("#period", "max")), served.periods.length - 1);
  step(`period slider: ${served.periods.length} months, at ${served.period}`);

  // The projects layer: every served project, coloured by its status in the period.
  let n = await counter("projectsLoaded");
  await page.check("#projects-layer");
  await waitAbove("projectsLoaded", n);
  assert.equal(await page.evaluate(() => map.getSource("projects").serialize().data.features.length), served.features.length);
  n = await counter("projectsLoaded");
  await slideTo("2025-06");
  await waitAbove("projectsLoaded", n);
  const june = await api("/monitoring/projects?period=2025-06");
  const statuses = (g) => g.features.map((f) => f.properties.status).join(",");
  assert.equal(await page.evaluate(() => map.getSource("projects").serialize().data.features.map((f) => f.properties.status).join(",")), statuses(june));
  assert.notEqual(statuses(june), statuses(served), "statuses in 2025-06 differ from the latest month's");
  step(`projects layer: ${june.features.length} projects, statuses of 2025-06 as served`);

  // A zone with projects: its plan against actual and its projects in the period.
  await page.selectOption("#level", "zone");
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  const project = june.features.find((f) => f.properties.zone_code === "Z1" && f.properties.status === "in_execution");
  assert.ok(project, "a project in execution in Z1 in 2025-06");
  await page.evaluate((c) => map.jumpTo({ center: c, zoom: 7 }), project.geometry.coordinates);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  await page.uncheck("#projects-layer");  // the click reaches the zone, not a project's popup
  n = await counter("monitoringShown");
  const box = await page.locator("#map").boundingBox();
  const xy = await page.evaluate((c) => map.project(c), project.geometry.coordinates);
  await page.mouse.click(box.x + xy.x, box.y + xy.y);
  await waitAbove("monitoringShown", n);
  assert.equal((await page.textContent("[data-testid=unit-code]")).trim(), "Z1");
  const unit = await api("/monitoring/zone/Z1?period=2025-06");
  const chart = await page.getAttribute("[data-testid=plan-actual]", "data-sector");
  const sector = unit.sectors.find((s) => s.sector === chart);
  const points = async (line) => (await page.getAttribute(`[data-testid=plan-actual] [data-testid=${line}]`, "points")).split(" ").length;
  assert.equal(await points("planned-line"), sector.planned.length);
  assert.equal(await points("actual-line"), sector.actual.length);
  const row = `[data-testid=unit-projects] tr[data-project="${project.properties.code}"]`;
  const shownThen = await page.textContent(`${row} [data-testid=project-executed]`);
  const servedThen = unit.projects.find((p) => p.code === project.properties.code);
  const percent = (text) => (text.trim() === "—" ? null : Number(text.replace(" %", "").replace(/\./g, "").replace(",", ".")));
  assert.ok(Math.abs(percent(shownThen) - servedThen.executed_pct) < 0.06, `${shownThen} vs ${servedThen.executed_pct}`);
  step(`Z1 in 2025-06: ${chart} plan (${sector.planned.length} years) against actual (${sector.actual.length}); ` +
       `${unit.projects.length} projects, ${project.properties.code} executed ${shownThen}`);

  // Later in the slider, the same project further along, as served.
  n = await counter("monitoringShown");
  await slideTo("2026-06");
  await waitAbove("monitoringShown", n);
  const later = (await api("/monitoring/zone/Z1?period=2026-06")).projects.find((p) => p.code === project.properties.code);
  const shownLater = await page.textContent(`${row} [data-testid=project-executed]`);
  assert.ok(Math.abs(percent(shownLater) - later.executed_pct) < 0.06, `${shownLater} vs ${later.executed_pct}`);
  assert.ok(later.executed_pct > servedThen.executed_pct, "executed grows with the months");
  assert.equal((await page.textContent(`${row} [data-testid=project-status]`)).trim().endsWith(later.status === "in_execution" ? "en ejecución" : later.status === "finished" ? "terminado" : "suspendido"), true);
  step(`2026-06: ${project.properties.code} executed ${shownLater}`);

  // The zone's scorecard of the slider's month: the strategy map in four lanes and the served
  // traffic lights; moved to another month, the scorecard as it stood then.
  const drawnAsServed = async (month) => {
    const card = await api(`/scorecards/zone/Z1?period=${month}`);
    assert.equal(await page.locator("[data-testid=strategy-map] .lane").count(), 4);
    const objectives = card.perspectives.flatMap((p) => p.objectives);
    assert.equal(await page.locator("[data-testid=strategy-map] .objective").count(), objectives.length);
    for (const o of objectives) {
      assert.equal(await page.getAttribute(`[data-testid=strategy-map] .objective[data-objective="${o.code}"]`, "data-light"), o.light, o.code);
      for (const i of o.indicators)
        assert.equal(await page.getAttribute(`[data-testid=scorecard] tr[data-objective="${o.code}"] [data-testid=light]`, "data-light"), i.light, o.code);
    }
    assert.match(await page.textContent("[data-testid=scorecard-title]"), /Cuadro de mando: Z1/);
    assert.equal(await page.textContent("[data-testid=scorecard-period]"), month);
    return card;
  };
  n = await counter("scorecardsShown");
  await page.click("#scorecard-show");
  await waitAbove("scorecardsShown", n);
  const card = await drawnAsServed("2026-06");
  step(`scorecard of Z1 in 2026-06: ${card.summary.objectives} objectives, lights as served (${card.summary.red} red, ${card.summary.yellow} yellow)`);
  n = await counter("scorecardsShown");
  await slideTo("2025-06");
  await waitAbove("scorecardsShown", n);
  const before = await drawnAsServed("2025-06");
  const b4 = (c) => c.perspectives[0].objectives.find((o) => o.code === "B4").indicators[0].baseline;
  assert.ok(b4(before) > b4(card), `observed malnutrition falls from 2025 to 2026 (${b4(before)} vs ${b4(card)})`);
  step(`scorecard of Z1 in 2025-06 as served: chronic malnutrition observed ${b4(before)} (2026: ${b4(card)})`);
  n = await counter("scorecardsShown");
  await slideTo("2026-06");
  await waitAbove("scorecardsShown", n);

  // Target status per unit and period on the map: each zone painted with its scorecard's light.
  n = await counter("lightsLoaded");
  await page.selectOption("#indicator", "targets_light");
  await waitAbove("lightsLoaded", n);
  const lights = await api("/scorecards/zone?period=2026-06");
  assert.equal(lights.units.length, 9);
  const shownLights = await page.evaluate(() => window.microplanViewer.state.lights.units.map((u) => u.code + ":" + u.light).join(","));
  assert.equal(shownLights, lights.units.map((u) => u.code + ":" + u.light).join(","));
  const z1 = lights.units.find((u) => u.code === "Z1");
  const state = await page.evaluate(() => {
    const id = window.microplanViewer.state.rows.get("Z1").id;
    return map.getFeatureState({ source: "microplan", sourceLayer: "zones", id }).value;
  });
  assert.equal(state, { red: 0, yellow: 1, green: 2 }[z1.light]);
  assert.match(await page.textContent("#legend"), /Semáforo de metas/);
  step(`target lights of the 9 zones in 2026-06 as served (Z1 ${z1.light})`);
  assert.deepEqual(errors, [], "errors while monitoring");
  await page.screenshot({ path: screenshot });
});
