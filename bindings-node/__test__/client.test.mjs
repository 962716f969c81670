// The Node Client: routes, every error code with its fields, argument types, credentials, bulk, abort, liveness.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { createRequire } from 'node:module'
import * as ip from '../intune-passcode.mjs'
import { startEmulator } from './emulator.mjs'

const { Client } = ip
let emu
before(async () => { emu = await startEmulator('--throttle', 'off', '--devices', '8000') })
after(() => emu.stop())
const client = (o = {}) => new Client({ token: emu.token, baseUrl: emu.graphUrl, ...o })

test('CommonJS require and ESM import give the same API', () => {
  const cjs = createRequire(import.meta.url)('../intune-passcode.js')
  assert.equal(cjs.Client, Client)
  assert.equal(typeof ip.version, 'string')
})

test('three routes and the receipt', async () => {
  const s = emu.samples
  const c = client()
  const r = await c.resetPasscode(s.device_id)
  assert.equal(r.status, 204)
  assert.equal(r.attempts, 1)
  assert.ok(r.requestId && r.clientRequestId && r.date && r.agsDiagnostic)
  await c.resetPasscode(s.device_id, { userId: s.user_id })
  await c.resetPasscode(s.detected_app_device_id, { detectedAppId: s.detected_app_id })
  const paths = (await emu.requests(s.device_id)).map((q) => q.path)
  assert.ok(paths.some((p) => p.startsWith('/v1.0/users/')))
  assert.match((await emu.requests(s.device_id))[0].headers['user-agent'], /^intune-passcode\/.* \(node\/20\./)
})

async function rejects(promise, Cls, code) {
  try {
    await promise
  } catch (e) {
    assert.ok(e instanceof Cls, `${e && e.name}: ${e && e.message}`)
    assert.ok(e instanceof ip.IntunePasscodeError && e instanceof Error)
    assert.equal(e.code, code)
    assert.ok(e.message.startsWith(code))
    return e
  }
  assert.fail(`expected ${Cls.name}`)
}

async function closedPort() {
  const srv = net.createServer()
  await new Promise((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address()
  await new Promise((r) => srv.close(r))
  return port
}

test('every error code with its fields', async () => {
  const s = emu.samples
  const c = client({ maxRetries: 1 })
  let e = await rejects(c.resetPasscode('no-such-device'), ip.NotFoundError, 'NOT_FOUND')
  assert.equal(e.status, 404)
  assert.equal(e.graphCode, 'ResourceNotFound')
  assert.ok(e.requestId && e.clientRequestId && e.date)
  assert.ok(e.message.includes(e.requestId))
  e = await rejects(c.resetPasscode(s.windows_device_id), ip.UnsupportedDeviceError, 'UNSUPPORTED_DEVICE')
  assert.ok(e.intuneActivityId)
  assert.ok(e.intuneOperationId && e.message.includes(`Intune operation ID: ${e.intuneOperationId}`), e.message)
  assert.ok(e.message.includes(`Intune activity ID: ${e.intuneActivityId}`), e.message)
  assert.ok(e.message.includes('not supported on windows devices'), e.message)
  const unpriv = new Client({
    tenantId: emu.info.tenant_id, clientId: emu.info.unprivileged_client_id, clientSecret: emu.info.unprivileged_client_secret,
    baseUrl: emu.graphUrl, authorityUrl: emu.info.authority_url,
  })
  e = await rejects(unpriv.resetPasscode(s.device_id), ip.PermissionDeniedError, 'PERMISSION_DENIED')
  assert.ok(e.message.includes('DeviceManagementManagedDevices.PrivilegedOperations.All'))
  await rejects(client({ token: 'nope' }).resetPasscode(s.device_id), ip.AuthenticationError, 'AUTHENTICATION')
  await emu.script('js-429', [{ status: 429, headers: { 'Retry-After': '0.05' } }, { status: 429, headers: { 'Retry-After': '0.05' } }])
  e = await rejects(c.resetPasscode('js-429'), ip.ThrottledError, 'THROTTLED')
  assert.equal(e.retryAfterMs, 50)
  assert.equal(e.attempts, 2)
  await emu.script('js-503', [{ status: 503, headers: { 'Retry-After': '0.05' } }, { status: 503, headers: { 'Retry-After': '0.05' } }])
  await rejects(c.resetPasscode('js-503'), ip.ServiceUnavailableError, 'SERVICE_UNAVAILABLE')
  await emu.script('js-504', [{ status: 504 }])
  await rejects(c.resetPasscode('js-504'), ip.OutcomeUnknownError, 'OUTCOME_UNKNOWN')
  await emu.script('js-409', [{ status: 409 }])
  await rejects(c.resetPasscode('js-409'), ip.BadRequestError, 'BAD_REQUEST')
  await emu.script('js-302', [{ status: 302, headers: { Location: 'https://example.com/' } }])
  await rejects(c.resetPasscode('js-302'), ip.UnexpectedResponseError, 'UNEXPECTED_RESPONSE')
  const port = await closedPort()
  await rejects(new Client({ token: 't', baseUrl: `http://127.0.0.1:${port}/v1.0`, maxRetries: 0 }).resetPasscode('d'), ip.NetworkError, 'NETWORK')
  e = await rejects(new Client({
    tenantId: emu.info.tenant_id, clientId: emu.info.client_id, clientSecret: 'wrong-secret',
    baseUrl: emu.graphUrl, authorityUrl: emu.info.authority_url,
  }).resetPasscode(s.device_id), ip.CredentialError, 'CREDENTIAL')
  assert.ok(e.message.includes('AADSTS7000215'))
  assert.ok(!e.message.includes('wrong-secret'))
  const hangs = new Client({ credential: { getToken: () => new Promise(() => {}) }, baseUrl: emu.graphUrl, timeoutMs: 300 })
  await rejects(hangs.resetPasscode('d'), ip.TimeoutError, 'TIMEOUT')
})

test('bad input: TypeError synchronously, INVALID_ARGUMENT for bad values, nothing sent', async () => {
  const c = client()
  const before = (await emu.stats()).requests
  for (const bad of [undefined, null, 5, {}, ['x'], { toString() { throw new Error('boom') } }]) {
    assert.throws(() => c.resetPasscode(bad), TypeError)
  }
  assert.throws(() => c.resetPasscode('d', { userId: 5 }), TypeError)
  assert.throws(() => c.resetPasscode('d', { signal: 'nope' }), TypeError)
  for (const bad of ['', '..', 'a\u0000b', 'x'.repeat(1025), '\uD800']) {
    await rejects(c.resetPasscode(bad), ip.InvalidArgumentError, 'INVALID_ARGUMENT')
  }
  await rejects(c.resetPasscode('d', { userId: 'u', detectedAppId: 'a' }), ip.InvalidArgumentError, 'INVALID_ARGUMENT')
  assert.equal((await emu.stats()).requests, before)
  assert.throws(() => new Client(), TypeError)
  assert.throws(() => new Client({ token: 5 }), TypeError)
  assert.throws(() => new Client({ token: 't', timeoutMs: '5' }), TypeError)
  assert.throws(() => new Client({ credential: {} }), TypeError)
  assert.throws(() => new Client({}), ip.InvalidArgumentError)
  assert.throws(() => new Client({ tenantId: 't', clientId: 'c' }), ip.InvalidArgumentError)
  for (const o of [{ baseUrl: 'http://graph.example.com/v1.0' }, { timeoutMs: 0 }, { maxRetries: 11 },
    { maxRetries: -1 }, { maxRetries: 1.5 }, { cloud: 'mars' }, { apiVersion: 'v2' }]) {
    assert.throws(() => new Client({ token: 't', ...o }), ip.InvalidArgumentError, JSON.stringify(o))
  }
})

test('a credential object is called once per expiry; its rejection becomes the cause', async () => {
  let calls = 0
  const cred = { getToken: async (scopes) => { calls++; assert.deepEqual(scopes, ['https://graph.microsoft.com/.default']); return { token: emu.token, expiresOnTimestamp: Date.now() + 3600e3 } } }
  const c = new Client({ credential: cred, baseUrl: emu.graphUrl })
  const ids = (await emu.resettable()).slice(0, 20)
  await Promise.all(ids.map((d) => c.resetPasscode(d)))
  assert.equal(calls, 1)
  let shortCalls = 0
  const short = new Client({ credential: { getToken: async () => { shortCalls++; return { token: emu.token, expiresOnTimestamp: Date.now() + 2000 } } }, baseUrl: emu.graphUrl })
  await short.resetPasscode(ids[0])
  await short.resetPasscode(ids[1])
  assert.equal(shortCalls, 1)
  await new Promise((r) => setTimeout(r, 1200)) // past half its life: refreshed before use
  await short.resetPasscode(ids[2])
  assert.equal(shortCalls, 2)
  const boom = new Error('vault sealed')
  const failing = new Client({ credential: { getToken: async () => { throw boom } }, baseUrl: emu.graphUrl })
  const e = await rejects(failing.resetPasscode('d'), ip.CredentialError, 'CREDENTIAL')
  assert.equal(e.cause, boom)
  const syncThrow = new Client({ credential: { getToken() { throw boom } }, baseUrl: emu.graphUrl })
  assert.equal((await rejects(syncThrow.resetPasscode('d'), ip.CredentialError, 'CREDENTIAL')).cause, boom)
  const garbage = new Client({ credential: { getToken: async () => 42 }, baseUrl: emu.graphUrl })
  await rejects(garbage.resetPasscode('d'), ip.CredentialError, 'CREDENTIAL')
})

test('client credentials: one token for many calls', async () => {
  const c = new Client({ tenantId: emu.info.tenant_id, clientId: emu.info.client_id, clientSecret: emu.info.client_secret, baseUrl: emu.graphUrl, authorityUrl: emu.info.authority_url })
  const before = (await emu.stats()).token_requests
  const ids = (await emu.resettable()).slice(100, 130)
  await Promise.all(ids.map((d) => c.resetPasscode(d)))
  assert.equal((await emu.stats()).token_requests, before + 1)
})

test('bulk: pace holds every window to its writes', async () => {
  // The emulator does not throttle here: only the client's pacing can spread these 30 writes over 2 s or more.
  const fresh = await startEmulator('--throttle', 'off', '--devices', '200')
  try {
    const c = new Client({ token: fresh.token, baseUrl: fresh.graphUrl })
    const ids = (await fresh.resettable()).slice(0, 30)
    let ok = 0
    for await (const item of c.resetPasscodes(ids, { concurrency: 16, pace: { writes: 10, seconds: 1 } })) if (item.receipt) ok++
    assert.equal(ok, 30)
    const times = (await Promise.all(ids.map((d) => fresh.requests(d)))).flat().map((r) => r.at_ms).sort((a, b) => a - b)
    assert.equal(times.length, 30)
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))
    assert.ok(busiest <= 10, `${busiest} writes in one 1 s window; pace was 10 per second`)
    assert.ok(times[29] - times[0] >= 1900, `${times}`)
  } finally {
    fresh.stop()
  }
})

test('bulk: 5k ids, one item each, none reset twice', async () => {
  const fresh = await startEmulator('--throttle', 'off', '--devices', '6000')
  try {
    const c = new Client({ token: fresh.token, baseUrl: fresh.graphUrl })
    const ids = (await fresh.devices()).map((d) => d.id).slice(0, 5000)
    const seen = new Map()
    for await (const item of c.resetPasscodes(ids, { concurrency: 32, pace: null })) {
      seen.set(item.deviceId, (seen.get(item.deviceId) ?? 0) + 1)
      assert.ok((item.receipt === null) !== (item.error === null))
      if (item.error) assert.ok(item.error instanceof ip.UnsupportedDeviceError, item.error.message)
    }
    assert.equal(seen.size, 5000)
    assert.ok([...seen.values()].every((n) => n === 1))
    const stats = await fresh.stats()
    assert.equal(stats.requests, 5000)
    assert.equal(stats.devices_reset_more_than_once, 0)
  } finally {
    fresh.stop()
  }
})

test('bulk: async iterable input, bad items, and an iterator that throws midway', async () => {
  const c = client()
  const good = (await emu.resettable()).slice(200, 206)
  async function* source() { yield good[0]; yield 5; yield '\uD800'; yield good[1]; throw new Error('source broke') }
  const items = []
  await assert.rejects(async () => { for await (const it of c.resetPasscodes(source(), { pace: null })) items.push(it) }, /source broke/)
  assert.equal(items.length, 4)
  const by = new Map(items.map((i) => [i.deviceId, i]))
  assert.ok(by.get(good[0]).receipt && by.get(good[1]).receipt)
  assert.ok(by.get(5).error instanceof ip.InvalidArgumentError)
  assert.ok(by.get('\uD800').error instanceof ip.InvalidArgumentError)
  assert.throws(() => c.resetPasscodes(5), TypeError)
  assert.throws(() => c.resetPasscodes(['x'], { pace: 'fast' }), ip.InvalidArgumentError)
  assert.throws(() => c.resetPasscodes(['x'], { concurrency: 0 }), ip.InvalidArgumentError)
  assert.throws(() => c.resetPasscodes(['x'], { pace: [1, 2] }), TypeError)
})

test('abort: a call in flight and a bulk run mid-way; nothing not yet sent is sent', async () => {
  await emu.script('js-slow', [{ status: 204, delay_ms: 5000 }])
  const c = client()
  const started = performance.now()
  await assert.rejects(c.resetPasscode('js-slow', { signal: AbortSignal.timeout(200) }), (e) => e.name === 'AbortError' || e.name === 'TimeoutError')
  assert.ok(performance.now() - started < 2000)
  const already = AbortController ? new AbortController() : null
  already.abort()
  await assert.rejects(c.resetPasscode('d', { signal: already.signal }), { name: 'AbortError' })

  const fresh = await startEmulator('--throttle', 'off', '--devices', '3000', '--faults', 'latency=1,latency_ms=20')
  try {
    const fc = new Client({ token: fresh.token, baseUrl: fresh.graphUrl })
    const ids = await fresh.resettable()
    const ac = new AbortController()
    let n = 0
    await assert.rejects(async () => {
      for await (const item of fc.resetPasscodes(ids, { concurrency: 4, pace: null, signal: ac.signal })) {
        assert.ok(item.receipt)
        if (++n === 10) ac.abort()
      }
    }, { name: 'AbortError' })
    // Outcomes already finished may sit in a small read-ahead buffer, but once aborted nothing new is sent.
    await new Promise((r) => setTimeout(r, 300))
    const settled = (await fresh.stats()).requests
    await new Promise((r) => setTimeout(r, 500))
    const later = (await fresh.stats()).requests
    assert.equal(later, settled, 'requests kept being sent after the abort')
    assert.ok(settled < 100, `${settled} of ${ids.length} devices were sent before the run stopped`)
  } finally {
    fresh.stop()
  }
})

test('the event loop keeps turning during 1k calls', async () => {
  const c = client()
  const ids = (await emu.resettable()).slice(1000, 2000)
  let ticks = 0
  const timer = setInterval(() => ticks++, 5)
  const started = performance.now()
  await Promise.all(ids.map((d) => c.resetPasscode(d)))
  const elapsed = performance.now() - started
  clearInterval(timer)
  assert.ok(ticks >= Math.floor(elapsed / 5 / 4), `${ticks} ticks in ${elapsed.toFixed(0)} ms`)
  assert.ok(ticks > 0)
})
