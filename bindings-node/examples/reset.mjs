// @ts-check
// Reset one device, then several in bulk with progress, handling errors by code.
//   node examples/reset.mjs GRAPH_URL TOKEN DEVICE_ID [MORE_DEVICE_IDS...]
// Type-checked with `tsc --strict` (examples/tsconfig.json).
import { Client, IntunePasscodeError, OutcomeUnknownError } from 'intune-passcode'

const [graphUrl, token, deviceId, ...more] = process.argv.slice(2)
if (!graphUrl || !token || !deviceId) {
  console.error('usage: node examples/reset.mjs GRAPH_URL TOKEN DEVICE_ID [MORE_DEVICE_IDS...]')
  process.exit(2)
}
const client = new Client({ token, baseUrl: graphUrl })

try {
  const r = await client.resetPasscode(deviceId, { signal: AbortSignal.timeout(30_000) })
  console.log(`reset ${deviceId}: HTTP ${r.status}, request-id ${r.requestId}, attempts ${r.attempts}`)
} catch (e) {
  if (e instanceof OutcomeUnknownError) {
    console.log(`${deviceId}: sent but unconfirmed; check the device before retrying (${e.clientRequestId})`)
  } else if (e instanceof IntunePasscodeError) {
    console.log(`${deviceId}: ${e.code} ${e.status} request-id=${e.requestId}`)
  } else {
    throw e
  }
}

let done = 0
for await (const item of client.resetPasscodes(more, { concurrency: 8 })) {
  done += 1
  const outcome = item.receipt ? `ok, request-id ${item.receipt.requestId}` : item.error?.code
  console.log(`[${done}/${more.length}] ${String(item.deviceId)}: ${outcome}`)
}
