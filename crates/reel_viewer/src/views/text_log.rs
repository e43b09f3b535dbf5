//! The text log view: a table of log lines (time, entity, level, text) on the selected
//! timeline, up to the cursor or all of them, filtered by level and a search text, colored
//! by level, scrolled to the newest line while following live.
//!
//! Lines are read when their entities' row counts change; filtering is redone only when
//! the lines, the cursor or the filter change, and only visible rows are laid out, so a
//! million lines stay interactive.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};
use reel_core::{Component, EntityPath, TimeInt, Timeline};
use reel_store::{ChunkStore, RangeQuery};
use reel_types::components::{Text, TextLogLevel};

use crate::context::{FrameOutput, Item, ViewerContext};
use crate::data::StringColumn;
use crate::heuristics::ViewSpec;

/// One log line.
#[derive(Clone, Debug)]
pub struct LogLine {
    /// Its time on the timeline.
    pub time: i64,
    /// Index into the view's entity list.
    pub entity: usize,
    /// Its level, if logged.
    pub level: Option<Arc<str>>,
    /// The text.
    pub text: String,
}

/// The state of a text log view.
pub struct TextLogView {
    lines: Vec<LogLine>,
    lines_key: Option<(Timeline, Vec<u64>)>,
    lines_version: u64,
    levels: BTreeSet<Arc<str>>,
    entities: Vec<EntityPath>,
    /// Show only lines at or before the cursor.
    pub up_to_cursor: bool,
    /// Levels hidden by the user.
    pub hidden_levels: BTreeSet<Arc<str>>,
    /// Case-insensitive search text.
    pub search: String,
    filtered: Vec<u32>,
    filter_key: Option<FilterKey>,
    scrolled_to: usize,
}

#[derive(Clone, PartialEq)]
struct FilterKey {
    lines: u64,
    cursor: Option<TimeInt>,
    hidden_levels: BTreeSet<Arc<str>>,
    search: String,
    visible: Vec<bool>,
}

impl Default for TextLogView {
    fn default() -> Self {
        Self {
            lines: Vec::new(),
            lines_key: None,
            lines_version: 0,
            levels: BTreeSet::new(),
            entities: Vec::new(),
            up_to_cursor: true,
            hidden_levels: BTreeSet::new(),
            search: String::new(),
            filtered: Vec::new(),
            filter_key: None,
            scrolled_to: 0,
        }
    }
}

/// Every log line of `entities` on `timeline`, in time order.
pub fn load_lines(
    store: &ChunkStore,
    entities: &[EntityPath],
    timeline: &Timeline,
) -> Vec<LogLine> {
    let mut levels: BTreeMap<String, Arc<str>> = BTreeMap::new();
    let mut lines = Vec::new();
    let query = RangeQuery::new(timeline.clone(), TimeInt::MIN, TimeInt::MAX);
    for (index, entity) in entities.iter().enumerate() {
        let results = store.range(&query, entity, &[Text::name(), TextLogLevel::name()]);
        let Some(texts) = results.components.get(&Text::name()) else {
            continue;
        };
        for hit in texts {
            let Some(time) = hit.key.time else { continue };
            let column = |name| {
                hit.chunk
                    .components()
                    .get(&name)
                    .and_then(StringColumn::new)
            };
            let Some(text) = column(Text::name()).and_then(|c| c.get(hit.row)) else {
                continue;
            };
            // Levels live in the same row as their text.
            let level = column(TextLogLevel::name())
                .and_then(|c| c.get(hit.row))
                .map(|l| {
                    levels
                        .entry(l.to_owned())
                        .or_insert_with(|| Arc::from(l))
                        .clone()
                });
            lines.push(LogLine {
                time: time.as_i64(),
                entity: index,
                level,
                text: text.to_owned(),
            });
        }
    }
    // Each entity's lines are in order; merge them (stable: ties keep entity order).
    lines.sort_by_key(|l| l.time);
    lines
}

/// The color of a level (`None`: the default text color).
pub fn level_color(level: &str) -> Option<Color32> {
    match level.to_ascii_uppercase().as_str() {
        "CRITICAL" | "FATAL" => Some(Color32::from_rgb(255, 80, 200)),
        "ERROR" => Some(Color32::from_rgb(255, 90, 90)),
        "WARN" | "WARNING" => Some(Color32::from_rgb(255, 200, 60)),
        "DEBUG" => Some(Color32::from_rgb(120, 170, 255)),
        "TRACE" => Some(Color32::GRAY),
        _ => None,
    }
}

impl TextLogView {
    /// Draws the log table.
    pub fn ui(
        &mut self,
        ctx: &ViewerContext<'_>,
        spec: &ViewSpec,
        ui: &mut egui::Ui,
        out: &mut FrameOutput,
    ) {
        let Some(query) = &ctx.query else {
            super::notice(
                ui,
                "log lines need a timeline: nothing temporal was logged yet",
            );
            return;
        };
        let counts: Vec<u64> = spec
            .entities
            .iter()
            .map(|e| ctx.store.entity_tree().get(e).map_or(0, |n| n.own.rows))
            .collect();
        let key = (query.timeline.clone(), counts);
        if self.lines_key.as_ref() != Some(&key) || self.entities != spec.entities {
            self.lines = load_lines(ctx.store, &spec.entities, &query.timeline);
            // The distinct levels, once per load rather than per frame.
            self.levels = self.lines.iter().filter_map(|l| l.level.clone()).collect();
            self.entities = spec.entities.clone();
            self.lines_key = Some(key);
            self.lines_version += 1;
        }

        let levels = self.levels.clone();
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.up_to_cursor, "up to cursor")
                .on_hover_text("Show only lines at or before the time cursor");
            for level in &levels {
                let mut shown = !self.hidden_levels.contains(level);
                let text = RichText::new(level.as_ref())
                    .color(level_color(level).unwrap_or(ui.visuals().text_color()));
                if ui.checkbox(&mut shown, text).changed() {
                    if shown {
                        self.hidden_levels.remove(level);
                    } else {
                        self.hidden_levels.insert(level.clone());
                    }
                }
            }
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("search")
                    .desired_width(160.0),
            );
            ui.weak(format!(
                "{} of {} lines",
                self.filtered.len(),
                self.lines.len()
            ));
        });

        self.refilter(ctx, query.at);
        let time_type = query.timeline.typ();
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .stick_to_bottom(ctx.following)
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(50.0))
            .column(Column::remainder());
        // Scroll to the newest line once when lines arrive while following (not every
        // frame: that would animate forever).
        if ctx.following && self.filtered.len() != self.scrolled_to {
            table = table.scroll_to_row(self.filtered.len().saturating_sub(1), None);
        }
        self.scrolled_to = self.filtered.len();
        table
            .header(row_height, |mut header| {
                for title in [query.timeline.name().as_str(), "entity", "level", "text"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.filtered.len(), |mut row| {
                    let Some(line) = self
                        .filtered
                        .get(row.index())
                        .and_then(|&i| self.lines.get(i as usize))
                    else {
                        return;
                    };
                    let entity = &self.entities[line.entity];
                    let color = line.level.as_deref().and_then(level_color);
                    row.set_selected(ctx.is_highlighted(entity, None) && ctx.selection.is_some());
                    row.col(|ui| {
                        ui.monospace(time_type.format(TimeInt::new(line.time)));
                    });
                    row.col(|ui| {
                        ui.label(entity.to_string());
                    });
                    row.col(|ui| {
                        if let Some(level) = &line.level {
                            ui.label(
                                RichText::new(level.as_ref())
                                    .color(color.unwrap_or(ui.visuals().text_color())),
                            );
                        }
                    });
                    row.col(|ui| {
                        let mut text = RichText::new(&line.text);
                        if let Some(c) = color {
                            text = text.color(c);
                        }
                        ui.add(egui::Label::new(text).truncate());
                    });
                    let response = row.response();
                    if response.hovered() {
                        out.hovered = Some(Item::Entity(entity.clone()));
                    }
                    if response.clicked() {
                        out.select(Item::Entity(entity.clone()));
                        out.set_time(TimeInt::new(line.time));
                    }
                });
            });
    }

    fn refilter(&mut self, ctx: &ViewerContext<'_>, cursor: TimeInt) {
        let key = FilterKey {
            lines: self.lines_version,
            cursor: self.up_to_cursor.then_some(cursor),
            hidden_levels: self.hidden_levels.clone(),
            search: self.search.to_lowercase(),
            visible: self.entities.iter().map(|e| ctx.is_visible(e)).collect(),
        };
        if self.filter_key.as_ref() == Some(&key) {
            return;
        }
        let end = match key.cursor {
            Some(t) => self.lines.partition_point(|l| l.time <= t.as_i64()),
            None => self.lines.len(),
        };
        self.filtered = self.lines[..end]
            .iter()
            .enumerate()
            .filter(|(_, l)| key.visible.get(l.entity).copied().unwrap_or(true))
            .filter(|(_, l)| {
                l.level
                    .as_ref()
                    .is_none_or(|lv| !key.hidden_levels.contains(lv))
            })
            .filter(|(_, l)| key.search.is_empty() || l.text.to_lowercase().contains(&key.search))
            .map(|(i, _)| i as u32)
            .collect();
        self.filter_key = Some(key);
    }
}
