// Benchmark (not a test): sequential and bulk resets from Node against a running emulator; prints calls/s.
//   node bindings-node/bench/bench.mjs GRAPH_URL TOKEN [COUNT=20000] [SEQUENTIAL=2000] [CONCURRENCY=64]
import { Client } from '../intune-passcode.mjs'

const [graphUrl, token, count = '20000', sequential = '2000', concurrency = '64'] = process.argv.slice(2)
const base = graphUrl.replace(/\/v1\.0$/, '')
const ids = (await (await fetch(`${base}/_emulator/devices`)).json()).map((d) => d.id).slice(0, Number(count))
if (ids.length < Number(count)) throw new Error(`start the emulator with --devices ${count}`)
const client = new Client({ token, baseUrl: graphUrl })

const times = []
for (let i = 0; i < Number(sequential); i++) {
  const t = performance.now()
  await client.resetPasscode(ids[i % ids.length]).catch(() => {})
  times.push(performance.now() - t)
}
times.sort((a, b) => a - b)
const total = times.reduce((a, b) => a + b, 0)
console.log(`node sequential: ${sequential} calls, ${(Number(sequential) / total * 1000).toFixed(0)} calls/s, median ${times[times.length >> 1].toFixed(3)} ms`)

const t = performance.now()
let n = 0
for await (const _ of client.resetPasscodes(ids, { concurrency: Number(concurrency), pace: null })) n++
const secs = (performance.now() - t) / 1000
console.log(`node bulk: ${n} calls at concurrency ${concurrency} in ${secs.toFixed(2)} s = ${(n / secs).toFixed(0)} calls/s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`)
