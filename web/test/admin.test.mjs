// Browser tests of the administrators' pages: staff accounts (role, a
// required new password, a lockout and its unlocking, last sign-in), API
// tokens (created and shown once, revoked after a confirmation) and
// importing a notice (preview of the draft, lint findings and changes,
// then the save). A real `rightsdesk serve` with accounts made by
// `rightsdesk users create`, driven in headless Chromium with JavaScript on
// and off. Every page is checked with axe-core (WCAG 2.2 AA rules; any
// violation fails) and must not scroll sideways at 1280 px, at 375 px or
// at 200% zoom; each is saved at 1280 and 375 px under
// $SCREENSHOT_DIR/admin-{js,nojs}. Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { bin, checkPage, chromiumArgs, chromiumPath, openTab, press, root, shotRoot, skip, startServer } from './harness.mjs'

const password = 'a long staff password for tests'
// The importer's own fictitious notices: one that lint passes, one with an
// error (it names no complaints route).
const fixtures = path.join(root, 'internal/notice/importer/testdata')
const cleanNotice = path.join(fixtures, 'numbered-sections.txt')
const faultyNotice = path.join(fixtures, 'bullets.txt')

let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => { await browser?.close() })

// staffServer starts a server whose accounts are made with the database
// closed: an administrator and two caseworkers.
async function staffServer () {
  return startServer(dir => {
    for (const [role, name, email] of [['admin', 'Ada Admin', 'ada@example.org'], ['caseworker', 'Casey Worker', 'casey@example.org'], ['caseworker', 'Robin Other', 'robin@example.org']]) {
      execFileSync(bin, ['users', 'create', '--role', role, '--name', name, '--email', email, '--data', dir],
        { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    }
  }, 'rightsdesk-admin-')
}

// check runs axe on the page, checks its scripts ran only with JavaScript
// on, and that it fits every width, photographing it.
async function check (tab, name) {
  await checkPage(tab, name, tab.dir)
}


async function follow (page, locator) {
  await locator.click()
  await page.waitForLoadState('load')
}

async function signIn (page, base, email, secret = password) {
  await page.goto(base + '/staff/sign-in')
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(secret)
  await press(page, 'Sign in')
}

const banner = page => page.locator('.govuk-notification-banner--success').innerText()
const summaryLinks = page => page.locator('.govuk-error-summary a').allInnerTexts()

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript'
  const dir = path.join(shotRoot, javaScript ? 'admin-js' : 'admin-nojs')

  test(`${mode}: an administrator manages accounts: role, a new password, a lockout`, { skip }, async t => {
    const server = await staffServer()
    t.after(() => server.stop())
    const { base } = server
    const tab = { ...await openTab(browser, t, { javaScript }), dir }
    const { page } = tab

    await signIn(page, base, 'ada@example.org')
    assert.equal(new URL(page.url()).pathname, '/staff/')

    // An account without a role: the error summary names the field.
    await page.goto(base + '/staff/users')
    await page.getByLabel('Full name').fill('Vera Viewer')
    await page.getByLabel('Email address').fill('vera@example.org')
    await page.getByLabel('First password').fill(password)
    await press(page, 'Add account')
    assert.deepEqual(await summaryLinks(page), ['Choose a role'])
    await check(tab, 'users-error')

    // Casey mistypes until the account locks, for a minute: the pages that
    // show it come straight after.
    const guesser = await openTab(browser, t, { javaScript })
    for (let i = 0; i < 5; i++) await signIn(guesser.page, base, 'casey@example.org', 'not the password at all')
    assert.match(await guesser.page.title(), /^Error: /)
    await page.goto(base + '/staff/users')
    const casey = page.locator('.govuk-summary-card', { hasText: 'Casey Worker' })
    assert.match(await casey.innerText(), /Locked/)
    assert.match(await casey.innerText(), /Locked until \d{1,2}:\d\d[ap]m on /)
    assert.match(await casey.innerText(), /Last signed in\s+Never/)
    const ada = page.locator('.govuk-summary-card', { hasText: 'Ada Admin' })
    assert.match(await ada.innerText(), /This is you/)
    assert.match(await ada.innerText(), /Last signed in\s+\d{1,2}:\d\d[ap]m on \d{1,2} \w+ \d{4}/)
    await follow(page, page.getByRole('link', { name: 'Manage the account of Casey Worker' }))
    assert.equal(await page.locator('h1').innerText(), 'Casey Worker')
    await press(page, 'Unlock the account')
    assert.match(await banner(page), /unlocked: they can sign in again now/)
    assert.equal(await page.getByRole('button', { name: 'Unlock the account' }).count(), 0)
    await check(tab, 'account')

    // Change the role, require a new password.
    await page.getByLabel('Viewer').check()
    await press(page, 'Change role')
    assert.match(await banner(page), /Casey Worker’s role is now viewer/)
    await press(page, 'Require a new password')
    assert.match(await banner(page), /must choose a new password before anything else/)
    assert.match(await page.locator('#account').innerText(), /New password required/)
    await check(tab, 'account-changed')
    assert.ok(!page.url().includes('Casey') && !page.url().includes('casey'), `an address holds personal data: ${page.url()}`)
    // The list shows every state at once: Robin locked now, Casey asked
    // for a new password, Ada's last sign-in.
    for (let i = 0; i < 5; i++) await signIn(guesser.page, base, 'robin@example.org', 'not the password at all')
    await page.goto(base + '/staff/users')
    assert.match(await casey.innerText(), /New password required/)
    assert.match(await page.locator('.govuk-summary-card', { hasText: 'Robin Other' }).innerText(), /Locked/)
    await check(tab, 'users')

    // Ada's own page offers no role change and no disabling.
    await page.goto(base + '/staff/users')
    await follow(page, page.getByRole('link', { name: 'Manage the account of Ada Admin' }))
    assert.match(await page.locator('main').innerText(), /You cannot change your own role/)
    assert.equal(await page.getByRole('button', { name: 'Change role' }).count(), 0)

    // Casey, unlocked, signs in and must choose a new password first.
    const caseyTab = { ...await openTab(browser, t, { javaScript }), dir }
    await signIn(caseyTab.page, base, 'casey@example.org')
    assert.equal(new URL(caseyTab.page.url()).pathname, '/staff/password')
    assert.match(await caseyTab.page.locator('#required').innerText(), /An administrator has asked you to choose a new password/)
    await check(caseyTab, 'password-required')
    await caseyTab.page.goto(base + '/staff/dashboard')
    assert.equal(new URL(caseyTab.page.url()).pathname, '/staff/password', 'another page before the new password')
    await caseyTab.page.getByLabel('Current password').fill(password)
    await caseyTab.page.getByLabel('New password').fill('harbour lantern porridge')
    await press(caseyTab.page, 'Change password')
    assert.match(await banner(caseyTab.page), /Your password has been changed/)
    await caseyTab.page.goto(base + '/staff/dashboard')
    assert.equal(new URL(caseyTab.page.url()).pathname, '/staff/dashboard')
  })

  test(`${mode}: an API token is shown once and revoked after a confirmation`, { skip }, async t => {
    const server = await staffServer()
    t.after(() => server.stop())
    const { base } = server
    const tab = { ...await openTab(browser, t, { javaScript }), dir }
    const { page } = tab
    await signIn(page, base, 'ada@example.org')
    await page.goto(base + '/staff/tokens')
    assert.match(await page.locator('#no-tokens').innerText(), /no tokens yet/)
    await press(page, 'Create token')
    assert.deepEqual(await summaryLinks(page), ['Enter who or what will hold the token', 'Choose what the token may do', 'Choose when the token stops working'])
    await check(tab, 'tokens-error')

    await page.getByLabel('Who or what will hold it').fill('case-importer')
    await page.getByLabel('Caseworker').check()
    await page.getByLabel('In 90 days').check()
    await press(page, 'Create token')
    assert.equal(await page.locator('h1').innerText(), 'Token created')
    const secret = await page.locator('#token-secret').inputValue()
    assert.match(secret, /^rd_[a-z2-7]{52}$/)
    assert.ok(!page.url().includes(secret), 'the token is in the address')
    await check(tab, 'token-created')
    const call = async () => (await fetch(`${base}/v1/cases?page_size=1`, { headers: { authorization: `Bearer ${secret}` } })).status
    assert.equal(await call(), 200, 'the new token works')

    await follow(page, page.getByRole('link', { name: 'Back to the API tokens' }))
    const card = page.locator('.govuk-summary-card', { hasText: 'case-importer' })
    assert.match(await card.innerText(), /Active/)
    assert.match(await card.innerText(), /by Ada Admin/)
    assert.match(await card.innerText(), /Last used\s+\d{1,2}:\d\d[ap]m on /)
    assert.ok(!(await page.content()).includes(secret), 'the list shows the token again')
    await check(tab, 'tokens')

    await follow(page, page.getByRole('link', { name: 'Revoke the token case-importer' }))
    assert.match(await page.locator('h1').innerText(), /Revoke the token ‘case-importer’\?/)
    assert.ok(!(await page.content()).includes(secret), 'the confirmation shows the token again')
    await check(tab, 'token-revoke')
    await press(page, 'Revoke token')
    assert.match(await banner(page), /Token ‘case-importer’ revoked/)
    assert.match(await card.innerText(), /Revoked/)
    assert.equal(await call(), 401, 'the revoked token still works')
  })

  test(`${mode}: a notice is previewed, checked and saved`, { skip }, async t => {
    const server = await staffServer()
    t.after(() => server.stop())
    const { base } = server
    const tab = { ...await openTab(browser, t, { javaScript, expected: /status of (409|422)/ }), dir }
    const { page } = tab
    await signIn(page, base, 'ada@example.org')
    await page.goto(base + '/staff/notices/import')
    await check(tab, 'import')
    await press(page, 'Preview the notice')
    assert.deepEqual(await summaryLinks(page), ['Paste the notice, or choose a file of it'])
    await check(tab, 'import-error')

    // Pasted with JavaScript, uploaded without: both are read the same.
    if (javaScript) await page.getByLabel('Paste the notice').fill(readFileSync(cleanNotice, 'utf8'))
    else await page.getByLabel('Or upload a file').setInputFiles(cleanNotice)
    await press(page, 'Preview the notice')
    assert.equal(await page.locator('h1').innerText(), 'Check the notice before you save it')
    assert.match(await page.locator('#summary').innerText(), /It is a new notice: saving it makes version 1/)
    assert.match(await page.locator('main').innerText(), /Lawful basis/)
    await check(tab, 'import-preview-new')
    await press(page, 'Save as version 1')
    assert.match(await banner(page), /Saved ‘Privacy notice for the Example Learning Portal’ as version 1 of notices\/example-learning-portal/)

    // A revised notice: what changes from version 1.
    const revised = readFileSync(cleanNotice, 'utf8').replace('Published 3 March 2022', 'Updated 9 February 2026').replace('for 2 years after you leave', 'for 3 years after you leave')
    await page.getByLabel('Paste the notice').fill(revised)
    await press(page, 'Preview the notice')
    assert.match(await page.locator('#summary').innerText(), /Saving it makes version 2, in force from 9 February 2026, after version 1/)
    const changes = await page.locator('#change-list').innerText()
    assert.match(changes, /2 years/)
    assert.match(changes, /3 years/)
    await check(tab, 'import-preview')
    await press(page, 'Save as version 2')
    assert.match(await banner(page), /as version 2 of notices\/example-learning-portal, in force from 9 February 2026/)

    // Lint finds an error: the preview says so and offers no save.
    await page.getByLabel('Or upload a file').setInputFiles(faultyNotice)
    await press(page, 'Preview the notice')
    assert.match(await page.locator('#findings + .govuk-warning-text').innerText(), /cannot be saved here/)
    assert.match(await page.locator('#finding-list').innerText(), /Error/)
    assert.equal(await page.getByRole('button', { name: /^Save as version/ }).count(), 0)
    await check(tab, 'import-preview-errors')
  })
}
