// The README's screenshot of the workshop viewer, taken in Debian's chromium through
// playwright-core (no browser is downloaded):
//   build/microplan demo --out /tmp/demo.sqlite && build/microplan serve /tmp/demo.sqlite --port 8093 &
//   node web/tests/screenshot.mjs http://127.0.0.1:8093 /tmp/viewer.png
//   pngquant --quality=70-90 --strip --output docs/img/viewer.png /tmp/viewer.png && optipng -o3 docs/img/viewer.png
// Opens the viewer at 1280x800 in a fresh profile, waits until the map has drawn its tiles and
// the choropleth, shows the health coverage of the circuits and the report of the circuit
// with the largest health gap, and saves the page.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error("usage: node web/tests/screenshot.mjs BASE_URL OUT.png");
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), "microplan-screenshot-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         // WebGL through SwiftShader: no GPU on build machines.
         "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
});
let failed = false;
try {
  const page = context.pages()[0] || (await context.newPage());
  const idle = () => page.evaluate(() => new Promise((done) => (map.loaded() ? done() : map.once("idle", done))));

  await page.goto(base + "/");
  await page.waitForFunction(() => window.microplanViewer && window.microplanViewer.ready, null, { timeout: 60000 });

  const loaded = await page.evaluate(() => window.microplanViewer.indicatorsLoaded);
  await page.selectOption("#sector", "health");
  await page.waitForFunction((v) => window.microplanViewer.indicatorsLoaded > v, loaded, { timeout: 30000 });
  await idle();

  // The report of the circuit with the largest health gap among those drawn large enough to
  // be hit on a grid of the map, clicked where it is drawn.
  const health = await (await page.request.fetch(base + "/indicators/circuit?sector=health")).json();
  const deficit = new Map(health.units.map((u) => [u.id, u.deficit]));
  const drawn = await page.evaluate(() => {
    const at = {};
    const { width, height } = map.getCanvas().getBoundingClientRect();
    for (let y = 10; y < height; y += 8)
      for (let x = 10; x < width; x += 8)
        for (const f of map.queryRenderedFeatures([x, y], { layers: ["circuits-fill"] })) at[f.id] ??= { x, y };
    return at;
  });
  const ids = Object.keys(drawn).map(Number);
  const worst = ids.sort((a, b) => (deficit.get(b) ?? 0) - (deficit.get(a) ?? 0) || a - b)[0];
  if (worst === undefined) throw new Error("no circuit drawn on the map");
  const shown = await page.evaluate(() => window.microplanViewer.reportsShown);
  const box = await page.locator("#map").boundingBox();
  await page.mouse.click(box.x + drawn[worst].x, box.y + drawn[worst].y);
  await page.waitForFunction((v) => window.microplanViewer.reportsShown > v, shown, { timeout: 30000 });
  await idle();
  await page.screenshot({ path: out });
  console.log(`screenshot: ${out}`);
} catch (e) {
  failed = true;
  console.error("screenshot FAILED:", e.message);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
