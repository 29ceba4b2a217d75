// A class on JupyterHub, checked in a real browser: starts `./kit hub` on loopback (shared-password login,
// two fresh system users), logs both in with Debian's headless Chromium, and checks what each learner sees:
//   - first login: each gets their own ~/attention-kit (notebooks/ and exercises/) on the kit's kernel;
//   - each runs notebook 01 and its exercise check; Ann then writes one exercise and her check gains its points;
//   - Ben sees neither Ann's edit nor her files (his copy, his points; her server and home are closed to him);
//   - the instructor updates the course; Ann's next login merges it (nbgitpuller) and keeps her work;
//   - Ctrl-C stops the hub and every learner's server.
// Must run as root (it creates and deletes the users akhub-ann and akhub-ben).
//
// Usage: node hub-two-users.mjs <kit-root> <output-dir>
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [root, outDir] = process.argv.slice(2);
if (!root || !outDir) {
  console.error('usage: node hub-two-users.mjs <kit-root> <output-dir>');
  process.exit(2);
}
const USERS = ['akhub-ann', 'akhub-ben'];
const [ANN, BEN] = USERS;
const NOTEBOOK = 'notebooks/01-self-attention-without-weights.ipynb';
const EXERCISE = 'exercises/src/main/java/dev/attentionkit/exercises/ch01/SoftmaxWeights.java';
const KERNEL_DISPLAY = 'Java (attention-kit)';
const RUN_TIMEOUT_MS = 5 * 60_000;
// Outside the kit's folder, which may sit in root's private home: learners must read the hub's files.
// Kept between runs so the hub's Python environment is installed once; its state is not.
const HUB_DIR = process.env.ATTENTION_KIT_HUB_TEST_DIR || '/var/tmp/attention-kit-hub-test';
const password = randomBytes(12).toString('hex');
mkdirSync(outDir, { recursive: true });
const began = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

const check = (ok, what) => {
  if (!ok) throw new Error(`hub check failed: ${what}`);
  console.log(`  ok  ${what}`);
};
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });

/** The processes of a user ("" when none: ps then exits 1). */
const allProcessesOf = (user) => { try { return sh('ps', ['-u', user, '-o', 'pid=,args=']).trim(); } catch { return ''; } };
// The kit's kernel JVMs, named apart in the checks: they used to outlive a learner's stopped server (JJava's
// launcher left its kernel JVM behind); the kernelspec now starts the JVM itself and it ends with its server.
const isKernel = (line) => /kernels\/attention-kit\/jjava(-launcher)?\.jar /.test(line);
const processesOf = (user) => allProcessesOf(user);
const orphanKernels = [];
/** Waits up to 15 s for the user's processes to go (a kernel notices its server's end within seconds). */
const waitUntilGone = async (user) => {
  for (let i = 0; i < 30 && processesOf(user) !== ''; i++) await new Promise((r) => setTimeout(r, 500));
};
const checkNoOrphanKernels = (user) => {
  const left = allProcessesOf(user).split('\n').filter(isKernel);
  if (left.length) orphanKernels.push(`${user}: ${left.length}`);
  check(left.length === 0, `no kernel JVM of ${user} outlives the server${left.length ? `: ${left.join('; ').slice(0, 400)}` : ''}`);
};

const freePort = () => new Promise((resolve, reject) => {
  const server = createServer();
  server.on('error', reject);
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

async function freePortRun() {
  // The hub uses port, port + 1 and port + 2.
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (port < 65000) {
      const ok = await Promise.all([1, 2].map((d) => new Promise((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(false));
        s.listen(port + d, '127.0.0.1', () => s.close(() => resolve(true)));
      })));
      if (ok.every(Boolean)) return port;
    }
  }
  throw new Error('no three free ports in a row');
}

function freshUsers() {
  removeUsers();   // a user left by an interrupted run may still own processes: userdel alone would refuse
  for (const user of USERS) sh('useradd', ['-m', '-s', '/bin/bash', user]);
}

function removeUsers() {
  for (const user of USERS) {
    for (let attempt = 0; attempt < 20; attempt++) {
      try { sh('pkill', ['-KILL', '-u', user]); } catch { /* none left */ }
      try { sh('userdel', ['-r', user]); break; } catch (error) {
        if (/does not exist/.test(String(error.stderr))) break;
        execFileSync('sleep', ['0.5']);   // killed processes take a moment to go
      }
    }
  }
}

function startHub(port) {
  const hub = spawn(join(root, 'kit'), ['hub', '--dir', HUB_DIR, '--port', String(port), '--auth', 'shared-password',
    '--users', USERS.join(',')], {
    cwd: root, env: { ...process.env, ATTENTION_KIT_HUB_PASSWORD: password }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/JupyterHub is ready after ([\d.]+) s: open (http\S+)\/hub\/login/);
      if (match) resolve({ seconds: Number(match[1]), base: match[2] });
    };
    hub.stdout.on('data', onData);
    hub.stderr.on('data', onData);
    hub.on('exit', (code) => reject(new Error(`./kit hub exited with ${code} before it was ready:\n${output}`)));
  });
  return { hub, ready, output: () => output };
}

async function logIn(browser, base, user) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(`${base}/hub/login`);
  await page.fill('#username_input', user);
  await page.fill('#password_input', password);
  await page.click('#login_submit');
  await waitForServer(page, user);
  return { context, page, user, loginSeconds: seconds(started) };
}

/** Waits until the learner's JupyterLab shows a notebook; fails at once when the hub reports a failed spawn. */
async function waitForServer(page, user) {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (new RegExp(`/user/${user}/lab`).test(page.url())
        && await page.locator('.jp-NotebookPanel .jp-Cell').first().isVisible().catch(() => false)) return;
    const text = await page.locator('body').innerText().catch(() => '');
    if (/Spawn failed|server failed to start|Error/i.test(text) && /\/hub\//.test(page.url())) {
      throw new Error(`${user}'s server did not start: ${text.slice(0, 400)}`);
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`${user}'s JupyterLab did not open within 240 s (at ${page.url()})`);
}

/** The learner's own server, through the hub, with the learner's cookies (JupyterLab's REST API). */
async function api(session, method, path, body, asUser = session.user) {
  const cookies = await session.context.cookies();
  const xsrf = cookies.find((c) => c.name === '_xsrf')?.value ?? '';
  const response = await session.page.request.fetch(`${session.base}/user/${asUser}/api/contents/${path}`, {
    method, headers: { 'X-XSRFToken': xsrf, 'Content-Type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body), maxRedirects: 0, failOnStatusCode: false,
  });
  return { status: response.status(), json: response.ok() ? await response.json().catch(() => null) : null };
}

async function pickKernelIfAsked(page) {
  const dialog = page.locator('.jp-Dialog');
  if (await dialog.isVisible().catch(() => false)) {
    await dialog.locator('select').selectOption({ label: KERNEL_DISPLAY });
    await dialog.locator('.jp-mod-accept').click();
  }
}

/** Opens notebook 01, runs every cell, returns the exercise check's "score / max" and the cell count. */
async function runNotebook(session) {
  const { page } = session;
  // ?reset: a workspace with only this notebook open (the hub's landing page opened notebook 00).
  await page.goto(`${session.base}/user/${session.user}/lab/tree/${NOTEBOOK}?reset`);
  await page.waitForSelector('.jp-NotebookPanel .jp-Cell', { timeout: 120_000 });
  await pickKernelIfAsked(page);
  await page.waitForFunction(
    (name) => [...document.querySelectorAll('.jp-NotebookPanel-toolbar .jp-KernelName, .jp-Toolbar-kernelName')]
      .some((el) => el.textContent.includes(name)), KERNEL_DISPLAY, { timeout: 120_000 });
  const started = Date.now();
  await page.click('.lm-MenuBar-itemLabel:text-is("Edit")');
  await page.click('.lm-Menu-itemLabel:text-is("Clear Outputs of All Cells")');
  await page.click('.lm-MenuBar-itemLabel:text-is("Run")');
  await page.click('.lm-Menu-itemLabel:text-is("Run All Cells")');
  await page.waitForSelector('.jp-CodeCell .jp-OutputArea-output', { timeout: RUN_TIMEOUT_MS, state: 'attached' });
  await page.waitForFunction(() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map((p) => p.textContent.trim());
    return prompts.length > 0 && prompts.every((p) => /^\[\d+\]:$/.test(p));
  }, null, { timeout: RUN_TIMEOUT_MS, polling: 500 });
  await page.waitForSelector('.jp-OutputArea-output .ak-grade tfoot', { timeout: RUN_TIMEOUT_MS, state: 'attached' });
  const cells = await page.$$eval('.jp-CodeCell', (all) => all.map((cell) => ({
    outputs: cell.querySelectorAll('.jp-OutputArea-output').length,
    errors: cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
  })));
  const total = await page.$eval('.jp-OutputArea-output .ak-grade tfoot', (t) => t.textContent);
  const match = total.match(/(\d+)\s*\/\s*(\d+)/);
  await page.screenshot({ path: join(outDir, `hub-${session.user}-${Date.now()}.png`) });
  return {
    cells: cells.length, silent: cells.filter((c) => c.outputs === 0).length, errors: cells.filter((c) => c.errors > 0).length,
    score: Number(match?.[1]), max: Number(match?.[2]), seconds: seconds(started),
  };
}

freshUsers();
const port = await freePortRun();
rmSync(join(HUB_DIR, 'state'), { recursive: true, force: true });   // a fresh hub: no users, no servers
const { hub, ready } = startHub(port);
let browser;
let failure;
const seen = {};
try {
  const { seconds: hubSeconds, base } = await ready;
  console.log(`JupyterHub ready after ${hubSeconds} s (./kit hub --port ${port}, set-up included: ${seconds(began)} s)`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const stub = readFileSync(join(root, EXERCISE), 'utf8');
  const solution = readFileSync(join(root, EXERCISE.replace(/^exercises\//, 'solutions/')), 'utf8');

  // Ann: first login, her own copy, notebook 01 with the check.
  const ann = { ...(await logIn(browser, base, ANN)), base };
  check(true, `${ANN} logged in; her server started in ${ann.loginSeconds} s, on notebook 00`);
  const annTree = await api(ann, 'GET', '');
  check(annTree.status === 200 && ['exercises', 'notebooks'].every((n) => annTree.json.content.some((e) => e.name === n)),
    `${ANN}'s file browser shows her own notebooks/ and exercises/ (${annTree.json?.content.map((e) => e.name).sort().join(', ')})`);
  const annFirst = await runNotebook(ann);
  check(annFirst.silent === 0 && annFirst.errors === 0, `${ANN}: all ${annFirst.cells} cells of notebook 01 ran without errors in ${annFirst.seconds} s`);
  check(annFirst.max > 0 && annFirst.score < annFirst.max, `${ANN}: the exercise check on her untouched stubs shows ${annFirst.score} / ${annFirst.max} points`);

  // Ann writes one exercise (saved through her JupyterLab, as its editor does) and checks again.
  const saved = await api(ann, 'PUT', EXERCISE, { type: 'file', format: 'text', content: solution });
  check(saved.status === 200, `${ANN} saved her ${EXERCISE.split('/').pop()}`);
  const annSecond = await runNotebook(ann);
  check(annSecond.score > annFirst.score, `${ANN}: the exercise check now shows ${annSecond.score} / ${annSecond.max} points (was ${annFirst.score})`);
  seen[ANN] = { first: annFirst, afterEdit: annSecond };

  // Ben: first login after Ann's edit; his own copy, untouched.
  const ben = { ...(await logIn(browser, base, BEN)), base };
  check(true, `${BEN} logged in; his server started in ${ben.loginSeconds} s`);
  const benFile = await api(ben, 'GET', `${EXERCISE}?content=1&format=text&type=file`);
  check(benFile.status === 200 && benFile.json.content === stub, `${BEN}'s ${EXERCISE.split('/').pop()} is the stub, not ${ANN}'s edit`);
  const benRun = await runNotebook(ben);
  check(benRun.silent === 0 && benRun.errors === 0, `${BEN}: all ${benRun.cells} cells of notebook 01 ran without errors in ${benRun.seconds} s`);
  check(benRun.score === annFirst.score && benRun.max === annFirst.max,
    `${BEN}: his exercise check shows ${benRun.score} / ${benRun.max} points, as ${ANN}'s did before her edit`);
  const benIntoAnn = await api(ben, 'GET', '', undefined, ANN);
  check(benIntoAnn.status !== 200, `${BEN} cannot open ${ANN}'s server (HTTP ${benIntoAnn.status})`);
  let readAnn;
  try {
    readAnn = sh('runuser', ['-u', BEN, '--', 'cat', `/home/${ANN}/attention-kit/${EXERCISE}`]);
  } catch (error) {
    readAnn = String(error.stderr || error.message).trim();
  }
  check(/Permission denied/.test(readAnn), `as ${BEN} (the user his kernel runs as), ${ANN}'s files are closed: "${readAnn.split('\n')[0]}"`);
  seen[BEN] = { run: benRun, annFiles: readAnn.split('\n')[0] };

  // The instructor updates the course; Ann's next login merges the update and keeps her work.
  const content = join(HUB_DIR, 'content');
  const nb00 = join(content, 'notebooks', '00-start-here.ipynb');
  const course = JSON.parse(readFileSync(nb00, 'utf8'));
  const note = `Course update ${new Date().toISOString()}: read this first.`;
  course.cells.unshift({ cell_type: 'markdown', metadata: {}, source: [note] });
  writeFileSync(nb00, JSON.stringify(course, null, 1) + '\n');
  sh('git', ['-C', content, '-c', 'user.name=instructor', '-c', 'user.email=instructor@localhost', 'commit', '-q', '-am', 'course update']);
  const restarted = Date.now();
  const annHome = await ann.page.goto(`${base}/hub/home`);
  check(annHome.ok(), `${ANN} opens the hub's home page`);
  await ann.page.click('#stop');   // "Stop My Server"
  for (let i = 0; i < 120 && processesOf(ANN) !== ''; i++) await new Promise((r) => setTimeout(r, 500));
  checkNoOrphanKernels(ANN);
  check(processesOf(ANN) === '', `${ANN} stopped her server from the hub's home page (no process of hers left${processesOf(ANN) ? `: ${processesOf(ANN).slice(0, 600)}` : ''})`);
  await ann.page.goto(`${base}/hub/spawn`);
  await waitForServer(ann.page, ANN);
  const kept = await api(ann, 'GET', `${EXERCISE}?content=1&format=text&type=file`);
  check(kept.status === 200 && kept.json.content === solution, `${ANN}'s second login (${seconds(restarted)} s) keeps her edited exercise`);
  const merged = await api(ann, 'GET', 'notebooks/00-start-here.ipynb?content=1&type=notebook');
  const firstCell = merged.json?.content?.cells?.[0]?.source ?? '';
  check(String(firstCell).includes(note), `${ANN}'s notebook 00 now starts with the instructor's update ("${note.slice(0, 40)}...")`);
  const shot = join(outDir, 'hub-ann-after-update.png');
  await ann.page.screenshot({ path: shot });
  await ann.context.close();
  await ben.context.close();
} catch (error) {
  failure = error;
} finally {
  if (browser) await browser.close();
  const exited = new Promise((resolve) => hub.on('exit', (code, signal) => resolve({ code, signal })));
  hub.kill('SIGINT');
  const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 60_000))]);
  if (!failure) {
    try {
      check(result !== null && result.code === 0, `Ctrl-C stops ./kit hub cleanly (exit ${result ? result.code : 'timeout'})`);
      for (const user of USERS) await waitUntilGone(user);
      USERS.forEach(checkNoOrphanKernels);
      const left = USERS.map(processesOf).filter(Boolean);
      check(left.length === 0, `no learner server process outlives the hub${left.length ? `: ${left.join('; ')}` : ''}`);
    } catch (error) {
      failure = error;
    }
  }
  if (result === null) hub.kill('SIGKILL');
  removeUsers();
}
seen.orphanKernels = orphanKernels;
writeFileSync(join(outDir, 'hub-seen.json'), JSON.stringify(seen, null, 2));
if (failure) {
  console.error(String(failure.stack || failure));
  console.error(`hub log: ${join(HUB_DIR, 'state', 'jupyterhub.log')}`);
  process.exit(1);
}
console.log(`hub: 1 passed, 0 failed in ${seconds(began)} s`);
