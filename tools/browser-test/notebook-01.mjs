// What a learner sees, checked in a real browser: starts JupyterLab exactly as `./kit lab --no-browser`
// does (on a copy of the notebooks, so nothing committed is touched), opens notebook 01 in Debian's
// headless Chromium, runs every cell on the kit's Java kernel and checks the page. Then stops the server
// with Ctrl-C (SIGINT), as a learner would, and checks that it exits cleanly.
//
// Usage: node notebook-01.mjs <kit-root> <output-dir>
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [root, outDir] = process.argv.slice(2);
if (!root || !outDir) {
  console.error('usage: node notebook-01.mjs <kit-root> <output-dir>');
  process.exit(2);
}
const NOTEBOOK = '01-self-attention-without-weights.ipynb';
const KERNEL_DISPLAY = 'Java (attention-kit)';
const RUN_TIMEOUT_MS = 5 * 60_000;
mkdirSync(outDir, { recursive: true });

const freePort = () => new Promise((resolve, reject) => {
  const server = createServer();
  server.on('error', reject);
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

/** Starts `./kit lab --no-browser --port P` and resolves with its URL once the kit prints it. */
function startLab(notebookDir, port) {
  const lab = spawn(join(root, 'kit'), ['lab', '--no-browser', '--port', String(port)], {
    cwd: root, env: { ...process.env, KIT_NOTEBOOK_DIR: notebookDir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/ready after ([\d.]+) s: open (http\S+token=[0-9a-f]+)/);
      if (match) resolve({ seconds: Number(match[1]), url: match[2] });
    };
    lab.stdout.on('data', onData);
    lab.stderr.on('data', onData);
    lab.on('exit', (code) => reject(new Error(`./kit lab exited with ${code} before it was ready:\n${output}`)));
  });
  return { lab, url, output: () => output };
}

const check = (ok, what) => {
  if (!ok) throw new Error(`browser check failed: ${what}`);
  console.log(`  ok  ${what}`);
};

const notebookDir = mkdtempSync(join(tmpdir(), 'attention-kit-notebooks-'));
cpSync(join(root, 'notebooks'), notebookDir, { recursive: true });
const port = await freePort();
const { lab, url } = startLab(notebookDir, port);
let browser;
let failure;
try {
  const ready = await url;
  console.log(`JupyterLab ready after ${ready.seconds} s (./kit lab --no-browser --port ${port})`);
  const base = new URL(ready.url);
  const token = base.searchParams.get('token');

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const opened = Date.now();
  await page.goto(`${base.origin}/lab/tree/${NOTEBOOK}?reset&token=${token}`);
  await page.waitForSelector('.jp-NotebookPanel .jp-Cell', { timeout: 120_000 });

  // The notebook names the kit's kernel; if JupyterLab still asks, pick it.
  const dialog = page.locator('.jp-Dialog');
  if (await dialog.isVisible().catch(() => false)) {
    await dialog.locator('select').selectOption({ label: KERNEL_DISPLAY });
    await dialog.locator('.jp-mod-accept').click();
  }
  await page.waitForFunction(
    (name) => [...document.querySelectorAll('.jp-NotebookPanel-toolbar .jp-KernelName, .jp-Toolbar-kernelName')]
      .some((el) => el.textContent.includes(name)), KERNEL_DISPLAY, { timeout: 120_000 });
  check(true, `the notebook runs on the kernel "${KERNEL_DISPLAY}"`);

  // Clear the committed outputs first, so every output checked below comes from this run.
  await page.click('.lm-MenuBar-itemLabel:text-is("Edit")');
  await page.click('.lm-Menu-itemLabel:text-is("Clear Outputs of All Cells")');
  await page.click('.lm-MenuBar-itemLabel:text-is("Run")');
  await page.click('.lm-Menu-itemLabel:text-is("Run All Cells")');
  await page.waitForSelector('.jp-CodeCell .jp-OutputArea-output', { timeout: RUN_TIMEOUT_MS });
  const firstOutputSeconds = (Date.now() - opened) / 1000;

  // Done when no cell is queued or running ([*]) and every code cell has an execution count.
  await page.waitForFunction(() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map((p) => p.textContent.trim());
    return prompts.length > 0 && prompts.every((p) => /^\[\d+\]:$/.test(p));
  }, null, { timeout: RUN_TIMEOUT_MS, polling: 500 });
  await page.waitForFunction(() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') === 'idle',
    null, { timeout: 60_000 }).catch(() => {});
  const ranSeconds = (Date.now() - opened) / 1000;

  const cells = await page.$$eval('.jp-CodeCell', (all) => all.map((cell) => ({
    source: cell.querySelector('.jp-InputArea-editor')?.textContent.slice(0, 60) ?? '',
    outputs: cell.querySelectorAll('.jp-OutputArea-output').length,
    errors: cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
  })));
  const silent = cells.filter((c) => c.outputs === 0).map((c) => c.source);
  const failed = cells.filter((c) => c.errors > 0).map((c) => c.source);
  check(cells.length > 0 && silent.length === 0, `all ${cells.length} code cells have output${silent.length ? ` (none: ${silent.join(' | ')})` : ''}`);
  check(failed.length === 0, `no cell shows an error${failed.length ? ` (errors: ${failed.join(' | ')})` : ''}`);
  const images = await page.$$eval('.jp-OutputArea-output img', (imgs) => imgs.filter((i) => i.naturalWidth > 100).length);
  check(images >= 1, `the attention heatmap is on the page (${images} picture(s))`);
  const tables = await page.$$eval('.jp-OutputArea-output table.attention-kit', (t) => t.length);
  check(tables >= 5, `the weights are shown as labelled tables (${tables})`);
  const gradeTable = await page.$$eval('.jp-OutputArea-output .ak-grade table', (t) => t.map((x) => x.textContent));
  const lastOutput = gradeTable.length === 1 ? '' : await page.$$eval('.jp-CodeCell', (all) =>
    all.slice(-2).map((c) => c.querySelector('.jp-OutputArea')?.textContent.trim().slice(0, 300) ?? '').join(' | '));
  check(gradeTable.length === 1 && /points/i.test(gradeTable[0]), 'the exercise-check cell shows its table of points'
    + (gradeTable.length === 1 ? '' : ` (${gradeTable.length} grade tables; the last cells show: ${lastOutput})`));

  // A screenshot of the whole notebook: make the page as tall as the notebook, then capture it.
  await page.click('.jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current').catch(() => {}); // fold the file browser
  const height = await page.evaluate(() => Math.max(...[...document.querySelectorAll(
    '.jp-NotebookPanel .jp-WindowedPanel-outer, .jp-NotebookPanel .jp-Notebook')].map((el) => el.scrollHeight)));
  await page.setViewportSize({ width: 1400, height: Math.min(Math.max(height + 200, 1000), 16000) });
  await page.evaluate(() => document.querySelectorAll('.jp-NotebookPanel .jp-WindowedPanel-outer')
    .forEach((el) => { el.scrollTop = 0; }));
  await page.waitForTimeout(500);
  const shot = join(outDir, 'notebook-01.png');
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);
  console.log(`timing: JupyterLab ready ${ready.seconds} s; notebook 01 opened -> first output ${firstOutputSeconds.toFixed(1)} s; all cells done ${ranSeconds.toFixed(1)} s`);
} catch (error) {
  failure = error;
} finally {
  if (browser) await browser.close();
  // Ctrl-C, as a learner stops the server; it must exit cleanly and promptly.
  const exited = new Promise((resolve) => lab.on('exit', (code, signal) => resolve({ code, signal })));
  lab.kill('SIGINT');
  const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 30_000))]);
  if (!failure) {
    try {
      check(result !== null && result.code === 0, `Ctrl-C stops ./kit lab cleanly (exit ${result ? result.code : 'timeout'})`);
    } catch (error) {
      failure = error;
    }
  }
  if (result === null) lab.kill('SIGKILL');
  rmSync(notebookDir, { recursive: true, force: true });
}
if (failure) {
  console.error(String(failure.stack || failure));
  process.exit(1);
}
console.log('browser: 1 passed, 0 failed');
