//! `intune-passcode`: the whole job in one command. Everything is in the library, which the Python console script
//! and the npm `bin` call too.

fn main() {
    std::process::exit(intune_passcode_cli::run(std::env::args_os()));
}
