//! The tenant the emulator serves: apps, users, managed devices, detected apps. Generated from a seed or loaded
//! from a JSON file.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// Platforms as the emulator models them.
pub const PLATFORMS: [&str; 8] = [
    "androidFullyManaged",
    "androidDedicated",
    "androidWorkProfile",
    "aosp",
    "iOS",
    "iPadOS",
    "windows",
    "macOS",
];

/// True when Intune can reset (or on iOS/iPadOS remove) the passcode on this platform.
pub fn supports_reset(platform: &str) -> bool {
    !matches!(platform, "windows" | "macOS")
}

/// An app registration with a client secret.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct App {
    /// Application (client) ID.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// Whether it holds `DeviceManagementManagedDevices.PrivilegedOperations.All` (and, unless `read` says
    /// otherwise, `DeviceManagementManagedDevices.Read.All`).
    pub privileged: bool,
    /// Whether it holds `DeviceManagementManagedDevices.Read.All` (absent: as `privileged`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
}

impl App {
    /// Whether it may read managed devices (and their `deviceActionResults`).
    pub fn can_read(&self) -> bool {
        self.read.unwrap_or(self.privileged)
    }
}

/// A managed device.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Device {
    /// managedDevice ID.
    pub id: String,
    /// The user it belongs to.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// One of [`PLATFORMS`].
    pub platform: String,
    /// Detected apps that list this device.
    #[serde(rename = "detectedAppIds", default)]
    pub detected_app_ids: Vec<String>,
    /// Never checks in: its actions stay `pending`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
    /// An `androidWorkProfile` device whose reset token was never activated: its resets end `notSupported`.
    #[serde(
        rename = "noResetToken",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub no_reset_token: bool,
}

/// A whole tenant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Tenant {
    /// Directory (tenant) ID.
    pub tenant_id: String,
    /// App registrations; the first privileged and the first unprivileged are printed on start.
    pub apps: Vec<App>,
    /// Managed devices.
    pub devices: Vec<Device>,
}

/// A GUID-shaped ID from the seeded generator.
fn guid(rng: &mut fastrand::Rng) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        rng.u32(..),
        rng.u16(..),
        rng.u16(..0x1000),
        rng.u16(0x8000..0xc000),
        rng.u64(..1 << 48)
    )
}

fn secret(rng: &mut fastrand::Rng) -> String {
    let alphabet: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-"
        .chars()
        .collect();
    (0..40)
        .map(|_| alphabet[rng.usize(..alphabet.len())])
        .collect()
}

impl Tenant {
    /// A tenant generated from `seed`: `devices` managed devices across the platforms (weighted like a real fleet),
    /// one user per three devices, 20 detected apps each listing about 5% of devices, one privileged app (both
    /// permissions), one unprivileged app (neither) and one reader (`Read.All` only); about 3% of devices offline
    /// and a quarter of work-profile devices without a reset token.
    pub fn generate(seed: u64, devices: usize) -> Tenant {
        let mut rng = fastrand::Rng::with_seed(seed);
        // Drawn apart, so that a seed gives the same IDs and platforms as before these properties existed.
        let mut extra = fastrand::Rng::with_seed(seed ^ 0x0ff1_13e5);
        let tenant_id = guid(&mut rng);
        let apps = vec![
            App {
                client_id: guid(&mut rng),
                client_secret: secret(&mut rng),
                privileged: true,
                read: None,
            },
            App {
                client_id: guid(&mut rng),
                client_secret: secret(&mut rng),
                privileged: false,
                read: None,
            },
        ];
        let users: Vec<String> = (0..devices.div_ceil(3).max(1))
            .map(|_| guid(&mut rng))
            .collect();
        let detected: Vec<String> = (0..20).map(|_| guid(&mut rng)).collect();
        // Weights per platform, in PLATFORMS order (out of 100).
        let weights = [20, 5, 10, 10, 20, 5, 25, 5];
        let devices = (0..devices)
            .map(|i| {
                let mut roll = rng.u32(..100);
                let mut platform = PLATFORMS[0];
                for (p, w) in PLATFORMS.iter().zip(weights) {
                    if roll < w {
                        platform = p;
                        break;
                    }
                    roll -= w;
                }
                let detected_app_ids = detected
                    .iter()
                    .filter(|_| rng.u8(..100) < 5)
                    .cloned()
                    .collect();
                Device {
                    id: guid(&mut rng),
                    user_id: users[i % users.len()].clone(),
                    platform: platform.to_string(),
                    detected_app_ids,
                    offline: extra.u8(..100) < 3,
                    no_reset_token: platform == "androidWorkProfile" && extra.u8(..100) < 25,
                }
            })
            .collect();
        let mut apps = apps;
        apps.push(App {
            client_id: guid(&mut extra),
            client_secret: secret(&mut extra),
            privileged: false,
            read: Some(true),
        });
        Tenant {
            tenant_id,
            apps,
            devices,
        }
    }

    /// Read, parse and check a tenant file (`--tenant`, the bindings' `tenant=`).
    pub fn from_file(path: &std::path::Path) -> Result<Tenant, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("the tenant file {}: {e}", path.display()))?;
        Tenant::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parse and check a tenant file.
    pub fn from_json(text: &str) -> Result<Tenant, String> {
        let t: Tenant =
            serde_json::from_str(text).map_err(|e| format!("the tenant file is not valid: {e}"))?;
        t.check()?;
        Ok(t)
    }

    fn check(&self) -> Result<(), String> {
        if self.tenant_id.trim().is_empty() {
            return Err("the tenant file has an empty tenant_id".into());
        }
        if !self.apps.iter().any(|a| a.privileged) {
            return Err("the tenant file needs at least one app with \"privileged\": true".into());
        }
        let mut ids = HashSet::new();
        for d in &self.devices {
            if d.id.is_empty() || !ids.insert(d.id.as_str()) {
                return Err(format!(
                    "the tenant file has an empty or repeated device id '{}'",
                    d.id
                ));
            }
            if !PLATFORMS.contains(&d.platform.as_str()) {
                return Err(format!(
                    "device '{}' has the platform '{}'; known: {}",
                    d.id,
                    d.platform,
                    PLATFORMS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Sample IDs printed on start, for demos and tests: a resettable Android device that is online and whose resets
    /// complete, its user, an app listing a device, an online iOS device, a Windows device, an offline device and a
    /// work-profile device without a reset token (each when the tenant has one).
    pub fn samples(&self) -> HashMap<&'static str, String> {
        let mut out = HashMap::new();
        if let Some(d) = self
            .devices
            .iter()
            .find(|d| d.platform.starts_with("android") && !d.offline && !d.no_reset_token)
        {
            out.insert("device_id", d.id.clone());
            out.insert("user_id", d.user_id.clone());
        }
        if let Some(d) = self
            .devices
            .iter()
            .find(|d| d.platform.starts_with("android") && !d.detected_app_ids.is_empty())
        {
            out.insert("detected_app_device_id", d.id.clone());
            out.insert("detected_app_id", d.detected_app_ids[0].clone());
        }
        for (key, platform) in [("ios_device_id", "iOS"), ("windows_device_id", "windows")] {
            if let Some(d) = self
                .devices
                .iter()
                .find(|d| d.platform == platform && !d.offline)
            {
                out.insert(key, d.id.clone());
            }
        }
        let offline = self
            .devices
            .iter()
            .find(|d| d.offline && supports_reset(&d.platform));
        if let Some(d) = offline {
            out.insert("offline_device_id", d.id.clone());
        }
        if let Some(d) = self.devices.iter().find(|d| d.no_reset_token) {
            out.insert("no_reset_token_device_id", d.id.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_valid() {
        let a = Tenant::generate(7, 500);
        assert_eq!(a, Tenant::generate(7, 500));
        assert_ne!(a, Tenant::generate(8, 500));
        a.check().unwrap();
        assert_eq!(a.devices.len(), 500);
        assert!(a.devices.iter().any(|d| !supports_reset(&d.platform)));
        assert!(a.devices.iter().any(|d| !d.detected_app_ids.is_empty()));
        let round = Tenant::from_json(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(round, a);
    }

    #[test]
    fn bad_files_are_refused() {
        assert!(Tenant::from_json("{").is_err());
        assert!(Tenant::from_json(r#"{"tenant_id":"t","apps":[],"devices":[]}"#).is_err());
        let dup = r#"{"tenant_id":"t","apps":[{"client_id":"c","client_secret":"s","privileged":true}],
            "devices":[{"id":"d","userId":"u","platform":"aosp"},{"id":"d","userId":"u","platform":"aosp"}]}"#;
        assert!(Tenant::from_json(dup).is_err());
    }
}
