// The offline workshop kit (`microplan export kit`) in headless Debian chromium, driven by
// playwright-core, with no server behind it:
//   node web/tests/kit.test.mjs KIT_DIR BASE_URL SCREENSHOT.png
// BASE_URL is a server of the same store, the oracle. Every tile of the kit's PMTiles archive,
// read with the pmtiles package, must equal the served tile byte for byte. The page opens from
// file:// and must ask for nothing over the network; its map draws the archive's tiles, its
// choropleth and unit report equal the server's answers.
import assert from "node:assert/strict";
import fs from "node:fs";
import { PMTiles } from "pmtiles";
import { withViewerPage } from "./browser.mjs";

const [kit, base, screenshot] = process.argv.slice(2);
const step = (text) => console.log("kit test:", text);
const served = async (path) => {
  const r = await fetch(base + path);
  assert.ok(r.ok, `${path}: HTTP ${r.status}`);
  return r;
};

// 1. The PMTiles archive against the server, tile by tile.
const fd = fs.openSync(`${kit}/tiles.pmtiles`, "r");
const archive = new PMTiles({
  getKey: () => "kit",
  getBytes: async (offset, length) => {
    const b = Buffer.alloc(length);
    fs.readSync(fd, b, 0, length, offset);
    return { data: b.buffer.slice(b.byteOffset, b.byteOffset + length) };
  },
});
const header = await archive.getHeader();
const tileOf = (lon, lat, z) => {
  const n = 2 ** z, r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.asinh(Math.tan(r)) / Math.PI) / 2) * n)];
};
let compared = 0;
for (let z = header.minZoom; z <= header.maxZoom; z++) {
  const [x0, y0] = tileOf(header.minLon, header.maxLat, z), [x1, y1] = tileOf(header.maxLon, header.minLat, z);
  for (let x = x0; x <= x1; x++)
    for (let y = y0; y <= y1; y++) {
      const mine = await archive.getZxy(z, x, y);
      const r = await fetch(`${base}/tiles/all/${z}/${x}/${y}.mvt`);
      const theirs = r.status === 200 ? Buffer.from(await r.arrayBuffer()) : null;
      if (!mine) {
        assert.ok(!theirs || theirs.length === 0, `tile ${z}/${x}/${y} served but not in the archive`);
        continue;
      }
      assert.ok(theirs && Buffer.from(mine.data).equals(theirs), `tile ${z}/${x}/${y} differs from the served one`);
      compared++;
    }
}
assert.equal(compared, header.numAddressedTiles);
step(`${compared} tiles of tiles.pmtiles (z${header.minZoom}-${header.maxZoom}) equal the served ones byte for byte`);

// 2. The page from the folder, with no server.
await withViewerPage("kit test", /(?!)/, async (page, errors) => {
  const network = [];
  page.on("request", (r) => { if (!/^(file|blob|data):/.test(r.url())) network.push(r.url()); });
  await page.goto(`file://${kit}/index.html`);
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });
  assert.deepEqual(errors, [], "errors while opening the kit");
  assert.ok(await page.isVisible("[data-testid=offline]"), "the page does not say it is offline");
  assert.ok(!(await page.isVisible("#scenario-new")), "scenario editing is offered offline");
  const drawn = await page.evaluate(() => map.querySourceFeatures("microplan", { sourceLayer: "circuits" }).length);
  assert.ok(drawn > 100, `only ${drawn} circuit features drawn from the archive`);
  step(`opened from file:// with ${drawn} circuit features drawn from the archive`);

  const loaded = await page.evaluate(() => window.microplanViewer.indicatorsLoaded);
  await page.selectOption("#sector", "health");
  await page.waitForFunction((n) => window.microplanViewer.indicatorsLoaded > n, loaded, { timeout: 30000 });
  const health = await (await served("/indicators/circuit?sector=health")).json();
  const unit = [...health.units].sort((a, b) => b.deficit - a.deficit)[0];
  const value = await page.evaluate((id) => map.getFeatureState({ source: "microplan", sourceLayer: "circuits", id }).value, unit.id);
  assert.equal(value, unit.coverage_pct, `${unit.code}: kit ${value}, server ${unit.coverage_pct}`);
  step(`health coverage of ${unit.code} on the map: ${value} %, as the server says`);

  // The unit's report, from the kit.
  const point = (await (await served(`/collections/circuits/items?code=${unit.code}`)).json()).features[0];
  const ring = point.geometry.type === "Polygon" ? point.geometry.coordinates[0] : point.geometry.coordinates[0][0];
  const centre = [0, 1].map((k) => ring.slice(1).reduce((s, p) => s + p[k], 0) / (ring.length - 1));
  await page.evaluate((p) => map.jumpTo({ center: p, zoom: 10 }), centre);
  await page.waitForFunction(() => map.loaded() && map.areTilesLoaded(), null, { timeout: 30000 });
  const shown = await page.evaluate(() => window.microplanViewer.reportsShown);
  const box = await page.locator("#map").boundingBox();
  const xy = await page.evaluate((p) => map.project(p), centre);
  await page.mouse.click(box.x + xy.x, box.y + xy.y);
  await page.waitForFunction((n) => window.microplanViewer.reportsShown > n, shown, { timeout: 30000 });
  const code = (await page.textContent("[data-testid=unit-code]")).trim();
  const report = await (await served(`/reports/unit/${code}?level=circuit`)).json();
  const cell = await page.textContent("[data-testid=sectors] tr[data-sector=health] td.deficit");
  const deficit = report.sectors.find((s) => s.sector === "health").deficit;
  assert.equal(Number(cell.replace(/\./g, "").replace(",", ".")), deficit);
  assert.deepEqual(network, [], "the kit asked the network for something");
  assert.deepEqual(errors, [], "errors in the page");
  step(`report of ${code} from the kit: health deficit ${deficit}; no request left the folder`);
  await page.screenshot({ path: screenshot });
});
