// The public types compile under `tsc --strict` with the example, and the example runs against the emulator.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmulator } from './emulator.mjs'

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

test('the example type-checks under tsc --strict', () => {
  const tsc = path.join(pkg, 'node_modules', 'typescript', 'bin', 'tsc')
  execFileSync(process.execPath, [tsc, '-p', path.join(pkg, 'examples', 'tsconfig.json')], { stdio: 'pipe' })
})

test('the example runs', async () => {
  const emu = await startEmulator('--throttle', 'off', '--devices', '200')
  try {
    const s = emu.samples
    const out = execFileSync(process.execPath, [path.join(pkg, 'examples', 'reset.mjs'), emu.graphUrl, emu.token,
      s.device_id, s.windows_device_id, s.ios_device_id], { encoding: 'utf8' })
    assert.match(out, /HTTP 204/)
    assert.match(out, /UNSUPPORTED_DEVICE/)
  } finally {
    emu.stop()
  }
})

test('the fixture example runs as a user would run it (node --test)', () => {
  // Without the runner's NODE_TEST_CONTEXT, a nested `node --test` reports in TAP as a user's would.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env
  const out = execFileSync(process.execPath, ['--test', path.join(pkg, 'examples', 'fixture.test.mjs')],
    { encoding: 'utf8', env })
  assert.match(out, /# pass 1/)
})
