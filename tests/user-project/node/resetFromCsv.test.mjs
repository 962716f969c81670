// Tests of resetFromCsv.mjs against the Graph emulator of intune-passcode/testing: a fresh 200-device tenant per
// test, no throttling, no tenant and no network. Run with `npm test` (node --test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator } from 'intune-passcode/testing'
import { run } from './resetFromCsv.mjs'

const UNSUPPORTED = ['windows', 'macOS']

/** The portal's export, as far as the script reads it: Device ID, Device name, OS. */
function writeCsv(devices) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'reset-from-csv-')), 'devices.csv')
  const lines = ['Device ID,Device name,OS', ...devices.map((d) => `${d.id},${d.platform}-${d.id.slice(0, 8)},${d.platform}`)]
  writeFileSync(file, lines.join('\r\n') + '\r\n')
  return file
}

/** A fresh emulator for one test, closed when the test ends. */
async function emulator(t, options) {
  const emu = await startEmulator(options)
  t.after(() => emu.close())
  return emu
}

const resettable = (emu, n) => emu.devices().filter((d) => !UNSUPPORTED.includes(d.platform)).slice(0, n)
const posts = (emu, id) => emu.requests(id).filter((r) => r.method === 'POST').length
const journalBeside = (csv) => path.join(path.dirname(csv), 'job.jsonl')
const quiet = { log: () => {} }

test('resettable devices are all ok', async (t) => {
  const emu = await emulator(t)
  const devices = resettable(emu, 12)
  const csv = writeCsv(devices)
  const summary = await run(csv, emu.client(), journalBeside(csv), quiet)
  assert.deepEqual(summary, { ok: 12, unknown: 0, failed: 0 })
  assert.deepEqual(emu.resets().map((r) => r.device_id).sort(), devices.map((d) => d.id).sort())
  emu.assertNoDeviceResetTwice()
})

test('a 504 ends unknown and the next run does not send it again', async (t) => {
  const emu = await emulator(t)
  const devices = resettable(emu, 5)
  const lost = devices[0].id
  emu.script(lost, [504]) // the gateway gave up; this one did not run the reset
  const csv = writeCsv(devices)
  const options = { verifyUnknownMs: 1000, ...quiet }

  const first = await run(csv, emu.client(), journalBeside(csv), options)
  assert.deepEqual(first, { ok: 4, unknown: 1, failed: 0 })
  assert.equal(posts(emu, lost), 1) // a 504 is never retried: it may have run
  assert.equal(emu.resetCount(lost), 0)

  // The same job again: done devices come from the journal, the unknown one stays unknown and is not sent.
  const second = await run(csv, emu.client(), journalBeside(csv), options)
  assert.deepEqual(second, first)
  assert.equal(posts(emu, lost), 1)
  assert.equal(emu.resetCount(lost), 0)
  assert.equal(emu.stats().executed, 4)
  emu.assertNoDeviceResetTwice()
})

test('Windows devices fail cleanly', async (t) => {
  const emu = await emulator(t)
  const windows = emu.devices('windows').slice(0, 3)
  const android = resettable(emu, 2)
  const csv = writeCsv([...windows, ...android])
  const lines = []
  const summary = await run(csv, emu.client(), journalBeside(csv), { log: (l) => lines.push(l) })
  assert.deepEqual(summary, { ok: 2, unknown: 0, failed: 3 })
  const failed = lines.filter((l) => l.startsWith('failed'))
  assert.equal(failed.length, 3, lines.join('\n'))
  for (const l of failed) assert.match(l, /UNSUPPORTED_DEVICE \(HTTP 400\)/)
  for (const d of windows) assert.equal(emu.resetCount(d.id), 0) // Intune refused: nothing executed
  assert.deepEqual(emu.resets().map((r) => r.device_id).sort(), android.map((d) => d.id).sort())
})
