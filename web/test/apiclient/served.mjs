// What the API contract tests share: a real `rightsdesk serve` on loopback
// (the browser tests' startServer) with a caseworker's API token, its
// OpenAPI document as served, and a scratch directory under
// web/node_modules, so that code compiled there finds the pinned packages.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { bin, root, startServer } from '../harness.mjs'

export { root }
export const web = path.join(root, 'web')
export const nodeBin = name => path.join(web, 'node_modules/.bin', name)

// startAPIServer starts a server whose data directory holds one
// caseworker token, and returns the server (startServer's result) with the
// token. t.after stops it and removes its data.
export async function startAPIServer (t) {
  let token
  const server = await startServer(dataDir => {
    token = execFileSync(bin, ['tokens', 'create', '--data', dataDir, '--role', 'caseworker', '--name', 'api-contract-test'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  }, 'rightsdesk-api-')
  t.after(server.stop)
  return { ...server, token }
}

// servedSpec fetches /openapi.json from base, writes it into dir and
// returns its path and the parsed document.
export async function servedSpec (base, dir) {
  const res = await fetch(base + '/openapi.json')
  if (!res.ok) throw new Error(`GET /openapi.json: ${res.status}`)
  const text = await res.text()
  const file = path.join(dir, 'openapi.json')
  writeFileSync(file, text)
  return { file, document: JSON.parse(text) }
}

// scratchDir makes a directory that t.after removes.
export function scratchDir (t) {
  const parent = path.join(web, 'node_modules/.cache')
  mkdirSync(parent, { recursive: true })
  const dir = mkdtempSync(path.join(parent, 'rightsdesk-apiclient-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
