//! A small built-in file dialog (a path field and the folder's listing), so opening and
//! saving work the same on every desktop, under Xvfb and without portal services.

use std::path::{Path, PathBuf};

use reel_core::Timeline;

/// What the user decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Open this file.
    Open(PathBuf),
    /// Save to this file (optionally only this time range).
    Save(PathBuf, Option<(Timeline, i64, i64)>),
    /// Closed without choosing.
    Cancel,
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct FileDialog {
    saving: Option<Option<(Timeline, i64, i64)>>,
    dir: PathBuf,
    name: String,
    error: Option<String>,
}

impl FileDialog {
    /// A dialog that opens a recording.
    pub fn open() -> Self {
        Self {
            saving: None,
            dir: std::env::current_dir().unwrap_or_default(),
            name: String::new(),
            error: None,
        }
    }

    /// A dialog that saves the recording (or `range` of it).
    pub fn save(range: Option<(Timeline, i64, i64)>) -> Self {
        Self {
            saving: Some(range),
            name: "recording.reel".to_owned(),
            ..Self::open()
        }
    }

    /// Draws the dialog; returns the outcome once there is one.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Outcome> {
        let mut outcome = None;
        let title = if self.saving.is_some() {
            "Save recording"
        } else {
            "Open recording"
        };
        let mut open = true;
        egui::Window::new(title)
            .collapsible(false)
            .open(&mut open)
            .default_size([480.0, 360.0])
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    if ui.button("⬆").on_hover_text("Parent folder").clicked() {
                        if let Some(parent) = self.dir.parent() {
                            self.dir = parent.to_owned();
                        }
                    }
                    ui.monospace(self.dir.display().to_string());
                });
                egui::ScrollArea::vertical()
                    .max_height(240.0)
                    .show(ui, |ui| {
                        for (path, is_dir) in listing(&self.dir) {
                            let name = path
                                .file_name()
                                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                            let label = if is_dir {
                                format!("📁 {name}")
                            } else {
                                name.clone()
                            };
                            let response = ui.selectable_label(self.name == name, label);
                            if response.clicked() {
                                if is_dir {
                                    self.dir = path.clone();
                                } else {
                                    self.name = name;
                                }
                            }
                            if response.double_clicked() && !is_dir && self.saving.is_none() {
                                outcome = Some(Outcome::Open(path));
                            }
                        }
                    });
                ui.horizontal(|ui| {
                    let label = ui.label("File:");
                    ui.text_edit_singleline(&mut self.name)
                        .labelled_by(label.id);
                });
                if let Some(e) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    let action = if self.saving.is_some() {
                        "Save"
                    } else {
                        "Open"
                    };
                    if ui.button(action).clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter))
                    {
                        let path = self.dir.join(&self.name);
                        match &self.saving {
                            Some(range) => outcome = Some(Outcome::Save(path, range.clone())),
                            None if path.is_file() => outcome = Some(Outcome::Open(path)),
                            None => self.error = Some(format!("{} is not a file", path.display())),
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        outcome = Some(Outcome::Cancel);
                    }
                });
            });
        if !open {
            outcome = Some(Outcome::Cancel);
        }
        outcome
    }
}

/// Folders first, then `.reel` files (and `.rrd`), by name; hidden entries left out.
fn listing(dir: &Path) -> Vec<(PathBuf, bool)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, bool)> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| (e.path(), e.path().is_dir()))
        .filter(|(p, is_dir)| *is_dir || p.extension().is_some_and(|x| x == "reel" || x == "rrd"))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}
