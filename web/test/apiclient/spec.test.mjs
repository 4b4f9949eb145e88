// redocly lint on the OpenAPI document a real server serves, with the
// settings in redocly.yaml: no error, and no warning that is not turned off
// there with its reason.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'

import { bin } from '../harness.mjs'
import { nodeBin, scratchDir, servedSpec, startAPIServer } from './served.mjs'

test('the served OpenAPI document passes redocly lint with no error or warning', async t => {
  const { base } = await startAPIServer(t)
  const { file, document } = await servedSpec(base, scratchDir(t))
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()
  assert.ok(version.endsWith(document.info.version), `info.version ${document.info.version} is the build's (${version})`)

  const lint = spawnSync(nodeBin('redocly'), ['lint', '--config', path.join(import.meta.dirname, 'redocly.yaml'), '--format', 'json', file],
    { encoding: 'utf8' })
  assert.ok(lint.stdout, `redocly lint printed no report: ${lint.stderr}`)
  const report = JSON.parse(lint.stdout)
  const problems = report.problems.map(p => `${p.severity} ${p.ruleId} at ${p.location?.[0]?.pointer}: ${p.message}`)
  assert.deepEqual(problems, [], 'redocly lint found problems')
  assert.equal(lint.status, 0, lint.stderr)
})
