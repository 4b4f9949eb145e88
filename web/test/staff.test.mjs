// Browser tests of the staff workspace: a real `rightsdesk serve` with a
// caseworker account made by `rightsdesk users create`, driven in headless
// Chromium. Every page is checked with axe-core (WCAG 2.2 AA rules; any
// violation fails) and saved under $SCREENSHOT_DIR/staff. Run by
// `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { assertAccessible, bin, chromiumArgs, chromiumPath, press, shotRoot, skip, startServer } from './harness.mjs'

const shotDir = path.join(shotRoot, 'staff')
const password = 'a long staff password for tests'

let server, base, dataDir, browser

before(async () => {
  if (skip) return
  // Accounts are made with the database closed, before the server opens it.
  server = await startServer(dir => {
    for (const [role, name, email] of [['caseworker', 'Casey Worker', 'casey@example.org'], ['caseworker', 'Robin Other', 'robin@example.org'], ['admin', 'Ada Admin', 'ada@example.org']]) {
      execFileSync(bin, ['users', 'create', '--role', role, '--name', name, '--email', email, '--data', dir],
        { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    }
  }, 'rightsdesk-staff-')
  ;({ base, dataDir } = server)
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function openTab (t) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  t.after(() => context.close())
  // Chromium logs most CSP refusals to the console; this catches any it
  // does not, so every violation fails the test.
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
  return { page, shots: 0 }
}

async function check (tab, name) {
  const { page } = tab
  await assertAccessible(page, name)
  tab.shots++
  mkdirSync(shotDir, { recursive: true })
  await page.screenshot({ path: path.join(shotDir, `${String(tab.shots).padStart(2, '0')}-${name}.png`), fullPage: true })
}


// act follows the case page's link to one of its actions: the likely next
// one, a button, or one of the others.
async function act (page, title) {
  await page.locator('#next-action, #actions a').filter({ hasText: new RegExp(`^${title}$`) }).click()
  await page.waitForLoadState('load')
}

// fillDate fills in the date input whose legend is given.
async function fillDate (page, legend, date) {
  const group = page.getByRole('group', { name: legend })
  await group.getByLabel('Day', { exact: true }).fill(String(date.getUTCDate()))
  await group.getByLabel('Month', { exact: true }).fill(String(date.getUTCMonth() + 1))
  await group.getByLabel('Year', { exact: true }).fill(String(date.getUTCFullYear()))
}

// logged checks the page after logging a request and opens the case.
async function logged (tab, name) {
  const { page } = tab
  assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Request logged')
  if (name) await check(tab, name)
  await page.locator('#open-case').click()
  await page.waitForLoadState('load')
  assert.match(new URL(page.url()).pathname, /^\/staff\/cases\/[0-9A-Z]+$/)
}

async function signIn (page, email) {
  await page.goto(base + '/staff/')
  assert.match(new URL(page.url()).pathname, /^\/staff\/sign-in$/)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(password)
  await press(page, 'Sign in')
}

test('a caseworker logs a phone request, works it and closes it', { skip }, async t => {
  const tab = await openTab(t)
  const { page } = tab
  await page.goto(base + '/staff/sign-in')
  await check(tab, 'sign-in')
  await page.getByLabel('Email address').fill('casey@example.org')
  await page.getByLabel('Password').fill('not the password at all')
  await press(page, 'Sign in')
  assert.match(await page.title(), /^Error: /)
  await check(tab, 'sign-in-error')
  await page.getByLabel('Email address').fill('casey@example.org')
  await page.getByLabel('Password').fill(password)
  await press(page, 'Sign in')
  assert.equal(new URL(page.url()).pathname, '/staff/')

  // Log a request received by phone ten days ago.
  await page.getByRole('link', { name: 'Log a request' }).click()
  await page.waitForLoadState('load')
  await check(tab, 'new-case')
  const received = new Date(Date.now() - 10 * 86400000)
  await page.getByLabel('Phone', { exact: true }).check()
  await fillDate(page, 'When was it received?', received)
  await page.getByLabel('Access', { exact: true }).check()
  await page.getByLabel('Privacy notice for IT Service Desk platform', { exact: true }).check()
  await page.getByLabel('Full name', { exact: true }).fill('Grace Hopper')
  await page.getByLabel('Email address (optional)', { exact: true }).fill('grace@example.org')
  await check(tab, 'new-case-filled')
  await press(page, 'Log the request')
  await logged(tab, 'acknowledgement')
  const caseURL = page.url()
  const iso = received.toISOString().slice(0, 10)
  const started = await page.locator('#clock-steps').textContent()
  assert.ok(started.length > 0)
  assert.match(await page.locator('main').textContent(), new RegExp(received.getUTCDate() + ' ' + received.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' }) + ' ' + received.getUTCFullYear()), `clock from ${iso}`)
  await check(tab, 'case')
  await page.goto(base + '/staff/?view=all')
  assert.equal(await page.locator('#cases tbody tr').count(), 1)
  await check(tab, 'queue')
  await page.goto(caseURL)

  // Assign to me, record a search, close.
  await act(page, 'Assign the case')
  await page.getByLabel('Assign to').selectOption('me')
  await press(page, 'Assign')
  await act(page, 'Record a search')
  await page.getByLabel('System or team searched').fill('HR system')
  await page.getByLabel('What was found').fill('Two records')
  await press(page, 'Record the search')
  await act(page, 'Close the case')
  // Withdrawn: fulfilled needs the pack reviewed first (review.test.mjs).
  await page.getByLabel('Withdrawn', { exact: true }).check()
  await press(page, 'Close the case')
  const timeline = await page.locator('#audit-timeline').textContent()
  for (const step of ['case.created', 'case.assigned', 'case.search_recorded', 'case.closed']) assert.ok(timeline.includes(step), `timeline shows ${step}`)
  await check(tab, 'case-closed')

  // Search, dashboard and calendar feed.
  await page.goto(base + '/staff/find')
  await page.getByLabel('Email address', { exact: true }).fill('grace@example.org')
  await press(page, 'Find their cases')
  assert.equal(await page.locator('#cases tbody tr').count(), 1)
  await check(tab, 'find')
  await page.goto(base + '/staff/dashboard')
  assert.ok(await page.locator('svg').count() > 0, 'the dashboard has charts')
  await check(tab, 'dashboard')
  await page.goto(base + '/staff/feed')
  await check(tab, 'feed')
  await press(page, 'Make a new feed address')
  assert.match(await page.locator('#feed-url').textContent(), /\/staff\/feed\/rdcal_\S+\.ics/)
  await check(tab, 'feed-made')
})

test('two caseworkers edit one case: the second save is refused', { skip }, async t => {
  const first = await openTab(t)
  const second = await openTab(t)
  await signIn(first.page, 'casey@example.org')
  await signIn(second.page, 'robin@example.org')
  await first.page.goto(base + '/staff/cases/new?notice=it-service-desk')
  await first.page.getByLabel('Email', { exact: true }).check()
  await first.page.getByLabel('Erasure', { exact: true }).check()
  await first.page.getByLabel('Full name', { exact: true }).fill('Alan Turing')
  await first.page.getByLabel('Email address (optional)', { exact: true }).fill('alan@example.org')
  await press(first.page, 'Log the request')
  if (await first.page.locator('#open-case').count() === 0) {
    // Only on failure: looking for an absent summary would wait out the timeout.
    assert.fail(await first.page.locator('.govuk-error-summary').textContent({ timeout: 1000 }).catch(() => `no error summary at ${first.page.url()}`))
  }
  await logged(first)
  // The second opens the assign page, then the first adds a note.
  await second.page.goto(first.page.url() + '/assign')
  await first.page.getByLabel('Add a note').fill('Called the requester back')
  await press(first.page, 'Add note')
  await second.page.getByLabel('Assign to').selectOption('me')
  await press(second.page, 'Assign')
  assert.match(await second.page.locator('#conflict').textContent(), /This case was changed by someone else/)
  await check(second, 'conflict')
  await second.page.getByRole('link', { name: 'Reload the case' }).click()
  await second.page.waitForLoadState('load')
  assert.match(await second.page.locator('main').textContent(), /Called the requester back/)
})

test('an administrator manages staff accounts', { skip }, async t => {
  const tab = await openTab(t)
  const { page } = tab
  await signIn(page, 'ada@example.org')
  await page.goto(base + '/staff/users')
  await check(tab, 'accounts')
  await page.getByLabel('Account', { exact: true }).selectOption({ label: 'Robin Other (robin@example.org)' })
  await page.getByLabel('New password', { exact: true }).fill('short')
  await press(page, 'Set password')
  assert.match(await page.locator('.govuk-error-summary').textContent(), /at least 12 characters/)
  await check(tab, 'accounts-error')
  await page.getByLabel('New password', { exact: true }).fill('harbour lantern porridge')
  await press(page, 'Set password')
  assert.match(await page.locator('#done').textContent(), /New password set for Robin Other/)
  await page.getByRole('link', { name: 'Password', exact: true }).click()
  await page.waitForLoadState('load')
  await page.getByLabel('Current password').fill('not my password at all')
  await page.getByLabel('New password').fill('harbour lantern porridge')
  await press(page, 'Change password')
  assert.match(await page.locator('.govuk-error-summary').textContent(), /current password was not accepted/)
  await check(tab, 'password-error')
})

// The public journey, answered as briefly as the form allows: a copy of
// everything held, with no service named.
async function submitPublicRequest (page, name, email) {
  await page.goto(base + '/')
  await page.getByRole('button', { name: 'Start now' }).click()
  await page.waitForLoadState('load')
  for (let i = 0; i < 20; i++) {
    const slug = new URL(page.url()).pathname.replace(/^\/request\//, '')
    if (slug === 'confirmation') break
    switch (slug) {
      case 'rights': await page.getByLabel('Get a copy of my personal data', { exact: true }).check(); break
      case 'services': await page.getByLabel(/^I’m not sure, or I want everything you hold/).check(); break
      case 'who': await page.getByLabel('Myself', { exact: true }).check(); break
      case 'details':
        await page.getByLabel('Full name').fill(name)
        await page.getByLabel('Email address').fill(email)
        break
      case 'find': break
      case 'check':
        await page.getByLabel(/^I confirm that the information I have given is correct/).check()
        await press(page, 'Send request')
        continue
      default: assert.fail(`unexpected public page ${page.url()}`)
    }
    await press(page, 'Continue')
  }
  assert.equal(new URL(page.url()).pathname, '/request/confirmation')
  return (await page.locator('#reference').innerText()).trim()
}

const bundlePath = () => path.join(dataDir, 'evidence.zip')

test('a public-form request goes from NEW to CLOSED in the staff workspace, signed in throughout', { skip }, async t => {
  const tab = await openTab(t)
  const { page } = tab
  await signIn(page, 'casey@example.org')
  // The same browser fills in the public form: the staff sign-in survives.
  const reference = await submitPublicRequest(page, 'Katherine Johnson', 'katherine@example.org')
  await page.goto(base + '/staff/?view=unassigned')
  assert.equal(new URL(page.url()).pathname, '/staff/', 'still signed in after using the public form')
  await page.getByRole('link', { name: reference, exact: true }).click()
  await page.waitForLoadState('load')
  assert.match(await page.locator('main').textContent(), /Received[\s\S]*by web form/)
  await check(tab, 'public-case-new')

  await act(page, 'Assign the case')
  await page.getByLabel('Assign to').selectOption('me')
  await press(page, 'Assign')
  await act(page, 'Check identity')
  await page.getByLabel('Ask them for proof of identity').check()
  await press(page, 'Continue')
  await act(page, 'Record the requester’s reply')
  await page.getByLabel('What did the requester send?').fill('Passport copy received')
  await press(page, 'Record the reply and restart the clock')
  await act(page, 'Record a search')
  await page.getByLabel('System or team searched').fill('Service desk tickets')
  await page.getByLabel('What was found').fill('Twelve tickets')
  await press(page, 'Record the search')
  await act(page, 'Record a source not searched')
  await page.getByLabel('System or team not searched').fill('CCTV archive')
  await page.getByLabel('Why not').fill('Kept for 30 days only')
  await press(page, 'Record it')
  await page.getByLabel('Add a note').fill('Sent the tickets by secure email')
  await press(page, 'Add note')
  await act(page, 'Close the case')
  // Withdrawn: fulfilled needs the pack reviewed first (review.test.mjs).
  await page.getByLabel('Withdrawn', { exact: true }).check()
  await press(page, 'Close the case')
  assert.match(await page.locator('main').textContent(), /Closed/)
  const timeline = await page.locator('#audit-timeline').textContent()
  for (const step of ['case.created', 'case.assigned', 'case.requested_identity', 'case.requester_responded',
    'case.search_recorded', 'case.not_searched_recorded', 'case.note_added', 'case.closed']) {
    assert.ok(timeline.includes(step), `timeline shows ${step}`)
  }
  await check(tab, 'public-case-closed')

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /^Download the evidence bundle/ }).click()
  ])
  await download.saveAs(bundlePath())
  assert.ok(statSync(bundlePath()).size > 0)
})

// Last: stops the server, so the CLI can open the database.
test('audit verify accepts the chain and the evidence bundle after everything the UI did', { skip }, async () => {
  assert.equal(await server.halt(), 0)
  const chain = execFileSync(bin, ['audit', 'verify', '--data', dataDir], { encoding: 'utf8' })
  assert.match(chain, /^Audit chain intact: \d+ events verified/)
  const proof = execFileSync(bin, ['audit', 'verify', '--proof', bundlePath(), '--data', dataDir], { encoding: 'utf8' })
  assert.match(proof, /Proof intact: 8 events of case /)
})
