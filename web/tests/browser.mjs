// Headless Debian chromium through playwright-core for the viewer tests: one page at the
// workshop projector's size, page errors and console errors collected (those matching
// `expected`, e.g. refused edits, left out), the test body run, the browser closed and the
// process exit code set (non-zero with the failed check on stderr).
import { chromium } from "playwright-core";

export async function withViewerPage(name, expected, body) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // WebGL through SwiftShader: no GPU on test machines.
    args: ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist", "--no-sandbox"],
  });
  let failed = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error" && !expected.test(m.text())) errors.push(m.text()); });
    await body(page, errors);
  } catch (e) {
    failed = true;
    console.error(`${name} FAILED:`, e.message);
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}
