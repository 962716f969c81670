//! Starting and stopping a background emulator again and again leaves the thread count where it was (its own
//! process: other tests' threads would blur the count). `make bench` runs the 10,000-cycle version.

use graph_emulator::{BackgroundEmulator, EmulatorConfig};

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

#[test]
fn start_stop_cycles_leave_no_thread_behind() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return; // not Linux: nothing to count
    }
    let config = EmulatorConfig {
        devices: 20,
        ..EmulatorConfig::default()
    };
    BackgroundEmulator::start(config.clone()).unwrap().stop();
    let before = threads();
    for _ in 0..50 {
        let emu = BackgroundEmulator::start(config.clone()).unwrap();
        assert!(threads() > before, "an emulator runs on threads of its own");
        emu.stop();
    }
    assert_eq!(threads(), before);
}
