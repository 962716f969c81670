// Types of the public API (intune-passcode.js). Checked with `tsc --strict` against examples/.

/** A national cloud: its Graph and its token authority. */
export type Cloud = 'global' | 'usGovL4' | 'usGovL5' | 'china'

/** What a credential's `getToken` resolves to (the shape `@azure/identity` uses). */
export interface AccessTokenLike {
  /** The bearer token. */
  token: string
  /** Epoch milliseconds. */
  expiresOnTimestamp: number
}

/** Any credential with `@azure/identity`'s `getToken`, e.g. `new DefaultAzureCredential()`. */
export interface TokenCredentialLike {
  /** Called for the scope `https://graph.microsoft.com/.default` (or the national cloud's) when a token is due. */
  getToken(scopes: string | string[], options?: unknown): Promise<AccessTokenLike | null>
}

/** How a `Client` signs in and where it sends: one credential (token, secret, certificate, managed or workload identity, or your own). */
export interface ClientOptions {
  /** A bearer token you already have (no refresh). */
  token?: string
  /** The directory (tenant) ID, with `clientId` and a secret or certificate. */
  tenantId?: string
  /** The application (client) ID. */
  clientId?: string
  /** The client secret (many tenants forbid them for privileged apps: prefer a certificate). */
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
  /** Any `@azure/identity` credential; its rejection becomes the `cause` of a `CredentialError`. */
  credential?: TokenCredentialLike
  /** Graph URL with the version, e.g. `http://127.0.0.1:8080/v1.0`; plain http only on loopback. */
  baseUrl?: string
  /** The token authority, e.g. an emulator's `http://127.0.0.1:PORT` (default: the cloud's). */
  authorityUrl?: string
  /** The national cloud (default `global`). */
  cloud?: Cloud
  /** Graph's version (default `v1.0`). */
  apiVersion?: 'v1.0' | 'beta'
  /** One deadline per call: token fetch, every attempt and every wait (default 100000). */
  timeoutMs?: number
  /** 0 to 10 (default 3). */
  maxRetries?: number
  /** Path of a PEM file, or PEM text. */
  caCert?: string
  /** Send everything through this proxy URL. */
  proxy?: string
}

/** Proof that Graph accepted a reset, with what Microsoft support asks for. */
export interface Receipt {
  /** The HTTP status: 204, or the answer that did come when the reset was confirmed from the device's record (0 when none). */
  status: number
  /** Graph's `request-id`. */
  requestId: string | null
  /** The `client-request-id` sent (the same on every attempt). */
  clientRequestId: string
  /** Graph's `Date` header. */
  date: string | null
  /** Graph's `x-ms-ags-diagnostic` header (the serving data centre). */
  agsDiagnostic: string | null
  /** HTTP attempts made, the successful one included. */
  attempts: number
  /** Milliseconds spent waiting between attempts (`Retry-After`, back-off). */
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
  /** `***`. */
  toString(): string
  /** `***`. */
  toJSON(): string
}

/** The state of a device action as Graph reports it; a state Graph adds later comes as it is. */
export type ActionState = 'none' | 'pending' | 'canceled' | 'active' | 'done' | 'failed' | 'notSupported' | (string & {})

/** The device's record of one resetPasscode action (`deviceActionResults`). */
export interface ResetAction {
  /** Where the action is. */
  state: ActionState
  /** `done`, `failed`, `notSupported` or `canceled`. */
  isFinal: boolean
  /** When Intune started it (`startDateTime`). */
  startedAt: Date
  /** When the record last changed (`lastUpdatedDateTime`). */
  updatedAt: Date | null
  /** The device's error code, when it failed. */
  errorCode: number | null
  /** Android Enterprise and AOSP, once done; null on iOS/iPadOS (the passcode is removed) and while pending. */
  passcode: Passcode | null
}

/** What `confirmReset` found; `accepted: false` proves nothing (Graph documents no delay before a record shows). */
export interface Confirmation {
  /** A reset started at or after `sentAt` is on record: never send it again. */
  accepted: boolean
  /** That record, when accepted. */
  action: ResetAction | null
  /** The latest reset record seen, accepted or not. */
  latest: ResetAction | null
}

/** The route of one call, and a signal to stop it. */
export interface ResetOptions {
  /** Go through `/users/{userId}/managedDevices/{id}`. */
  userId?: string
  /** Go through `/deviceManagement/detectedApps/{detectedAppId}/managedDevices/{id}`. */
  detectedAppId?: string
  /** Stops the call with an `AbortError` (a request already sent may still run). */
  signal?: AbortSignal
}

/** How fast a bulk run sends: Intune's limit (200 writes per 20 s), no pacing, or your own. */
export type Pace = 'intune' | null | {
  /** Writes allowed… */
  writes: number
  /** …per this many seconds (a sliding window). */
  seconds: number
}

/** How a bulk run goes. */
export interface BulkOptions {
  /** Calls in flight at once, 1 to 1024 (default 16). */
  concurrency?: number
  /** Default `'intune'`. */
  pace?: Pace
  /** How long to look for the record of a reset whose answer was lost before reporting it (default 60000; null or 0: do not look). */
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
  /** Every device through `/users/{userId}/managedDevices`. */
  userId?: string
  /** Every device through `/deviceManagement/detectedApps/{detectedAppId}/managedDevices`. */
  detectedAppId?: string
  /** Stops the run: devices not yet sent are never sent. */
  signal?: AbortSignal
}

/** One device's outcome in a bulk run: a receipt or an error. */
export interface BulkItem {
  /** The ID as it was given. */
  deviceId: unknown
  /** Set when the reset was accepted. */
  receipt: Receipt | null
  /** Set when it was not, or its outcome is unknown (`OutcomeUnknownError`). */
  error: IntunePasscodeError | null
  /** Reported from the journal; nothing was sent for it this time. */
  fromJournal: boolean
  /** The other job whose journal held the device, else null. */
  heldBy: string | null
}

/** Devices of a journaled job by state. */
export interface JournalSummary {
  /** Every device in the job. */
  total: number
  /** Nothing sent yet. */
  planned: number
  /** In flight when the run stopped (settled at resume). */
  sending: number
  /** Accepted. */
  ok: number
  /** Definitely not run. */
  failed: number
  /** Sent, not confirmed. */
  unknown: number
}

/** One device of a journaled job and its outcome. */
export interface JournalRecord {
  /** The managed device ID. */
  deviceId: string
  /** The user of the route, when there was one. */
  userId: string | null
  /** The detected app of the route, when there was one. */
  detectedAppId: string | null
  /** Where the device is in the job. */
  state: 'planned' | 'sending' | 'ok' | 'failed' | 'unknown'
  /** The error code, when it failed or is unknown. */
  code: ErrorCode | null
  /** The HTTP status of the last answer. */
  status: number | null
  /** Graph's `request-id`. */
  requestId: string | null
  /** The `client-request-id` sent. */
  clientRequestId: string | null
  /** When the request left (RFC 3339). */
  sentAt: string | null
  /** How an `ok` was known: Graph's answer, or the device's record. */
  confirmedBy: 'response' | 'action_result' | null
}

/** A job's journal read back for reports (no lock taken, nothing written). */
export class Journal implements Iterable<JournalRecord> {
  /** Open the journal at `path` for reading. */
  constructor(path: string)
  /** The job's name. */
  readonly jobId: string
  /** The Graph URL the job sent to, version included. */
  readonly graphBase: string
  /** When the job started (RFC 3339). */
  readonly createdAt: string
  /** Devices by state. */
  summary(): JournalSummary
  /** Every device and its outcome. */
  records(): JournalRecord[]
  [Symbol.iterator](): Iterator<JournalRecord>
}

/** The stable codes, the same strings in every language. */
export type ErrorCode =
  | 'INVALID_ARGUMENT' | 'AUTHENTICATION' | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'UNSUPPORTED_DEVICE' | 'BAD_REQUEST'
  | 'THROTTLED' | 'SERVICE_UNAVAILABLE' | 'OUTCOME_UNKNOWN' | 'NETWORK' | 'TIMEOUT' | 'CREDENTIAL'
  | 'UNEXPECTED_RESPONSE'

/** Base of every error this package throws (besides `TypeError` for wrong argument types and `AbortError`). */
export class IntunePasscodeError extends Error {
  /** The stable code. */
  readonly code: ErrorCode
  /** The HTTP status, when Graph answered. */
  readonly status: number | null
  /** Graph's `error.code`, e.g. `ResourceNotFound`. */
  readonly graphCode: string | null
  /** Graph's `error.message`. */
  readonly graphMessage: string | null
  /** Graph's `request-id`. */
  readonly requestId: string | null
  /** The `client-request-id` sent. */
  readonly clientRequestId: string | null
  /** Graph's `Date` header. */
  readonly date: string | null
  /** How long Graph asked to wait (`THROTTLED`, `SERVICE_UNAVAILABLE`). */
  readonly retryAfterMs: number | null
  /** HTTP attempts made. */
  readonly attempts: number
  /** The `Activity ID` of Intune's error envelope (Microsoft support asks for it). */
  readonly intuneActivityId: string | null
  /** The `Operation ID` of Intune's error envelope. */
  readonly intuneOperationId: string | null
  /** When the request left, where one was sent: give it to `confirmReset`. */
  readonly sentAt: Date | null
  /** Reported from a journal; nothing was sent for it this time. */
  readonly fromJournal: boolean
  /** The other job whose journal held the device, else null. */
  readonly heldBy: string | null
}
/** `INVALID_ARGUMENT`: bad input or options; nothing was sent. */
export class InvalidArgumentError extends IntunePasscodeError {}
/** `AUTHENTICATION`: Graph answered 401 (after one token refresh where possible). */
export class AuthenticationError extends IntunePasscodeError {}
/** `PERMISSION_DENIED`: 403; the app lacks `DeviceManagementManagedDevices.PrivilegedOperations.All` (or `Read.All` for a read). */
export class PermissionDeniedError extends IntunePasscodeError {}
/** `NOT_FOUND`: no such device, or not that user's or detected app's. */
export class NotFoundError extends IntunePasscodeError {}
/** `UNSUPPORTED_DEVICE`: Intune cannot reset this device's passcode (e.g. Windows, macOS). */
export class UnsupportedDeviceError extends IntunePasscodeError {}
/** `BAD_REQUEST`: any other 4xx. */
export class BadRequestError extends IntunePasscodeError {}
/** `THROTTLED`: 429 after retries, or a `Retry-After` past the deadline. */
export class ThrottledError extends IntunePasscodeError {}
/** Graph answered 503 (not executed) and retries ran out; every other 5xx is OUTCOME_UNKNOWN. */
export class ServiceUnavailableError extends IntunePasscodeError {}
/** Sent, no verdict (any 5xx but 503, a lost connection, the deadline after sending): it may have run. */
export class OutcomeUnknownError extends IntunePasscodeError {}
/** `NETWORK`: DNS, connect or TLS failed; nothing was sent. */
export class NetworkError extends IntunePasscodeError {}
/** `TIMEOUT`: the deadline passed before sending. */
export class TimeoutError extends IntunePasscodeError {}
/** `CREDENTIAL`: no token (Entra ID's `AADSTS…` text kept; a credential's rejection is the `cause`). */
export class CredentialError extends IntunePasscodeError {}
/** `UNEXPECTED_RESPONSE`: a redirect or another answer this action never gives; not followed. */
export class UnexpectedResponseError extends IntunePasscodeError {}

/** Calls `resetPasscode` on Intune managed devices. Thread-free: never blocks the event loop. */
export class Client {
  /** Refuses bad options with an `InvalidArgumentError`; a certificate file is read here. */
  constructor(options: ClientOptions)
  /** `AZURE_*` variables (secret or certificate), then workload identity, then managed identity. */
  static fromEnvironment(options?: Omit<ClientOptions, 'token' | 'tenantId' | 'clientId' | 'clientSecret' | 'credential' | 'certificatePath' | 'certificatePassword' | 'sendCertificateChain' | 'managedIdentity' | 'workloadIdentity'>): Client
  /** Reset one device's passcode: its receipt, or an `IntunePasscodeError` (`OutcomeUnknownError` when it may have run). */
  resetPasscode(deviceId: string, options?: ResetOptions): Promise<Receipt>
  /** Reset many devices, paced; yields one item per device as each finishes. `ids` is read lazily. */
  resetPasscodes(ids: Iterable<string> | AsyncIterable<string>, options?: BulkOptions): AsyncGenerator<BulkItem, void, undefined>
  /** The device's latest resetPasscode record, or null. Needs `DeviceManagementManagedDevices.Read.All`. */
  resetStatus(deviceId: string, options?: ResetOptions): Promise<ResetAction | null>
  /** Settle a reset whose answer was lost; never resends. */
  confirmReset(deviceId: string, sentAt: Date | number, options?: ResetOptions & { withinMs?: number; seenBefore?: Date | number }): Promise<Confirmation>
  /** Wait until the reset sent at `sentAt` reaches a final state; its record (on Android, with the passcode). */
  waitForReset(deviceId: string, sentAt: Date | number, options?: ResetOptions & { timeoutMs?: number }): Promise<ResetAction>
}

/** This package's version. */
export const version: string

/** One log record of the library (never a token). */
export interface LogRecord {
  /** Its level. */
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace'
  /** Where it comes from, e.g. `intune_passcode::client`. */
  target: string
  /** The text. */
  message: string
}

/** Receive the library's log records at `level` and above (default `debug`); `null` stops them. */
export function setLogger(fn: ((record: LogRecord) => void) | null, options?: { level?: LogLevel }): void
/** The lowest level passed to the logger. */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
