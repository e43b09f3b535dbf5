//! [`LogMsg`]: what travels from an SDK to a sink, a file, a server or a viewer.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{Chunk, RowId, StoreId, StoreInfo};

/// Announces a store; sent before any data of that store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetStoreInfo {
    /// Identifies this announcement (a resend carries the same id).
    pub row_id: RowId,
    /// The store.
    pub info: StoreInfo,
}

/// A chunk of data for one store.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrowMsg {
    /// The store the chunk belongs to.
    pub store_id: StoreId,
    /// The data (shared: sinks fan one message out without copying it).
    pub chunk: Arc<Chunk>,
}

/// Asks a viewer to use a blueprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlueprintActivation {
    /// The blueprint store to use.
    pub blueprint_id: StoreId,
    /// Use it now.
    pub make_active: bool,
    /// Use it as the default for its application.
    pub make_default: bool,
}

/// One message of a reel stream.
#[derive(Clone, Debug, PartialEq)]
pub enum LogMsg {
    /// A store begins (or is announced again).
    SetStoreInfo(SetStoreInfo),
    /// Data for a store.
    ArrowMsg(ArrowMsg),
    /// A blueprint is ready to use.
    BlueprintActivation(BlueprintActivation),
}

impl LogMsg {
    /// The store the message concerns.
    pub fn store_id(&self) -> &StoreId {
        match self {
            Self::SetStoreInfo(m) => &m.info.store_id,
            Self::ArrowMsg(m) => &m.store_id,
            Self::BlueprintActivation(m) => &m.blueprint_id,
        }
    }

    /// A short name of the message's kind, for logs and summaries.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::SetStoreInfo(_) => "SetStoreInfo",
            Self::ArrowMsg(_) => "ArrowMsg",
            Self::BlueprintActivation(_) => "BlueprintActivation",
        }
    }
}

impl serde::Serialize for RowId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RowId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<crate::Tuid>()
            .map(RowId)
            .map_err(|_| serde::de::Error::custom(format!("row id {s:?} is not 32 hex digits")))
    }
}
