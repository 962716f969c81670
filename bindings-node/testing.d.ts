// Types of `intune-passcode/testing`: the Graph emulator as a test fixture.
import type { Client, ClientOptions } from './intune-passcode'

/** Every fault name `faults` takes. */
export declare const FAULTS: readonly string[]

/** Settings of an emulator; all optional. */
export interface EmulatorOptions {
  /** Managed devices in the generated tenant (default 200; about 3% offline; Android, iOS, Windows, macOS). */
  devices?: number
  /** Seed of the tenant and of the fault draws (default 1). */
  seed?: number
  /** `'off'` (default); `'intune'`: 200 writes per app and 400 per tenant in any 20 s, with `Retry-After`; or
   * `[writes, seconds]`: that many writes per app (twice per tenant) in that window. */
  throttle?: 'intune' | 'off' | [writes: number, seconds: number]
  /** Rates of injected faults, e.g. `{ '429': 0.05, '504': 0.02 }` (names in `FAULTS`). */
  faults?: Record<string, number>
  /** How long before an executed reset shows in `deviceActionResults` (default 0). */
  actionLagMs?: number
  /** Draw each device's lag from 0 to `actionLagMs` instead. */
  actionLagRandom?: boolean
  /** How long an online device takes to finish a reset (`pending` until then; default 0). */
  actionDoneAfterMs?: number
  /** A tenant file (JSON, as `graph-emulator --tenant` takes) instead of a generated tenant. */
  tenant?: string
  /** Serve HTTPS with a generated CA (`caCertPath`). */
  tls?: boolean
  /** How long issued tokens live (default 3599). */
  tokenLifetimeSeconds?: number
}

/** A device of the emulated tenant. */
export interface EmulatedDevice {
  id: string
  userId: string
  platform: string
  detectedAppIds: string[]
  resetCount: number
  otherResets: number
  answeredNotExecuted: number
  offline: boolean
  noResetToken: boolean
  lastResetAt: string | null
}

/** One reset Graph executed. */
export interface ExecutedReset {
  device_id: string
  /** RFC 3339. */
  at: string
  /** Milliseconds since the emulator started. */
  at_ms: number
  route: 'device' | 'user' | 'detected_app'
  /** The request's path as sent. */
  path: string
}

/** One request as the emulator saw it. */
export interface LoggedRequest {
  method: string
  path: string
  device_id: string | null
  /** Lower-case names; the bearer token shown as `***`. */
  headers: Record<string, string>
  body_len: number
  at_ms: number
}

/** An answer to serve instead of normal behaviour. */
export interface ScriptedResponse {
  status: number
  headers?: Record<string, string>
  body?: unknown
  /** Run the reset (default: only for 2xx). */
  execute?: boolean
  /** `'reset_before'` or `'reset_after'`: close the connection without answering. */
  fault?: 'reset_before' | 'reset_after'
  delay_ms?: number
  date_offset_ms?: number
  /** Answer only a request of this method; others pass by. */
  method?: 'POST' | 'GET'
}

/** A running Graph emulator. */
export declare class GraphEmulator {
  private constructor()
  /** `http://127.0.0.1:PORT/v1.0`: a client's `baseUrl`. */
  readonly graphUrl: string
  /** `http://127.0.0.1:PORT`: the authority (`authorityUrl`, `AZURE_AUTHORITY_HOST`). */
  readonly authorityUrl: string
  readonly tenantId: string
  readonly clientId: string
  readonly clientSecret: string
  readonly certificatePath: string
  readonly certificatePfxPath: string
  readonly certificatePassword: string
  readonly readerClientId: string
  readonly readerClientSecret: string
  readonly unprivilegedClientId: string
  readonly unprivilegedClientSecret: string
  readonly token: string
  readonly caCertPath: string | null
  readonly federatedTokenFile: string
  readonly samples: Record<string, string>
  readonly running: boolean
  /** A `Client` pointed at this emulator (the privileged app's secret unless `options` name a credential). */
  client(options?: ClientOptions): Client
  /** The `AZURE_*` variables of the privileged app's secret. */
  env(): Record<string, string>
  /** The tenant's devices (of one platform, e.g. `'iOS'`), with how often each was reset. */
  devices(platform?: string): EmulatedDevice[]
  /** How many resets of this device the emulator executed. */
  resetCount(deviceId: string): number
  /** Every executed reset, in order, with its route and time. */
  resets(): ExecutedReset[]
  /** Every request made for this device, reads included. */
  requests(deviceId: string): LoggedRequest[]
  /** Counters: requests, 429s sent, early retries, devices reset more than once, faults by kind. */
  stats(): Record<string, unknown>
  /** The next answers for this device, in order: a status, or an object with headers, a body, or a fault. */
  script(deviceId: string, responses: Array<number | ScriptedResponse>): void
  /** Take a device off line (its resets stay `pending`) or back. */
  setOffline(deviceId: string, offline?: boolean): void
  /** Throws an `AssertionError` naming every device reset more than once. */
  assertNoDeviceResetTwice(): void
  /** Stop now (port, threads and files released). */
  stop(): void
  /** `stop()`, as a promise (for `await using` and test hooks). */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Start an emulator; rejects with a TypeError or RangeError (nothing started) for bad settings. */
export declare function startEmulator(options?: EmulatorOptions): Promise<GraphEmulator>
