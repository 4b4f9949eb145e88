// A TypeScript client generated from the OpenAPI document a real server
// serves, as an integrator would make one: the document converted from
// Swagger 2.0 to OpenAPI 3 (swagger2openapi; openapi-typescript reads only
// 3.x), its types written by openapi-typescript, calls.ts type-checked
// against them by tsc and run with openapi-fetch against the server. It
// fails if the server's JSON names and the document's disagree.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'

import openapiTS, { astToString } from 'openapi-typescript'
import swagger2openapi from 'swagger2openapi'

import { nodeBin, scratchDir, servedSpec, startAPIServer } from './served.mjs'

// generateClient writes schema.d.ts for the served document into dir,
// compiles calls.ts beside it (tsc, strict, nothing written on a type
// error) and imports the result.
async function generateClient (base, dir) {
  const { document } = await servedSpec(base, dir)
  const { openapi } = await swagger2openapi.convertObj(document, { patch: false, warnOnly: false })
  writeFileSync(path.join(dir, 'schema.d.ts'), astToString(await openapiTS(openapi)))
  copyFileSync(path.join(import.meta.dirname, 'calls.ts'), path.join(dir, 'calls.ts'))
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmitOnError: true,
      noUncheckedIndexedAccess: true,
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      lib: ['es2022', 'dom'],
      skipLibCheck: false,
      outDir: 'out'
    },
    files: ['calls.ts']
  }))
  const tsc = spawnSync(nodeBin('tsc'), ['-p', dir], { encoding: 'utf8' })
  assert.equal(tsc.status, 0, `tsc found errors in calls.ts against the generated types:\n${tsc.stdout}${tsc.stderr}`)
  return import(pathToFileURL(path.join(dir, 'out/calls.js')).href)
}

test('a client generated from the served document pages, works a case and reads a refusal', async t => {
  const { base, token } = await startAPIServer(t)
  const calls = await generateClient(base, scratchDir(t))
  const client = calls.connect(base, token)

  await t.test('pages through the notices', async () => {
    const all = (await calls.noticePages(client, 100)).flat()
    const pages = await calls.noticePages(client, 2)
    assert.ok(all.length > 2, `the catalogue has more than one page of 2 (${all.length} notices)`)
    assert.equal(pages.length, Math.ceil(all.length / 2), 'pages of 2 until next_page_token is empty')
    assert.deepEqual(pages.flat(), all, 'the pages hold every notice once, in order')
  })

  await t.test('creates, gets, assigns and closes a case', async () => {
    const { created, retried, got, assigned, closed } = await calls.caseLifecycle(client, 'api-contract-test-1', 'alice')
    assert.match(created.name, /^cases\/[0-9A-Z]{26}$/)
    assert.equal(created.state, 'CASE_STATE_NEW')
    assert.match(created.received_on, /^\d{4}-\d{2}-\d{2}$/, 'received_on is set')
    assert.match(created.reference, /^RD-/)
    assert.equal(retried.name, created.name, 'a retried request_id returns the first case')
    assert.equal(got.name, created.name)
    assert.equal(got.received_on, created.received_on)
    assert.equal(assigned.state, 'CASE_STATE_IN_PROGRESS')
    assert.equal(assigned.assignee, 'alice')
    assert.notEqual(assigned.etag, got.etag)
    assert.equal(closed.state, 'CASE_STATE_CLOSED')
    assert.equal(closed.outcome?.kind, 'OUTCOME_KIND_FULFILLED')
  })

  await t.test("reads a refusal's field violations", async () => {
    const refusal = await calls.refusedPageSize(client)
    assert.equal(refusal.httpStatus, 400)
    assert.equal(refusal.code, 3, 'INVALID_ARGUMENT')
    assert.equal(refusal.reason, 'INVALID_ARGUMENT')
    assert.equal(refusal.domain, 'rightsdesk.dev')
    assert.deepEqual(refusal.violations.map(v => v.field), ['page_size'])
    assert.ok(refusal.violations[0].description, 'the violation says what is wrong')
  })
})
