// @ts-check
// Testing your own automation with the emulator as a fixture (node:test):  node --test examples/fixture.test.mjs
// Type-checked with `tsc --strict` (examples/tsconfig.json).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { OutcomeUnknownError } from 'intune-passcode'
import { startEmulator } from 'intune-passcode/testing'

test('a gateway timeout is reported unknown and never sent twice', async () => {
  const emu = await startEmulator({ devices: 50 })
  try {
    const device = emu.devices('iOS').find((d) => !d.offline)
    assert.ok(device)
    emu.script(device.id, [504])
    const client = emu.client()
    await assert.rejects(client.resetPasscode(device.id), OutcomeUnknownError)
    assert.equal(emu.requests(device.id).length, 1)
    emu.assertNoDeviceResetTwice()
  } finally {
    await emu.close()
  }
})
