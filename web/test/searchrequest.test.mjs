// Browser tests of search requests to data owners: a caseworker sends one
// from the case page (first with nothing filled in, to see every error
// named), the owner opens the link from the email the relay received,
// sends the "found" form with no file first (the error named and linked),
// then uploads a PDF; the link then gives the "not valid" page, and the
// case page lists the request as answered. A real `rightsdesk serve` on a random
// loopback port with --smtp-url pointing at the harness's SMTP sink
// (127.0.0.1 only), driven in headless Chromium with JavaScript on and
// off; every page is checked with axe-core (WCAG 2.2 AA rules; any
// violation fails), must not scroll sideways at 1280 px, 375 px or 200%
// zoom, and is saved at 1280 and 375 px under
// $SCREENSHOT_DIR/public-search-request-{js,nojs}. Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
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

const password = 'a long staff password for tests'

// serve starts a server of the test's own, sending through the sink, with
// a caseworker account and an access case opened over the API.
async function serve (t, sink) {
  let token
  const server = await startServer(dataDir => {
    execFileSync(bin, ['users', 'create', '--role', 'caseworker', '--name', 'Casey Worker', '--email', 'casey@example.org', '--data', dataDir],
      { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    token = execFileSync(bin, ['tokens', 'create', '--role', 'caseworker', '--name', 'search-browser-test', '--data', dataDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  }, 'rightsdesk-search-', { args: ['--smtp-url', `smtp://127.0.0.1:${sink.port}?from=privacy@example.org`] })
  t.after(() => server.stop())
  const api = async (method, url, body) => {
    const res = await fetch(server.base + url, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body)
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
  return { base: server.base, dataDir: server.dataDir, reference: created.reference, id: created.name.replace('cases/', '') }
}

async function check (tab, name) {
  tab.shots++
  await checkPage(tab, `${String(tab.shots).padStart(2, '0')}-${name}`, path.join(shotRoot, `public-search-request-${tab.mode}`))
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  test(`a data owner answers a search request through its link (${mode})`, { skip }, async t => {
    const sink = await smtpSink(t)
    const s = await serve(t, sink)
    const tab = { ...await openTab(browser, t, { javaScript, expected: /status of (422|404)/ }), mode, shots: 0 }
    const { page } = tab

    await page.goto(s.base + '/staff/sign-in')
    await page.getByLabel('Email address').fill('casey@example.org')
    await page.getByLabel('Password').fill(password)
    await press(page, 'Sign in')
    await page.goto(`${s.base}/staff/cases/${s.id}#search-record`)
    await page.locator('#send-search-request').click()
    await page.waitForLoadState('load')
    await check(tab, 'staff-send')
    await press(page, 'Send the search request')
    assert.match(await page.title(), /^Error: /)
    const errors = await page.locator('.govuk-error-summary__list a').allInnerTexts()
    assert.deepEqual(errors.map(e => e.split(' ')[0]), ['Enter', 'Enter', 'Enter'], `errors: ${errors}`)
    await check(tab, 'staff-send-error')
    await page.getByLabel('Name of the owner').fill('Mary Owner')
    await page.getByLabel('Their email address').fill('mary@example.net')
    await page.getByLabel('System or team to search').fill('HR system')
    await press(page, 'Send the search request')
    assert.match(await page.locator('#done').innerText(), /Search request sent/)
    assert.match(await page.locator('#search-request-r1').innerText(), /HR system[\s\S]*Mary Owner[\s\S]*Sent/)
    await check(tab, 'staff-case')

    const email = await received(sink, 'Please search HR system')
    const link = email.match(/(http:\/\/127\.0\.0\.1:\d+\/search\/[0-9A-Za-z.]+)/)?.[1]
    assert.ok(link, `no link in the email:\n${email}`)
    assert.ok(!email.includes('Ada Lovelace'), 'the owner\'s email names the requester')
    await page.goto(link)
    assert.match(await page.locator('h1').innerText(), /Search HR system for a data protection request/)
    assert.match(await page.locator('.govuk-caption-l').innerText(), new RegExp(s.reference))
    assert.ok(!(await page.content()).includes('Ada Lovelace'), 'the owner\'s page names the requester')
    await check(tab, 'task')

    // Sent with no file: the error is named and linked to the file input.
    await press(page, 'Send files')
    assert.match(await page.title(), /^Error: /)
    const error = page.locator('.govuk-error-summary').getByRole('link', { name: /Choose the files you found/ })
    assert.equal(await error.getAttribute('href'), '#files')
    await check(tab, 'task-error')

    const file = path.join(s.dataDir, '..', `${path.basename(s.dataDir)}-found.pdf`)
    writeFileSync(file, '%PDF-1.4\n% what the HR system holds\n%%EOF\n')
    t.after(() => rmSync(file, { force: true }))
    await page.getByLabel('Files').setInputFiles(file)
    await page.getByLabel('Anything to add (optional)').fill('From the personnel folder')
    await press(page, 'Send files')
    assert.match(await page.locator('h1').innerText(), /Answer sent/)
    assert.match(await page.locator('#answer').innerText(), /We received 1 file from HR system/)
    await check(tab, 'answered')

    await page.goto(link)
    assert.match(await page.locator('h1').innerText(), /This link is not valid/)
    await check(tab, 'not-valid')

    await page.goto(`${s.base}/staff/cases/${s.id}#search-record`)
    assert.match(await page.locator('#search-request-r1').innerText(), /Files received/)
    assert.match(await page.locator('#search-record').locator('xpath=following-sibling::dl[1]').innerText(), /Mary Owner: 1 file: From the personnel folder/)
  })
}
