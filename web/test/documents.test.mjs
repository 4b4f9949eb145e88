// Browser tests of a case's documents: a caseworker adds a collected
// record from the case page (sent first with nothing chosen, to see every
// error named), decides to disclose it redacted under an exemption, and
// uploads the redacted version from the link the decision leaves. A real
// `rightsdesk serve` with a caseworker account (and a token that opens the
// case over the REST API), driven in headless Chromium with JavaScript on
// and off; every page is checked with axe-core (WCAG 2.2 AA rules; any
// violation fails), must not scroll sideways at 1280 px, 375 px or 200%
// zoom, and is saved at 1280 and 375 px under
// $SCREENSHOT_DIR/staff-documents-{js,nojs}. Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { bin, checkPage, chromiumArgs, chromiumPath, openTab, press, shotRoot, skip, startServer } from './harness.mjs'

const password = 'a long staff password for tests'
let server, browser, token

before(async () => {
  if (skip) return
  server = await startServer(dir => {
    execFileSync(bin, ['users', 'create', '--role', 'caseworker', '--name', 'Casey Worker', '--email', 'casey@example.org', '--data', dir],
      { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    token = execFileSync(bin, ['tokens', 'create', '--role', 'caseworker', '--name', 'documents-browser-test', '--data', dir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  }, 'rightsdesk-documents-')
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function api (method, url, body) {
  const res = await fetch(server.base + url, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body)
  })
  const json = await res.json()
  assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(json)}`)
  return json
}

// openCase opens an access case with one search recorded, as the API does.
async function openCase () {
  const created = await api('POST', '/v1/cases', {
    notices: [{ notice: 'notices/it-service-desk' }],
    rights: [{ right: 'RIGHT_ACCESS' }],
    requester: { person: { name: 'Ada Lovelace', email: 'ada@example.org' }, relationship: 'RELATIONSHIP_SELF' },
    channel: 'RECEIVED_CHANNEL_EMAIL'
  })
  await api('POST', `/v1/${created.name}:recordSearch`, { source: 'HR system', found: 'two letters' })
  return created.name.replace('cases/', '')
}

async function check (tab, name) {
  tab.shots++
  await checkPage(tab, `${String(tab.shots).padStart(2, '0')}-${name}`, path.join(shotRoot, `staff-documents-${tab.mode}`))
}

const text = async (page, selector) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ')

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  test(`a caseworker adds a record, decides on it and adds its redacted version (${mode})`, { skip }, async t => {
    const id = await openCase()
    const tab = { ...await openTab(browser, t, { javaScript }), mode, shots: 0 }
    const { page } = tab

    await page.goto(server.base + '/staff/sign-in')
    await page.getByLabel('Email address').fill('casey@example.org')
    await page.getByLabel('Password').fill(password)
    await press(page, 'Sign in')

    await page.goto(`${server.base}/staff/cases/${id}#documents`)
    assert.match(await text(page, '#documents-none'), /No documents yet/)
    await page.getByRole('link', { name: 'Add a document' }).click()
    await page.waitForLoadState('load')
    await check(tab, 'add')

    await press(page, 'Add document')
    assert.match(await page.title(), /^Error: /)
    const summary = await text(page, '.govuk-error-summary')
    for (const m of ['Choose the file to add', 'Choose what kind of document this is']) {
      assert.ok(summary.includes(m), `the error summary says "${m}": ${summary}`)
    }
    await check(tab, 'add-errors')

    await page.getByLabel('Collected record', { exact: true }).check()
    await page.getByLabel('Source system or team').fill('HR system')
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'letters.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% two letters from the HR file\n%%EOF\n') })
    await press(page, 'Add document')
    assert.match(await text(page, '#done'), /Document added/)
    assert.match(await text(page, '#document-d1'), /letters\.pdf.*Collected record.*HR system.*Not decided/)
    await check(tab, 'case-added')

    await page.getByRole('link', { name: 'Decide on d1' }).click()
    await page.waitForLoadState('load')
    await page.getByLabel('Disclose a redacted version').check()
    await press(page, 'Save decision')
    assert.match(await text(page, '.govuk-error-summary'), /Choose the exemption relied on/)
    await check(tab, 'decide-errors')
    await page.getByLabel('Exemption relied on (to redact or withhold)').selectOption('third_party')
    await press(page, 'Save decision')
    assert.match(await text(page, '#document-d1'), /Disclose redacted Information about other people/)
    assert.match(await text(page, '#documents-need-redaction'), /1 record is to be disclosed redacted/)

    await page.getByRole('link', { name: 'Upload redacted version of d1' }).click()
    await page.waitForLoadState('load')
    assert.equal(await page.getByLabel('Redacted version', { exact: true }).isChecked(), true)
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'letters-redacted.txt', mimeType: 'text/plain', buffer: Buffer.from('Letter 1: [name removed] wrote about your appraisal.\n') })
    await press(page, 'Add document')
    assert.match(await text(page, '#document-d2'), /Redacted version.*Redacts d1 letters\.pdf/)
    assert.equal(await page.locator('#documents-need-redaction').count(), 0)
    await check(tab, 'case-redacted')
  })
}
