// The fixture users get: `intune-passcode/testing` (startEmulator), each feature used as a user's test would.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { existsSync, mkdtempSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { OutcomeUnknownError, UnsupportedDeviceError, ThrottledError, Client } from 'intune-passcode'
import { startEmulator, FAULTS } from 'intune-passcode/testing'

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const resettable = (emu) => emu.devices().filter((d) => !['windows', 'macOS'].includes(d.platform) && !d.offline)
  .map((d) => d.id)
const threads = () => readdirSync('/proc/self/task').length

test('a fresh tenant that counts resets, with their routes', async () => {
  const emu = await startEmulator()
  try {
    assert.equal(emu.devices().length, 200)
    const device = resettable(emu)[0]
    const r = await emu.client().resetPasscode(device)
    assert.equal(r.status, 204)
    assert.equal(emu.resetCount(device), 1)
    const user = emu.devices().find((d) => d.id === device).userId
    emu.assertNoDeviceResetTwice()
    await emu.client().resetPasscode(device, { userId: user })
    assert.deepEqual(emu.resets().map((x) => [x.device_id, x.route]), [[device, 'device'], [device, 'user']])
    assert.throws(() => emu.assertNoDeviceResetTwice(), { name: 'AssertionError', message: new RegExp(`${device} \\(2 times\\)`) })
    assert.equal(emu.stats().executed, 2)
    assert.deepEqual(emu.requests(device).map((x) => x.method), ['POST', 'POST'])
  } finally {
    await emu.close()
  }
})

test('a scripted 504 ends unknown and is not sent again; a Windows device fails cleanly', async () => {
  const emu = await startEmulator({ devices: 60 })
  try {
    const device = resettable(emu)[0]
    emu.script(device, [504])
    await assert.rejects(emu.client().resetPasscode(device), OutcomeUnknownError)
    assert.equal(emu.requests(device).length, 1)
    assert.equal(emu.resetCount(device), 0)
    assert.throws(() => emu.script(device, [429, 42]), { name: 'RangeError', message: /42 is not a status from 100 to 599/ })
    emu.script(device, [429, { status: 204 }])
    assert.equal((await emu.client().resetPasscode(device)).status, 204)
    const windows = emu.devices('WINDOWS')
    assert.ok(windows.length > 0 && windows.every((d) => d.platform === 'windows'))
    await assert.rejects(emu.client().resetPasscode(windows[0].id), UnsupportedDeviceError)
    assert.equal(emu.resetCount(windows[0].id), 0)
  } finally {
    await emu.close()
  }
})

test('throttling and faults as options', async () => {
  const emu = await startEmulator({ devices: 30, throttle: [3, 60] })
  const gw = await startEmulator({ devices: 30, faults: { 504: 1 } })
  try {
    const ids = resettable(emu)
    const client = emu.client({ maxRetries: 0 })
    for (const d of ids.slice(0, 3)) await client.resetPasscode(d)
    await assert.rejects(client.resetPasscode(ids[3]), ThrottledError)
    await assert.rejects(gw.client().resetPasscode(resettable(gw)[0]), OutcomeUnknownError)
    assert.equal(gw.stats().faults['504'], 1)
  } finally {
    await emu.close()
    await gw.close()
  }
})

test('env() serves Client.fromEnvironment; two emulators share nothing', async () => {
  const a = await startEmulator({ devices: 20 })
  const b = await startEmulator({ devices: 20 })
  const saved = { ...process.env }
  try {
    Object.assign(process.env, a.env())
    const device = resettable(a)[0]
    await Client.fromEnvironment({ baseUrl: a.graphUrl }).resetPasscode(device)
    assert.notEqual(a.graphUrl, b.graphUrl)
    assert.deepEqual([a.resetCount(device), b.resetCount(device)], [1, 0])
  } finally {
    process.env = saved
    await a.close()
    await b.close()
  }
})

test('offline devices stay pending; unknown devices are refused', async () => {
  const emu = await startEmulator({ devices: 20 })
  try {
    const device = resettable(emu)[0]
    emu.setOffline(device)
    assert.equal(emu.devices().find((d) => d.id === device).offline, true)
    const sent = await emu.client().resetPasscode(device)
    assert.equal(sent.status, 204)
    const status = await emu.client().resetStatus(device)
    assert.equal(status.state, 'pending')
    emu.setOffline(device, false)
    assert.throws(() => emu.setOffline('no-such-device'), RangeError)
  } finally {
    await emu.close()
  }
})

test('close() releases the port and files; using a closed emulator is an error', async () => {
  const emu = await startEmulator({ devices: 10 })
  const port = Number(new URL(emu.graphUrl).port)
  assert.ok(emu.running && existsSync(emu.certificatePath))
  await emu.close()
  await emu.close()
  assert.ok(!emu.running && !existsSync(emu.certificatePath))
  await new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(port, '127.0.0.1', () => s.close(resolve))
  })
  assert.throws(() => emu.devices(), /stopped/)
})

test('await using closes it', { skip: typeof Symbol.asyncDispose !== 'symbol' && 'no Symbol.asyncDispose' }, async () => {
  const emu = await startEmulator({ devices: 5 })
  await emu[Symbol.asyncDispose]()
  assert.equal(emu.running, false)
})

for (const [options, error, message] of [
  [{ faults: { 430: 0.1 } }, RangeError, /unknown fault '430'.*stale_504/],
  [{ faults: { 429: 1.5 } }, RangeError, /from 0 to 1/],
  [{ faults: { 429: -1 } }, RangeError, /0 or more/],
  [{ faults: { 429: 'often' } }, TypeError, /must be a number/],
  [{ faults: { 429: 0.6, 504: 0.6 } }, RangeError, /more than 1/],
  [{ devices: 0 }, RangeError, /devices must be from 1/],
  [{ devices: 2.5 }, RangeError, /whole number/],
  [{ devices: '5' }, TypeError, /devices must be a number/],
  [{ throttle: 'sometimes' }, RangeError, /throttle/],
  [{ throttle: [0, 20] }, RangeError, /positive whole number/],
  [{ throttle: [10, 0] }, RangeError, /seconds above 0/],
  [{ throttle: 5 }, TypeError, /throttle/],
  [{ actionLagMs: -1 }, RangeError, /actionLagMs/],
  [{ tenant: '/nonexistent/tenant.json' }, RangeError, /nonexistent/],
  [{ devcies: 5 }, TypeError, /unknown option 'devcies'/],
]) {
  test(`bad settings are refused and start nothing: ${JSON.stringify(options)}`, async () => {
    const before = threads()
    await assert.rejects(startEmulator(options), (e) => e instanceof error && message.test(e.message))
    assert.equal(threads(), before)
  })
}

test('a tenant file that is not ours is refused; one that is, is served', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipc-tenant-'))
  const file = path.join(dir, 'tenant.json')
  for (const [text, message] of [['{"value": []}', /not valid/], ['not json', /not valid/],
    ['{"tenant_id": "t", "apps": [], "devices": []}', /privileged/]]) {
    writeFileSync(file, text)
    await assert.rejects(startEmulator({ tenant: file }), (e) => e instanceof RangeError && message.test(e.message))
  }
  writeFileSync(file, JSON.stringify({
    tenant_id: 't-1', apps: [{ client_id: 'c-1', client_secret: 's-1', privileged: true }],
    devices: [{ id: 'd-1', userId: 'u-1', platform: 'iOS' }],
  }))
  const emu = await startEmulator({ tenant: file })
  try {
    assert.equal(emu.tenantId, 't-1')
    await emu.client().resetPasscode('d-1')
    assert.equal(emu.resetCount('d-1'), 1)
  } finally {
    await emu.close()
  }
})

test('every listed fault name is accepted', async () => {
  for (const name of FAULTS) (await startEmulator({ devices: 1, faults: { [name]: 0 } })).stop()
})

test('a forgotten emulator does not keep the process alive, and is stopped at exit', () => {
  const code = `const { startEmulator } = require('intune-passcode/testing')
startEmulator({ devices: 5 }).then((e) => console.log(e.certificatePath))`
  const t = Date.now()
  const out = execFileSync(process.execPath, ['-e', code], { cwd: pkg, encoding: 'utf8', timeout: 30000 })
  assert.ok(Date.now() - t < 10000)
  assert.ok(!existsSync(out.trim()), 'stopped at exit: its files are gone')
})

test("require('intune-passcode') does not load the fixture", () => {
  const req = createRequire(path.join(pkg, 'package.json'))
  const code = `require('intune-passcode')
if (Object.keys(require.cache).some((f) => f.endsWith('testing.js'))) process.exit(3)
require('intune-passcode/testing')`
  const r = spawnSync(process.execPath, ['-e', code], { cwd: pkg })
  assert.equal(r.status, 0, String(r.stderr))
  assert.ok(req.resolve('intune-passcode/testing').endsWith('testing.js'))
})

test('the intune-passcode-emulator bin prints the ready line and stops on SIGTERM', async () => {
  const bin = path.join(pkg, 'bin', 'intune-passcode-emulator.js')
  const proc = spawn(process.execPath, [bin, '--devices', '5', '--throttle', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const line = await new Promise((resolve, reject) => {
      const rl = createInterface({ input: proc.stdout })
      rl.once('line', (l) => { rl.close(); resolve(l) })
      proc.once('exit', (c) => reject(new Error(`exited ${c}`)))
    })
    const ready = JSON.parse(line)
    assert.match(ready.graph_url, /^http:\/\/127\.0\.0\.1:\d+\/v1\.0$/)
    const exited = new Promise((resolve) => proc.once('exit', resolve))
    proc.kill('SIGTERM')
    assert.equal(await exited, 0)
  } finally {
    proc.kill('SIGKILL')
  }
  const bad = spawnSync(process.execPath, [bin, '--faults', 'nope=1'], { encoding: 'utf8' })
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /unknown fault 'nope'/)
})
