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

test('the shared vectors are there', () => assert.equal(files.length, 40))

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
    const route = { userId: t.user_id ?? undefined, detectedAppId: t.detected_app_id ?? undefined }
    const call = v.call ?? 'reset_passcode'
    const started = performance.now()
    let got
    try {
      if (call === 'reset_passcode') {
        const r = await client.resetPasscode(t.device_id, route)
        got = { ok: true, status: r.status, attempts: r.attempts, request_id: r.requestId }
      } else if (call === 'reset_status') {
        const a = await client.resetStatus(t.device_id, route)
        got = { ok: true, found: a !== null }
        if (a) Object.assign(got, { state: a.state, passcode: a.passcode ? a.passcode.reveal() : null })
      } else {
        assert.equal(call, 'confirm_reset')
        const c = await client.confirmReset(t.device_id, new Date(v.options.sent_at), { ...route, withinMs: v.options.within_ms ?? 10000 })
        got = c.accepted
          ? { ok: true, confirmation: 'accepted', state: c.action.state }
          : { ok: true, confirmation: 'not_seen', latest_state: c.latest ? c.latest.state : null }
      }
    } catch (e) {
      assert.ok(e instanceof IntunePasscodeError, String(e))
      got = {
        ok: false, code: e.code, status: e.status, graph_code: e.graphCode, request_id: e.requestId,
        attempts: e.attempts, retry_after_ms: e.retryAfterMs, intune_activity_id: e.intuneActivityId,
      }
    }
    const elapsed = performance.now() - started
    // One checker for every language: it walks `expect` and reads the request log itself (also for an empty ID).
    await emu.checkVector(v, got, elapsed)
  })
}
