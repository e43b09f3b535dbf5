//! Parquet export of dataframe views, for engines that query many recordings at once
//! (DuckDB, DataFusion, Spark): one file per entity holding the rows of every recording,
//! with a `recording_id` column, plus a `manifest.json` describing the files.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{new_null_array, Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use reel_core::EntityPath;

use crate::chunk_store::ChunkStore;
use crate::dataframe::{DataframeError, SelectBatches, ViewContents};

/// What went wrong exporting.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Building a view failed.
    #[error(transparent)]
    View(#[from] DataframeError),
    /// Writing a file failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Parquet refused the data.
    #[error("writing {path}: {source}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// Why.
        source: parquet::errors::ParquetError,
    },
    /// Arrow refused to line columns up.
    #[error("aligning the columns of {entity}: {source}")]
    Arrow {
        /// The entity.
        entity: String,
        /// Why.
        source: arrow_schema::ArrowError,
    },
}

/// One written file.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ExportedEntity {
    /// The entity path.
    pub entity: String,
    /// The file name inside the export directory.
    pub file: String,
    /// Rows written.
    pub rows: usize,
    /// Column names, in order.
    pub columns: Vec<String>,
}

/// What an export wrote (also written as `manifest.json`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ExportManifest {
    /// The index timeline.
    pub index: String,
    /// The recordings exported.
    pub recordings: Vec<String>,
    /// Recordings skipped because they lack the index timeline.
    pub skipped: Vec<String>,
    /// One entry per file.
    pub entities: Vec<ExportedEntity>,
}

/// A file name for an entity: its path with `/` as `.`, anything unusual as `_`.
fn file_name(entity: &EntityPath) -> String {
    let text = entity.to_string();
    let safe: String = text
        .chars()
        .map(|c| match c {
            '/' => '.',
            c if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') => c,
            _ => '_',
        })
        .collect();
    if safe.is_empty() {
        "root.parquet".into()
    } else {
        format!("{safe}.parquet")
    }
}

/// Writes every entity of `recordings` (id, store) indexed by `index` into `dir`.
pub fn export_parquet(
    recordings: &[(String, &ChunkStore)],
    index: &str,
    dir: &Path,
) -> Result<ExportManifest, ExportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ExportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut manifest = ExportManifest {
        index: index.to_owned(),
        recordings: Vec::new(),
        skipped: Vec::new(),
        entities: Vec::new(),
    };
    // Per entity, per recording: the view, as batches computed while they are written.
    type Selection<'a> = SelectBatches<&'a ChunkStore>;
    let mut per_entity: BTreeMap<EntityPath, Vec<(String, Selection<'_>)>> = BTreeMap::new();
    for (id, store) in recordings {
        if store.timeline_by_name(index).is_err() {
            manifest.skipped.push(id.clone());
            continue;
        }
        manifest.recordings.push(id.clone());
        for entity in store.entity_paths() {
            let contents = ViewContents::Explicit([(format!("/{entity}"), Vec::new())].into());
            let batches = store.view(index, &contents)?.select_batches(&[])?;
            per_entity
                .entry(entity.clone())
                .or_default()
                .push((id.clone(), batches));
        }
    }
    for (entity, parts) in per_entity {
        let name = file_name(&entity);
        let path = dir.join(&name);
        let arrow_err = |source| ExportError::Arrow {
            entity: entity.to_string(),
            source,
        };
        // The union of the recordings' columns, first seen first (the index leads).
        let mut fields: Vec<Field> = vec![Field::new("recording_id", DataType::Utf8, false)];
        for (_, batches) in &parts {
            for f in batches.schema().fields() {
                if !fields.iter().any(|g| g.name() == f.name()) {
                    fields.push(f.as_ref().clone().with_nullable(true));
                }
            }
        }
        let schema = Arc::new(Schema::new(fields));
        let file = File::create(&path).map_err(io(&path))?;
        let parquet_err = |source| ExportError::Parquet {
            path: path.clone(),
            source,
        };
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), None)
            .map_err(parquet_err)?;
        let mut rows = 0;
        for (id, batches) in parts {
            for batch in batches {
                let batch = batch?;
                let n = batch.num_rows();
                let columns: Vec<ArrayRef> = schema
                    .fields()
                    .iter()
                    .map(|f| {
                        if f.name() == "recording_id" {
                            Arc::new(StringArray::from(vec![id.as_str(); n])) as ArrayRef
                        } else {
                            match batch.column_by_name(f.name()) {
                                Some(c) if c.data_type() == f.data_type() => c.clone(),
                                _ => new_null_array(f.data_type(), n),
                            }
                        }
                    })
                    .collect();
                let aligned = RecordBatch::try_new(schema.clone(), columns).map_err(arrow_err)?;
                writer.write(&aligned).map_err(parquet_err)?;
                rows += n;
            }
        }
        writer.close().map_err(parquet_err)?;
        manifest.entities.push(ExportedEntity {
            entity: format!("/{entity}"),
            file: name,
            rows,
            columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
        });
    }
    let manifest_path = dir.join("manifest.json");
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| ExportError::Io {
        path: manifest_path.clone(),
        source: e.into(),
    })?;
    std::fs::write(&manifest_path, json).map_err(io(&manifest_path))?;
    Ok(manifest)
}
