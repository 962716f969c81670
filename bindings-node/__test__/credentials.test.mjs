// Credentials production tenants allow: certificate (PEM, PFX), managed identity (IMDS, App Service), workload
// identity, the environment; bad input a CredentialError with nothing sent to Graph and no secret in any message;
// and Microsoft's @azure/identity getting tokens from the emulator (run in a child process that trusts its CA).
import { test, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ip from '../intune-passcode.mjs'
import { startEmulator } from './emulator.mjs'

const { Client } = ip
const here = path.dirname(fileURLToPath(import.meta.url))
const fixtures = path.resolve(here, '..', '..', 'tests', 'fixtures', 'credentials')
const AZURE_VARS = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN', 'AZURE_AUTHORITY_HOST',
  'AZURE_FEDERATED_TOKEN_FILE', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'AZURE_POD_IDENTITY_AUTHORITY_HOST',
  'MSI_ENDPOINT']

let emu
before(async () => { emu = await startEmulator('--throttle', 'off', '--devices', '50') })
after(() => emu.stop())
afterEach(() => { for (const v of AZURE_VARS) delete process.env[v] })

const base = () => emu.graphUrl.replace(/\/v1\.0$/, '')
const at = (o) => ({ baseUrl: emu.graphUrl, authorityUrl: emu.info.authority_url, ...o })

async function resets(client) {
  const before = (await emu.stats()).executed
  const r = await client.resetPasscode(emu.samples.device_id)
  assert.equal(r.status, 204)
  assert.equal((await emu.stats()).executed, before + 1)
}

async function refused(client) {
  const before = (await emu.stats()).requests
  const e = await client.resetPasscode(emu.samples.device_id).then(() => null, (err) => err)
  assert.ok(e instanceof ip.CredentialError, `want CredentialError, got ${e}`)
  assert.equal((await emu.stats()).requests, before, 'nothing may reach Graph')
  return e
}

test('certificates: PEM and PFX with its password', async () => {
  const i = emu.info
  const app = { tenantId: i.tenant_id, clientId: i.client_id }
  await resets(new Client(at({ ...app, certificatePath: i.client_certificate_pem })))
  await resets(new Client(at({ ...app, certificatePath: i.client_certificate_pfx,
    certificatePassword: i.client_certificate_password, sendCertificateChain: true })))
})

test('bad certificates are CredentialErrors naming the file, not its contents', async () => {
  const i = emu.info
  const dir = mkdtempSync(path.join(tmpdir(), 'ipc-node-'))
  const pem = readFileSync(i.client_certificate_pem, 'utf8')
  const certOnly = path.join(dir, 'cert-only.pem')
  writeFileSync(certOnly, pem.slice(0, pem.indexOf('-----BEGIN PRIVATE KEY')))
  const cases = [
    [i.client_certificate_pfx, 'hunter2-wrong', 'password is wrong'],
    [certOnly, undefined, 'holds no private key'],
    [path.join(fixtures, 'encrypted.pem'), undefined, 'is encrypted'],
    [path.join(fixtures, 'ec-pkcs8.pem'), undefined, 'not an RSA key'],
  ]
  for (const [p, password, want] of cases) {
    assert.throws(
      () => new Client(at({ tenantId: i.tenant_id, clientId: i.client_id, certificatePath: p, certificatePassword: password })),
      (e) => e instanceof ip.CredentialError && e.message.includes(want) && e.message.includes(p)
        && !e.message.includes('hunter2-wrong') && !e.message.includes('BEGIN'),
    )
  }
  const e = await refused(new Client(at({ tenantId: i.tenant_id, clientId: i.client_id,
    certificatePath: i.expired_client_certificate_pem })))
  assert.match(e.message, /AADSTS700027/)
  assert.throws(() => new Client(at({ managedIdentity: 'yes' })), /managedIdentity must be true or \{ clientId/)
  assert.throws(() => new Client(at({ token: 't', workloadIdentity: true })), ip.InvalidArgumentError)
})

test('managed identity: IMDS (system and user-assigned) and App Service; 400 not retried; 410 within the deadline', async () => {
  const i = emu.info
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = base()
  await resets(new Client({ baseUrl: emu.graphUrl, managedIdentity: true }))
  await resets(new Client({ baseUrl: emu.graphUrl, managedIdentity: { clientId: i.client_id } }))
  // The client ID reaches IMDS: the reader's identity gets the reader's token, which may not reset.
  await assert.rejects(new Client({ baseUrl: emu.graphUrl, managedIdentity: { clientId: i.reader_client_id } })
    .resetPasscode(emu.samples.device_id), ip.PermissionDeniedError)
  await emu.control('managed_identity', { forever: 400 })
  const before = (await emu.control('managed_identity')).at_ms.length
  const e = await refused(new Client({ baseUrl: emu.graphUrl, managedIdentity: { clientId: 'not-assigned' } }))
  assert.equal(e.status, 400)
  assert.equal((await emu.control('managed_identity')).at_ms.length, before + 1, '400 is never retried')
  await emu.control('managed_identity', { forever: 410 })
  const started = Date.now()
  const gone = await refused(new Client({ baseUrl: emu.graphUrl, managedIdentity: true, timeoutMs: 3000 }))
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`)
  assert.match(gone.message, /410.*deadline/)
  await emu.control('managed_identity', {})
  process.env.IDENTITY_ENDPOINT = i.identity_endpoint
  process.env.IDENTITY_HEADER = i.identity_header
  await resets(new Client({ baseUrl: emu.graphUrl, managedIdentity: true }))
  process.env.IDENTITY_HEADER = 'wrong-header-value'
  const wrong = await refused(new Client({ baseUrl: emu.graphUrl, managedIdentity: true }))
  assert.equal(wrong.status, 401)
  assert.ok(!`${wrong.message} ${wrong.stack}`.includes('wrong-header-value'))
  assert.ok(!`${wrong.message} ${wrong.stack}`.includes(i.identity_header))
})

test('workload identity and Client.fromEnvironment (secret, certificate, and every reason when nothing works)', async () => {
  const i = emu.info
  Object.assign(process.env, {
    AZURE_TENANT_ID: i.tenant_id, AZURE_CLIENT_ID: i.client_id, AZURE_AUTHORITY_HOST: i.authority_url,
    AZURE_FEDERATED_TOKEN_FILE: i.federated_token_file,
  })
  await resets(new Client({ baseUrl: emu.graphUrl, workloadIdentity: true }))
  const dir = mkdtempSync(path.join(tmpdir(), 'ipc-node-'))
  writeFileSync(path.join(dir, 'empty'), '')
  process.env.AZURE_FEDERATED_TOKEN_FILE = path.join(dir, 'empty')
  // A fresh emulator: the token cache of a new client is empty anyway, but its counters must start at zero.
  assert.match((await refused(new Client({ baseUrl: emu.graphUrl, workloadIdentity: true }))).message, /is empty/)
  delete process.env.AZURE_FEDERATED_TOKEN_FILE
  process.env.AZURE_CLIENT_SECRET = i.client_secret
  await resets(Client.fromEnvironment({ baseUrl: emu.graphUrl }))
  delete process.env.AZURE_CLIENT_SECRET
  process.env.AZURE_CLIENT_CERTIFICATE_PATH = i.client_certificate_pem
  await resets(Client.fromEnvironment({ baseUrl: emu.graphUrl }))
  for (const v of AZURE_VARS) delete process.env[v]
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = 'http://127.0.0.1:9'
  const e = await refused(Client.fromEnvironment({ baseUrl: emu.graphUrl }))
  for (const part of ['environment:', 'workload identity:', 'managed identity']) assert.ok(e.message.includes(part), e.message)
})

test('@azure/identity (secret, certificate, App Service managed identity) gets tokens from the emulator', async () => {
  const tls = await startEmulator('--throttle', 'off', '--devices', '20', '--tls')
  try {
    // NODE_EXTRA_CA_CERTS is read when Node starts: the check runs in its own process.
    const out = spawnSync(process.execPath, [path.join(here, 'azure_identity_driver.mjs'), JSON.stringify(tls.info)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.info.ca_cert },
      encoding: 'utf8',
      timeout: 60000,
    })
    assert.equal(out.status, 0, out.stdout + out.stderr)
    assert.match(out.stdout, /secret ok\ncertificate ok\nmanaged identity ok\nexpired refused AADSTS700027\n/)
  } finally {
    tls.stop()
  }
})
