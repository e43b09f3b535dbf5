//! The time-indexed store of reel recordings, and the queries the viewer, the server and
//! Python read through.
//!
//! - [`store`]: [`Store`], many recordings by [`reel_core::StoreId`], with subscribers.
//! - [`chunk_store`]: [`ChunkStore`], one recording's chunks and indices; compaction and
//!   garbage collection.
//! - [`stored`]: [`StoredChunk`], what is derived from a chunk once, outside any lock.
//! - [`query`]: latest-at and range queries.
//! - [`dataframe`]: dataframe views, one row per index value, one column per component.
//! - `export` (feature `parquet`): Parquet files per entity across recordings, with a
//!   manifest.
//! - [`cache`]: the latest-at cache, invalidated by what a change can affect.
//! - [`entity_tree`]: the path hierarchy with counts and time histograms.
//! - [`histogram`]: [`TimeHistogram`], row density over a timeline.
//! - `load` (not on wasm32): a recording file or bytes into one [`ChunkStore`] for
//!   queries, small chunks merged entity by entity without holding them all decoded.
//!
//! # Query semantics
//!
//! Every row has a key on a timeline: a *temporal* row logged at time `t` has key
//! `(t, row id)`; a *static* (timeless) row has key `(static, row id)`, where `static`
//! comes before every time. Rows of a chunk that is not on the queried timeline do not
//! exist on it (static rows exist on every timeline).
//!
//! **Latest-at** `(entity, component, timeline, t)` returns the row with the greatest key
//! at or before `t` whose `component` is logged (not null):
//! 1. Among temporal rows with time `<= t`, the greatest `(time, row id)` wins: a later
//!    time beats an earlier one whatever the logging order; at one time, the later logged
//!    row (greater row id) wins.
//! 2. Only if no temporal row qualifies, the static row with the greatest row id is
//!    returned. Static data is thus visible at every time on every timeline until the
//!    first temporal value of that component, and from then on the temporal data takes
//!    precedence, even if it was logged before the static data.
//! 3. A component logged as an empty batch *clears* that component: the row is returned
//!    and its cell is empty.
//! 4. A `Clear` (a row with `ClearIsRecursive`) at key `k` on entity `E` hides, for every
//!    component of `E`, a result whose key is smaller than `k`; a recursive one does the
//!    same for every entity below `E`. Anything logged after the clear (greater key) is
//!    visible again. A static clear hides static rows logged before it.
//! 5. Cells are returned as logged: a splat stays one instance, and each component keeps
//!    its own instance count.
//!
//! **Range** `(entity, component, timeline, [t0, t1])` returns every row whose time lies
//! in `[t0, t1]` and logs the component, in key order, and the clears inside the range.
//! With `include_entering`, each component first gets its latest-at value at `t0 - 1`,
//! the state entering the range (static data included).

pub mod cache;
pub mod chunk_store;
pub mod dataframe;
pub mod entity_tree;
#[cfg(feature = "parquet")]
pub mod export;
pub mod histogram;
#[cfg(not(target_arch = "wasm32"))]
pub mod load;
pub mod query;
pub mod store;
pub mod stored;

pub use cache::{CacheStats, LatestAtCache};
pub use chunk_store::{
    ChangeKind, ChangeReason, ChunkStore, ChunkStoreEvent, CompactionConfig, GcOrder, GcReport,
};
pub use dataframe::{
    ColumnDescriptor, DataframeError, DataframeView, SelectBatches, ViewContents, ViewSpec,
};
pub use entity_tree::{EntityNode, EntityStats, EntityTree};
pub use histogram::TimeHistogram;
pub use query::{LatestAtQuery, LatestAtResults, QueryHit, RangeQuery, RangeResults, RowKey};
pub use store::{
    LimitReport, LoadReport, Recording, RecordingSnapshot, Store, StoreEvent, Subscriber,
    SubscriptionId,
};
pub use stored::StoredChunk;
