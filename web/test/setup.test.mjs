// Browser test of a new installation's first run: `rightsdesk serve` on an
// empty data directory prints a one-time link; following it in headless
// Chromium creates the first administrator, who then signs in, is made to
// set up two-step verification (the default policy for administrators),
// signs out and in again with a code; the link then refuses a second use,
// and a restart prints no new one. Every page is checked with axe-core
// (WCAG 2.2 AA) with JavaScript on and off.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { assertAccessible, authenticatorCode, chromiumArgs, chromiumPath, shotRoot, skip, startServer } from './harness.mjs'

const shotDir = path.join(shotRoot, 'setup')
const password = 'a long first administrator password'

let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => { await browser?.close() })

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js-on' : 'js-off'
  test(`${mode}: the printed set-up link makes the first administrator, once`, { skip }, async t => {
    const server = await startServer(undefined, 'rightsdesk-setup-', { secondFactor: 'admins' })
    t.after(() => server.stop())
    const line = server.printed.find(l => /first admin\s+http/.test(l))
    assert.ok(line, `the banner of a new installation has no set-up link:\n${server.printed.join('\n')}`)
    const link = line.match(/(http:\/\/\S+)/)[1]

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    t.after(() => context.close())
    const page = await context.newPage()
    // Scripts are switched off through DevTools, as in the other browser
    // tests, so that axe can still be run on the page.
    const cdp = await context.newCDPSession(page)
    if (!javaScriptEnabled) await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
    const shot = async name => {
      await assertAccessible(page, name, javaScriptEnabled ? undefined : cdp)
      mkdirSync(path.join(shotDir, mode), { recursive: true })
      await page.screenshot({ path: path.join(shotDir, mode, `${name}.png`), fullPage: true })
    }

    await page.goto(link)
    await shot('01-setup')
    await page.getByLabel('Your name').fill('Ada Admin')
    await page.getByLabel('Email address').fill('ada@example.org')
    await page.getByLabel('Password').fill('too short')
    await page.getByRole('button', { name: 'Create the account' }).click()
    await page.waitForLoadState('load')
    assert.match(await page.locator('.govuk-error-summary a[href="#user-password"]').innerText(), /at least 12 characters/)
    await shot('02-setup-error')
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Create the account' }).click()
    await page.waitForLoadState('load')
    assert.equal(new URL(page.url()).pathname, '/staff/sign-in')
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /administrator account is ready/)
    await shot('03-sign-in')

    await page.getByLabel('Email address').fill('ada@example.org')
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForLoadState('load')
    assert.equal(new URL(page.url()).pathname, '/staff/two-step', 'an administrator without two-step verification is sent to set it up')
    await shot('04-two-step')
    const secret = await page.locator('#secret').innerText()
    const qr = await page.locator('img[src="/staff/two-step/qr.png"]').evaluate(img => img.complete && img.naturalWidth)
    assert.equal(qr, 240, 'the QR code image loads')
    await page.getByLabel('Code from your authenticator app').fill('000000')
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click()
    await page.waitForLoadState('load')
    assert.match(await page.locator('.govuk-error-summary a[href="#code"]').innerText(), /not the code/)
    await shot('05-two-step-error')
    await page.getByLabel('Code from your authenticator app').fill(authenticatorCode(secret))
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click()
    await page.waitForLoadState('load')
    assert.equal(await page.locator('#recovery-codes li').count(), 10)
    await shot('06-recovery-codes')

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForLoadState('load')
    await page.getByLabel('Email address').fill('ada@example.org')
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForLoadState('load')
    assert.equal(new URL(page.url()).pathname, '/staff/sign-in/code')
    await shot('07-code')
    // The set-up spent this step's code: the next step's is within the skew.
    await page.getByLabel('Enter the code from your authenticator app').fill(authenticatorCode(secret, Date.now() + 30000))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForLoadState('load')
    assert.equal(new URL(page.url()).pathname, '/staff/')
    await page.goto(server.base + '/staff/users')
    assert.match(await page.locator('main').innerText(), /ada@example\.org/)

    const again = await page.goto(link)
    assert.equal(again.status(), 410)
    assert.match(await page.locator('h1').innerText(), /no longer works/)
    await shot('08-link-used')

    await server.halt()
    const restarted = await startServer(undefined, 'rightsdesk-setup-', { dataDir: server.dataDir, secondFactor: 'admins' })
    t.after(() => restarted.halt())
    assert.ok(!restarted.printed.some(l => /first admin/.test(l)), `a restart with an administrator prints a set-up link:\n${restarted.printed.join('\n')}`)
  })
}
