// Driven by reliability.test.mjs in a child process: every error path with the log hook at trace, every error and
// client printed (String, util.inspect, JSON, cause). The parent reads all of it and looks for the secrets.
//   node secrets_driver.mjs INFO_JSON FAKE_TOKEN FAKE_SECRET
import { inspect } from 'node:util'
import * as ip from '../intune-passcode.mjs'

const [infoJson, fakeToken, fakeSecret, android] = process.argv.slice(2)
const info = JSON.parse(infoJson)
const url = info.graph_url
const s = info.samples
ip.setLogger((r) => console.error(`log ${r.level} ${r.target} ${r.message}`), { level: 'trace' })

async function show (what, call) {
  try {
    console.log(what, 'returned', inspect(await call(), { depth: 5 }))
  } catch (e) {
    console.log(what, 'raised', e.name, String(e), inspect(e, { depth: 5, showHidden: true }), JSON.stringify(e),
      inspect(e.cause))
  }
}

const good = new ip.Client({ token: info.token, baseUrl: url, maxRetries: 1 })
console.log(inspect(good, { showHidden: true }))
const secretClient = (o) => new ip.Client({ tenantId: info.tenant_id, baseUrl: url, authorityUrl: info.authority_url, ...o })
await show('ok', () => good.resetPasscode(s.device_id))
await show('404', () => good.resetPasscode('no-such-device'))
await show('403', () => secretClient({ clientId: info.unprivileged_client_id, clientSecret: info.unprivileged_client_secret }).resetPasscode(s.device_id))
await show('429', () => good.resetPasscode('secrets-429'))
await show('401', () => new ip.Client({ token: fakeToken, baseUrl: url }).resetPasscode(s.device_id))
await show('wrong secret', () => secretClient({ clientId: info.client_id, clientSecret: fakeSecret }).resetPasscode(s.device_id))
await show('right secret', () => secretClient({ clientId: info.client_id, clientSecret: info.client_secret }).resetPasscode(s.device_id))
// A new passcode read back (last of this device's resets, so the parent can reveal it and look for it).
const sent = await good.resetPasscode(android)
const action = await good.waitForReset(android, sent.sentAt, { timeoutMs: 15000 })
await show('passcode', async () => [action, action.passcode, String(action.passcode), await good.resetStatus(android)])
await show('confirm', () => good.confirmReset(android, sent.sentAt, { withinMs: 2000 }))
await show('credential throws', () => new ip.Client({ credential: { getToken: async () => { throw new Error('vault sealed') } }, baseUrl: url }).resetPasscode('d'))
await show('credential garbage', () => new ip.Client({ credential: { getToken: async () => ({ token: fakeToken + '\n', expiresOnTimestamp: 'soon' }) }, baseUrl: url }).resetPasscode('d'))
await show('invalid id', () => good.resetPasscode('a\u0000b'))
await show('http to another host', () => new ip.Client({ token: fakeToken, baseUrl: 'http://graph.example.com/v1.0' }))
await show("other cloud's host", () => new ip.Client({ token: fakeToken, baseUrl: 'https://graph.microsoft.us/v1.0' }))
await show('secret and token', () => new ip.Client({ token: fakeToken, tenantId: 't', clientId: 'c', clientSecret: fakeSecret }))
const items = []
for await (const item of good.resetPasscodes([s.device_id, 'no-such-device', ''])) items.push(item)
console.log(inspect(items, { depth: 5 }))
await new Promise((resolve) => setTimeout(resolve, 100)) // let queued log records arrive
console.log('driver done')
