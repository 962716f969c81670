//! Devices a bulk run does not send because the input itself says Intune cannot reset them: the Intune portal's
//! export states each device's OS, and Windows, macOS and Linux devices have no passcode reset (the supported list is
//! Android Enterprise, AOSP and iOS/iPadOS: docs/graph-facts). Sending them would only earn a 400 each, and in a mixed
//! fleet spend a third of Intune's 200-writes-per-20-s budget on answers known in advance.

use crate::call::Target;
use crate::error::{Error, ErrorKind};

/// Whether Intune can reset the passcode of a device whose operating system is written `os` (as the Intune portal,
/// Graph's `operatingSystem` or a person writes it; case and spacing do not matter): `Some(false)` for Windows,
/// macOS and Linux, `Some(true)` for Android (any enrolment), AOSP and iOS/iPadOS, `None` for anything else.
pub fn platform_can_reset(os: &str) -> Option<bool> {
    let os = os.trim().to_ascii_lowercase();
    let starts = |p: &[&str]| p.iter().any(|p| os.starts_with(p));
    if starts(&[
        "windows", "macos", "mac os", "os x", "osx", "linux", "ubuntu", "red hat", "rhel",
    ]) {
        Some(false)
    } else if starts(&["android", "aosp", "ios", "ipados", "iphone", "ipad"]) {
        Some(true)
    } else {
        None
    }
}

/// The failure a bulk run reports, journaled like any other, for a device it will not send: its stated OS cannot be
/// reset and the caller did not ask to send such devices anyway.
pub(crate) fn skipped(target: &Target, send_unsupported: bool) -> Option<Error> {
    let os = target.platform()?;
    if send_unsupported || platform_can_reset(os) != Some(false) {
        return None;
    }
    Some(Error::new(
        ErrorKind::UnsupportedDevice,
        format!(
            "skipped: the input says OS={os}, a platform whose passcode Intune cannot reset; nothing was sent \
             (send_unsupported, --send-unsupported on the command line, sends it anyway)"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_portal_and_graph_write_them() {
        for os in [
            "Windows",
            "windows 10",
            " macOS ",
            "Mac OS X",
            "Linux",
            "Ubuntu",
        ] {
            assert_eq!(platform_can_reset(os), Some(false), "{os}");
        }
        for os in [
            "Android",
            "AndroidEnterprise",
            "AndroidForWork",
            "AOSP",
            "iOS/iPadOS",
            "iOS",
            "iPadOS",
        ] {
            assert_eq!(platform_can_reset(os), Some(true), "{os}");
        }
        for os in ["", "ChromeOS", "Unknown", "tvOS"] {
            assert_eq!(platform_can_reset(os), None, "{os}");
        }
    }

    #[test]
    fn skips_only_a_stated_unsupported_os_and_only_without_send_unsupported() {
        let t = Target::device("d").unwrap();
        assert!(skipped(&t, false).is_none(), "no OS stated: sent as before");
        assert!(skipped(&t.clone().with_platform("ChromeOS"), false).is_none());
        assert!(skipped(&t.clone().with_platform("Android"), false).is_none());
        let e = skipped(&t.clone().with_platform("Windows"), false).expect("skipped");
        assert_eq!(e.kind(), ErrorKind::UnsupportedDevice);
        assert!(
            e.to_string().contains("skipped: the input says OS=Windows"),
            "{e}"
        );
        assert!(skipped(&t.with_platform("Windows"), true).is_none());
    }
}
