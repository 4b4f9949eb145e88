// Browser tests of the response's delivery: once two caseworkers have
// released an access request's response pack (over the REST API), its
// requester looks the request up on the status page, asks for a one-time
// code, types a wrong one first, then the one the relay received, and the
// pack downloads; `rightsdesk pack verify` checks what was saved. A real
// `rightsdesk serve` on a random loopback port with --smtp-url pointing at
// the harness's SMTP sink (127.0.0.1 only), driven in headless Chromium
// with JavaScript on and off; every page is checked with axe-core (WCAG 2.2
// AA rules; any violation fails), must not scroll sideways at 1280 px,
// 375 px or 200% zoom, and is saved at 1280 and 375 px under
// $SCREENSHOT_DIR/public-delivery-{js,nojs}. Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { bin, checkPage, chromiumArgs, chromiumPath, openTab, press, received, shotRoot, skip, smtpSink, startServer } from './harness.mjs'

let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
})

// serve starts a server of the test's own sending letters through the
// sink, with two caseworker tokens: one opens an access case and submits
// and releases its pack, the other approves it, as four eyes require.
async function serve (t, sink) {
  const tokens = {}
  const server = await startServer(dataDir => {
    for (const name of ['alice', 'bob']) {
      tokens[name] = execFileSync(bin, ['tokens', 'create', '--role', 'caseworker', '--name', `delivery-browser-test-${name}`, '--data', dataDir],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    }
  }, 'rightsdesk-delivery-', { args: ['--smtp-url', `smtp://127.0.0.1:${sink.port}?from=privacy@example.org`] })
  t.after(() => server.stop())
  const api = async (who, method, url, body) => {
    const res = await fetch(server.base + url, {
      method, headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body)
    })
    const json = await res.json()
    assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(json)}`)
    return json
  }
  const created = await api('alice', 'POST', '/v1/cases', {
    notices: [{ notice: 'notices/it-service-desk' }],
    rights: [{ right: 'RIGHT_ACCESS' }],
    requester: { person: { name: 'Ada Lovelace', email: 'ada@example.org' }, relationship: 'RELATIONSHIP_SELF' },
    channel: 'RECEIVED_CHANNEL_EMAIL'
  })
  await api('alice', 'POST', `/v1/${created.name}:submitForReview`, {})
  await api('bob', 'POST', `/v1/${created.name}:approveReview`, {})
  await api('alice', 'POST', `/v1/${created.name}:releasePack`, {})
  return { base: server.base, dataDir: server.dataDir, reference: created.reference, code: created.status_token }
}

async function check (tab, name) {
  tab.shots++
  await checkPage(tab, `${String(tab.shots).padStart(2, '0')}-${name}`, path.join(shotRoot, `public-delivery-${tab.mode}`))
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  test(`the requester gets a one-time code and downloads their response (${mode})`, { skip }, async t => {
    const sink = await smtpSink(t)
    const s = await serve(t, sink)
    const tab = { ...await openTab(browser, t, { javaScript }), mode, shots: 0 }
    const { page } = tab

    await page.goto(s.base + '/status')
    await page.getByLabel('Reference number').fill(s.reference)
    await page.getByLabel('Status code').fill(s.code)
    await press(page, 'Check progress')
    assert.match(await page.locator('#response').innerText(), /Your response is ready/)
    await check(tab, 'status')

    await page.getByRole('button', { name: 'Get your response' }).click()
    await page.waitForLoadState('load')
    assert.equal(new URL(page.url()).pathname, '/status/response')
    await check(tab, 'response')

    await press(page, 'Send me a code')
    assert.equal(new URL(page.url()).pathname, '/status/response/code')
    await check(tab, 'code')

    // A wrong code is refused on the form, the error linked to the field,
    // and the field left empty.
    await page.getByLabel('Code').fill('0000 0000')
    await press(page, 'Download your response')
    assert.match(await page.title(), /^Error: /)
    const link = page.locator('.govuk-error-summary').getByRole('link', { name: /That code does not work/ })
    assert.equal(await link.getAttribute('href'), '#code')
    assert.equal(await page.getByLabel('Code').inputValue(), '')
    await check(tab, 'code-error')

    const email = await received(sink, 'Your code is')
    const code = email.match(/Your code is (\d{4} \d{4})/)?.[1]
    assert.ok(code, `no code in the email:\n${email}`)
    assert.ok(!email.includes(s.code), 'the code email does not repeat the status code')
    await page.getByLabel('Code').fill(code)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download your response', exact: true }).click()
    ])
    assert.equal(download.suggestedFilename(), `response-${s.reference}.zip`)
    const saved = path.join(s.dataDir, '..', `${path.basename(s.dataDir)}-response.zip`)
    await download.saveAs(saved)
    t.after(() => import('node:fs').then(fs => fs.rmSync(saved, { force: true })))
    execFileSync(bin, ['pack', 'verify', saved], { stdio: ['ignore', 'ignore', 'inherit'] })
  })
}
