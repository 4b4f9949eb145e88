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
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { bin, checkPage, chromiumArgs, chromiumPath, openTab, press, shotRoot, skip, startServer } from './harness.mjs'

const password = 'a long staff password for tests'
let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
})

// smtpSink is a relay on 127.0.0.1 that accepts every message and keeps
// it: it answers each command with the reply a relay that takes it would
// give, and offers no STARTTLS, which the server uses only if offered on
// a loopback address. Bounded: at most 20 messages of 1 MB each.
async function smtpSink (t) {
  const messages = []
  const sockets = new Set()
  const server = createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.setEncoding('utf8')
    let buffer = ''
    let data = null
    socket.write('220 sink.test ESMTP\r\n')
    socket.on('data', chunk => {
      buffer += chunk
      if (buffer.length > 1 << 20 || messages.length >= 20) { socket.destroy(); return }
      let end
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (data !== null) {
          if (line === '.') {
            messages.push(data.join('\n'))
            data = null
            socket.write('250 2.0.0 kept\r\n')
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line)
          }
          continue
        }
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO') socket.write('250-sink.test\r\n250 8BITMIME\r\n')
        else if (verb === 'DATA') { data = []; socket.write('354 go ahead\r\n') } else if (verb === 'QUIT') { socket.end('221 2.0.0 bye\r\n') } else socket.write('250 2.0.0 ok\r\n')
      }
    })
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise(resolve => { for (const s of sockets) s.destroy(); server.close(resolve) }))
  return { port: server.address().port, messages }
}

// received waits (up to 10 s) for the sink to hold an email whose text
// says want, and returns it unfolded and decoded enough to read.
async function received (sink, want) {
  const deadline = Date.now() + 10000
  for (;;) {
    const found = sink.messages.map(m => m.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))))
      .map(m => m.replace(/\s+/g, ' ')).find(m => m.includes(want))
    if (found) return found
    assert.ok(Date.now() < deadline, `no email saying "${want}" reached the relay in 10s (${sink.messages.length} emails)`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

// serve starts a server of the test's own sending letters through the
// sink, with a caseworker to sign in and a caseworker token with which it
// opens a case.
async function serve (t, sink) {
  let token
  const server = await startServer(dataDir => {
    execFileSync(bin, ['users', 'create', '--role', 'caseworker', '--name', 'Casey Worker', '--email', 'casey@example.org', '--data', dataDir],
      { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    token = execFileSync(bin, ['tokens', 'create', '--role', 'caseworker', '--name', 'letters-browser-test', '--data', dataDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  }, 'rightsdesk-letters-', { args: ['--smtp-url', `smtp://127.0.0.1:${sink.port}?from=privacy@example.org`] })
  t.after(() => server.stop())
  const api = async (method, url, body) => {
    const res = await fetch(server.base + url, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body)
    })
    const json = await res.json()
    assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(json)}`)
    return json
  }
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
    await page.getByLabel('Password').fill(password)
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
    await page.getByLabel('Password').fill(password)
    await press(page, 'Sign in')

    await page.goto(`${s.base}/staff/cases/${id}/close`)
    await page.getByLabel('Fulfilled', { exact: true }).check()
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
