// Browser tests of the staff case page, its action pages and staff intake:
// a real `rightsdesk serve` with caseworker accounts made by `rightsdesk
// users create`, driven in headless Chromium with JavaScript on and off.
// Every page is checked with axe-core (WCAG 2.2 AA rules; any violation
// fails), must not scroll sideways at 1280 px, at 375 px or at 200% zoom,
// and is saved as a screenshot at 1280 and 375 px under
// $SCREENSHOT_DIR/staff-case-{js,nojs}. Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { assertAccessible, bin, chromiumArgs, chromiumPath, press, shotRoot, skip, startServer } from './harness.mjs'

const password = 'a long staff password for tests'
let server, base, browser

before(async () => {
  if (skip) return
  server = await startServer(dir => {
    for (const [name, email] of [['Casey Worker', 'casey@example.org'], ['Robin Other', 'robin@example.org']]) {
      execFileSync(bin, ['users', 'create', '--role', 'caseworker', '--name', name, '--email', email, '--data', dir],
        { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    }
  }, 'rightsdesk-case-')
  base = server.base
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

const desktop = { width: 1280, height: 900 }
const phone = { width: 375, height: 812 }
// The desktop window at 200% zoom lays the page out in half the CSS pixels.
const zoomed = { width: 640, height: 450 }

// ukDay is the date n days before today where the server counts days, in
// the forms' three parts, as an ISO date and as the pages write it.
function ukDay (n) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(new Date(Date.now() - n * 86400000)).filter(p => p.type !== 'literal').map(p => [p.type, Number(p.value)]))
  const date = new Date(Date.UTC(parts.year, parts.month - 1, parts.day))
  return {
    ...parts,
    long: date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
  }
}

// A tab that fails the test on any script or console error, except the
// network line Chromium logs for a form shown again with 409 or 422.
async function openTab (t, javaScript) {
  const context = await browser.newContext({ viewport: desktop })
  t.after(() => context.close())
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation',
    e => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)))
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', e => problems.push(`page error: ${e.message}`))
  page.on('console', m => {
    if (m.type() !== 'error' || /status of (409|422)/.test(m.text())) return
    problems.push(`console error: ${m.text()}`)
  })
  t.after(() => assert.deepEqual(problems, [], 'the browser reported problems'))
  // Scripts are switched off through the DevTools protocol, so that axe
  // alone can switch them on.
  const cdp = await context.newCDPSession(page)
  if (!javaScript) await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
  return { page, cdp, javaScript, shots: 0, dir: path.join(shotRoot, `staff-case-${javaScript ? 'js' : 'nojs'}`) }
}

// check runs axe, checks the page's scripts ran only with JavaScript on,
// that it does not scroll sideways at any width, and photographs it at
// 1280 and 375 px.
async function check (tab, name) {
  const { page } = tab
  await assertAccessible(page, name, tab.javaScript ? undefined : tab.cdp)
  const bodyClass = await page.evaluate(() => document.body.className)
  assert.equal(bodyClass.includes('js-enabled'), tab.javaScript, `${name}: scripts ran if and only if JavaScript is on`)
  tab.shots++
  mkdirSync(tab.dir, { recursive: true })
  try {
    for (const viewport of [desktop, phone, zoomed]) {
      await page.setViewportSize(viewport)
      const { scrollWidth, clientWidth } = await page.evaluate(() =>
        ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }))
      assert.ok(scrollWidth <= clientWidth, `${name} scrolls sideways at ${viewport === zoomed ? '200% zoom' : viewport.width + ' px'}: ${scrollWidth} > ${clientWidth}`)
      if (viewport !== zoomed) {
        await page.screenshot({ path: path.join(tab.dir, `${String(tab.shots).padStart(2, '0')}-${name}-${viewport.width}.png`), fullPage: true })
      }
    }
  } finally {
    await page.setViewportSize(desktop)
  }
}


async function follow (page, locator) {
  await locator.click()
  await page.waitForLoadState('load')
}

async function signIn (page, email) {
  await page.goto(base + '/staff/sign-in')
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(password)
  await press(page, 'Sign in')
  assert.equal(new URL(page.url()).pathname, '/staff/')
}

async function fillDate (scope, day) {
  await scope.getByLabel('Day', { exact: true }).fill(String(day.day))
  await scope.getByLabel('Month', { exact: true }).fill(String(day.month))
  await scope.getByLabel('Year', { exact: true }).fill(String(day.year))
}

// banner is the success banner's words, which must be there.
async function banner (page) {
  return (await page.locator('#done .govuk-notification-banner__heading').innerText()).trim()
}

const text = async (page, selector) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ')

// logRequest logs a request through the staff intake and returns what the
// acknowledgement gave: the reference and the status code.
async function logRequest (tab, { channel, received, rights, notices = [], name, address, mode }) {
  const { page } = tab
  await follow(page, page.getByRole('link', { name: 'Log a request' }))
  if (mode) {
    // Sent with the required answers missing, every one is named.
    await press(page, 'Log the request')
    assert.match(await page.title(), /^Error: /)
    const summary = await text(page, '.govuk-error-summary')
    for (const m of ['Choose how the request arrived', 'Choose at least one right', 'Enter the name of the person making the request']) {
      assert.ok(summary.includes(m), `the error summary says "${m}"`)
    }
    await check(tab, 'new-case-errors')
  }
  await page.getByLabel(channel, { exact: true }).check()
  await fillDate(page.getByRole('group', { name: 'When was it received?' }), received)
  for (const r of rights) await page.getByLabel(r, { exact: true }).check()
  for (const n of notices) await page.getByLabel(n, { exact: true }).check()
  await page.getByLabel('What did they ask for?').fill('Everything you hold about me, please.')
  await page.getByLabel('Full name', { exact: true }).fill(name)
  await page.getByLabel('Postal address (optional)', { exact: true }).fill(address)
  await press(page, 'Log the request')
  assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Request logged')
  const reference = (await page.locator('#reference').innerText()).trim()
  const code = (await page.locator('#status-code').innerText()).trim()
  assert.match(code, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, 'the status code is shown in groups of four')
  assert.equal(new URL(page.url()).pathname, '/staff/cases/new', 'the code is on the answer to the form, at no address of its own')
  if (mode) {
    await check(tab, 'acknowledgement')
    // Printed, the page is the acknowledgement alone.
    await page.emulateMedia({ media: 'print' })
    assert.ok(await page.locator('#acknowledgement').isVisible(), 'the acknowledgement prints')
    for (const staffOnly of ['.govuk-generic-header', '.govuk-service-navigation', '.govuk-panel', '#open-case', '.govuk-footer']) {
      assert.ok(!await page.locator(staffOnly).isVisible(), `${staffOnly} does not print`)
    }
    await page.emulateMedia({ media: 'screen' })
  }
  return { reference, code }
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript'

  test(`a posted request about everything held is acknowledged, triaged to two notices and worked, ${mode}`, { skip }, async t => {
    const tab = await openTab(t, javaScript)
    const { page } = tab
    await signIn(page, 'casey@example.org')
    const received = ukDay(3)
    const { reference, code } = await logRequest(tab, {
      channel: 'Post', received, rights: ['Access', 'Erasure'], name: 'Grace Example', address: '1 Test Street\nLeeds', mode
    })
    const ack = await text(page, '#acknowledgement')
    for (const want of [reference, code, received.long, 'We will respond by', '/status']) {
      assert.ok(ack.includes(want), `the acknowledgement gives ${want}`)
    }

    // The case: Check identity first, no notice yet, the clock from receipt.
    await follow(page, page.locator('#open-case'))
    assert.equal(await page.locator('#next-action').innerText(), 'Check identity')
    assert.match(await text(page, '#no-notice'), /No notice named yet/)
    assert.ok((await text(page, '#clock-steps')).includes(received.long), `the clock's explanation starts on ${received.long}`)
    assert.match(await text(page, 'main'), new RegExp(`Clock started ${received.long}`))
    const caseURL = page.url()
    await check(tab, 'case-new')

    // Triage: the request touches two notices.
    await follow(page, page.locator('#name-notices'))
    await page.getByLabel('GPG CSEP Hub privacy notice', { exact: true }).check()
    await page.getByLabel('Cross-government communities of practice privacy notice', { exact: true }).check()
    await page.locator('#context-gpg-csep-hub').selectOption('voluntary-profile')
    await check(tab, 'edit-notices')
    await press(page, 'Save the notices')
    assert.match(await banner(page), /^Notices saved/)
    const rights = await text(page, '#rights')
    for (const notice of ['GPG CSEP Hub privacy notice', 'Cross-government communities of practice privacy notice']) {
      assert.equal(rights.split(notice + ':').length - 1, 2, `each right is evaluated under ${notice}`)
    }
    const tasks = await text(page, '#task-list')
    for (const recipient of ['Placecube Ltd', 'Mailing list providers']) {
      assert.ok(tasks.includes(`Tell a recipient (Article 19): ${recipient}`), `an Article 19 task for ${recipient}`)
    }
    await check(tab, 'case-triaged')

    // Identity, asked for two days ago: the timeline keeps both dates.
    await follow(page, page.locator('#next-action'))
    assert.equal(await page.locator('h1').innerText(), 'Check identity')
    await page.getByLabel('Ask them for proof of identity').check()
    await page.getByLabel(/^What you relied on, or what you asked for/).fill('A copy of a recent utility bill')
    const asked = ukDay(2)
    await fillDate(page.getByRole('group', { name: 'When did you check?' }), asked)
    await check(tab, 'identity')
    await press(page, 'Continue')
    assert.equal(await banner(page), 'Proof of identity asked for: the clock is stopped until it arrives')
    const first = await text(page, '#audit-timeline > li:first-child')
    assert.ok(first.includes('case.requested_identity'), 'the newest event is the request for identity')
    assert.match(first, new RegExp(`Took effect ${asked.long}; recorded at \\d{1,2}:\\d{2}[ap]m on ${ukDay(0).long}`), `the event shows both dates: ${first}`)
    assert.ok((await text(page, '#exchanges')).includes('A copy of a recent utility bill'), 'the case page shows what was asked')

    // Awaiting the requester: their reply first, and no extension.
    assert.equal(await page.locator('#next-action').innerText(), 'Record the requester’s reply')
    assert.equal(await page.locator('#actions').getByRole('link', { name: 'Extend the deadline' }).count(), 0)
    await page.goto(caseURL)
    await check(tab, 'case-awaiting')

    // The acknowledged code works on the public status page.
    await page.goto(base + '/status')
    await page.getByLabel('Reference number').fill(reference)
    await page.getByLabel('Status code').fill(code)
    await press(page, 'Check progress')
    assert.equal(await page.locator('#status-state').innerText(), 'Waiting for you')

    // The reply restarts the clock.
    await page.goto(caseURL)
    await follow(page, page.locator('#next-action'))
    await page.getByLabel('What did the requester send?').fill('A gas bill from last month')
    await check(tab, 'record-reply')
    await press(page, 'Record the reply and restart the clock')
    assert.equal(await banner(page), 'Reply recorded: the clock runs again')
    assert.ok((await text(page, '#exchanges')).includes('A gas bill from last month'), 'the case page shows the reply')
    await check(tab, 'case-in-progress')
  })

  test(`a note after a colleague's change is saved, a stale edit of the details is not, ${mode}`, { skip }, async t => {
    // Robin has the case open in two tabs, the case page and its details;
    // Casey works on the same case meanwhile.
    const [notes, details, theirs] = [await openTab(t, javaScript), await openTab(t, javaScript), await openTab(t, javaScript)]
    await signIn(notes.page, 'robin@example.org')
    await signIn(details.page, 'robin@example.org')
    await signIn(theirs.page, 'casey@example.org')
    await logRequest(notes, { channel: 'Phone', received: ukDay(0), rights: ['Rectification'], notices: ['Privacy notice for IT Service Desk platform'], name: 'Alan Example', address: '2 Test Road\nYork' })
    await follow(notes.page, notes.page.locator('#open-case'))
    const caseURL = notes.page.url()
    await details.page.goto(caseURL + '/details')
    await details.page.getByLabel('What they asked for').fill('To correct my job title')

    await theirs.page.goto(caseURL)
    await follow(theirs.page, theirs.page.getByRole('link', { name: 'Assign the case' }))
    await theirs.page.getByLabel('Assign to').selectOption('me')
    await press(theirs.page, 'Assign')
    assert.equal(await banner(theirs.page), 'Case assigned to Casey Worker')

    // A note from the case page drawn before Casey's change is saved.
    await notes.page.getByLabel('Add a note').fill('Rang the requester back')
    await press(notes.page, 'Add note')
    assert.equal(await banner(notes.page), 'Note added')

    // The details drawn before it are not: Casey's change would be lost.
    await press(details.page, 'Save the details')
    assert.match(await text(details.page, '#conflict'), /This case was changed by someone else/)
    assert.match(await text(details.page, '#their-changes'), /case\.assigned by Casey Worker/)
    assert.equal(await details.page.getByLabel('What they asked for').inputValue(), 'To correct my job title', 'the edit is kept to send again')
    await check(details, 'conflict')
    await follow(details.page, details.page.getByRole('link', { name: 'Reload the case' }))
    const main = await text(details.page, 'main')
    assert.ok(main.includes('Rang the requester back'), 'the note was saved')
    assert.ok(!main.includes('To correct my job title'), 'the stale edit was not')
    assert.ok(main.includes('Assigned to Casey Worker'), 'the colleague\'s change stands')
  })
}
