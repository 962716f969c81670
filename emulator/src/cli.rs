//! The `graph-emulator` command line, shared by the binary, the Python console script `intune-passcode-emulator`
//! and the npm bin of the same name: serve the emulated Graph until stopped. The first stdout line is a JSON object
//! with the URLs and credentials; logs go to stderr.

use std::io::Write;
use std::time::Duration;

use crate::{Emulator, EmulatorConfig, FaultConfig, Tenant, ThrottleConfig};

/// The command line's help.
pub const USAGE: &str = "usage: graph-emulator [--port N] [--tls] [--tenant FILE] [--throttle on|off|N/SECONDS]
                      [--faults SPEC] [--seed N] [--devices N] [--token-lifetime SECONDS]
                      [--action-lag MS|random:MS] [--action-done-after MS]

  --port N              TCP port on 127.0.0.1 (default 0: any free port)
  --tls                 serve HTTPS with a generated CA (its PEM path is in the ready line's ca_cert)
  --tenant FILE         load the tenant from a JSON file instead of generating it
  --throttle SPEC       intune or on (Intune's 200 writes/20 s per app, 400 per tenant; the default), off, or
                        N/SECONDS
  --faults SPEC         e.g. 429=0.05,503=0.05,500=0.02,504=0.02,reset_before=0.01,reset_after=0.01,
                        latency=0.01,latency_ms=5000,retry_after=1, and for reads read_429=0.05,
                        read_503=0.05 (default none); 503_after answers 503 after running the reset
  --seed N              seed of the generated tenant and of the faults (default 1)
  --devices N           managed devices in the generated tenant (default 3000)
  --token-lifetime S    lifetime of issued tokens in seconds (default 3599)
  --action-lag SPEC     how long an executed reset takes to show in deviceActionResults: MS, or random:MS
                        (each device its own lag up to MS); default 0
  --action-done-after MS  how long an online device takes to finish a reset (pending, then done); default 1000";

/// The settings the flags name (throttled as Intune is unless told otherwise); `Err("")` for `--help`.
pub fn parse_args(args: &[String]) -> Result<EmulatorConfig, String> {
    let mut c = EmulatorConfig {
        throttle: Some(ThrottleConfig::intune()),
        ..EmulatorConfig::default()
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                c.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port takes a number from 0 to 65535")?
            }
            "--tls" => c.tls = true,
            "--tenant" => {
                let path = value("--tenant")?;
                c.tenant = Some(
                    Tenant::from_file(std::path::Path::new(&path))
                        .map_err(|e| format!("--tenant: {e}"))?,
                );
            }
            "--throttle" => {
                c.throttle =
                    ThrottleConfig::parse(&value("--throttle")?).map_err(|e| format!("--{e}"))?
            }
            "--faults" => {
                c.faults = FaultConfig::parse(&value("--faults")?).map_err(|e| format!("--{e}"))?
            }
            "--seed" => {
                c.seed = value("--seed")?
                    .parse()
                    .map_err(|_| "--seed takes a whole number")?
            }
            "--devices" => {
                c.devices = value("--devices")?
                    .parse()
                    .ok()
                    .filter(|n| (1..=10_000_000).contains(n))
                    .ok_or("--devices takes a number from 1 to 10000000")?
            }
            "--token-lifetime" => {
                let secs: f64 = value("--token-lifetime")?
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s < 1e9)
                    .ok_or("--token-lifetime takes a number of seconds above 0")?;
                c.token_lifetime = Duration::from_secs_f64(secs);
            }
            "--action-lag" => c.action.parse_lag(&value("--action-lag")?)?,
            "--action-done-after" => {
                c.action.done_after = Duration::from_millis(
                    value("--action-done-after")?
                        .parse()
                        .map_err(|_| "--action-done-after takes a number of milliseconds")?,
                )
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(c)
}

/// Run the command line with `argv` (program name first) until Ctrl-C or SIGTERM: its exit code (0, 1 when the
/// emulator could not start, 2 for bad flags).
pub fn run(argv: Vec<String>) -> i32 {
    let args: Vec<String> = argv.into_iter().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(c) => c,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return 0;
        }
        Err(e) => {
            eprintln!("graph-emulator: {e}\n\n{USAGE}");
            return 2;
        }
    };
    // `try_init`: a host process (Python, Node) may have set a subscriber already.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("graph-emulator: could not start a runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(async {
        // Listen before the ready line: a harness may send SIGTERM as soon as it has read it.
        let stop = match StopSignals::listen() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("graph-emulator: could not listen for Ctrl-C and SIGTERM: {e}");
                return 1;
            }
        };
        let handle = match Emulator::start(config).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("graph-emulator: {e}");
                return 1;
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", handle.ready_json());
        let _ = out.flush();
        drop(out);
        eprintln!(
            "graph-emulator: serving {} (Ctrl-C to stop)",
            handle.graph_url
        );
        stop.wait().await;
        // Dropping the handle removes the certificate and token files it wrote.
        drop(handle);
        0
    })
}

/// Ctrl-C, and (on Unix) the SIGTERM that test harnesses send, listened for from creation on.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn listen() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            let (mut interrupt, mut terminate) = (self.interrupt, self.terminate);
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
