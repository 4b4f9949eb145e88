// Browser tests of the staff queue, the dashboard's links into it and
// finding a case by its reference: a real `rightsdesk serve` over cases
// seeded by `rightsdesk dev seed`, with accounts made by `rightsdesk users
// create`, driven in headless Chromium with JavaScript on and off. Every
// page is checked with axe-core (WCAG 2.2 AA rules; any violation fails)
// and must not scroll sideways at 1280 px, at 375 px or at 200% zoom; each
// is saved at 1280 and 375 px under $SCREENSHOT_DIR/staff-queue-{js,nojs}.
// Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { assertAccessible, assertFits, bin, checkPage, chromiumArgs, chromiumPath, desktop, openTab, phone, press, shotRoot, skip, startServer } from './harness.mjs'

const password = 'a long staff password for tests'
let server, base, browser, token

before(async () => {
  if (skip) return
  server = await startServer(dir => {
    for (const [name, email] of [['Casey Worker', 'casey@example.org'], ['Robin Other', 'robin@example.org']]) {
      execFileSync(bin, ['users', 'create', '--role', 'caseworker', '--name', name, '--email', email, '--data', dir],
        { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    }
    token = execFileSync(bin, ['tokens', 'create', '--role', 'viewer', '--name', 'queue-browser-test', '--data', dir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    execFileSync(bin, ['dev', 'seed', '--cases', '160', '--data', dir], { stdio: ['ignore', 'ignore', 'ignore'] })
  }, 'rightsdesk-queue-')
  base = server.base
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

// check runs axe on the page, checks its scripts ran only with JavaScript
// on, and that it fits every width, photographing it (see assertFits).
async function check (tab, name, shot) {
  await checkPage(tab, name, tab.dir, shot)
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

// A page of the queue is pictured at the top only: its 50 cases stack
// many screens deep on a phone.
const top = { fullPage: false }

const rowRefs = page => page.locator('#cases tbody th[scope=row] a').allInnerTexts()

// closedCase is a case the seed closed, found through the API.
async function closedCase () {
  const resp = await fetch(`${base}/v1/cases?page_size=1&filter=${encodeURIComponent('state=closed')}`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(resp.status, 200)
  const { cases } = await resp.json()
  assert.equal(cases.length, 1, 'the seed closed a case')
  return { id: cases[0].name.replace('cases/', ''), reference: cases[0].reference }
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript'

  test(`the queue says what to do next, sorts, pages both ways and assigns in bulk, ${mode}`, { skip }, async t => {
    const tab = { ...await openTab(browser, t, { javaScript }), dir: path.join(shotRoot, `staff-queue-${javaScript ? 'js' : 'nojs'}`) }
    const { page } = tab
    await signIn(page, 'casey@example.org')
    assert.equal((await rowRefs(page)).length, 50, 'the first page shows 50 cases')
    const headers = await page.locator('#cases thead th').allInnerTexts()
    for (const h of ['Reference', 'Requester', 'State', 'Next step', 'Due']) {
      assert.ok(headers.some(x => x.startsWith(h)), `the queue has a ${h} column`)
    }
    assert.ok((await page.locator('#workload caption').innerText()).includes('Open cases per person'))
    await check(tab, 'queue', top)
    // The same page on a phone, where the cases begin: each stacks as a card.
    await page.setViewportSize(phone)
    await page.locator('#showing').evaluate(h => h.scrollIntoView())
    await page.screenshot({ path: path.join(tab.dir, 'queue-cases-375.png') })
    await page.setViewportSize(desktop)

    // Needs action, sorted latest due first, then paged on and back.
    await follow(page, page.getByRole('link', { name: 'Needs action', exact: true }))
    assert.equal(await page.getByRole('link', { name: 'Needs action', exact: true }).getAttribute('aria-current'), 'page')
    const steps = await page.locator('#cases .app-case-table__next').allInnerTexts()
    assert.ok(steps.length > 0 && steps.every(s => !/Wait for|None/.test(s)), 'no case in Needs action waits for the requester')
    await check(tab, 'queue-needs-action', top)
    await follow(page, page.locator('#cases thead').getByRole('link', { name: /^Due/ }))
    assert.match(await page.locator('#cases thead th[aria-sort=descending]').innerText(), /^Due/, 'the queue is sorted latest due first')
    const first = await rowRefs(page)
    await follow(page, page.getByRole('link', { name: /^Next page/ }))
    const second = await rowRefs(page)
    assert.notDeepEqual(second, first)
    await follow(page, page.getByRole('link', { name: /^Previous page/ }))
    assert.deepEqual(await rowRefs(page), first, 'Previous page shows the first page again')

    // Bulk assignment of two unassigned cases to Robin.
    await follow(page, page.getByRole('link', { name: 'Unassigned', exact: true }))
    await press(page, 'Assign selected cases')
    assert.match(await page.title(), /^Error: /)
    const errorLink = page.locator('.govuk-error-summary').getByRole('link', { name: 'Select the cases to assign' })
    assert.equal(await page.locator(await errorLink.getAttribute('href')).count(), 1, 'the error links to the first checkbox')
    await check(tab, 'queue-bulk-error', top)
    const picked = (await rowRefs(page)).slice(0, 2)
    for (const ref of picked) await page.getByRole('checkbox', { name: `Select case ${ref}` }).check()
    await page.getByLabel('Assign the selected cases to').selectOption({ label: 'Robin Other' })
    await press(page, 'Assign selected cases')
    assert.equal(await page.locator('#bulk-outcome .govuk-notification-banner__heading').innerText(), '2 cases assigned to Robin Other')
    for (const ref of picked) assert.ok(!(await rowRefs(page)).includes(ref), `${ref} left the unassigned view`)
    await check(tab, 'queue-bulk-assigned', top)

    // The dashboard's figures open the queue's views.
    await follow(page, page.getByRole('link', { name: 'Dashboard', exact: true }))
    await check(tab, 'dashboard')
    const overdue = Number((await page.locator('#figures a[href="/staff/?view=overdue"]').innerText()).match(/^\d+/)[0])
    await follow(page, page.locator('#figures a[href="/staff/?view=overdue"]'))
    assert.equal(await page.getByRole('link', { name: 'Overdue', exact: true }).getAttribute('aria-current'), 'page')
    assert.equal((await rowRefs(page)).length, Math.min(overdue, 50), 'the overdue view lists as many cases as the dashboard counts')
  })

  test(`the queue shows each view as an API filter and takes one written by hand, ${mode}`, { skip }, async t => {
    const tab = { ...await openTab(browser, t, { javaScript }), dir: path.join(shotRoot, `staff-queue-${javaScript ? 'js' : 'nojs'}`) }
    const { page } = tab
    await signIn(page, 'casey@example.org')
    // The first page the API lists for a filter, as references.
    const apiRefs = async filter => {
      const resp = await fetch(`${base}/v1/cases?page_size=50&filter=${encodeURIComponent(filter)}`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(resp.status, 200, `the API takes ${filter}`)
      return (await resp.json()).cases.map(c => c.reference)
    }

    await follow(page, page.getByRole('link', { name: 'Overdue', exact: true }))
    await page.locator('#api-filter summary').click()
    const shown = await page.locator('#view-filter code').innerText()
    assert.equal(shown, 'open = true AND overdue = true')
    assert.deepEqual(await rowRefs(page), await apiRefs(shown), 'the API lists the view\'s first page for its filter')
    await check(tab, 'queue-api-filter', top)

    const filter = 'state = "IN_PROGRESS" OR (overdue = true AND NOT assignee = "")'
    await page.getByLabel('Filter the queue').fill(filter)
    await press(page, 'Apply this filter')
    assert.equal(new URL(page.url()).searchParams.get('filter'), filter)
    assert.equal(await page.locator('#showing').innerText(), 'Cases matching your filter, soonest due first')
    const refs = await rowRefs(page)
    assert.ok(refs.length > 0, 'the filter lists cases')
    assert.deepEqual(refs, await apiRefs(filter), 'the queue lists what the API does for the same filter')
    assert.equal(await page.locator('.app-views [aria-current=page]').count(), 0, 'no view is current under a written filter')
    await check(tab, 'queue-custom-filter', top)

    await page.getByLabel('Filter the queue').fill('state = "NEW" AND')
    await press(page, 'Apply this filter')
    assert.match(await page.title(), /^Error: /)
    const errorLink = page.locator('.govuk-error-summary a[href="#filter"]')
    assert.match(await errorLink.innerText(), /^The filter does not make sense at column \d+: /)
    assert.equal(await page.locator('#filter-error').count(), 1, 'the field shows the error')
    assert.equal(await rowRefs(page).then(r => r.length), 0)
    await check(tab, 'queue-filter-error', top)
  })

  test(`staff find a closed case by its reference however it is typed, ${mode}`, { skip }, async t => {
    const tab = { ...await openTab(browser, t, { javaScript }), dir: path.join(shotRoot, `staff-queue-${javaScript ? 'js' : 'nojs'}`) }
    const { page } = tab
    await signIn(page, 'casey@example.org')
    const closed = await closedCase()
    const typed = closed.reference.replaceAll('-', '').toLowerCase()

    await follow(page, page.getByRole('link', { name: 'Find a case', exact: true }))
    await check(tab, 'find')
    await page.getByLabel('Case reference').fill('RD-2222-2222')
    await press(page, 'Open the case')
    assert.match(await page.title(), /^Error: /)
    assert.ok((await page.locator('.govuk-error-summary').innerText()).includes('No case has the reference RD-2222-2222'))
    await check(tab, 'find-error')
    await page.getByLabel('Case reference').fill(typed)
    await press(page, 'Open the case')
    assert.equal(new URL(page.url()).pathname, `/staff/cases/${closed.id}`)
    assert.ok((await page.locator('main').innerText()).includes(closed.reference))
    await assertAccessible(page, 'case found by reference', tab.javaScript ? undefined : tab.cdp)

    // The queue's filter finds it too, closed as it is.
    await page.goto(base + '/staff/')
    await page.locator('#filters').getByLabel('Case reference').fill(` ${closed.reference.toLowerCase()} `)
    await press(page, 'Apply filters')
    assert.deepEqual(await rowRefs(page), [closed.reference])
    assert.match(await page.locator('#cases tbody').innerText(), /\bClosed\b/, 'the case is shown as closed')
    await check(tab, 'queue-by-reference')

    // And an address with the reference opens the case.
    await page.goto(`${base}/staff/cases/${typed}`)
    assert.equal(new URL(page.url()).pathname, `/staff/cases/${closed.id}`)
  })
}
