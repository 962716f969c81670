#!/usr/bin/env node
// The `intune-passcode-emulator` command: the `graph-emulator` binary's command line (the same Rust code), run
// in-process. Its first stdout line is the ready line (JSON); it serves until Ctrl-C or SIGTERM.
'use strict'
const native = require('../index.js')

// Node's own handlers for these signals re-raise them; the emulator's handler calls the previous one, and the two
// would bounce the signal forever. Listeners here replace Node's handlers with libuv's, which only take note.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {})

process.exitCode = native.runEmulator(['intune-passcode-emulator', ...process.argv.slice(2)])
