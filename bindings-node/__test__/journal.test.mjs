// Journaled bulk runs from Node: a rerun sends nothing, Ctrl-C (SIGINT) leaves a journal that a resume finishes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ip from '../intune-passcode.mjs'
import { startEmulator } from './emulator.mjs'

const { Client, Journal } = ip
let emu
before(async () => { emu = await startEmulator('--throttle', 'off', '--devices', '600', '--faults', 'latency=1,latency_ms=40') })
after(() => emu.stop())
const dir = mkdtempSync(path.join(tmpdir(), 'ipc-journal-'))

test('a rerun reports from the journal and sends nothing; bad journals are refused', async () => {
  const c = new Client({ token: emu.token, baseUrl: emu.graphUrl })
  const ids = (await emu.resettable()).slice(0, 20)
  const file = path.join(dir, 'rerun.jsonl')
  for await (const item of c.resetPasscodes(ids, { pace: null, journal: file })) assert.ok(item.receipt && !item.fromJournal)
  const j = new Journal(file)
  assert.deepEqual(j.summary(), { total: 20, planned: 0, sending: 0, ok: 20, failed: 0, unknown: 0 })
  assert.deepEqual([...j].map((r) => r.deviceId), ids)
  const sent = (await emu.stats()).requests
  for await (const item of c.resetPasscodes(ids, { pace: null, journal: file })) assert.ok(item.fromJournal && item.receipt.fromJournal)
  assert.equal((await emu.stats()).requests, sent)

  const notes = path.join(dir, 'notes.txt')
  writeFileSync(notes, 'my shopping list\n')
  assert.throws(() => c.resetPasscodes(['d'], { journal: notes }), ip.InvalidArgumentError)
  assert.throws(() => new Journal(notes), ip.InvalidArgumentError)
  assert.throws(() => c.resetPasscodes(['d'], { journal: 5 }), TypeError)
  assert.throws(() => c.resetPasscodes(['d'], { journal: file, retryFailed: 'yes' }), TypeError)
  assert.equal(readFileSync(notes, 'utf8'), 'my shopping list\n')
})

const here = path.dirname(fileURLToPath(import.meta.url))
const child = `
import { Client } from ${JSON.stringify(path.join(here, '..', 'intune-passcode.mjs'))}
const [url, token, idsFile, journal] = process.argv.slice(1)
const ids = (await import('node:fs')).readFileSync(idsFile, 'utf8').split('\\n')
const c = new Client({ token, baseUrl: url })
process.on('SIGINT', () => { console.log('interrupted'); process.exit(130) })
console.log('ready')
let n = 0
for await (const _ of c.resetPasscodes(ids, { pace: null, concurrency: 4, journal })) console.log('done', ++n)
`

test('Ctrl-C mid-run leaves a journal that a resume finishes, every device reset once', async () => {
  const ids = (await emu.resettable()).slice(100, 300)
  const idsFile = path.join(dir, 'ids.txt')
  writeFileSync(idsFile, ids.join('\n'))
  const file = path.join(dir, 'ctrl-c.jsonl')
  const p = spawn(process.execPath, ['--input-type=module', '-e', child, emu.graphUrl, emu.token, idsFile, file], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  await new Promise((resolve) => {
    p.stdout.on('data', (d) => {
      out += d
      if (out.includes('done 20\n') && !p.killed) p.kill('SIGINT')
    })
    p.on('exit', resolve)
  })
  assert.match(out, /interrupted/)
  const partial = new Journal(file).summary()
  assert.ok(partial.ok >= 20 && partial.ok < 200, JSON.stringify(partial))
  await new Promise((r) => setTimeout(r, 500))
  const c = new Client({ token: emu.token, baseUrl: emu.graphUrl })
  let ledger = new Map()
  const items = []
  for await (const item of c.resetPasscodes(ids, { pace: null, concurrency: 16, journal: file, verifyUnknownMs: 3000 })) items.push(item)
  ledger = new Map((await emu.devices()).map((d) => [d.id, d.resetCount]))
  assert.equal(items.length, 200)
  for (const item of items) {
    if (item.receipt) assert.equal(ledger.get(item.deviceId), 1)
    else {
      // Its intent was on disk but SIGINT came before the request left: unconfirmed, so not resent.
      assert.ok(item.error instanceof ip.OutcomeUnknownError && item.fromJournal, String(item.error))
      assert.equal(ledger.get(item.deviceId), 0)
    }
  }
  // Asked explicitly, the unconfirmed ones are sent; now every device has been reset exactly once.
  for await (const item of c.resetPasscodes(ids, { pace: null, journal: file, verifyUnknownMs: 1000, resendUnconfirmed: true })) assert.ok(item.receipt)
  ledger = new Map((await emu.devices()).map((d) => [d.id, d.resetCount]))
  assert.ok(ids.every((d) => ledger.get(d) === 1), 'every device reset exactly once')
  assert.equal(new Journal(file).summary().ok, 200)
})

test('another job in the folder holds its devices until told again (recentMs: null)', async () => {
  const c = new Client({ token: emu.token, baseUrl: emu.graphUrl })
  const ids = (await emu.resettable()).slice(400, 404)
  const jobs = mkdtempSync(path.join(tmpdir(), 'ipc-jobs-'))
  for await (const item of c.resetPasscodes(ids.slice(0, 3), { pace: null, journal: path.join(jobs, 'job-1.jsonl') })) {
    assert.equal(item.heldBy, null)
  }
  const changed = [`{${ids[0].toUpperCase()}}`, ...ids.slice(1)]
  const held = new Map()
  for await (const item of c.resetPasscodes(changed, { pace: null, journal: path.join(jobs, 'job-2.jsonl') })) {
    held.set(item.deviceId, item)
  }
  assert.deepEqual(changed.map((d) => held.get(d).heldBy), ['job-1', 'job-1', 'job-1', null])
  assert.ok(changed.slice(0, 3).every((d) => held.get(d).fromJournal && held.get(d).receipt.heldBy === 'job-1'))
  const before = (await emu.stats()).requests
  for await (const item of c.resetPasscodes(ids.slice(0, 1), { pace: null, journal: path.join(jobs, 'job-3.jsonl'), recentMs: null })) {
    assert.ok(item.receipt && item.heldBy === null)
  }
  assert.equal((await emu.stats()).requests, before + 1, 'recentMs: null sends again')
  assert.throws(() => c.resetPasscodes(ids, { journal: path.join(jobs, 'job-4.jsonl'), recentMs: 'week' }), TypeError)
})
