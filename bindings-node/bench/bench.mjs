// Bench worker for the Node binding (protocol: bench/README.md). Not a test: it asserts nothing about speed.
//   node bench.mjs MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY [PACE_WRITES PACE_SECONDS]
// The fault soak (tests/soak/run.py) reuses it: with BENCH_OUTCOMES=FILE each bulk outcome is also written to FILE
// as `DEVICE_ID CODE` lines (CONFIRMED for a success confirmed from the device's action record), BENCH_TIMEOUT_SECS
// sets the client's per-call deadline, BENCH_VERIFY_SECS the bulk run's verifyUnknownMs (seconds, or `off`) and
// BENCH_JOURNAL its journal file.
import { readFileSync, writeFileSync } from 'node:fs'
import { Client } from '../intune-passcode.mjs'

const [mode, url, token, idsFile, n, conc, writes, seconds] = process.argv.slice(2)
const ids = readFileSync(idsFile, 'utf8').split('\n').filter(Boolean).slice(0, Number(n))
const pace = mode === 'throttled' && writes ? { writes: Number(writes), seconds: Number(seconds) } : null
const client = new Client({ token, baseUrl: url, timeoutMs: Number(process.env.BENCH_TIMEOUT_SECS ?? 100) * 1000 })
const log = []
const outcomes = {}
const count = (code) => { outcomes[code] = (outcomes[code] ?? 0) + 1 }
const times = []
const start = performance.now()
if (mode === 'seq') {
  for (const id of ids) {
    const t = performance.now()
    await client.resetPasscode(id).then(() => count('OK'), (e) => count(e.code ?? e.name))
    times.push(performance.now() - t)
  }
} else {
  const v = process.env.BENCH_VERIFY_SECS
  const verifyUnknownMs = v === undefined ? 60000 : v === 'off' ? null : Number(v) * 1000
  const journal = process.env.BENCH_JOURNAL || undefined
  for await (const item of client.resetPasscodes(ids, { concurrency: Number(conc), pace, verifyUnknownMs, journal })) {
    const code = item.error ? item.error.code : 'OK'
    count(code)
    // How a success is known: Graph's 2xx (OK) or the device's record (CONFIRMED).
    const logged = item.receipt && item.receipt.confirmedBy === 'action_result' ? 'CONFIRMED' : code
    if (process.env.BENCH_OUTCOMES) log.push(`${item.deviceId} ${logged}\n`)
  }
}
if (process.env.BENCH_OUTCOMES) writeFileSync(process.env.BENCH_OUTCOMES, log.join(''))
const secs = (performance.now() - start) / 1000
times.sort((a, b) => a - b)
const calls = Object.values(outcomes).reduce((a, b) => a + b, 0)
console.log(JSON.stringify({ calls, secs, median_ms: times.length ? times[times.length >> 1] : null, outcomes }))
