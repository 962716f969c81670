//! Which device to reset, through which of Graph's three routes, and how its IDs are put in the path.

use std::fmt;

use crate::error::Error;
use crate::http::encode_segment;

/// Longest ID accepted, in bytes. Graph IDs are GUIDs (36 bytes); this leaves room for anything real.
pub const MAX_ID_BYTES: usize = 1024;

/// One device to reset, and the route to reach it. IDs are validated when the target is made, so a `Target`
/// always builds a safe path. Two targets are equal when their IDs are: the platform an input states is not part of
/// a target's identity.
#[derive(Clone)]
pub struct Target {
    device_id: String,
    user_id: Option<String>,
    detected_app_id: Option<String>,
    platform: Option<String>,
}

impl PartialEq for Target {
    fn eq(&self, other: &Self) -> bool {
        (&self.device_id, &self.user_id, &self.detected_app_id)
            == (&other.device_id, &other.user_id, &other.detected_app_id)
    }
}
impl Eq for Target {}
impl std::hash::Hash for Target {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.device_id, &self.user_id, &self.detected_app_id).hash(state);
    }
}

impl Target {
    /// `/deviceManagement/managedDevices/{device_id}/resetPasscode`.
    pub fn device(device_id: impl Into<String>) -> Result<Target, Error> {
        Target::new(device_id, None::<String>, None::<String>)
    }

    /// `/users/{user_id}/managedDevices/{device_id}/resetPasscode`.
    pub fn user_device(
        user_id: impl Into<String>,
        device_id: impl Into<String>,
    ) -> Result<Target, Error> {
        Target::new(device_id, Some(user_id), None::<String>)
    }

    /// `/deviceManagement/detectedApps/{app_id}/managedDevices/{device_id}/resetPasscode`.
    pub fn detected_app_device(
        app_id: impl Into<String>,
        device_id: impl Into<String>,
    ) -> Result<Target, Error> {
        Target::new(device_id, None::<String>, Some(app_id))
    }

    /// Any of the three routes: at most one of `user_id` and `detected_app_id` may be given.
    pub fn new(
        device_id: impl Into<String>,
        user_id: Option<impl Into<String>>,
        detected_app_id: Option<impl Into<String>>,
    ) -> Result<Target, Error> {
        let device_id = canonical_id(device_id.into());
        let user_id = user_id.map(|u| canonical_id(u.into()));
        let detected_app_id = detected_app_id.map(|a| canonical_id(a.into()));
        check_id("device_id", &device_id)?;
        if let Some(u) = &user_id {
            check_id("user_id", u)?;
        }
        if let Some(a) = &detected_app_id {
            check_id("detected_app_id", a)?;
        }
        if user_id.is_some() && detected_app_id.is_some() {
            return Err(Error::invalid(
                "a target takes a user_id or a detected_app_id, not both: Graph has no route with both",
            ));
        }
        Ok(Target {
            device_id,
            user_id,
            detected_app_id,
            platform: None,
        })
    }

    /// The same target, with the operating system the caller's input states for it (the Intune portal export's `OS`
    /// column: `Windows`, `iOS/iPadOS`, `Android`…). A bulk run skips a device whose stated OS Intune cannot reset
    /// (see [`platform_can_reset`](crate::platform_can_reset)) unless
    /// [`BulkOptions::send_unsupported`](crate::BulkOptions::send_unsupported); a single call sends whatever is
    /// stated. Blank text states nothing.
    pub fn with_platform(mut self, os: impl Into<String>) -> Target {
        let os = os.into();
        let os = os.trim();
        self.platform = (!os.is_empty()).then(|| os.chars().take(100).collect());
        self
    }
    /// The operating system the input stated, if any (at most 100 characters).
    pub fn platform(&self) -> Option<&str> {
        self.platform.as_deref()
    }

    /// The managed device's ID.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }
    /// The user whose device it is, for the `/users/...` route.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }
    /// The detected app, for the `/deviceManagement/detectedApps/...` route.
    pub fn detected_app_id(&self) -> Option<&str> {
        self.detected_app_id.as_deref()
    }

    /// The path below the Graph version root, IDs encoded, without a leading slash:
    /// `deviceManagement/managedDevices/{id}/resetPasscode` and so on.
    pub fn path(&self) -> String {
        format!("{}/resetPasscode", self.device_path())
    }

    /// The managed device's own path by the same route (what reading it back GETs), without a leading slash:
    /// `deviceManagement/managedDevices/{id}` and so on.
    pub fn device_path(&self) -> String {
        let d = encode_segment(&self.device_id);
        match (&self.user_id, &self.detected_app_id) {
            (Some(u), _) => format!("users/{}/managedDevices/{d}", encode_segment(u)),
            (None, Some(a)) => format!(
                "deviceManagement/detectedApps/{}/managedDevices/{d}",
                encode_segment(a)
            ),
            (None, None) => format!("deviceManagement/managedDevices/{d}"),
        }
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Target({})", self.path())
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// One spelling for a GUID: `ABCD…`, `abcd…` and PowerShell's `{abcd…}` are one device to Graph, so they must be one
/// key to dedupe, the journal and the job name, and one path on the wire. Lower case, braces stripped; anything that
/// is not GUID-shaped (a UPN, a test ID) is left exactly as given.
pub fn canonical_id(id: String) -> String {
    let inner = id
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(&id);
    match uuid::Uuid::try_parse(inner) {
        // try_parse also takes the 32-digit and URN forms; only the hyphenated 36-character one is Graph's.
        Ok(g) if inner.len() == 36 => g.hyphenated().to_string(),
        _ => id,
    }
}

/// Reject IDs that could not name a device or would change the path's shape.
fn check_id(name: &str, id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::invalid(format!("{name} is empty")));
    }
    if id == "." || id == ".." {
        // Encoding leaves dots alone and URL parsers fold `.`/`..` segments away, changing the route.
        return Err(Error::invalid(format!("{name} may not be '.' or '..'")));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(Error::invalid(format!(
            "{name} is {} bytes long; at most {MAX_ID_BYTES} are accepted",
            id.len()
        )));
    }
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(Error::invalid(format!(
            "{name} contains the control character U+{:04X}",
            c as u32
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn encodes_like_kiota() {
        assert_eq!(encode_segment("a/b?c#d e%f+g"), "a%2Fb%3Fc%23d%20e%25f%2Bg");
        assert_eq!(encode_segment("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn three_routes() {
        assert_eq!(
            Target::device("d").unwrap().path(),
            "deviceManagement/managedDevices/d/resetPasscode"
        );
        assert_eq!(
            Target::user_device("u", "d").unwrap().path(),
            "users/u/managedDevices/d/resetPasscode"
        );
        assert_eq!(
            Target::detected_app_device("a", "d").unwrap().path(),
            "deviceManagement/detectedApps/a/managedDevices/d/resetPasscode"
        );
    }

    #[test]
    fn a_guid_has_one_spelling_and_anything_else_is_kept_as_given() {
        let lower = "0f8fad5b-d9cb-469f-a165-70867728950e";
        for spelling in [
            lower.to_string(),
            lower.to_uppercase(),
            format!("{{{lower}}}"),
            format!("{{{}}}", lower.to_uppercase()),
        ] {
            let t = Target::user_device(spelling.clone(), spelling.clone()).unwrap();
            assert_eq!(t.device_id(), lower, "{spelling}");
            assert_eq!(t.user_id(), Some(lower), "{spelling}");
            assert_eq!(t, Target::user_device(lower, lower).unwrap());
        }
        for kept in [
            "User@Contoso.com",
            "ABC",
            "{not-a-guid}",
            "0F8FAD5BD9CB469FA16570867728950E",
            "{0f8fad5b-d9cb-469f-a165-70867728950e",
        ] {
            assert_eq!(Target::device(kept).unwrap().device_id(), kept);
        }
    }

    #[test]
    fn rejects_bad_ids() {
        let long = "x".repeat(MAX_ID_BYTES + 1);
        for bad in [
            "",
            ".",
            "..",
            "a\u{0}b",
            "a\nb",
            "\u{7f}",
            "\u{85}",
            long.as_str(),
        ] {
            assert_eq!(
                Target::device(bad).unwrap_err().kind(),
                ErrorKind::InvalidArgument,
                "{bad:?}"
            );
        }
        assert!(Target::device("x".repeat(MAX_ID_BYTES)).is_ok());
        assert!(Target::device("...").is_ok());
        let both = Target::new("d", Some("u"), Some("a")).unwrap_err();
        assert_eq!(both.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            Target::user_device("", "d").unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
