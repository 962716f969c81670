// Bench worker for the Node peers (protocol: bench/README.md): Microsoft's @microsoft/microsoft-graph-client and a
// hand-written fetch loop, each with a Promise pool of CONCURRENCY.
//   node node_peers.mjs graph-client|fetch MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY
// MODE is bulk, seq or throttled (throttled runs like bulk; graph-client's default middleware retries 429s).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const [impl, mode, url, token, idsFile, n, conc] = process.argv.slice(2)
const ids = readFileSync(idsFile, 'utf8').split('\n').filter(Boolean).slice(0, Number(n))

function graphClientReset () {
  const require = createRequire(import.meta.url)
  const { Client, HTTPMessageHandler, RetryHandler, RetryHandlerOptions } = require('@microsoft/microsoft-graph-client')
  // On plain http the library drops the Authorization header, so a middleware of ours sets it (see toolchain.md);
  // the retry handler is the library's own, as its default chain would have it.
  const auth = {
    execute: async (context) => {
      context.options = context.options ?? {}
      context.options.headers = { ...(context.options.headers ?? {}), Authorization: `Bearer ${token}` }
      return auth.next.execute(context)
    },
    setNext (next) { auth.next = next }
  }
  const retry = new RetryHandler(new RetryHandlerOptions())
  const http = new HTTPMessageHandler()
  auth.setNext(retry)
  retry.setNext(http)
  const client = Client.initWithMiddleware({ middleware: auth, baseUrl: url.replace(/\/v1\.0$/, '/'), defaultVersion: 'v1.0' })
  return (id) => client.api(`/deviceManagement/managedDevices/${id}/resetPasscode`).post(undefined)
    .then(() => '204', (e) => String(e.statusCode ?? e.name))
}

function fetchReset () {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' }
  return (id) => fetch(`${url}/deviceManagement/managedDevices/${id}/resetPasscode`, { method: 'POST', headers })
    .then(async (r) => { await r.arrayBuffer(); return String(r.status) }, (e) => e.name)
}

const reset = impl === 'graph-client' ? graphClientReset() : fetchReset()
const outcomes = {}
const count = (k) => { outcomes[k] = (outcomes[k] ?? 0) + 1 }
const times = []
const start = performance.now()
if (mode === 'seq') {
  for (const id of ids) {
    const t = performance.now()
    count(await reset(id))
    times.push(performance.now() - t)
  }
} else {
  let next = 0
  const worker = async () => { while (next < ids.length) count(await reset(ids[next++])) }
  await Promise.all(Array.from({ length: Number(conc) }, worker))
}
const secs = (performance.now() - start) / 1000
times.sort((a, b) => a - b)
const calls = Object.values(outcomes).reduce((a, b) => a + b, 0)
console.log(JSON.stringify({ calls, secs, median_ms: times.length ? times[times.length >> 1] : null, outcomes }))
