// Notebook 10's interactive attention views, checked in a real browser: starts JupyterLab as
// `./kit lab --no-browser` does (on a copy of the notebooks), opens notebook 10 with its committed outputs
// (nothing is executed: committed outputs are untrusted, which is how a learner first opens them) and checks
// that JupyterLab draws its Vega-Lite views (MiniLM's model view, and a head view of each model), that moving each
// head view's sliders redraws it with another head's weights, and that hovering a cell shows a tooltip whose weight
// is the one in the notebook's data.
//
// Usage: node notebook-10.mjs <kit-root> <output-dir>
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [root, outDir] = process.argv.slice(2);
if (!root || !outDir) {
  console.error('usage: node notebook-10.mjs <kit-root> <output-dir>');
  process.exit(2);
}
const NOTEBOOK = '10-attention-in-real-models.ipynb';
const VEGA_LITE = 'application/vnd.vegalite.v5+json';
mkdirSync(outDir, { recursive: true });
const started = Date.now();

const freePort = () => new Promise((resolve, reject) => {
  const server = createServer();
  server.on('error', reject);
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

const check = (ok, what) => {
  if (!ok) throw new Error(`browser check failed: ${what}`);
  console.log(`  ok  ${what}`);
};

// The head views' specifications as committed (MiniLM's, then SmolLM2's): sliders' starting values, data rows.
const notebook = JSON.parse(readFileSync(join(root, 'notebooks', NOTEBOOK), 'utf8'));
const specs = notebook.cells.flatMap((c) => c.outputs ?? []).map((o) => o.data?.[VEGA_LITE]).filter(Boolean);
const headSpecs = specs.filter((s) => (s.params ?? []).some((p) => p.name === 'head'));
if (specs.length < 3 || headSpecs.length < 2) {
  console.error(`${NOTEBOOK} has ${specs.length} Vega-Lite output(s) and ${headSpecs.length} head view(s), not a model view and two head views: run ./kit run-notebooks --save notebooks/${NOTEBOOK}`);
  process.exit(1);
}
const headViews = headSpecs.map((spec) => {
  const rows = JSON.parse(spec.data.values);
  const heads = Math.max(...rows.map((r) => r.h)) + 1;
  const layers = Math.max(...rows.map((r) => r.l)) + 1;
  const startLayer = spec.params.find((p) => p.name === 'layer').value;
  const startHead = spec.params.find((p) => p.name === 'head').value;
  return {
    rows, layers, startLayer, startHead, title: spec.title?.text ?? '',
    weightOf: (l, h, q, k) => rows.find((r) => r.l === l && r.h === h && r.q === q).w[k],
    // Another head to move to: another layer and another head than the first one shown.
    target: { layer: startLayer === 0 ? 1 : 0, head: (startHead + 1) % heads },
  };
});

const notebookDir = mkdtempSync(join(tmpdir(), 'attention-kit-notebooks-'));
cpSync(join(root, 'notebooks'), notebookDir, { recursive: true });
const port = await freePort();
const lab = spawn(join(root, 'kit'), ['lab', '--no-browser', '--port', String(port)], {
  cwd: root, env: { ...process.env, KIT_NOTEBOOK_DIR: notebookDir }, stdio: ['ignore', 'pipe', 'pipe'],
});
let labOutput = '';
const ready = new Promise((resolve, reject) => {
  const onData = (chunk) => {
    labOutput += chunk;
    const match = labOutput.match(/ready after ([\d.]+) s: open (http\S+token=[0-9a-f]+)/);
    if (match) resolve({ seconds: Number(match[1]), url: match[2] });
  };
  lab.stdout.on('data', onData);
  lab.stderr.on('data', onData);
  lab.on('exit', (code) => reject(new Error(`./kit lab exited with ${code} before it was ready:\n${labOutput}`)));
});

let browser;
let failure;
try {
  const { seconds, url } = await ready;
  const base = new URL(url);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${base.origin}/lab/tree/${NOTEBOOK}?reset&token=${base.searchParams.get('token')}`);

  // Both views drawn by JupyterLab's Vega renderer (not the PNG fallback beside them).
  // (JupyterLab marks a Vega output with its renderer's class, not with a data-mime-type attribute.)
  const views = page.locator('.jp-OutputArea-output.jp-RenderedVegaLite .vega-embed');
  await page.waitForFunction((n) => document.querySelectorAll(
    '.jp-OutputArea-output.jp-RenderedVegaLite .vega-embed :is(svg, canvas)').length >= n, specs.length, { timeout: 120_000 });
  check(await views.count() === specs.length, `JupyterLab draws the ${specs.length} Vega-Lite views of the committed, untrusted notebook`);
  const modelCanvas = await page.$$eval('.jp-OutputArea-output.jp-RenderedVegaLite .vega-embed canvas',
    (all) => all.map((c) => c.width));
  check(modelCanvas.length >= 1 && modelCanvas[0] > 300, `the model view is a drawn grid (${modelCanvas[0]} px wide)`);

  const heads = page.locator('.vega-embed', { has: page.locator('.vega-bindings input[type="range"]') });
  check(await heads.count() === headViews.length, `the ${headViews.length} head views have their layer and head sliders`);
  for (const [n, view] of headViews.entries()) {
    const { rows, startLayer, startHead, target, weightOf } = view;
    const name = `head view ${n + 1} (${view.layers} layers)`;
    const head = heads.nth(n);
    await head.scrollIntoViewIfNeeded();
    const picture = async () => head.evaluate((el) => ({
      fills: [...el.querySelectorAll('svg .mark-rect.role-mark path')].map((p) => p.getAttribute('fill')),
      subtitle: [...el.querySelectorAll('svg .role-title-subtitle text')].map((t) => t.textContent).join(' '),
    }));
    const before = await picture();
    const t = rows[0].k.length;
    check(before.fills.length === t * t && before.subtitle.includes(`layer ${startLayer}, head ${startHead}`),
      `${name} opens on one head: ${before.fills.length} cells, "${before.subtitle}"`);

    // Move both sliders as a learner drags them (the input event is what Vega listens to).
    const sliders = head.locator('.vega-bindings input[type="range"]');
    for (const [i, value] of [[0, target.layer], [1, target.head]]) {
      await sliders.nth(i).evaluate((input, v) => {
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, value);
    }
    await page.waitForFunction(([el, want]) => el.textContent.includes(want),
      [await head.elementHandle(), `layer ${target.layer}, head ${target.head}`], { timeout: 10_000 });
    const after = await picture();
    check(after.subtitle.includes(`layer ${target.layer}, head ${target.head}`), `${name}: the sliders select layer ${target.layer}, head ${target.head}: "${after.subtitle}"`);
    const changed = after.fills.filter((f, i) => f !== before.fills[i]).length;
    check(after.fills.length === before.fills.length && changed > 0,
      `${name}: the picture changed with the selection (${changed} of ${after.fills.length} cells have another colour)`);

    // Hover the cell of query 3, key 2 (the order Vega draws them in is the data's) and read the tooltip.
    const cell = head.locator('svg .mark-rect.role-mark path').nth(3 * t + 2);
    await cell.hover();
    const tooltip = page.locator('#vg-tooltip-element');
    await tooltip.waitFor({ state: 'visible', timeout: 5_000 });
    await page.waitForFunction(() => /\(3\)[\s\S]*\(2\)/.test(document.querySelector('#vg-tooltip-element')?.textContent ?? ''),
      null, { timeout: 5_000 });
    const text = (await tooltip.textContent()).replace(/\s+/g, ' ');
    const match = text.match(/query:?\s*(.+?)\s*\((\d+)\)\s*key:?\s*(.+?)\s*\((\d+)\)\s*weight:?\s*([\d.]+)/);
    check(match !== null, `${name}: hovering a cell shows its query, key and weight: "${text}"`);
    const [q, k, shown] = [Number(match[2]), Number(match[4]), match[5]];
    const expected = weightOf(target.layer, target.head, q, k).toFixed(3);
    check(shown === expected, `${name}: the tooltip's weight (query ${q}, key ${k}) is the notebook's, to three decimals: ${shown} = ${expected}`);

    await head.screenshot({ path: join(outDir, `notebook-10-head-view-${n + 1}.png`) });
    await page.mouse.move(0, 0);
  }
  console.log(`timing: JupyterLab ready ${seconds} s; all checks ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
} catch (error) {
  failure = error;
} finally {
  if (browser) await browser.close();
  const exited = new Promise((resolve) => lab.on('exit', resolve));
  lab.kill('SIGINT');
  const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 30_000))]);
  if (!stopped) lab.kill('SIGKILL');
  rmSync(notebookDir, { recursive: true, force: true });
}
if (failure) {
  console.error(String(failure.stack || failure));
  process.exit(1);
}
console.log('browser (notebook 10): passed');
