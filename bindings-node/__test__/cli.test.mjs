// The npm `bin` is the Rust command line: the same output and journal as the Rust binary, exit codes included.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmulator } from './emulator.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const bin = path.resolve(here, '..', 'bin', 'intune-passcode.js')
const rustBin = process.env.CLI_BIN || path.resolve(here, '..', '..', 'target', 'debug', 'intune-passcode')

let emu
before(async () => { emu = await startEmulator('--throttle', 'off', '--devices', '200') })
after(() => emu.stop())

function run(cmd, args, env) {
  return spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'] })
}

test('the bin runs the Rust command line: same dry run, a real run whose journal the Rust binary reads', async () => {
  const i = emu.info
  const env = {
    PATH: process.env.PATH, INTUNE_PASSCODE_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'ipc-cli-')),
    AZURE_TENANT_ID: i.tenant_id, AZURE_CLIENT_ID: i.client_id, AZURE_CLIENT_SECRET: i.client_secret,
    AZURE_AUTHORITY_HOST: i.authority_url,
  }
  const ids = (await emu.resettable()).slice(0, 3)
  const base = ['--base-url', emu.graphUrl]
  const dry = ['reset', '--dry-run', ...ids, ...base]
  const fromNode = run(process.execPath, [bin, ...dry], env)
  const fromRust = run(rustBin, dry, env)
  assert.equal(fromNode.status, 0, fromNode.stderr)
  assert.equal(fromNode.stdout, fromRust.stdout)
  const real = run(process.execPath, [bin, 'reset', '--yes', '--json', ...ids, ...base], env)
  assert.equal(real.status, 0, real.stderr)
  const lines = real.stdout.trim().split('\n').map((l) => JSON.parse(l))
  assert.deepEqual(lines.slice(0, 3).map((l) => l.outcome), ['ok', 'ok', 'ok'])
  const report = run(rustBin, ['jobs', 'report', lines[3].job, '--format', 'jsonl'], env)
  assert.equal(report.status, 0, report.stderr)
  assert.deepEqual(report.stdout.trim().split('\n').map((l) => JSON.parse(l).device_id).sort(), [...ids].sort())
  assert.equal(run(process.execPath, [bin, 'reset', ...base], env).status, 2)
  const again = run(process.execPath, [bin, 'reset', '--yes', ...ids, ...base], env)
  assert.equal(again.status, 2)
  assert.match(again.stderr, /already ran this input/)
  assert.equal((await emu.stats()).devices_reset_more_than_once, 0)
})

test('a platform without an addon gets an error that names it', () => {
  // The generated loader tries only this path when it is set: as on a platform with no published package.
  const out = spawnSync(process.execPath, ['-e', "require('./intune-passcode.js')"], {
    cwd: path.resolve(here, '..'),
    env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/intune-passcode.node' },
    encoding: 'utf8',
  })
  assert.notEqual(out.status, 0)
  assert.match(out.stderr, /no native addon for this platform \(linux-x64-gnu\)/)
  assert.match(out.stderr, /intune-passcode-linux-x64-gnu/)
})
