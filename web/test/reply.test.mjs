// Browser tests of the requester's answers from the status page: a reply
// with a document to a request for proof of identity (a wrong file type
// first), then withdrawing the request. A real `rightsdesk serve` on a
// random loopback port, driven in headless Chromium with JavaScript on and
// off; every page is checked with axe-core (WCAG 2.2 AA rules; any
// violation fails), must not scroll sideways at 1280 px, 375 px or 200%
// zoom, and is saved at 1280 and 375 px under
// $SCREENSHOT_DIR/public-reply-{js,nojs}. Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { bin, checkPage, chromiumArgs, chromiumPath, openTab, press, shotRoot, skip, startServer } from './harness.mjs'

let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
})

// serve starts a server of the test's own with a caseworker token, with
// which the test opens a case and asks its requester for proof of identity
// over the REST API, as a caseworker would on the case page.
async function serve (t) {
  let token
  const server = await startServer(dataDir => {
    token = execFileSync(bin, ['tokens', 'create', '--role', 'caseworker', '--name', 'reply-browser-test', '--data', dataDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  }, 'rightsdesk-reply-')
  t.after(() => server.stop())
  const api = async (method, url, body) => {
    const res = await fetch(server.base + url, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body)
    })
    const json = await res.json()
    assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(json)}`)
    return json
  }
  const created = await api('POST', '/v1/cases', {
    notices: [{ notice: 'notices/it-service-desk' }],
    rights: [{ right: 'RIGHT_ACCESS' }],
    requester: { person: { name: 'Ada Lovelace', email: 'ada@example.org' }, relationship: 'RELATIONSHIP_SELF' },
    channel: 'RECEIVED_CHANNEL_EMAIL'
  })
  await api('POST', `/v1/${created.name}:requestIdentity`, { detail: 'A copy of your passport or driving licence.' })
  return { base: server.base, api, name: created.name, reference: created.reference, code: created.status_token }
}

// check runs axe on the page, checks whether scripts ran, checks the page
// fits at 1280 px, 375 px and 200% zoom, and saves it at 1280 and 375 px.
async function check (tab, name) {
  tab.shots++
  await checkPage(tab, `${String(tab.shots).padStart(2, '0')}-${name}`, path.join(shotRoot, `public-reply-${tab.mode}`))
}


const pdf = { name: 'passport.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% a scan\n%%EOF\n') }
// A picture in a format we do not take, named as one we do.
const notReally = { name: 'licence.png', mimeType: 'image/png', buffer: Buffer.from('GIF89a\x01\x00\x01\x00') }

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  test(`the requester replies with a file, then withdraws (${mode})`, { skip }, async t => {
    const s = await serve(t)
    const tab = { ...await openTab(browser, t, { javaScript, expected: /status of (422|413)/ }), mode, shots: 0 }
    const { page } = tab

    await page.goto(s.base + '/status')
    await page.getByLabel('Reference number').fill(s.reference)
    await page.getByLabel('Status code').fill(s.code)
    await press(page, 'Check progress')
    assert.equal(new URL(page.url()).pathname, '/status', 'the lookup is posted, never put in the address')
    assert.equal(await page.locator('#status-state').innerText(), 'Waiting for you')
    await check(tab, 'status')

    await page.getByRole('button', { name: 'Reply or send documents' }).click()
    await page.waitForLoadState('load')
    assert.equal(new URL(page.url()).pathname, '/status/reply')
    await check(tab, 'reply')

    // A file that is not what its name says is refused, the error linked
    // to the file field, and the message kept.
    await page.getByLabel('Your message').fill('Here is my passport.')
    await page.locator('#files').setInputFiles([notReally])
    await press(page, 'Send reply')
    assert.match(await page.title(), /^Error: /)
    const link = page.locator('.govuk-error-summary').getByRole('link', { name: 'Licence.png is not a PDF, JPEG or PNG file' })
    assert.equal(await link.getAttribute('href'), '#files')
    assert.equal(await page.getByLabel('Your message').inputValue(), 'Here is my passport.')
    await check(tab, 'reply-error')

    await page.locator('#files').setInputFiles([pdf])
    await press(page, 'Send reply')
    assert.equal(new URL(page.url()).pathname, '/status/reply/sent')
    assert.match(await page.locator('#next').innerText(), /starts again from today/)
    assert.match(await page.locator('#files-sent').innerText(), /1 file/)
    await check(tab, 'reply-sent')

    const replied = await s.api('GET', `/v1/${s.name}`)
    assert.equal(replied.state, 'CASE_STATE_IN_PROGRESS', 'the reply restarted work on the case')
    assert.equal(replied.identity_received_on, replied.clock.clock_start, 'the clock starts from the day the proof arrived')
    assert.equal(replied.identity_status, 'IDENTITY_STATUS_RECEIVED', 'proof sent is received, not verified, until staff check it')

    await page.getByRole('link', { name: 'See the progress of your request' }).click()
    await page.waitForLoadState('load')
    await page.getByRole('link', { name: 'Withdraw your request' }).click()
    await page.waitForLoadState('load')
    assert.equal(new URL(page.url()).pathname, '/status/withdraw')
    await check(tab, 'withdraw')
    await page.getByLabel('Why are you withdrawing it? (optional)').fill('I have what I needed.')
    await press(page, 'Withdraw my request')
    assert.equal(new URL(page.url()).pathname, '/status/withdrawn')
    assert.match(await page.locator('h1').innerText(), /Request withdrawn/)
    await check(tab, 'withdrawn')

    const withdrawn = await s.api('GET', `/v1/${s.name}`)
    assert.equal(withdrawn.state, 'CASE_STATE_CLOSED')
    assert.equal(withdrawn.outcome.kind, 'OUTCOME_KIND_WITHDRAWN')
    for (const url of [page.url()]) assert.ok(!url.includes(s.code) && !url.includes(s.reference), 'no reference or code in the address')
  })
}
