// The shared vectors in tests/vectors/, run through the Node binding.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, IntunePasscodeError } from '../intune-passcode.mjs'
import { startEmulator } from './emulator.mjs'

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'vectors')
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
let emu
before(async () => { emu = await startEmulator('--throttle', 'off', '--devices', '100') })
after(() => emu.stop())

test('the shared vectors are there', () => assert.ok(files.length >= 25))

for (const file of files) {
  const v = JSON.parse(readFileSync(path.join(dir, file), 'utf8'))
  test(`vector ${file}`, async () => {
    const t = v.target
    if (v.responses.length) await emu.script(t.device_id, v.responses)
    const client = new Client({
      token: emu.token,
      baseUrl: emu.graphUrl,
      maxRetries: v.options.max_retries ?? 3,
      timeoutMs: v.options.timeout_ms ?? 20000,
    })
    const x = v.expect
    const started = performance.now()
    let got
    try {
      const r = await client.resetPasscode(t.device_id, { userId: t.user_id ?? undefined, detectedAppId: t.detected_app_id ?? undefined })
      got = { ok: true, status: r.status, attempts: r.attempts, request_id: r.requestId }
    } catch (e) {
      assert.ok(e instanceof IntunePasscodeError, String(e))
      got = {
        ok: false, code: e.code, status: e.status, graph_code: e.graphCode, request_id: e.requestId,
        attempts: e.attempts, retry_after_ms: e.retryAfterMs, intune_activity_id: e.intuneActivityId,
      }
    }
    const elapsed = performance.now() - started
    for (const [k, val] of Object.entries(got)) if (k in x) assert.deepEqual(val, x[k], k)
    const seen = t.device_id ? await emu.requests(t.device_id) : []
    if ('requests_sent' in x) assert.equal(seen.length, x.requests_sent)
    if ('path' in x) assert.equal(seen[0].path, x.path)
    if ('same_client_request_id' in x) {
      const ids = new Set(seen.map((r) => r.headers['client-request-id']))
      assert.equal(ids.size === 1 && !ids.has(undefined), x.same_client_request_id)
    }
    if ('retry_attempt_headers' in x) assert.deepEqual(seen.map((r) => r.headers['retry-attempt'] ?? null), x.retry_attempt_headers)
    if ('min_elapsed_ms' in x) assert.ok(elapsed >= x.min_elapsed_ms - 1, `${elapsed}`)
    if ('max_elapsed_ms' in x) assert.ok(elapsed <= x.max_elapsed_ms, `${elapsed}`)
  })
}
