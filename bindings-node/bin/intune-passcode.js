#!/usr/bin/env node
// The `intune-passcode` command line: the Rust one (the same code as `cargo install --path cli`), run in-process.
'use strict'
const native = require('../index.js')

process.exitCode = native.runCli(['intune-passcode', ...process.argv.slice(2)])
