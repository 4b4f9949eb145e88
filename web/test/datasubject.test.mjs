// Browser tests of the administrators' pages for requests about
// Rightsdesk's own data: find a person's cases, read everything held about
// them, correct their details (form, check, confirmation) and erase them
// (what can and cannot be erased, then the erasure). A real `rightsdesk
// serve` with an administrator made by `rightsdesk users create` and cases
// opened through the REST API, driven in headless Chromium with JavaScript
// on and off. Every page is checked with axe-core (WCAG 2.2 AA rules; any
// violation fails) and must not scroll sideways; each is saved under
// $SCREENSHOT_DIR/datasubject-{js,nojs}. No address the browser visits
// holds the person's name or email. Run by `make browser-test`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { bin, checkPage, chromiumArgs, chromiumPath, openTab, press, shotRoot, skip, startServer } from './harness.mjs'

const password = 'a long staff password for tests'

let browser

before(async () => {
  if (skip) return
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

after(async () => { await browser?.close() })

// serve starts a server with an administrator and a caseworker token, and
// opens two cases of Grace Hopper's (one then closed) and one of someone
// else's.
async function serve (t) {
  let token
  const server = await startServer(dataDir => {
    execFileSync(bin, ['users', 'create', '--role', 'admin', '--name', 'Ada Admin', '--email', 'admin@example.org', '--data', dataDir],
      { input: password + '\n', stdio: ['pipe', 'ignore', 'inherit'] })
    token = execFileSync(bin, ['tokens', 'create', '--role', 'caseworker', '--name', 'datasubject-browser-test', '--data', dataDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  }, 'rightsdesk-datasubject-')
  t.after(() => server.stop())
  const api = async (method, url, body) => {
    const res = await fetch(server.base + url, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body)
    })
    const json = await res.json()
    assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(json)}`)
    return json
  }
  const open = (name, email) => api('POST', '/v1/cases', {
    notices: [{ notice: 'notices/it-service-desk' }],
    rights: [{ right: 'RIGHT_ACCESS' }],
    requester: { person: { name, email }, relationship: 'RELATIONSHIP_SELF' },
    channel: 'RECEIVED_CHANNEL_EMAIL'
  })
  const first = await open('Grace Hopper', 'grace@example.org')
  const second = await open('Grace Hopper', 'grace@example.org')
  await api('POST', `/v1/${second.name}:close`, { etag: second.etag, outcome: 'OUTCOME_KIND_WITHDRAWN' })
  const other = await open('Alan Turing', 'alan@example.org')
  return { base: server.base, first, second, other }
}

const summaryLinks = page => page.locator('.govuk-error-summary a').allInnerTexts()

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'js' : 'nojs'
  const dir = path.join(shotRoot, `datasubject-${mode}`)
  const check = (tab, name) => checkPage(tab, name, dir)

  test(`an administrator exports, corrects and erases a person's data (${mode})`, { skip }, async t => {
    const s = await serve(t)
    const tab = await openTab(browser, t, { javaScript })
    const { page } = tab
    const visited = []
    page.on('framenavigated', f => { if (f === page.mainFrame()) visited.push(f.url()) })

    await page.goto(s.base + '/staff/sign-in')
    await page.getByLabel('Email address').fill('admin@example.org')
    await page.getByLabel('Password').fill(password)
    await press(page, 'Sign in')

    await page.goto(s.base + '/staff/data-subjects')
    assert.equal(await page.locator('h1').innerText(), 'Data subject requests about Rightsdesk')
    await check(tab, 'search')

    // Two ways at once could mix two people: refused, both fields named.
    await page.getByLabel('Email address').fill('grace@example.org')
    await page.getByLabel('Full name').fill('Grace Hopper')
    await press(page, 'Find their cases')
    assert.equal((await summaryLinks(page)).length, 2)
    await check(tab, 'search-error')

    await page.getByLabel('Full name').fill('')
    await press(page, 'Find their cases')
    assert.equal(await page.locator('#results').innerText(), '2 cases found')
    const results = await page.locator('#cases').innerText()
    assert.ok(results.includes(s.first.reference) && results.includes(s.second.reference) && !results.includes(s.other.reference), results)
    await check(tab, 'results')

    await press(page, 'View everything held')
    assert.equal(await page.locator('h1').innerText(), 'What Rightsdesk holds about this person')
    assert.equal(await page.locator('section h2').count(), 2)
    assert.match(await page.locator('main').innerText(), /grace@example\.org/)
    await check(tab, 'export')

    // Correct the address: the form, a mistake, the check, the correction.
    await page.goto(s.base + '/staff/data-subjects')
    await page.getByLabel('Email address').fill('grace@example.org')
    await press(page, 'Find their cases')
    await press(page, 'Correct their details')
    assert.equal(await page.locator('h1').innerText(), 'Correct this person’s details')
    await page.getByLabel('Email address').fill('not an address')
    await press(page, 'Continue')
    assert.equal((await summaryLinks(page)).length, 2, 'the address and the missing reason')
    await check(tab, 'rectify-error')
    await page.getByLabel('Email address').fill('grace.hopper@example.net')
    await page.getByLabel('Why are the details corrected?').fill('She wrote to say her address changed.')
    await press(page, 'Continue')
    assert.equal(await page.locator('h1').innerText(), 'Check the correction')
    assert.match(await page.locator('#correction').innerText(), /grace\.hopper@example\.net/)
    await check(tab, 'rectify-check')
    await press(page, 'Correct their details')
    assert.match(await page.locator('.govuk-panel').innerText(), /Details corrected\s+on 2 cases/)
    await check(tab, 'rectify-done')

    // Erase: the open case is kept, with the reason; the closed one goes.
    await press(page, 'Show their cases')
    assert.equal(await page.locator('#results').innerText(), '2 cases found')
    await press(page, 'Erase their data')
    const plan = await page.locator('#erasure').innerText()
    assert.match(plan, /Kept[^]*open/)
    assert.match(plan, /Can be erased/)
    await check(tab, 'erase-check')
    await press(page, 'Erase 1 case')
    assert.equal(await page.locator('h1').innerText(), 'Erasure done')
    assert.match(await page.locator('#erasure').innerText(), /Erased/)
    await check(tab, 'erase-done')

    for (const url of visited) {
      assert.ok(!/grace|hopper/i.test(url), `an address holds personal data: ${url}`)
    }
  })
}
