// ESM entry: the same objects as the CommonJS one.
import cjs from './intune-passcode.js'

export const {
  Client, Journal, Passcode, IntunePasscodeError, InvalidArgumentError, AuthenticationError, PermissionDeniedError, NotFoundError,
  UnsupportedDeviceError, BadRequestError, ThrottledError, ServiceUnavailableError, OutcomeUnknownError, NetworkError,
  TimeoutError, CredentialError, UnexpectedResponseError, setLogger, version,
} = cjs
export default cjs
