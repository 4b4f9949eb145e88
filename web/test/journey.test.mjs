// Browser tests of the public request form: a real `rightsdesk serve` on a
// random loopback port with a temporary data directory, driven in headless
// Chromium with JavaScript on and off. Every page is checked with axe-core
// (WCAG 2.2 AA rules; any violation fails) and saved as a screenshot under
// $SCREENSHOT_DIR (default build/screenshots). Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { assertAccessible, bin, chromiumArgs, chromiumPath, shotRoot, skip, startServer } from './harness.mjs'

let server, base, staffToken, browser

before(async () => {
  if (skip) return
  server = await startServer(dataDir => {
    staffToken = execFileSync(bin, ['tokens', 'create', '--role', 'viewer', '--name', 'browser-test', '--data', dataDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  })
  base = server.base
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

// A tab that fails the test on any script error or console error, except
// the network log line Chromium writes for a page we expect to be an
// error status (a form shown again with 422, the status page's 404).
async function openTab (t, javaScript) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 } })
  t.after(() => context.close())
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', e => problems.push(`page error: ${e.message}`))
  page.on('console', m => {
    if (m.type() !== 'error') return
    if (/status of (422|404|400)/.test(m.text())) return
    problems.push(`console error: ${m.text()}`)
  })
  t.after(() => assert.deepEqual(problems, [], 'the browser reported problems'))
  // JavaScript is switched off through the DevTools protocol rather than
  // Playwright's option, so that check() can switch it on for axe alone.
  const cdp = await context.newCDPSession(page)
  if (!javaScript) await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
  return { page, cdp, javaScript, shots: 0 }
}

// check runs axe on the page, checks whether scripts ran, and saves a
// screenshot.
async function check (tab, mode, name) {
  const { page } = tab
  await assertAccessible(page, name, tab.javaScript ? undefined : tab.cdp)
  const bodyClass = await page.evaluate(() => document.body.className)
  assert.equal(bodyClass.includes('js-enabled'), tab.javaScript, `${name}: the page scripts ran if and only if JavaScript is on`)
  tab.shots++
  const dir = path.join(shotRoot, mode)
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: path.join(dir, `${String(tab.shots).padStart(2, '0')}-${name}.png`), fullPage: true })
}

async function press (page, name) {
  await page.getByRole('button', { name, exact: true }).click()
  await page.waitForLoadState('load')
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

// walk answers every question until the confirmation page. With a mode,
// it checks and photographs each page, and first sends some pages empty or
// wrong to check the error summary and that answers are kept.
async function walk (tab, r, mode) {
  const { page } = tab
  const shoot = async name => { if (mode) await check(tab, mode, name) }
  await page.goto(base + '/')
  await shoot('start')
  await page.getByRole('button', { name: 'Start now' }).click()
  await page.waitForLoadState('load')
  for (let i = 0; i < 20; i++) {
    const slug = new URL(page.url()).pathname.replace(/^\/request\//, '')
    if (slug === 'confirmation') break
    await shoot(slug)
    switch (slug) {
      case 'notice':
        if (mode) {
          await press(page, 'Continue')
          await expectErrors(page, 'Select the service or programme your request is about')
          await shoot('notice-error')
          await page.getByLabel('Search the services and programmes').fill(r.search)
          await press(page, 'Search')
          assert.match(await page.locator('[role=status]').innerText(), /^Showing 1 of 5/)
          await shoot('notice-search')
        }
        await page.getByLabel(r.notice, { exact: true }).check()
        break
      case 'audience': await page.getByLabel(r.audience, { exact: true }).check(); break
      case 'about': await page.getByLabel(r.context, { exact: true }).check(); break
      case 'rights':
        for (const right of r.rights) await page.getByLabel(rightLabels[right], { exact: true }).check()
        break
      case 'details':
        assert.equal(await page.locator('.govuk-character-count__status').count() > 0, tab.javaScript, 'character count runs only with JavaScript')
        await page.getByLabel('Describe your request').fill(`Please deal with my ${r.rights.join(' and ')} request.`)
        break
      case 'dates':
        if (mode) {
          await page.locator('#from-day').fill('31')
          await page.locator('#from-month').fill('2')
          await page.locator('#from-year').fill('2025')
          await press(page, 'Continue')
          await expectErrors(page, 'The start date must be a real date')
          assert.equal(await page.locator('#from-day').inputValue(), '31', 'the wrong date is kept')
          await shoot('dates-error')
          await page.locator('#from-day').fill('1')
          await page.locator('#from-month').fill('3')
        }
        break
      case 'name': await page.getByLabel('What is your full name?').fill(r.name); break
      case 'contact':
        if (mode) {
          await page.getByLabel('Email address').fill('not an address')
          await press(page, 'Continue')
          await expectErrors(page, 'Enter an email address in the correct format, like name@example.com')
          assert.equal(await page.getByLabel('Email address').inputValue(), 'not an address', 'the wrong address is kept')
          await shoot('contact-error')
        }
        await page.getByLabel('Email address').fill(r.email ?? '')
        await page.getByLabel('Postal address').fill(r.address ?? '')
        break
      case 'region': await page.getByLabel(r.region, { exact: true }).check(); break
      case 'who':
        await page.getByLabel(r.actingFor ? 'Someone else, and I am acting for them' : 'Me', { exact: true }).check()
        break
      case 'their-details': await page.getByLabel('Their full name').fill(r.actingFor.name); break
      case 'authority':
        await page.getByLabel(r.actingFor.authority, { exact: true }).check()
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
  assert.equal(new URL(page.url()).pathname, '/request/confirmation')
  await shoot('confirmation')
  const reference = (await page.locator('.govuk-panel__body strong').innerText()).trim()
  assert.match(reference, /^RD-[2-9A-Z]{4}-[2-9A-Z]{4}$/)
  const due = await page.locator('text=We must respond by').locator('strong').innerText()
  const statusLink = await page.locator('#status-link').getAttribute('href')
  return { reference, due, statusLink }
}

// The case must be visible to staff over the REST API, received on the web
// and due on the date the deadline service computes on its own.
async function assertStaffView (reference, region, due) {
  const res = await fetch(`${base}/v1/cases?filter=${encodeURIComponent(`reference=${reference}`)}`,
    { headers: { Authorization: `Bearer ${staffToken}` } })
  assert.equal(res.status, 200)
  const { cases } = await res.json()
  assert.equal(cases.length, 1)
  const c = cases[0]
  assert.equal(c.channel, 'RECEIVED_CHANNEL_WEB')
  assert.equal(c.region, region)
  const calc = await (await fetch(`${base}/v1/deadline:calculate`, {
    method: 'POST', body: JSON.stringify({ region, received: c.received_on })
  })).json()
  assert.equal(c.clock.due, calc.due)
  const [y, m, d] = calc.due.split('-').map(Number)
  assert.equal(due, new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }))
  return c
}

async function checkStatus (tab, sent, mode) {
  const { page } = tab
  await page.goto(base + sent.statusLink)
  assert.equal(await page.locator('#status-state').innerText(), 'Received')
  assert.equal(await page.locator('#status-due').innerText(), sent.due)
  if (!mode) return
  await check(tab, mode, 'status')
  await page.goto(base + '/status')
  await check(tab, mode, 'status-form')
  await page.getByLabel('Reference number').fill(sent.reference)
  await page.getByLabel('Status code').fill('wrongcode')
  await press(page, 'Check progress')
  await expectErrors(page, 'No request matches that reference number and status code. Check both and try again')
  await check(tab, mode, 'status-not-found')
}

test('with JavaScript: the whole journey, and one request for each of the six core rights', { skip }, async t => {
  const tab = await openTab(t, true)
  const request = {
    notice: 'Privacy Notice for A Modern Civil Service', search: 'modern civil',
    context: 'Images, audio and video', rights: ['access'],
    name: 'Ada Lovelace', email: 'ada@example.org', region: 'Scotland'
  }
  const sent = await walk(tab, request, 'js-on')
  await assertStaffView(sent.reference, 'scotland', sent.due)
  await checkStatus(tab, sent, 'js-on')
  for (const right of ['rectification', 'erasure', 'restriction', 'objection', 'withdraw_consent']) {
    const again = await walk(tab, { ...request, rights: [right] })
    const c = await assertStaffView(again.reference, 'scotland', again.due)
    assert.deepEqual(c.rights.map(r => r.right), [`RIGHT_${right.toUpperCase()}`])
    await checkStatus(tab, again)
  }
})

test('without JavaScript: the whole journey, acting for someone else, for a department we only process for', { skip }, async t => {
  const tab = await openTab(t, false)
  const sent = await walk(tab, {
    notice: 'Privacy notice for IT Service Desk platform', search: 'service desk',
    audience: 'Department for Culture, Media and Sport staff', context: 'IT requests, accounts and assets',
    rights: ['access', 'rectification'], name: 'Grace Hopper', address: '1 High Street\nBelfast', region: 'Northern Ireland',
    actingFor: { name: 'Alan Hopper', authority: 'I have parental responsibility for them' }
  }, 'js-off')
  const c = await assertStaffView(sent.reference, 'northern-ireland', sent.due)
  assert.equal(c.requester.relationship, 'RELATIONSHIP_REPRESENTATIVE')
  assert.ok(c.other_controller?.name, 'the case records the controller to pass the request to')
  await checkStatus(tab, sent, 'js-off')
})
