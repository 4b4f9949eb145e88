// Browser tests of the response pack's four-eyes review and the close
// page's guard-rails: a caseworker submits the pack from the case page, is
// refused when she tries to approve it herself, a second caseworker
// returns it (sent first without comments, to see the error named), she
// submits it again, he approves it and she releases it; then an
// administrator sees what stops another case closing as fulfilled and
// closes it with an override. A real `rightsdesk serve` with staff
// accounts (and a token that opens the cases over the REST API), driven in
// headless Chromium with JavaScript on and off; every page is checked with
// axe-core (WCAG 2.2 AA rules; any violation fails), must not scroll
// sideways at 1280 px, 375 px or 200% zoom, and is saved at 1280 and
// 375 px under $SCREENSHOT_DIR/staff-review-{js,nojs}. Run by
// `make browser-test`.
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
    for (const [role, name, email] of [['caseworker', 'Casey Worker', 'casey@example.org'], ['caseworker', 'Robin Other', 'robin@example.org'], ['admin', 'Ada Admin', 'admin@example.org']]) {
      execFileSync(bin, ['users', 'create', '--role', role, '--name', name, '--email', email, '--data', dir],
        { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    }
    token = execFileSync(bin, ['tokens', 'create', '--role', 'caseworker', '--name', 'review-browser-test', '--data', dir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  }, 'rightsdesk-review-')
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

// openCase opens an access case with one search recorded, over the API.
async function openCase () {
  const res = await fetch(server.base + '/v1/cases', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      notices: [{ notice: 'notices/it-service-desk' }],
      rights: [{ right: 'RIGHT_ACCESS' }],
      requester: { person: { name: 'Ada Lovelace', email: 'ada@example.org' }, relationship: 'RELATIONSHIP_SELF' },
      channel: 'RECEIVED_CHANNEL_EMAIL'
    })
  })
  const created = await res.json()
  assert.equal(res.status, 200, JSON.stringify(created))
  return created.name.replace('cases/', '')
}

const text = async (page, selector) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ')

// staffTab is a tab signed in as email, whose pages check saves in order.
async function staffTab (t, javaScript, email) {
  const mode = javaScript ? 'js' : 'nojs'
  const tab = { ...await openTab(browser, t, { javaScript }), mode, shots: 0, who: email.split('@')[0] }
  await tab.page.goto(server.base + '/staff/sign-in')
  await tab.page.getByLabel('Email address').fill(email)
  await tab.page.getByLabel('Password').fill(password)
  await press(tab.page, 'Sign in')
  assert.equal(new URL(tab.page.url()).pathname, '/staff/')
  return tab
}

async function check (tab, name) {
  tab.shots++
  await checkPage(tab, `${tab.who}-${String(tab.shots).padStart(2, '0')}-${name}`, path.join(shotRoot, `staff-review-${tab.mode}`))
}

// act opens the case's action page by its link on the case page.
async function act (tab, id, title) {
  const { page } = tab
  await page.goto(`${server.base}/staff/cases/${id}`)
  await page.getByRole('link', { name: title, exact: true }).first().click()
  await page.waitForLoadState('load')
}

const banner = async page => (await page.locator('#done .govuk-notification-banner__heading').innerText()).trim()

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  test(`two caseworkers review a response pack and release it (${mode})`, { skip }, async t => {
    const id = await openCase()
    const casey = await staffTab(t, javaScript, 'casey@example.org')
    const robin = await staffTab(t, javaScript, 'robin@example.org')

    await casey.page.goto(`${server.base}/staff/cases/${id}#review`)
    assert.match(await text(casey.page, '#review-state'), /Not submitted/)
    await check(casey, 'case-not-submitted')
    await act(casey, id, 'Submit the response pack for review')
    await check(casey, 'submit')
    await press(casey.page, 'Submit for review')
    assert.match(await banner(casey.page), /submitted for review/)
    assert.match(await text(casey.page, '#review-you-submitted'), /another member of staff/)

    // Her own approval is refused, with the domain's reason.
    await casey.page.goto(`${server.base}/staff/cases/${id}/approve-review`)
    await press(casey.page, 'Approve')
    assert.match(await casey.page.title(), /^Error: /)
    assert.match(await text(casey.page, '.govuk-error-summary'), /You submitted this response pack, so you cannot approve it/)
    await check(casey, 'approve-own-refused')

    await act(robin, id, 'Return the response pack')
    await press(robin.page, 'Return the pack')
    assert.match(await text(robin.page, '.govuk-error-summary'), /Say what must change before the pack can be approved/)
    await check(robin, 'return-errors')
    await robin.page.getByLabel('What must change').fill('Redact the colleague’s name on page 3.')
    await press(robin.page, 'Return the pack')
    assert.match(await banner(robin.page), /returned/)

    await act(casey, id, 'Submit the response pack for review')
    await press(casey.page, 'Submit for review')
    await act(robin, id, 'Approve the response pack')
    await check(robin, 'approve')
    await robin.page.getByLabel('Comments (optional)').fill('Checked against the search record.')
    await press(robin.page, 'Approve')
    assert.match(await banner(robin.page), /approved/)

    await act(casey, id, 'Release the response pack')
    await check(casey, 'release')
    await press(casey.page, 'Release the pack')
    assert.match(await banner(casey.page), /released/)
    await casey.page.goto(`${server.base}/staff/cases/${id}#review`)
    assert.match(await text(casey.page, '#review-state'), /Released/)
    const steps = await text(casey.page, '#review-steps')
    for (const want of ['Released to the requester by Casey Worker', 'Approved by Robin Other', 'Checked against the search record.', 'Returned by Robin Other', 'Redact the colleague’s name on page 3.']) {
      assert.ok(steps.includes(want), `the review's steps say "${want}": ${steps}`)
    }
    await check(casey, 'case-released')
  })

  test(`an administrator closes past what is missing, with a reason (${mode})`, { skip }, async t => {
    const id = await openCase()
    const casey = await staffTab(t, javaScript, 'casey@example.org')
    await casey.page.goto(`${server.base}/staff/cases/${id}/close`)
    assert.match(await text(casey.page, 'main'), /the response pack is not released/)
    assert.equal(await casey.page.locator('[name="close-override"]').count(), 0, 'a caseworker is not offered the override')

    const admin = await staffTab(t, javaScript, 'admin@example.org')
    await admin.page.goto(`${server.base}/staff/cases/${id}/close`)
    await admin.page.getByLabel('Fulfilled', { exact: true }).check()
    await check(admin, 'close-with-override')
    await admin.page.getByLabel('Close anyway (administrators only): your reason').fill('Pack handed over in person at the DPO’s instruction.')
    await press(admin.page, 'Close the case')
    assert.match(await banner(admin.page), /Case closed: Fulfilled/)
  })
}
