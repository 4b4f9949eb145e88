// What the browser tests share: where things are, whether Chromium is
// there, a real `rightsdesk serve` on random loopback ports with a fresh
// data directory, and axe-core run on a page.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

export const root = path.resolve(import.meta.dirname, '../..')
export const bin = process.env.RIGHTSDESK_BIN ?? path.join(root, 'bin/rightsdesk')
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const shotRoot = process.env.SCREENSHOT_DIR ?? path.join(root, 'build/screenshots')
export const chromiumArgs = ['--no-sandbox', '--disable-dev-shm-usage']

// Without Chromium the tests are skipped on a developer's machine, and fail
// in CI, whose .ci/run installs it.
const missing = existsSync(chromiumPath) ? '' : `no Chromium at ${chromiumPath} (apt-get install -y chromium fonts-liberation, or set CHROMIUM_PATH)`
if (missing && process.env.CI === 'true') throw new Error(`CI=true: ${missing}`)
export const skip = missing ? `browser tests skipped: ${missing}` : false

// startServer makes a data directory (or reuses options.dataDir) and its
// keyring beside it (DIR.keyring.json, made once, kept with the data, and
// named in RIGHTSDESK_KEYRING for the commands the test runs on the data),
// lets prepare(dataDir) work on the database while it is still closed
// (tokens, accounts), then starts the server and resolves once it has printed its
// banner, to its base URL, the banner's lines (printed), halt (stop the
// server, keep the data, resolve to its exit code) and stop (halt, then
// remove the data). options.args are more flags for serve (e.g. --smtp-url);
// options.secondFactor is serve's --second-factor, optional unless a test
// is about two-step verification, so that other tests sign administrators
// in with a password.
export async function startServer (prepare, prefix = 'rightsdesk-browser-', options = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), prefix))
  const keyring = `${dataDir}.keyring.json`
  if (!existsSync(keyring)) execFileSync(bin, ['keys', 'init', '--data', dataDir, '--out', keyring], { stdio: ['ignore', 'ignore', 'inherit'] })
  process.env.RIGHTSDESK_KEYRING = keyring
  prepare?.(dataDir)
  const server = spawn(bin, ['serve', '--data', dataDir, '--keyring', keyring, '--http-addr', '127.0.0.1:0', '--grpc-addr', '127.0.0.1:0', '--admin-addr', '127.0.0.1:0', '--log-level', 'warn',
    '--second-factor', options.secondFactor ?? 'optional', ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'inherit'] })
  const halt = async () => {
    if (server.exitCode !== null) return server.exitCode
    const exited = new Promise(resolve => server.once('exit', resolve))
    server.kill('SIGTERM')
    return exited
  }
  const stop = async () => {
    await halt()
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(keyring, { force: true })
  }
  const printed = []
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('rightsdesk serve did not start within 20s')), 20000)
    server.once('exit', code => reject(new Error(`rightsdesk serve exited with ${code}`)))
    createInterface({ input: server.stdout }).on('line', line => {
      printed.push(line)
      if (!/^Press Ctrl\+C to stop/.test(line)) return
      clearTimeout(timer)
      const m = printed.join('\n').match(/request form\s+(http:\/\/\S+)\/$/m)
      if (m) resolve(m[1]); else reject(new Error(`no request form URL in:\n${printed.join('\n')}`))
    })
  })
  return { base, dataDir, printed, halt, stop }
}

const axeSource = readFileSync(path.join(root, 'web/node_modules/axe-core/axe.min.js'), 'utf8')
const wcag = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

// assertAccessible runs axe's WCAG 2.2 AA rules on the page and fails on
// any violation. Where scripts were switched off through the DevTools
// session cdp, they are switched on for axe alone: its timers never fire
// otherwise, and page scripts skipped during load stay unrun.
export async function assertAccessible (page, name, cdp) {
  if (cdp) await cdp.send('Emulation.setScriptExecutionDisabled', { value: false })
  let violations
  try {
    await page.evaluate(axeSource)
    violations = await page.evaluate(tags => globalThis.axe.run(document, { runOnly: { type: 'tag', values: tags } })
      .then(r => r.violations.map(v => ({ id: v.id, help: v.help, nodes: v.nodes.map(n => n.html) }))), wcag)
  } finally {
    if (cdp) await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
  }
  assert.deepEqual(violations, [], `axe violations on ${name} (${page.url()})`)
}

// The widths a page must fit without scrolling sideways: a desktop window,
// a small phone, and the desktop window at 200% zoom, which lays the page
// out in half as many CSS pixels.
export const desktop = { width: 1280, height: 900 }
export const phone = { width: 375, height: 812 }
export const zoomed = { width: 640, height: 450 }

// openTab opens a tab at the desktop width whose test fails on any script
// error, CSP refusal or console error, except the network line Chromium
// logs for a response whose status matches expected (e.g. /status of 422/
// for a form shown again). Without JavaScript, scripts are switched off
// through the DevTools session cdp, so that assertAccessible can switch
// them on for axe alone.
export async function openTab (browser, t, { javaScript, expected = /status of 422/ }) {
  const context = await browser.newContext({ viewport: desktop })
  t.after(() => context.close())
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation',
    e => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)))
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', e => problems.push(`page error: ${e.message}`))
  page.on('console', m => {
    if (m.type() !== 'error' || expected.test(m.text())) return
    problems.push(`console error: ${m.text()}`)
  })
  t.after(() => assert.deepEqual(problems, [], 'the browser reported problems'))
  const cdp = await context.newCDPSession(page)
  if (!javaScript) await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
  return { page, cdp, javaScript }
}

// assertFits fails when the page scrolls sideways at any of the widths,
// saves it as dir/name-WIDTH.png at the desktop and phone widths (the
// whole page, or with fullPage false the window's worth at the top, for
// a page too long to picture whole) and puts the desktop width back.
export async function assertFits (page, name, dir, { fullPage = true } = {}) {
  mkdirSync(dir, { recursive: true })
  try {
    for (const viewport of [desktop, phone, zoomed]) {
      await page.setViewportSize(viewport)
      const { scrollWidth, clientWidth } = await page.evaluate(() =>
        ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }))
      assert.ok(scrollWidth <= clientWidth, `${name} scrolls sideways at ${viewport === zoomed ? '200% zoom' : viewport.width + ' px'}: ${scrollWidth} > ${clientWidth}`)
      if (viewport !== zoomed) await page.screenshot({ path: path.join(dir, `${name}-${viewport.width}.png`), fullPage })
    }
  } finally {
    await page.setViewportSize(desktop)
  }
}

// checkPage runs axe on the page, checks that its scripts ran if and only
// if JavaScript is on, and that it fits at every width (assertFits, which
// saves it as dir/name-WIDTH.png).
export async function checkPage (tab, name, dir, options) {
  const { page } = tab
  await assertAccessible(page, name, tab.javaScript ? undefined : tab.cdp)
  const bodyClass = await page.evaluate(() => document.body.className)
  assert.equal(bodyClass.includes('js-enabled'), tab.javaScript, `${name}: the page scripts ran if and only if JavaScript is on`)
  await assertFits(page, name, dir, options)
}

// authenticatorCode is the code an authenticator app holding the base32
// secret shows at the time `at` (milliseconds), as RFC 6238 makes it with
// its defaults (SHA-1, 30-second steps, six digits).
export function authenticatorCode (secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map(b => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30000)))
  const mac = createHmac('sha1', key).update(counter).digest()
  const offset = mac[mac.length - 1] & 0xf
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0')
}

// press clicks the button named name and waits for the page it loads.
export async function press (page, name) {
  await page.getByRole('button', { name, exact: true }).click()
  await page.waitForLoadState('load')
}

// smtpSink is a relay on 127.0.0.1 that accepts every message and keeps
// it: it answers each command with the reply a relay that takes it would
// give, and offers no STARTTLS, which the server uses only if offered on
// a loopback address. Bounded: at most 20 messages of 1 MB each.
export async function smtpSink (t) {
  const messages = []
  const sockets = new Set()
  const server = createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.setEncoding('utf8')
    let buffer = ''
    let data = null
    socket.write('220 sink.test ESMTP\r\n')
    socket.on('data', chunk => {
      buffer += chunk
      if (buffer.length > 1 << 20 || messages.length >= 20) { socket.destroy(); return }
      let end
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (data !== null) {
          if (line === '.') {
            messages.push(data.join('\n'))
            data = null
            socket.write('250 2.0.0 kept\r\n')
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line)
          }
          continue
        }
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO') socket.write('250-sink.test\r\n250 8BITMIME\r\n')
        else if (verb === 'DATA') { data = []; socket.write('354 go ahead\r\n') } else if (verb === 'QUIT') { socket.end('221 2.0.0 bye\r\n') } else socket.write('250 2.0.0 ok\r\n')
      }
    })
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise(resolve => { for (const s of sockets) s.destroy(); server.close(resolve) }))
  return { port: server.address().port, messages }
}

// received waits (up to 10 s) for the sink to hold an email whose text
// says want, and returns it unfolded and decoded enough to read.
export async function received (sink, want) {
  const deadline = Date.now() + 10000
  for (;;) {
    const found = sink.messages.map(m => m.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))))
      .map(m => m.replace(/\s+/g, ' ')).find(m => m.includes(want))
    if (found) return found
    assert.ok(Date.now() < deadline, `no email saying "${want}" reached the relay in 10s (${sink.messages.length} emails)`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

// staffPassword is the password of the accounts serveWithCaseworker makes.
export const staffPassword = 'a long staff password for tests'

// serveWithCaseworker starts a server of the test's own, stopped when t
// ends, sending letters through sink, with a caseworker account
// (casey@example.org, staffPassword) to sign in with and a caseworker API
// token called name; api calls the REST API with that token.
export async function serveWithCaseworker (t, sink, name) {
  let token
  const server = await startServer(dataDir => {
    execFileSync(bin, ['users', 'create', '--role', 'caseworker', '--name', 'Casey Worker', '--email', 'casey@example.org', '--data', dataDir],
      { input: staffPassword + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    token = execFileSync(bin, ['tokens', 'create', '--role', 'caseworker', '--name', name, '--data', dataDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  }, `rightsdesk-${name}-`, { args: ['--smtp-url', `smtp://127.0.0.1:${sink.port}?from=privacy@example.org`] })
  t.after(() => server.stop())
  const api = async (method, url, body) => {
    const res = await fetch(server.base + url, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body)
    })
    const json = await res.json()
    assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(json)}`)
    return json
  }
  return { server, api }
}
