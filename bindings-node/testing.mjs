// ESM entry of `intune-passcode/testing`: the same objects as the CommonJS one.
import cjs from './testing.js'

export const { startEmulator, GraphEmulator, FAULTS } = cjs
export default cjs
