// Browser tests of the response pack on the staff pages: a caseworker
// opens an access case (made over the REST API), finds the pack section,
// opens the printable pack and downloads the preview, which `rightsdesk
// pack verify` checks. A real `rightsdesk serve` on a random loopback port
// writing letters through the harness's SMTP sink (127.0.0.1 only), driven
// in headless Chromium with JavaScript on and off; every page is checked
// with axe-core (WCAG 2.2 AA rules; any violation fails), must not scroll
// sideways at 1280 px, 375 px or 200% zoom, and is saved at 1280 and 375 px
// under $SCREENSHOT_DIR/staff-pack-{js,nojs}. Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { bin, checkPage, chromiumArgs, chromiumPath, openTab, press, serveWithCaseworker, shotRoot, skip, smtpSink, staffPassword } from './harness.mjs'

let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => {
  await browser?.close()
})

// serve starts a server of the test's own with a caseworker to sign in
// and an access case opened by post.
async function serve (t, sink) {
  const { server, api } = await serveWithCaseworker(t, sink, 'pack-browser-test')
  const created = await api('POST', '/v1/cases', {
    notices: [{ notice: 'notices/it-service-desk' }],
    rights: [{ right: 'RIGHT_ACCESS' }],
    requester: { person: { name: 'Ada Lovelace', email: 'ada@example.org', postal_address: '1 Test Street\nLeeds\nLS1 1AA' }, relationship: 'RELATIONSHIP_SELF' },
    channel: 'RECEIVED_CHANNEL_POST'
  })
  return { base: server.base, dataDir: server.dataDir, id: created.name.replace('cases/', ''), reference: created.reference }
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  test(`a caseworker previews and prints the response pack (${mode})`, { skip }, async t => {
    const sink = await smtpSink(t)
    const s = await serve(t, sink)
    const tab = { ...await openTab(browser, t, { javaScript }), shots: 0 }
    const { page } = tab
    const check = async name => {
      tab.shots++
      await checkPage(tab, `${String(tab.shots).padStart(2, '0')}-${name}`, path.join(shotRoot, `staff-pack-${mode}`))
    }

    await page.goto(s.base + '/staff/sign-in')
    await page.getByLabel('Email address').fill('casey@example.org')
    await page.getByLabel('Password').fill(staffPassword)
    await press(page, 'Sign in')
    await page.goto(`${s.base}/staff/cases/${s.id}#response-pack`)
    const section = await page.locator('#pack-documents').innerText()
    assert.match(section, /No document is in the pack yet besides the letter/)
    await check('case')

    await page.getByRole('link', { name: /Printable pack/ }).click()
    await page.waitForLoadState('load')
    assert.equal(new URL(page.url()).pathname, `/staff/cases/${s.id}/response-pack/print`)
    assert.match(await page.locator('#print-letter').innerText(), new RegExp(s.reference))
    assert.match(await page.locator('#print-letter').innerText(), /Ada Lovelace/)
    await check('printable')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'the response pack' }).click()
    ])
    assert.match(download.suggestedFilename(), /^response-pack-preview-.*\.zip$/)
    const saved = path.join(s.dataDir, '..', `${path.basename(s.dataDir)}-pack.zip`)
    await download.saveAs(saved)
    t.after(() => rmSync(saved, { force: true }))
    const report = execFileSync(bin, ['pack', 'verify', saved], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    assert.match(report, new RegExp(`Response pack ${s.reference}`))
    assert.match(report, /✓ response-letter\.pdf/)
  })
}
