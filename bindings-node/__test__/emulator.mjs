// Starts the emulator binary on port 0 and reads its ready line; helpers for its control endpoints.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const bin = process.env.EMULATOR_BIN || path.join(root, 'target', 'debug', 'graph-emulator')

export async function startEmulator(...args) {
  const proc = spawn(bin, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout })
    rl.once('line', (l) => { rl.close(); resolve(l) })
    proc.once('exit', (code) => reject(new Error(`graph-emulator exited (${code}) before its ready line`)))
    proc.once('error', reject)
  })
  const info = JSON.parse(line)
  const base = info.graph_url.replace(/\/v1\.0$/, '')
  const control = async (p, body) => {
    const res = await fetch(`${base}/_emulator/${p}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) })
    return res.json()
  }
  return {
    info,
    graphUrl: info.graph_url,
    token: info.token,
    samples: info.samples,
    control,
    devices: () => control('devices'),
    resettable: async () => (await control('devices')).filter((d) => !['windows', 'macOS'].includes(d.platform)).map((d) => d.id),
    stats: () => control('stats'),
    requests: (id) => control(`requests?device_id=${encodeURIComponent(id)}`),
    script: (id, responses) => control('script', { device_id: id, responses }),
    // The shared vector checker (the emulator's): every key of `expect`, against the observation and its log.
    checkVector: async (vector, observed, elapsedMs) => {
      const verdict = await control('check', { vector, observed, elapsed_ms: elapsedMs })
      if (!verdict.ok) throw new Error(verdict.error)
    },
    stop: () => proc.kill(),
  }
}
