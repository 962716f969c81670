//! `graph-emulator`: serve the emulated Graph until killed (see [`graph_emulator::cli`]).

fn main() -> std::process::ExitCode {
    let code = graph_emulator::cli::run(std::env::args().collect());
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
