//! Who produced data and where it goes: application, recording and store ids, and
//! [`StoreInfo`], the description every recording starts with.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Names the program that logs: recordings are grouped by it ("my_robot", "calibration").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApplicationId(Arc<str>);

impl ApplicationId {
    /// An application id from any string.
    pub fn new(id: impl AsRef<str>) -> Self {
        Self(id.as_ref().into())
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApplicationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ApplicationId {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for ApplicationId {
    fn from(s: String) -> Self {
        Self(s.into())
    }
}

/// Names one recording. A random UUIDv4 by default; any string is accepted so that several
/// processes can agree on one recording.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordingId(Arc<str>);

impl RecordingId {
    /// A fresh random UUIDv4 id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string().into())
    }

    /// A recording id from any user string.
    pub fn new(id: impl AsRef<str>) -> Self {
        Self(id.as_ref().into())
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for RecordingId {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for RecordingId {
    fn from(s: String) -> Self {
        Self(s.into())
    }
}

/// What a store holds: logged data, or the layout of the viewer (a blueprint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// Data logged by a program.
    Recording,
    /// The viewer's layout for an application.
    Blueprint,
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Recording => "recording",
            Self::Blueprint => "blueprint",
        })
    }
}

/// Identifies a store: its kind and its recording id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StoreId {
    /// Recording or blueprint.
    pub kind: StoreKind,
    /// The id shared by every process that logs into this store.
    pub id: RecordingId,
}

impl StoreId {
    /// A store id for recorded data.
    pub fn recording(id: RecordingId) -> Self {
        Self {
            kind: StoreKind::Recording,
            id,
        }
    }

    /// A store id for a blueprint.
    pub fn blueprint(id: RecordingId) -> Self {
        Self {
            kind: StoreKind::Blueprint,
            id,
        }
    }
}

impl fmt::Display for StoreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

/// Which SDK produced a store.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "sdk")]
pub enum StoreSource {
    /// The Rust SDK.
    RustSdk {
        /// The SDK's version.
        version: String,
    },
    /// The Python SDK.
    PythonSdk {
        /// The SDK's version.
        version: String,
        /// The Python interpreter's version.
        python_version: String,
    },
    /// A file tool (the `reel` CLI, a converter).
    File {
        /// What wrote the file.
        tool: String,
    },
    /// Anything else.
    Other {
        /// Free-form description.
        description: String,
    },
}

impl StoreSource {
    /// This crate's version as the Rust SDK.
    pub fn rust_sdk() -> Self {
        Self::RustSdk {
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

impl fmt::Display for StoreSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RustSdk { version } => write!(f, "reel Rust SDK {version}"),
            Self::PythonSdk {
                version,
                python_version,
            } => write!(f, "reel Python SDK {version} (Python {python_version})"),
            Self::File { tool } => write!(f, "file tool {tool}"),
            Self::Other { description } => f.write_str(description),
        }
    }
}

/// Describes a store; the first message of every recording.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreInfo {
    /// The application that logs.
    pub application_id: ApplicationId,
    /// The store this info describes.
    pub store_id: StoreId,
    /// When the recording started, in nanoseconds since the Unix epoch.
    pub started_ns: i64,
    /// Which SDK and version produced the store.
    pub source: StoreSource,
}

impl StoreInfo {
    /// Info for a new recording started now by the Rust SDK.
    pub fn new_recording(application_id: ApplicationId, recording_id: RecordingId) -> Self {
        Self {
            application_id,
            store_id: StoreId::recording(recording_id),
            started_ns: crate::time::now_nanos(),
            source: StoreSource::rust_sdk(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_recording_ids_are_uuid_v4() {
        let a = RecordingId::random();
        let b = RecordingId::random();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(a.as_str()).expect("a uuid");
        assert_eq!(parsed.get_version_num(), 4);
    }

    #[test]
    fn any_string_is_a_recording_id() {
        let id = RecordingId::new("my run / 🦀");
        assert_eq!(id.as_str(), "my run / 🦀");
        assert_eq!(
            StoreId::recording(id.clone()).to_string(),
            "recording:my run / 🦀"
        );
    }
}
