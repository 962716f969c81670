// Run by credentials.test.mjs with NODE_EXTRA_CA_CERTS set to the emulator's CA: @azure/identity's credentials get
// tokens from the emulator, and our Client resets a device with each.
import { ClientSecretCredential, ClientCertificateCredential, ManagedIdentityCredential } from '@azure/identity'
import { Client } from '../intune-passcode.mjs'

const info = JSON.parse(process.argv[2])
// Instance discovery asks login.microsoftonline.com itself, which no emulator can be: turn it off, as Microsoft
// documents for private clouds and Azure Stack.
const opts = { authorityHost: info.authority_url, disableInstanceDiscovery: true }
process.env.IDENTITY_ENDPOINT = info.identity_endpoint
process.env.IDENTITY_HEADER = info.identity_header
const creds = [
  ['secret', new ClientSecretCredential(info.tenant_id, info.client_id, info.client_secret, opts)],
  ['certificate', new ClientCertificateCredential(info.tenant_id, info.client_id, { certificatePath: info.client_certificate_pem }, opts)],
  ['managed identity', new ManagedIdentityCredential()],
]
for (const [name, credential] of creds) {
  const client = new Client({ credential, baseUrl: info.graph_url, caCert: info.ca_cert })
  const r = await client.resetPasscode(info.samples.device_id)
  if (r.status !== 204) throw new Error(`${name}: ${r.status}`)
  console.log(`${name} ok`)
}
const expired = new ClientCertificateCredential(info.tenant_id, info.client_id, { certificatePath: info.expired_client_certificate_pem }, opts)
try {
  await expired.getToken('https://graph.microsoft.com/.default')
  console.log('expired accepted')
} catch (e) {
  console.log(`expired refused ${(/AADSTS\d+/.exec(String(e.message)) || ['none'])[0]}`)
}
