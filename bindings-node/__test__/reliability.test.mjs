// Issue 7 in Node: the secrets audit, the log hook, and hostile input not covered in client.test.mjs.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as ip from '../intune-passcode.mjs'
import { startEmulator } from './emulator.mjs'

const FAKE_TOKEN = 'eyJFAKE-TOKEN-f00dfeed-5ecret-b0dy'
const FAKE_SECRET = 'CLIENT-SECRET-d00d-c0ffee-5ecret'
let emu
before(async () => { emu = await startEmulator('--throttle', 'off') })
after(() => emu.stop())

test('secrets audit: no token or client secret in any output, log record, error or inspect()', async () => {
  await emu.script('secrets-429', [{ status: 429, headers: { 'Retry-After': '0.01' } }, { status: 429, headers: { 'Retry-After': '0.01' } }])
  const driver = fileURLToPath(new URL('./secrets_driver.mjs', import.meta.url))
  const android = (await emu.devices()).find((d) => d.platform === 'androidDedicated' && !d.offline && d.resetCount === 0).id
  const out = spawnSync(process.execPath, [driver, JSON.stringify(emu.info), FAKE_TOKEN, FAKE_SECRET, android],
    { encoding: 'utf8', timeout: 120_000 })
  const text = out.stdout + out.stderr
  assert.equal(out.status, 0, text.slice(-3000))
  for (const seen of ['driver done', 'raised NotFoundError', 'raised PermissionDeniedError', 'raised ThrottledError',
    'raised AuthenticationError', 'raised CredentialError', 'raised InvalidArgumentError', 'log debug', 'log info intune_passcode']) {
    assert.ok(text.includes(seen), `${seen} is not in the driver's output`)
  }
  // The passcode the driver read back, revealed here only.
  const action = await new ip.Client({ token: emu.token, baseUrl: emu.graphUrl }).resetStatus(android)
  assert.ok(action && action.passcode && text.includes('Passcode(***)'))
  for (const secret of [FAKE_TOKEN, FAKE_SECRET, emu.token, emu.info.client_secret, emu.info.unprivileged_client_secret,
    action.passcode.reveal()]) {
    assert.ok(!text.includes(secret), 'a secret appears in the output')
  }
})

test('setLogger: records arrive, null stops them, bad arguments are TypeErrors', async () => {
  const seen = []
  ip.setLogger((r) => seen.push(r), { level: 'info' })
  const c = new ip.Client({ token: emu.token, baseUrl: emu.graphUrl })
  await c.resetPasscode(emu.samples.device_id)
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.ok(seen.some((r) => r.target.startsWith('intune_passcode') && r.level === 'info'), JSON.stringify(seen))
  assert.ok(!seen.some((r) => r.level === 'debug' || r.level === 'trace'))
  ip.setLogger(null)
  const n = seen.length
  await c.resetPasscode(emu.samples.device_id)
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(seen.length, n)
  assert.throws(() => ip.setLogger('nope'), TypeError)
  assert.throws(() => ip.setLogger(() => {}, { level: 'loud' }), TypeError)
})

test('hostile input: a 1 MiB ID, a credential that hangs past the deadline; nothing sent, no crash', async () => {
  const before = (await emu.stats()).requests
  const c = new ip.Client({ token: emu.token, baseUrl: emu.graphUrl })
  await assert.rejects(c.resetPasscode('x'.repeat(1 << 20)), ip.InvalidArgumentError)
  await assert.rejects(c.resetPasscode('d', { userId: '\uDC00' }), ip.InvalidArgumentError)
  const hangs = new ip.Client({ credential: { getToken: () => new Promise(() => {}) }, baseUrl: emu.graphUrl, timeoutMs: 300 })
  const started = Date.now()
  await assert.rejects(hangs.resetPasscode('d'), (e) => e.code === 'TIMEOUT')
  assert.ok(Date.now() - started < 2500)
  assert.equal((await emu.stats()).requests, before)
})
