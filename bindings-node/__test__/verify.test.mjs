// Reading resets back from Node: the record, the passcode that never prints, bulk confirmation against the ledger.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import * as ip from '../intune-passcode.mjs'
import { startEmulator } from './emulator.mjs'

const { Client } = ip
let emu
before(async () => { emu = await startEmulator('--throttle', 'off', '--devices', '600') })
after(() => emu.stop())

test('Android gets a passcode that never prints; iOS none', async () => {
  const c = new Client({ token: emu.token, baseUrl: emu.graphUrl })
  const r = await c.resetPasscode(emu.samples.device_id)
  assert.ok(r.sentAt instanceof Date && Math.abs(Date.now() - r.sentAt.getTime()) < 30000)
  assert.equal(r.confirmedBy, 'response')
  assert.equal(r.action, null)
  const a = await c.waitForReset(emu.samples.device_id, r.sentAt, { timeoutMs: 15000 })
  assert.equal(a.state, 'done')
  assert.ok(a.isFinal && a.startedAt instanceof Date)
  assert.ok(a.passcode instanceof ip.Passcode)
  const secret = a.passcode.reveal()
  assert.match(secret, /^\d{8}$/)
  assert.equal(String(a.passcode), '***')
  assert.equal(JSON.stringify(a.passcode), '"***"')
  for (const shown of [inspect(a), JSON.stringify(a), `${a.passcode}`, inspect(a, { showHidden: true, depth: 9 })]) {
    assert.ok(!shown.includes(secret), shown)
  }
  const latest = await c.resetStatus(emu.samples.device_id)
  assert.equal(latest.state, 'done')

  const ios = await c.resetPasscode(emu.samples.ios_device_id)
  const done = await c.waitForReset(emu.samples.ios_device_id, ios.sentAt.getTime(), { timeoutMs: 15000 })
  assert.equal(done.passcode, null)
})

test('confirmReset accepts a reset that ran, and bad arguments are refused before anything is sent', async () => {
  const c = new Client({ token: emu.token, baseUrl: emu.graphUrl })
  const device = (await emu.resettable())[300]
  const r = await c.resetPasscode(device)
  const found = await c.confirmReset(device, r.sentAt, { withinMs: 5000 })
  assert.equal(found.accepted, true)
  assert.ok(found.action && found.latest === null)
  // A record read before a request left never confirms it: only a newer one could.
  const again = await c.confirmReset(device, r.sentAt, { withinMs: 600, seenBefore: found.action.startedAt })
  assert.equal(again.accepted, false)
  assert.ok(again.latest)
  const before = (await emu.stats()).requests
  assert.throws(() => c.confirmReset(device, 'yesterday'), TypeError)
  await assert.rejects(c.confirmReset(device, r.sentAt, { withinMs: 0 }),
    (e) => e instanceof ip.InvalidArgumentError && /withinMs must be a number of milliseconds/.test(e.message))
  await assert.rejects(c.waitForReset('', r.sentAt), ip.InvalidArgumentError)
  assert.throws(() => c.resetPasscodes(['x'], { verifyUnknownMs: -1 }), ip.InvalidArgumentError)
  assert.equal((await emu.stats()).requests, before)
})

test('a bulk run confirms lost answers from the record and never resends', async () => {
  const gw = await startEmulator('--throttle', 'off', '--devices', '300', '--faults', '504=1')
  try {
    const c = new Client({ token: gw.token, baseUrl: gw.graphUrl })
    const ids = (await gw.resettable()).slice(0, 40)
    const items = []
    for await (const item of c.resetPasscodes(ids, { pace: null, concurrency: 8, verifyUnknownMs: 3000 })) items.push(item)
    const ledger = new Map((await gw.devices()).map((d) => [d.id, d.resetCount]))
    let confirmed = 0
    let unknown = 0
    for (const item of items) {
      if (item.receipt) {
        assert.equal(item.receipt.confirmedBy, 'action_result')
        assert.equal(item.receipt.status, 504)
        assert.ok(item.receipt.action)
        assert.equal(ledger.get(item.deviceId), 1)
        confirmed++
      } else {
        assert.ok(item.error instanceof ip.OutcomeUnknownError, String(item.error))
        assert.ok(item.error.sentAt instanceof Date)
        assert.match(item.error.message, /action record/)
        assert.equal(ledger.get(item.deviceId), 0)
        unknown++
      }
    }
    assert.ok(confirmed > 0 && unknown > 0 && confirmed + unknown === 40)
    const posts = (await Promise.all(ids.map((d) => gw.requests(d)))).flat().filter((q) => q.method === 'POST')
    assert.equal(posts.length, 40)
    // null or 0 turns it off (as in Python, C and the command line): unknowns come as they are, nothing is read.
    for (const [off, more] of [[null, (await gw.resettable()).slice(40, 45)], [0, (await gw.resettable()).slice(45, 50)]]) {
      for await (const item of c.resetPasscodes(more, { pace: null, verifyUnknownMs: off })) {
        assert.ok(item.error instanceof ip.OutcomeUnknownError, String(item.error))
      }
      const reads = (await Promise.all(more.map((d) => gw.requests(d)))).flat().filter((q) => q.method === 'GET')
      assert.equal(reads.length, 0, `verifyUnknownMs: ${off}`)
    }
  } finally {
    gw.stop()
  }
})
