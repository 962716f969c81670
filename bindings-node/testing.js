'use strict'
// `intune-passcode/testing`: test your automation without a tenant. The Graph emulator (the `graph-emulator` crate)
// runs in-process on threads of its own, one fresh tenant per instance, on a free port of 127.0.0.1. Loaded only
// when required: `require('intune-passcode')` does not load it.

const { Client } = require('./intune-passcode.js')
const native = require('./index.js')

/** Every fault name `faults` takes (rates from 0 to 1; `latency_ms` and `retry_after` are a delay). */
const FAULTS = Object.freeze(native.faultNames())

const OPTIONS = new Set([
  'devices', 'seed', 'throttle', 'faults', 'actionLagMs', 'actionLagRandom', 'actionDoneAfterMs', 'tenant', 'tls',
  'tokenLifetimeSeconds',
])

/** Native options from the public ones; a wrong type is a TypeError, a wrong value a RangeError. */
function nativeOptions(options) {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError('startEmulator takes an options object')
  for (const k of Object.keys(options)) {
    if (!OPTIONS.has(k)) throw new TypeError(`startEmulator: unknown option '${k}' (known: ${[...OPTIONS].join(', ')})`)
  }
  const { throttle = 'off', faults, ...rest } = options
  const out = { ...rest }
  if (typeof throttle === 'string') {
    out.throttleSpec = throttle
  } else if (Array.isArray(throttle) && throttle.length === 2) {
    ;[out.throttleWrites, out.throttleSeconds] = throttle
  } else {
    throw new TypeError(`throttle takes 'intune', 'off' or [writes, seconds], not ${JSON.stringify(throttle)}`)
  }
  if (faults !== undefined && faults !== null) {
    if (typeof faults !== 'object' || Array.isArray(faults)) {
      throw new TypeError("faults takes an object such as { '429': 0.05 }")
    }
    out.faults = {}
    for (const [k, v] of Object.entries(faults)) {
      if (typeof v !== 'number') throw new TypeError(`faults: ${k} must be a number, not ${JSON.stringify(v)}`)
      out.faults[k] = v
    }
  }
  for (const k of ['devices', 'seed', 'throttleWrites', 'throttleSeconds', 'actionLagMs', 'actionDoneAfterMs',
    'tokenLifetimeSeconds']) {
    if (out[k] !== undefined && typeof out[k] !== 'number') {
      throw new TypeError(`${k} must be a number, not ${JSON.stringify(out[k])}`)
    }
  }
  return out
}

/** A native refusal of a setting becomes a RangeError (the message says which and why). */
function rethrow(e) {
  if (e && e.code === 'InvalidArg') throw new RangeError(e.message)
  throw e
}

// Emulators not yet closed: stopped when the process exits, so that their files go with it.
const live = new Set()
process.once('exit', () => { for (const e of live) e.stop() })

/** A running Graph emulator: its URLs and credentials, clients pointed at it, and the ledger of what it did. */
class GraphEmulator {
  #server
  constructor(server) {
    this.#server = server
    const info = JSON.parse(server.readyJson())
    /** `http://127.0.0.1:PORT/v1.0`: a client's `baseUrl`. */
    this.graphUrl = info.graph_url
    /** `http://127.0.0.1:PORT`: the authority (`authorityUrl`, `AZURE_AUTHORITY_HOST`). */
    this.authorityUrl = info.authority_url
    this.tenantId = info.tenant_id
    /** An app with `DeviceManagementManagedDevices.PrivilegedOperations.All` and `Read.All`, and its secret. */
    this.clientId = info.client_id
    this.clientSecret = info.client_secret
    /** Its certificate and key (one PEM file), the same as PKCS#12, and the PFX's password. */
    this.certificatePath = info.client_certificate_pem
    this.certificatePfxPath = info.client_certificate_pfx
    this.certificatePassword = info.client_certificate_password
    /** An app with `Read.All` only (its resets get 403). */
    this.readerClientId = info.reader_client_id
    this.readerClientSecret = info.reader_client_secret
    /** An app with neither permission. */
    this.unprivilegedClientId = info.unprivileged_client_id
    this.unprivilegedClientSecret = info.unprivileged_client_secret
    /** A long-lived bearer token of the privileged app. */
    this.token = info.token
    /** The CA to trust with `tls: true`, else null. */
    this.caCertPath = info.ca_cert ?? null
    /** A service-account token file the privileged app accepts (`AZURE_FEDERATED_TOKEN_FILE`). */
    this.federatedTokenFile = info.federated_token_file
    /** Sample IDs: `device_id`, `user_id`, `detected_app_id`, `ios_device_id`, `windows_device_id`, ... */
    this.samples = info.samples
    live.add(this)
  }

  /** Whether it still serves. */
  get running() { return this.#server.running }

  /** A `Client` pointed at this emulator, signed in with the privileged app's secret unless `options` name
   * another credential. */
  client(options = {}) {
    const merged = { baseUrl: this.graphUrl, authorityUrl: this.authorityUrl }
    if (this.caCertPath) merged.caCert = this.caCertPath
    const own = ['token', 'credential', 'certificatePath', 'managedIdentity', 'workloadIdentity', 'clientSecret']
    if (!own.some((k) => options[k] !== undefined)) {
      Object.assign(merged, { tenantId: this.tenantId, clientId: this.clientId, clientSecret: this.clientSecret })
    }
    return new Client({ ...merged, ...options })
  }

  /** The `AZURE_*` variables of the privileged app's secret. */
  env() { return JSON.parse(this.#server.envJson()) }

  /** Every managed device, or those of one platform (a whole name, any case: `androidFullyManaged`,
   * `androidDedicated`, `androidWorkProfile`, `aosp`, `iOS`, `iPadOS`, `windows`, `macOS`). */
  devices(platform) { return JSON.parse(this.#server.devicesJson(platform ?? null)) }

  /** How many resets of `deviceId` Graph executed. */
  resetCount(deviceId) { return this.#server.resetCount(String(deviceId)) }

  /** Every executed reset, oldest first: `{ device_id, at, at_ms, route, path }`. */
  resets() { return JSON.parse(this.#server.resetsJson()) }

  /** The requests that named `deviceId`, oldest first (the bearer token shown as `***`). */
  requests(deviceId) { return JSON.parse(this.#server.requestsJson(String(deviceId))) }

  /** Counters: `requests`, `executed`, `throttled_429`, `early_retries`, `faults`, ... */
  stats() { return JSON.parse(this.#server.statsJson()) }

  /** Answer the next requests that name `deviceId` with `responses` (statuses or `{ status, headers, body,
   * execute, fault, delay_ms, method }`), in order, then behave normally. */
  script(deviceId, responses) {
    if (!Array.isArray(responses)) throw new TypeError('script takes an array of statuses or objects, e.g. [429, 504]')
    const items = responses.map((r) => {
      if (typeof r !== 'number' && (!r || typeof r !== 'object')) {
        throw new TypeError(`script: ${JSON.stringify(r)} is neither a status nor an object`)
      }
      return typeof r === 'number' ? { status: r } : r
    })
    try {
      this.#server.scriptJson(String(deviceId), JSON.stringify(items))
    } catch (e) { rethrow(e) }
  }

  /** Make a device never check in (its resets stay `pending`), or check in again. */
  setOffline(deviceId, offline = true) {
    if (!this.#server.setOffline(String(deviceId), Boolean(offline))) {
      throw new RangeError(`no device '${deviceId}' in this tenant`)
    }
  }

  /** Throw an AssertionError naming every device Graph reset more than once (resets Graph answered as not executed
   * are not counted: a client was right to send them again). */
  assertNoDeviceResetTwice() {
    const report = this.#server.resetTwiceReport()
    if (report !== null) {
      const { AssertionError } = require('node:assert')
      throw new AssertionError({ message: report })
    }
  }

  /** Stop serving now: its port, threads and files are released (also on process exit). */
  stop() {
    this.#server.stop()
    live.delete(this)
  }

  /** Stop serving; closing twice does nothing. */
  async close() { this.stop() }
}
if (typeof Symbol.asyncDispose === 'symbol') {
  GraphEmulator.prototype[Symbol.asyncDispose] = GraphEmulator.prototype.close
}
if (typeof Symbol.dispose === 'symbol') {
  GraphEmulator.prototype[Symbol.dispose] = GraphEmulator.prototype.stop
}

/** Start an emulator with `options`; rejects with a TypeError or RangeError (nothing started) for bad settings. */
async function startEmulator(options) {
  let server
  try {
    server = await native.startEmulatorServer(nativeOptions(options))
  } catch (e) { rethrow(e) }
  return new GraphEmulator(server)
}

module.exports = { startEmulator, GraphEmulator, FAULTS }
