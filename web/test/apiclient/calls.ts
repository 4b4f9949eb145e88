// What an integrator writes against the client generated from the served
// OpenAPI document (openapi-typescript's types, openapi-fetch's calls).
// client.test.mjs type-checks it with the generated schema.d.ts beside it,
// runs it against a real server and checks what it returns: a field the
// types name but the server spells differently reads undefined, so paging
// stops early or a check fails.
import createClient from 'openapi-fetch'

import type { components, paths } from './schema.js'

export type Case = components['schemas']['v1Case']
export type Status = components['schemas']['rpcStatus']
type Client = ReturnType<typeof createClient<paths>>

export function connect (baseUrl: string, token: string): Client {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } })
}

// must returns a call's data, or throws with its google.rpc.Status.
function must<T> (result: { data?: T, error?: Status | unknown, response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`HTTP ${result.response.status}: ${JSON.stringify(result.error)}`)
  }
  return result.data
}

// caseID is the path parameter for a case's resource name, cases/{case}.
function caseID (name: string | undefined): string {
  if (!name?.startsWith('cases/')) throw new Error(`not a case name: ${name}`)
  return name.slice('cases/'.length)
}

// noticePages pages through the catalogue pageSize notices at a time,
// following next_page_token until it is empty.
export async function noticePages (client: Client, pageSize: number): Promise<string[][]> {
  const pages: string[][] = []
  let pageToken: string | undefined
  do {
    const page = must(await client.GET('/v1/notices', { params: { query: { page_size: pageSize, page_token: pageToken } } }))
    pages.push((page.notices ?? []).map(n => n.name ?? ''))
    pageToken = page.next_page_token || undefined
  } while (pageToken && pages.length < 100)
  return pages
}

export interface Lifecycle {
  created: Case
  retried: Case
  got: Case
  assigned: Case
  closed: Case
}

// caseLifecycle creates a case (and retries the create with the same
// request_id), gets it, assigns it and closes it.
export async function caseLifecycle (client: Client, requestId: string, assignee: string): Promise<Lifecycle> {
  const body = {
    rights: [{ right: 'RIGHT_OBJECTION' as const }],
    requester: { person: { name: 'Ada Example', email: 'ada@example.org' } },
    channel: 'RECEIVED_CHANNEL_EMAIL' as const
  }
  const created = must(await client.POST('/v1/cases', { params: { query: { request_id: requestId } }, body }))
  const retried = must(await client.POST('/v1/cases', { params: { query: { request_id: requestId } }, body }))
  const path = { case: caseID(created.name) }
  const got = must(await client.GET('/v1/cases/{case}', { params: { path } }))
  const assigned = must(await client.POST('/v1/cases/{case}:assign', { params: { path }, body: { etag: got.etag, assignee } }))
  const closed = must(await client.POST('/v1/cases/{case}:close', { params: { path }, body: { etag: assigned.etag, outcome: 'OUTCOME_KIND_FULFILLED', action_taken: 'Processing for the purpose objected to has stopped.' } }))
  return { created, retried, got, assigned, closed }
}

// A google.rpc.Status detail; its fields are the message's own, which the
// document cannot list for google.protobuf.Any.
type Detail = NonNullable<Status['details']>[number]

interface FieldViolation { field: string, description: string }

function isType (detail: Detail, type: string): boolean {
  return detail['@type'] === `type.googleapis.com/${type}`
}

export interface Refusal {
  httpStatus: number
  code: number | undefined
  reason: unknown
  domain: unknown
  violations: FieldViolation[]
}

// refusedPageSize asks for a negative page of notices and reads the
// refusal: its code, its ErrorInfo and its BadRequest field violations.
export async function refusedPageSize (client: Client): Promise<Refusal> {
  const { data, error, response } = await client.GET('/v1/notices', { params: { query: { page_size: -1 } } })
  if (data !== undefined || error === undefined) throw new Error('a negative page_size was accepted')
  const details: Detail[] = error.details ?? []
  const info = details.find(d => isType(d, 'google.rpc.ErrorInfo'))
  const badRequest = details.find(d => isType(d, 'google.rpc.BadRequest'))
  return {
    httpStatus: response.status,
    code: error.code,
    reason: info?.reason,
    domain: info?.domain,
    violations: (badRequest?.field_violations ?? []) as FieldViolation[]
  }
}
