//! Microsoft's clouds: where Graph lives and where its tokens come from.

/// A Graph cloud. A token is valid only for its own cloud: its scope is `{graph root}/.default`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Cloud {
    /// `graph.microsoft.com`, `login.microsoftonline.com`.
    #[default]
    Global,
    /// US Government L4 (GCC High): `graph.microsoft.us`, `login.microsoftonline.us`.
    UsGovL4,
    /// US Government L5 (DoD): `dod-graph.microsoft.us`, `login.microsoftonline.us`.
    UsGovL5,
    /// Microsoft Graph operated by 21Vianet: `microsoftgraph.chinacloudapi.cn`, `login.chinacloudapi.cn`.
    China,
    /// Any other deployment: its Graph root (`https://host`, no version) and token authority.
    Custom {
        /// Graph root, e.g. `https://graph.example`.
        graph_root: String,
        /// Token authority, e.g. `https://login.example`.
        authority: String,
    },
}

impl Cloud {
    /// The Graph root without the version: `https://graph.microsoft.com`.
    pub fn graph_root(&self) -> &str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovL4 => "https://graph.microsoft.us",
            Cloud::UsGovL5 => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
            Cloud::Custom { graph_root, .. } => graph_root.trim_end_matches('/'),
        }
    }

    /// The token authority: `https://login.microsoftonline.com`.
    pub fn authority(&self) -> &str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGovL4 | Cloud::UsGovL5 => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
            Cloud::Custom { authority, .. } => authority.trim_end_matches('/'),
        }
    }

    /// The one scope a token for this cloud is asked for: `{graph root}/.default`.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.graph_root())
    }

    /// Parse a cloud name as the bindings spell it: `global`, `us_gov_l4`/`usGovL4`, `us_gov_l5`/`usGovL5`, `china`.
    pub fn from_name(name: &str) -> Option<Cloud> {
        match name.to_ascii_lowercase().replace(['_', '-'], "").as_str() {
            "global" | "public" => Some(Cloud::Global),
            "usgovl4" | "gcchigh" => Some(Cloud::UsGovL4),
            "usgovl5" | "dod" => Some(Cloud::UsGovL5),
            "china" => Some(Cloud::China),
            _ => None,
        }
    }
}

/// Graph's API version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ApiVersion {
    /// `v1.0`, the supported one.
    #[default]
    V1,
    /// `beta`.
    Beta,
}

impl ApiVersion {
    /// The path segment: `v1.0` or `beta`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }

    /// Parse `v1.0` / `beta`.
    pub fn from_name(name: &str) -> Option<ApiVersion> {
        match name {
            "v1.0" | "v1" => Some(ApiVersion::V1),
            "beta" => Some(ApiVersion::Beta),
            _ => None,
        }
    }
}
