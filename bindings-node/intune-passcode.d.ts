// Types of the public API (intune-passcode.js). Checked with `tsc --strict` against examples/.

export type Cloud = 'global' | 'usGovL4' | 'usGovL5' | 'china'

export interface AccessTokenLike {
  token: string
  /** Epoch milliseconds. */
  expiresOnTimestamp: number
}

export interface TokenCredentialLike {
  getToken(scopes: string | string[], options?: unknown): Promise<AccessTokenLike | null>
}

export interface ClientOptions {
  token?: string
  tenantId?: string
  clientId?: string
  clientSecret?: string
  /** With `tenantId` and `clientId`: a PEM (certificate + unencrypted RSA key) or PKCS#12/PFX file. */
  certificatePath?: string
  /** Opens a PFX. */
  certificatePassword?: string
  /** Send the certificate chain (`x5c`). */
  sendCertificateChain?: boolean
  /** The managed identity: system-assigned (`true`) or a user-assigned one by client ID. */
  managedIdentity?: true | { clientId: string }
  /** Workload identity from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE`. */
  workloadIdentity?: boolean
  credential?: TokenCredentialLike
  /** Graph URL with the version, e.g. `http://127.0.0.1:8080/v1.0`; plain http only on loopback. */
  baseUrl?: string
  authorityUrl?: string
  cloud?: Cloud
  apiVersion?: 'v1.0' | 'beta'
  /** One deadline per call: token fetch, every attempt and every wait (default 100000). */
  timeoutMs?: number
  /** 0 to 10 (default 3). */
  maxRetries?: number
  /** Path of a PEM file, or PEM text. */
  caCert?: string
  proxy?: string
}

export interface Receipt {
  status: number
  requestId: string | null
  clientRequestId: string
  date: string | null
  agsDiagnostic: string | null
  attempts: number
  waitedMs: number
  /** When the request left: what `confirmReset` and `waitForReset` take. */
  sentAt: Date
  /** `response` (Graph answered 2xx) or `action_result` (the answer was lost; the device's record shows it). */
  confirmedBy: 'response' | 'action_result'
  /** The device's record, when the reset was confirmed from it. */
  action: ResetAction | null
  /** Reported from a journal (an earlier run's outcome); nothing was sent for it this time. */
  fromJournal: boolean
  /** The other job whose journal held the device (its outcome is that job's; nothing sent), else null. */
  heldBy: string | null
}

/** A new passcode: `String(p)`, `JSON.stringify` and `util.inspect` show `***`. */
export class Passcode {
  private constructor()
  /** The passcode itself: show it only to the person who must type it. */
  reveal(): string
  toString(): string
  toJSON(): string
}

export type ActionState = 'none' | 'pending' | 'canceled' | 'active' | 'done' | 'failed' | 'notSupported' | (string & {})

/** The device's record of one resetPasscode action (`deviceActionResults`). */
export interface ResetAction {
  state: ActionState
  /** `done`, `failed`, `notSupported` or `canceled`. */
  isFinal: boolean
  startedAt: Date
  updatedAt: Date | null
  errorCode: number | null
  /** Android Enterprise and AOSP, once done; null on iOS/iPadOS (the passcode is removed) and while pending. */
  passcode: Passcode | null
}

/** What `confirmReset` found; `accepted: false` proves nothing (Graph documents no delay before a record shows). */
export interface Confirmation {
  accepted: boolean
  action: ResetAction | null
  latest: ResetAction | null
}

export interface ResetOptions {
  userId?: string
  detectedAppId?: string
  signal?: AbortSignal
}

export type Pace = 'intune' | null | { writes: number; seconds: number }

export interface BulkOptions {
  concurrency?: number
  pace?: Pace
  /** How long to look for the record of a reset whose answer was lost before reporting it (default 60000; null: not). */
  verifyUnknownMs?: number | null
  /** Keep the run in this journal file: a new file starts a job, an existing one resumes it, never resetting twice. */
  journal?: string
  /** On resume, send again devices whose recorded failure was permanent (default false). */
  retryFailed?: boolean
  /** On resume, send again devices still unconfirmed: they may be reset twice (default false). */
  resendUnconfirmed?: boolean
  /**
   * With a journal: a device that another job in the journal's folder reset (or sent, outcome unknown) within this
   * many milliseconds is not sent; it is reported with that job's outcome and `heldBy`. Default 7 days; null: the
   * other jobs are not consulted (resets them again).
   */
  recentMs?: number | null
  userId?: string
  detectedAppId?: string
  signal?: AbortSignal
}

export interface BulkItem {
  /** The ID as it was given. */
  deviceId: unknown
  receipt: Receipt | null
  error: IntunePasscodeError | null
  /** Reported from the journal; nothing was sent for it this time. */
  fromJournal: boolean
  /** The other job whose journal held the device, else null. */
  heldBy: string | null
}

export interface JournalSummary { total: number; planned: number; sending: number; ok: number; failed: number; unknown: number }

export interface JournalRecord {
  deviceId: string
  userId: string | null
  detectedAppId: string | null
  state: 'planned' | 'sending' | 'ok' | 'failed' | 'unknown'
  code: ErrorCode | null
  status: number | null
  requestId: string | null
  clientRequestId: string | null
  sentAt: string | null
  confirmedBy: 'response' | 'action_result' | null
}

/** A job's journal read back for reports (no lock taken, nothing written). */
export class Journal implements Iterable<JournalRecord> {
  constructor(path: string)
  readonly jobId: string
  readonly graphBase: string
  readonly createdAt: string
  summary(): JournalSummary
  records(): JournalRecord[]
  [Symbol.iterator](): Iterator<JournalRecord>
}

export type ErrorCode =
  | 'INVALID_ARGUMENT' | 'AUTHENTICATION' | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'UNSUPPORTED_DEVICE' | 'BAD_REQUEST'
  | 'THROTTLED' | 'SERVICE_UNAVAILABLE' | 'OUTCOME_UNKNOWN' | 'NETWORK' | 'TIMEOUT' | 'CREDENTIAL'
  | 'UNEXPECTED_RESPONSE'

export class IntunePasscodeError extends Error {
  readonly code: ErrorCode
  readonly status: number | null
  readonly graphCode: string | null
  readonly graphMessage: string | null
  readonly requestId: string | null
  readonly clientRequestId: string | null
  readonly date: string | null
  readonly retryAfterMs: number | null
  readonly attempts: number
  readonly intuneActivityId: string | null
  /** When the request left, where one was sent: give it to `confirmReset`. */
  readonly sentAt: Date | null
  /** Reported from a journal; nothing was sent for it this time. */
  readonly fromJournal: boolean
  /** The other job whose journal held the device, else null. */
  readonly heldBy: string | null
}
export class InvalidArgumentError extends IntunePasscodeError {}
export class AuthenticationError extends IntunePasscodeError {}
export class PermissionDeniedError extends IntunePasscodeError {}
export class NotFoundError extends IntunePasscodeError {}
export class UnsupportedDeviceError extends IntunePasscodeError {}
export class BadRequestError extends IntunePasscodeError {}
export class ThrottledError extends IntunePasscodeError {}
/** Graph answered 503 (not executed) and retries ran out; every other 5xx is OUTCOME_UNKNOWN. */
export class ServiceUnavailableError extends IntunePasscodeError {}
/** Sent, no verdict (any 5xx but 503, a lost connection, the deadline after sending): it may have run. */
export class OutcomeUnknownError extends IntunePasscodeError {}
export class NetworkError extends IntunePasscodeError {}
export class TimeoutError extends IntunePasscodeError {}
export class CredentialError extends IntunePasscodeError {}
export class UnexpectedResponseError extends IntunePasscodeError {}

export class Client {
  constructor(options: ClientOptions)
  /** `AZURE_*` variables (secret or certificate), then workload identity, then managed identity. */
  static fromEnvironment(options?: Omit<ClientOptions, 'token' | 'tenantId' | 'clientId' | 'clientSecret' | 'credential' | 'certificatePath' | 'certificatePassword' | 'sendCertificateChain' | 'managedIdentity' | 'workloadIdentity'>): Client
  resetPasscode(deviceId: string, options?: ResetOptions): Promise<Receipt>
  resetPasscodes(ids: Iterable<string> | AsyncIterable<string>, options?: BulkOptions): AsyncGenerator<BulkItem, void, undefined>
  /** The device's latest resetPasscode record, or null. Needs `DeviceManagementManagedDevices.Read.All`. */
  resetStatus(deviceId: string, options?: ResetOptions): Promise<ResetAction | null>
  /** Settle a reset whose answer was lost; never resends. */
  confirmReset(deviceId: string, sentAt: Date | number, options?: ResetOptions & { withinMs?: number; seenBefore?: Date | number }): Promise<Confirmation>
  /** Wait until the reset sent at `sentAt` reaches a final state; its record (on Android, with the passcode). */
  waitForReset(deviceId: string, sentAt: Date | number, options?: ResetOptions & { timeoutMs?: number }): Promise<ResetAction>
}

export const version: string

export interface LogRecord {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace'
  /** Where it comes from, e.g. `intune_passcode::client`. */
  target: string
  message: string
}

/** Receive the library's log records at `level` and above (default `debug`); `null` stops them. */
export function setLogger(fn: ((record: LogRecord) => void) | null, options?: { level?: LogLevel }): void
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
