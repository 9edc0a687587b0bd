// The viewer's "Cierre de brechas" section on the demo (budget scenarios of data/budget_scenarios/):
//   node web/tests/plan.test.mjs BASE_URL SCREENSHOT.png
// The scenario picker lists the store's budget scenarios in Spanish; the pessimistic plan draws one
// line per sector whose last point is the served trajectory's, and its table gives the served
// closing years; with a closing year, the required share of GDP per sector is the server's.
import assert from "node:assert/strict";
import { withViewerPage } from "./browser.mjs";

const [base, screenshot] = process.argv.slice(2);
const step = (text) => console.log("plan test:", text);
const shown = (page) => page.evaluate(() => window.microplanViewer.plansShown);
const after = (page, n) => page.waitForFunction((v) => window.microplanViewer.plansShown > v, n, { timeout: 60000 });

await withViewerPage("plan test", /(?!)/, async (page, errors) => {
  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.deepEqual(errors, [], "errors while loading the viewer");
  const options = await page.$$eval("#budget-scenario option", (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options, [["optimistic", "optimista"], ["moderate", "moderado"], ["pessimistic", "pesimista"]]);
  step("budget scenarios: " + options.map((o) => o[1]).join(", "));

  let n = await shown(page);
  await page.selectOption("#budget-scenario", "pessimistic");
  await page.click("#plan-show");
  await after(page, n);
  const served = await (await page.request.fetch(base + "/plan?budget_scenario=pessimistic")).json();
  assert.match(await page.textContent("#panel h2"), /pesimista/);
  const lines = await page.$$eval("[data-testid=plan-chart] polyline", (ls) => ls.map((l) => [l.dataset.sector, l.getAttribute("points").split(" ").length]));
  assert.deepEqual(lines, served.sectors.map((s) => [s.sector, served.years.length]));
  for (const s of served.sectors) {
    const cell = await page.textContent(`[data-testid=plan-sectors] tr[data-sector=${s.sector}] [data-testid=closing-year]`);
    assert.equal(cell, s.closing_year === null ? "no cierra" : String(s.closing_year), s.sector);
  }
  assert.match(await page.textContent("#panel"), /PIB creciendo 1,5 % al año; presupuesto 1,5 % del PIB/);
  // Establishments and households (networks) on one axis: every line starts at 100 % of its first gap.
  const water = served.sectors.find((s) => s.sector === "water");
  assert.equal(water.counts, "households");
  assert.match(await page.textContent("[data-testid=plan-sectors] tr[data-sector=water]"), /hogares/);
  const starts = await page.$$eval("[data-testid=plan-chart] polyline", (ls) => ls.map((l) => l.getAttribute("points").split(" ")[0].split(",")[1]));
  const open = served.sectors.map((s, i) => [s.trajectory[0].deficit > 0, starts[i]]).filter(([gap]) => gap).map(([, y]) => y);
  assert.ok(open.length >= 2 && open.every((y) => y === open[0]), `lines start at one height: ${starts}`);
  // A chart per sector in what it counts, its last value the served trajectory's.
  for (const s of served.sectors) {
    const chart = `[data-testid=plan-sector-chart][data-sector=${s.sector}]`;
    assert.equal(await page.textContent(`${chart} [data-testid=counts]`), s.counts === "households" ? "hogares" : "establecimientos", s.sector);
    const last = await page.textContent(`${chart} [data-testid=last]`);
    const value = s.trajectory[s.trajectory.length - 1].deficit;
    assert.equal(Number(last.split(": ")[1].replace(/\./g, "")), Math.round(value), `${s.sector}: ${last}`);
  }
  step(`pessimistic: ${lines.length} sector lines of ${served.years.length} years, closing years as served`);

  n = await shown(page);
  await page.fill("#close-by", "2030");
  await page.click("#plan-show");
  await after(page, n);
  const required = (await (await page.request.fetch(base + "/plan?budget_scenario=pessimistic&close_by=2030&until=2035")).json()).required;
  for (const s of required.sectors) {
    const cell = await page.textContent(`[data-testid=plan-required] tr[data-sector=${s.sector}] [data-testid=share]`);
    const shown = Number(cell.replace(",", "."));
    assert.ok(Math.abs(shown - s.share_pct_gdp) < 0.001, `${s.sector}: ${cell} vs ${s.share_pct_gdp}`);
  }
  step("close by 2030: " + required.sectors.map((s) => `${s.sector} ${s.share_pct_gdp} %`).join(", ") + " of GDP a year");
  await page.screenshot({ path: screenshot });
});
