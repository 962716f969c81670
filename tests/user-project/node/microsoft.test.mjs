// Microsoft's @azure/identity against the emulator: ClientSecretCredential gets a token from its Entra ID endpoint.
//
// MSAL (under @azure/identity) insists on an https authority, so the emulator runs with `tls: true` and its CA is
// trusted for these requests only, through the credential's `tlsOptions` (core-rest-pipeline's TlsSettings). The
// other way, NODE_EXTRA_CA_CERTS=<caCertPath>, works only when set before Node starts (Node reads it once), so it
// needs a child process. Instance discovery is turned off: MSAL would ask login.microsoftonline.com itself.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ClientSecretCredential } from '@azure/identity'
import { startEmulator } from 'intune-passcode/testing'

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default'

test('@azure/identity gets a token from the emulator, and Graph (the emulator) takes it', async (t) => {
  const emu = await startEmulator({ tls: true })
  t.after(() => emu.close())
  assert.ok(emu.caCertPath && emu.authorityUrl.startsWith('https://'))

  const credential = new ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
    authorityHost: emu.authorityUrl,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: readFileSync(emu.caCertPath, 'utf8') },
  })
  const token = await credential.getToken(GRAPH_SCOPE)
  assert.ok(token.token)
  assert.ok(token.expiresOnTimestamp > Date.now() + 3_000_000)

  // Our client takes the credential as it is (it asks it for tokens) and resets a device with it.
  const device = emu.samples.device_id
  const receipt = await emu.client({ credential }).resetPasscode(device)
  assert.equal(receipt.status, 204)
  assert.equal(emu.resetCount(device), 1)
  assert.ok(emu.stats().token_requests >= 1)
})
