// Browser tests of the public request form: a real `rightsdesk serve` on a
// random loopback port with a temporary data directory, driven in headless
// Chromium with JavaScript on and off. Every page is checked with axe-core
// (WCAG 2.2 AA rules; any violation fails), must not scroll sideways at
// its own width, at 375 px or at 200% zoom, and is saved as a screenshot
// at 1280 and 375 px under $SCREENSHOT_DIR (default build/screenshots).
// Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { bin, checkPage, chromiumArgs, chromiumPath, desktop, openTab, phone, press, shotRoot, skip, startServer, zoomed } from './harness.mjs'

let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
})

// serve starts a server of the test's own, so that one test's requests do
// not count against another's submission limit, with a viewer token for
// reading cases over the REST API.
async function serve (t) {
  let token
  const server = await startServer(dataDir => {
    token = execFileSync(bin, ['tokens', 'create', '--role', 'viewer', '--name', 'browser-test', '--data', dataDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  })
  t.after(() => server.stop())
  return { base: server.base, token }
}

// The simple journey's pages, start page and check page included.
const simplePages = ['start', 'rights', 'services', 'who', 'details', 'find', 'check']

// journeyTab opens a tab on a server of the test's own, at the given width (the
// desktop's by default). Chromium's network log line for a page we expect
// to be an error status (a form shown again with 422, the status page's
// 404, the honeypot's 400) is not a problem.
async function journeyTab (t, { javaScript, viewport = desktop }) {
  const { base, token } = await serve(t)
  const opened = await openTab(browser, t, { javaScript, expected: /status of (422|404|400)/ })
  if (viewport !== desktop) await opened.page.setViewportSize(viewport)
  return { ...opened, viewport, base, token, shots: 0 }
}

// check runs axe on the page, checks whether scripts ran, checks the page
// does not scroll sideways at 1280 px, 375 px or 200% zoom, and saves it at
// 1280 and 375 px under public-<mode>.
async function check (tab, mode, name) {
  tab.shots++
  await checkPage(tab, `${String(tab.shots).padStart(2, '0')}-${name}`, path.join(shotRoot, `public-${mode}`))
  if (tab.viewport !== desktop) await tab.page.setViewportSize(tab.viewport)
}


async function expectErrors (page, ...messages) {
  assert.match(await page.title(), /^Error: /)
  const summary = page.locator('.govuk-error-summary')
  for (const m of messages) {
    const link = summary.getByRole('link', { name: m })
    const href = await link.getAttribute('href')
    assert.equal(await page.locator(href).count(), 1, `error "${m}" links to ${href}, which is on the page`)
  }
}

const rightLabels = {
  access: 'Get a copy of my personal data',
  rectification: 'Correct or complete my personal data',
  erasure: 'Delete my personal data',
  restriction: 'Limit how my personal data is used',
  objection: 'Object to how my personal data is used',
  withdraw_consent: 'Withdraw my consent'
}

const slugOf = page => new URL(page.url()).pathname.replace(/^\/request\//, '')

// walk answers every question until the confirmation page, and returns
// what the confirmation shows and the pages it went through, in order.
// With a mode, it checks and photographs each page, and first sends some
// pages empty or wrong to check the error summary and that answers are
// kept, and searches for a service.
async function walk (tab, r, mode) {
  const { page } = tab
  const shoot = async name => { if (mode) await check(tab, mode, name) }
  const pages = []
  await page.goto(tab.base + '/')
  pages.push('start')
  await shoot('start')
  await page.getByRole('button', { name: 'Start now' }).click()
  await page.waitForLoadState('load')
  for (let i = 0; i < 20; i++) {
    const slug = slugOf(page)
    if (slug === 'confirmation') break
    if (!pages.includes(slug)) pages.push(slug)
    await shoot(slug)
    switch (slug) {
      case 'rights':
        if (mode) {
          await press(page, 'Continue')
          await expectErrors(page, 'Select what you want to ask for')
          await shoot('rights-error')
        }
        for (const right of r.rights) await page.getByLabel(rightLabels[right], { exact: true }).check()
        break
      case 'services':
        await chooseServices(tab, r, mode)
        break
      case 'who':
        await page.getByLabel(r.actingFor ? 'Someone else' : 'Myself', { exact: true }).check()
        break
      case 'details':
        if (mode) {
          await page.getByLabel('Email address').fill('not an address')
          await press(page, 'Continue')
          await expectErrors(page, 'Enter your full name', 'Enter an email address in the correct format, like name@example.com')
          assert.equal(await page.getByLabel('Email address').inputValue(), 'not an address', 'the wrong address is kept')
          await shoot('details-error')
        }
        await page.getByLabel('Full name').fill(r.name)
        await page.getByLabel('Email address').fill(r.email ?? '')
        await page.getByLabel('Postal address').fill(r.address ?? '')
        break
      case 'their-details': await page.getByLabel('Their full name').fill(r.actingFor.name); break
      case 'authority':
        await page.getByLabel(r.actingFor.authority, { exact: true }).check()
        break
      case 'find':
        if (mode) {
          await page.locator('#from-day').fill('31')
          await page.locator('#from-month').fill('2')
          await page.locator('#from-year').fill('2025')
          await press(page, 'Continue')
          await expectErrors(page, 'The start date must be a real date')
          assert.equal(await page.locator('#from-day').inputValue(), '31', 'the wrong date is kept')
          await shoot('find-error')
          await page.locator('#from-day').fill('1')
          await page.locator('#from-month').fill('3')
        }
        if (r.identifiers) await page.getByLabel(/^Names or references/).fill(r.identifiers)
        break
      case 'check':
        if (mode) {
          await press(page, 'Send request')
          await expectErrors(page, 'Confirm that the information you have given is correct')
          await shoot('check-error')
        }
        await page.getByLabel(/^I confirm that the information I have given is correct/).check()
        await press(page, 'Send request')
        continue
      default:
        assert.fail(`unexpected page ${page.url()}`)
    }
    await press(page, 'Continue')
  }
  assert.equal(slugOf(page), 'confirmation')
  await shoot('confirmation')
  const reference = (await page.locator('#reference').innerText()).trim()
  assert.match(reference, /^RD-[2-9A-Z]{4}-[2-9A-Z]{4}$/)
  const code = (await page.locator('#status-code').innerText()).trim()
  assert.match(code, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, 'the status code is shown in groups of four')
  const due = await page.locator('#due strong').innerText()
  const statusLink = await page.locator('#status-link').getAttribute('href')
  assert.equal(statusLink, `/status?reference=${reference}`, 'the status link carries the reference and never the code')
  await assertHelpAndNoInternals(page)
  return { reference, code, due, statusLink, pages }
}

// chooseServices ticks the services asked for, each service after the
// first found by a search, so the test shows that searching for one more
// keeps those already ticked.
async function chooseServices (tab, r, mode) {
  const { page } = tab
  if (mode) {
    await page.getByLabel('Search for a service').fill('zebra crossing')
    await press(page, 'Search')
    assert.match(await page.locator('#search-result').innerText(), /No services match ‘zebra crossing’/)
    await shootIf(tab, mode, 'services-no-match')
    await press(page, 'Show all services')
    assert.equal(await page.locator('#search-result').count(), 0, 'show all clears the search')
  }
  for (const [i, s] of (r.services ?? []).entries()) {
    if (mode && i > 0) {
      await page.getByLabel('Search for a service').fill(s.search)
      await press(page, 'Search')
      assert.match(await page.locator('#search-result').innerText(), /^1 of 5 services match/)
      for (const earlier of r.services.slice(0, i)) {
        assert.ok(await page.getByLabel(earlier.title, { exact: true }).isChecked(), `${earlier.title} is still ticked after a search`)
      }
      await shootIf(tab, mode, 'services-search')
    }
    await page.getByLabel(s.title, { exact: true }).check()
    if (s.group) await page.getByLabel(s.group, { exact: true }).check()
  }
  if (r.everything) await page.getByLabel(/^I’m not sure, or I want everything you hold/).check()
}

async function shootIf (tab, mode, name) { if (mode) await check(tab, mode, name) }

// The confirmation and status pages say whom to contact and how to
// complain to the ICO, and show no internal identifier.
async function assertHelpAndNoInternals (page) {
  const text = await page.locator('main').innerText()
  assert.match(text, /Contact us/)
  assert.ok(await page.locator('main a[href^="mailto:"]').count() > 0, 'a contact email address is given')
  assert.match(text, /Information Commissioner’s Office/)
  assert.equal(await page.locator('main a[href="https://ico.org.uk/make-a-complaint/"]').count(), 1)
  assert.match(text, /0303 123 1113/)
  for (const internal of [/Rule set/, /uk-gdpr\//, /\b[0-9A-HJKMNP-TV-Z]{26}\b/, /a-modern-civil-service|it-service-desk|nlc-network-members/]) {
    assert.doesNotMatch(text, internal)
  }
}

// The case must be visible to staff over the REST API, received on the web,
// counted in the organisation's calendar (the form asks nobody where they
// live; this server is left at the default) and due on the date the
// deadline service computes on its own.
async function staffView (tab, { reference, due }) {
  const res = await fetch(`${tab.base}/v1/cases?filter=${encodeURIComponent(`reference="${reference}"`)}`,
    { headers: { Authorization: `Bearer ${tab.token}` } })
  assert.equal(res.status, 200)
  const { cases } = await res.json()
  assert.equal(cases.length, 1)
  const c = cases[0]
  assert.equal(c.channel, 'RECEIVED_CHANNEL_WEB')
  assert.equal(c.region, 'england-and-wales')
  const calc = await (await fetch(`${tab.base}/v1/deadline:calculate`, {
    method: 'POST', body: JSON.stringify({ region: c.region, received: c.received_on })
  })).json()
  assert.equal(c.clock.due, calc.due)
  const [y, m, d] = calc.due.split('-').map(Number)
  assert.equal(due, new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }))
  return c
}

// checkStatus looks the case up as its requester would: the link fills in
// the reference, the code is typed as shown (upper case, in groups) and
// sent by POST, so it never lands in an address.
async function checkStatus (tab, sent, mode) {
  const { page } = tab
  await page.goto(tab.base + sent.statusLink)
  if (mode) await check(tab, mode, 'status-form')
  assert.equal(await page.getByLabel('Reference number').inputValue(), sent.reference)
  await page.getByLabel('Status code').fill(sent.code)
  await press(page, 'Check progress')
  assert.equal(new URL(page.url()).search, '', 'the lookup leaves nothing in the address')
  assert.equal(await page.locator('#status-state').innerText(), 'Received')
  assert.equal(await page.locator('#status-due').innerText(), sent.due)
  assert.equal(await page.locator('#status-overdue').count(), 0, 'a new case is not overdue')
  await assertHelpAndNoInternals(page)
  if (!mode) return
  await check(tab, mode, 'status')
  await page.goto(tab.base + '/status')
  await page.getByLabel('Reference number').fill(sent.reference)
  await page.getByLabel('Status code').fill('wrongcode')
  await press(page, 'Check progress')
  await expectErrors(page, 'No request matches that reference number and status code. Check both and try again')
  await check(tab, mode, 'status-not-found')
}

const adasRequest = {
  rights: ['access'],
  services: [{ title: 'Privacy Notice for A Modern Civil Service' }],
  name: 'Ada Lovelace',
  email: 'ada@example.org'
}

test('with JavaScript, at 1280 px: a simple access request for oneself in at most 7 pages, then its progress', { skip }, async t => {
  const tab = await journeyTab(t, { javaScript: true })
  const sent = await walk(tab, {
    ...adasRequest,
    services: [...adasRequest.services, { title: 'Privacy notice for IT Service Desk platform', search: 'IT', group: 'Cabinet Office staff and staff of its arm\'s length bodies' }]
  }, 'js-on')
  assert.deepEqual(sent.pages, simplePages)
  const c = await staffView(tab, sent)
  assert.deepEqual(c.notices.map(n => [n.notice, n.audience ?? '']),
    [['notices/a-modern-civil-service', ''], ['notices/it-service-desk', 'cabinet-office-staff']])
  await checkStatus(tab, sent, 'js-on')

  // Each of the six core rights, asked for alone, takes the same seven pages.
  for (const right of ['access', 'rectification', 'erasure', 'restriction', 'objection', 'withdraw_consent']) {
    const again = await walk(tab, { ...adasRequest, rights: [right] })
    assert.ok(again.pages.length <= 7, `${right}: ${again.pages.length} pages (${again.pages.join(', ')})`)
    const c = await staffView(tab, again)
    assert.deepEqual(c.rights.map(r => r.right), [`RIGHT_${right.toUpperCase()}`])
    await checkStatus(tab, again)
  }
})

test('without JavaScript, at 375 px: a representative\'s request holds both people\'s details and their authority', { skip }, async t => {
  const tab = await journeyTab(t, { javaScript: false, viewport: phone })
  const sent = await walk(tab, {
    rights: ['access', 'rectification'],
    services: [{ title: 'Network Members\' Privacy Notice' },
      { title: 'Privacy notice for IT Service Desk platform', search: 'service desk', group: 'Department for Culture, Media and Sport staff' }],
    name: 'Grace Hopper',
    address: '1 High Street\nBelfast',
    actingFor: { name: 'Alan Hopper', authority: 'I have parental responsibility for them' },
    identifiers: 'staff number 4711'
  }, 'js-off')
  assert.deepEqual(sent.pages, ['start', 'rights', 'services', 'who', 'details', 'their-details', 'authority', 'find', 'check'])
  const c = await staffView(tab, sent)
  assert.equal(c.requester.relationship, 'RELATIONSHIP_REPRESENTATIVE')
  assert.equal(c.requester.person.name, 'Grace Hopper')
  assert.equal(c.requester.person.postal_address, '1 High Street\nBelfast')
  assert.equal(c.requester.data_subject.name, 'Alan Hopper')
  assert.equal(c.requester.authority, 'I have parental responsibility for them')
  assert.match(c.description, /staff number 4711/)
  assert.ok(c.other_controller?.name, 'the case records the controller to pass the request to')
  await checkStatus(tab, sent, 'js-off')
})

test('with JavaScript, at 200% zoom: a request about everything held names no notice', { skip }, async t => {
  const tab = await journeyTab(t, { javaScript: true, viewport: zoomed })
  const sent = await walk(tab, { rights: ['access', 'erasure'], everything: true, name: 'Mary Somerville', email: 'mary@example.org' }, 'zoom')
  assert.deepEqual(sent.pages, simplePages)
  const c = await staffView(tab, sent)
  assert.deepEqual(c.notices ?? [], [], 'the case names no notice, for staff to triage')
  await checkStatus(tab, sent, 'zoom')
})
