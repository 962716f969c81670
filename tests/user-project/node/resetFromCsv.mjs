// Reset the passcode of every device listed in a CSV: the Intune portal's device export (a `Device ID` column, and
// optionally `OS`), or any CSV with those headers.
//
//   node resetFromCsv.mjs devices.csv [--journal FILE] [--graph-url URL]
//
// Credentials come from the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or
// AZURE_CLIENT_CERTIFICATE_PATH, or a managed or workload identity). The run is journaled: run the same line again
// after a crash, a Ctrl-C or a failure, and no device is reset twice. Exit code: 0 all ok, 1 some failed, 3 some
// unconfirmed (sent, no verdict: never resend those blindly).
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { Client } from 'intune-passcode'

/** Rows of a CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF), a leading BOM dropped. */
export function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  text = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ }
      else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(field); field = '' }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field); field = ''
      rows.push(row); row = []
    } else field += ch
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row) }
  return rows.filter((r) => r.some((f) => f.trim() !== ''))
}

/** [deviceId, os] for each row, in file order, each device once; os is '' when the column is absent. */
export function readDevices(csvPath) {
  const [header = [], ...rows] = parseCsv(readFileSync(csvPath, 'utf8'))
  const idCol = header.indexOf('Device ID')
  const osCol = header.indexOf('OS')
  if (idCol < 0) throw new Error(`${csvPath}: no 'Device ID' column (found: ${header.join(', ')})`)
  const devices = new Map()
  for (const r of rows) {
    const id = (r[idCol] ?? '').trim()
    if (id && !devices.has(id)) devices.set(id, osCol < 0 ? '' : (r[osCol] ?? '').trim())
  }
  return [...devices]
}

/**
 * Reset every device of the CSV, one line per device to `log`; resolves to { ok, unknown, failed } counts.
 * `journal` keeps the job: running again with the same file reports what is done from it, retries only what Graph
 * said was not executed, and never resends a device whose outcome is unknown. `verifyUnknownMs`: how long to look
 * for the device's record of a reset whose answer was lost, before calling it unknown.
 */
export async function run(csvPath, client, journal, { verifyUnknownMs = 60_000, log = console.log } = {}) {
  const devices = readDevices(csvPath)
  const osOf = new Map(devices)
  const summary = { ok: 0, unknown: 0, failed: 0 }
  for await (const item of client.resetPasscodes([...osOf.keys()], { journal, verifyUnknownMs })) {
    const label = `${item.deviceId} (${osOf.get(item.deviceId) || 'OS ?'})`
    const again = item.fromJournal ? ' [from the journal]' : ''
    if (item.receipt) {
      summary.ok++
      log(`ok       ${label} request-id ${item.receipt.requestId}${again}`)
    } else if (item.error.code === 'OUTCOME_UNKNOWN') {
      summary.unknown++
      log(`unknown  ${label} sent, no verdict: do not resend; check the device in the portal${again}`)
    } else {
      const e = item.error
      summary.failed++
      log(`failed   ${label} ${e.code} (HTTP ${e.status ?? '-'}) request-id ${e.requestId ?? '-'}${again}`)
    }
  }
  return summary
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { journal: { type: 'string' }, 'graph-url': { type: 'string' } },
  })
  if (positionals.length !== 1) {
    console.error('usage: node resetFromCsv.mjs devices.csv [--journal FILE] [--graph-url URL]')
    return 2
  }
  const [csvPath] = positionals
  const client = Client.fromEnvironment(values['graph-url'] ? { baseUrl: values['graph-url'] } : {})
  const summary = await run(csvPath, client, values.journal ?? `${csvPath}.journal.jsonl`)
  console.log(`ok ${summary.ok}, failed ${summary.failed}, unknown ${summary.unknown}`)
  return summary.failed ? 1 : summary.unknown ? 3 : 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main()
}
