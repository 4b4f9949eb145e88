// Browser tests of the letter that goes with a staff action: the extension
// page drafts the extension notice from the answers, staff edit it,
// preview it as the requester will read it, and send it with the
// extension in one step; the email the relay receives says their words. A
// real `rightsdesk serve` on a random loopback port with --smtp-url
// pointing at a small SMTP sink of the test's own (127.0.0.1 only), driven
// in headless Chromium with JavaScript on and off; every page is checked
// with axe-core (WCAG 2.2 AA rules; any violation fails), must not scroll
// sideways at 1280 px, 375 px or 200% zoom, and is saved at 1280 and
// 375 px under $SCREENSHOT_DIR/staff-letters-{js,nojs}. Run by
// `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { checkPage, chromiumArgs, chromiumPath, openTab, press, received, serveWithCaseworker, shotRoot, skip, smtpSink, staffPassword } from './harness.mjs'

let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
})

// serve starts a server of the test's own sending letters through the
// sink, with a caseworker to sign in, and opens a case.
async function serve (t, sink) {
  const { server, api } = await serveWithCaseworker(t, sink, 'letters-browser-test')
  const created = await api('POST', '/v1/cases', {
    notices: [{ notice: 'notices/it-service-desk' }],
    rights: [{ right: 'RIGHT_ACCESS' }],
    requester: { person: { name: 'Ada Lovelace', email: 'ada@example.org' }, relationship: 'RELATIONSHIP_SELF' },
    channel: 'RECEIVED_CHANNEL_EMAIL'
  })
  return { base: server.base, api, name: created.name, id: created.name.replace(/^cases\//, '') }
}

async function check (tab, name) {
  await checkPage(tab, name, path.join(shotRoot, `staff-letters-${tab.mode}`))
}


for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  test(`the extension notice is drafted, edited, previewed and sent with the extension (${mode})`, { skip }, async t => {
    const sink = await smtpSink(t)
    const s = await serve(t, sink)
    const tab = { ...await openTab(browser, t, { javaScript }), mode }
    const { page } = tab

    await page.goto(s.base + '/staff/sign-in')
    await page.getByLabel('Email address').fill('casey@example.org')
    await page.getByLabel('Password').fill(staffPassword)
    await press(page, 'Sign in')

    await page.goto(`${s.base}/staff/cases/${s.id}/extend`)
    assert.equal(await page.locator('h1').innerText(), 'Extend the deadline')
    assert.equal(await page.getByLabel('Letter', { exact: true }).inputValue(), '', 'the letter is written once the answers are given')
    await page.getByLabel('2 months').check()
    await page.getByLabel('Reason', { exact: true }).fill('Your records are held in four separate systems.')
    await check(tab, 'staff-letter-draft')

    // Preview writes the letter from the answers and shows it as it will read.
    await press(page, 'Preview the letter')
    const draft = await page.getByLabel('Letter', { exact: true }).inputValue()
    assert.match(draft, /^# /, 'the draft starts with its subject line')
    assert.ok(draft.includes('Your records are held in four separate systems.'), 'the draft quotes the reason')
    assert.equal(await page.getByLabel('Reason', { exact: true }).inputValue(), 'Your records are held in four separate systems.', 'the answers are kept')
    assert.ok((await page.locator('#letter-preview').innerText()).includes('As the template wrote it'))

    // An edit, previewed again, is kept and shown.
    const edited = draft.replace('Your records are held in four separate systems.', 'Your records are in four systems, one of them archived off site.')
    await page.getByLabel('Letter', { exact: true }).fill(edited)
    await press(page, 'Preview the letter')
    assert.equal(await page.getByLabel('Letter', { exact: true }).inputValue(), edited.trim(), 'the edit is kept')
    const preview = await page.locator('#letter-preview').innerText()
    assert.ok(preview.includes('In your words') && preview.includes('one of them archived off site'), `the preview shows the edit: ${preview}`)
    await check(tab, 'staff-letter-preview')

    // A letter without its subject line is refused on the letter.
    await page.getByLabel('Letter', { exact: true }).fill('Dear Ada, we need more time.')
    await press(page, 'Send the letter and extend')
    assert.match(await page.title(), /^Error: /)
    const link = page.locator('.govuk-error-summary a[href="#letter-text"]')
    assert.equal(await link.count(), 1, 'the error summary links to the letter')
    await check(tab, 'staff-letter-error')

    await page.getByLabel('Letter', { exact: true }).fill(edited)
    await press(page, 'Send the letter and extend')
    assert.match(await page.locator('#done .govuk-notification-banner__heading').innerText(), /^Deadline extended to /)
    const email = await received(sink, 'one of them archived off site')
    assert.ok(email.includes('ada@example.org'), 'the letter went to the requester')

    const { messages } = await s.api('GET', `/v1/${s.name}/messages`)
    assert.equal(messages.length, 1)
    assert.equal(messages[0].template, 'extension-notice')

    // The API sends a letter in the caller's words the same way.
    const asked = '# What we need from you\n\nPlease tell us which years your request covers.'
    await s.api('POST', `/v1/${s.name}:requestClarification`, { detail: 'Which years?', letter_text: asked })
    await received(sink, 'Please tell us which years your request covers.')
  })
}

// Closing an erasure tells the recipients named on the close page
// (Article 19): a row for each recipient the notice lists, rows to type
// others, a draft of each one's letter on Preview, and the letters sent
// with the response.
for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  test(`closing an erasure tells the recipients named, each by a letter previewed first (${mode})`, { skip }, async t => {
    const sink = await smtpSink(t)
    const s = await serve(t, sink)
    const erasure = await s.api('POST', '/v1/cases', {
      notices: [{ notice: 'notices/it-service-desk' }],
      rights: [{ right: 'RIGHT_ERASURE' }],
      requester: { person: { name: 'Ada Lovelace', email: 'ada@example.org' }, relationship: 'RELATIONSHIP_SELF' },
      channel: 'RECEIVED_CHANNEL_EMAIL'
    })
    const listed = erasure.tasks.find(task => task.kind === 'TASK_KIND_ARTICLE_19_NOTIFICATION').recipient
    const id = erasure.name.replace(/^cases\//, '')
    const tab = { ...await openTab(browser, t, { javaScript }), mode }
    const { page } = tab

    await page.goto(s.base + '/staff/sign-in')
    await page.getByLabel('Email address').fill('casey@example.org')
    await page.getByLabel('Password').fill(staffPassword)
    await press(page, 'Sign in')

    await page.goto(`${s.base}/staff/cases/${id}/close`)
    await page.getByLabel('Fulfilled', { exact: true }).check()
    await page.getByLabel('What was done').fill('Tickets erased from the service desk.')
    await page.getByLabel(`Email address for ${listed}`).fill('not an address')
    await press(page, 'Send the letter and close the case')
    assert.match(await page.title(), /^Error: /)
    assert.equal(await page.locator('.govuk-error-summary a[href="#notify-1-email"]').count(), 1, 'the error summary links to the address')
    await check(tab, 'staff-close-recipients-error')

    await page.getByLabel(`Email address for ${listed}`).fill('privacy@listed.example')
    await press(page, 'Preview the letter')
    const letter = await page.getByRole('textbox', { name: `Letter to ${listed}` }).inputValue()
    assert.ok(letter.includes('Article 19'), `the recipient's draft is the Article 19 letter: ${letter}`)
    assert.ok((await page.locator('#recipient-preview-1').innerText()).includes(`To ${listed}`), 'the recipient\'s letter is previewed')
    assert.ok((await page.locator('#letter-preview').innerText()).includes('Who we have told'), 'the response names who was told')
    await check(tab, 'staff-close-recipients-preview')

    await page.getByRole('textbox', { name: `Letter to ${listed}` }).fill(letter + '\n\nPlease confirm once done.')
    await press(page, 'Send the letter and close the case')
    assert.ok(await page.locator('#done').count(), 'the case closed')
    const email = await received(sink, 'Please confirm once done.')
    assert.ok(email.includes('privacy@listed.example'), 'the letter went to the recipient')
    await received(sink, 'Who we have told')
    const { messages } = await s.api('GET', `/v1/${erasure.name}/messages`)
    const art19 = messages.find(m => m.kind === 'MESSAGE_KIND_ART19')
    assert.equal(art19.recipient, listed)
  })
}
