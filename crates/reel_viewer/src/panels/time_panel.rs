//! The time panel: timeline selector, playback controls (play/pause, step, jump, loop,
//! speed, follow live), a time ruler to click or drag the cursor on, and one data-density
//! stripe per row of the entity tree. Ctrl+scroll (or pinch) zooms the time axis around
//! the pointer, shift+scroll or a right-drag pans it, double-click on the ruler shows all.

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Vec2};
use reel_core::{TimeInt, Timeline};

use crate::context::{FrameOutput, Item, ViewerContext};
use crate::panels::entity_tree::{TreeState, ROW_HEIGHT};
use crate::time_control::{TimeControl, SPEEDS};

/// Width of the name column left of the stripes.
const NAMES_WIDTH: f32 = 180.0;
/// Height of the ruler.
const RULER_HEIGHT: f32 = 22.0;
/// Screen points per density bucket.
const BUCKET_WIDTH: f32 = 3.0;
/// The cursor's color.
pub const CURSOR_COLOR: Color32 = Color32::from_rgb(255, 210, 80);

/// Draws the time panel. Changes to the time state are made directly (the panel owns it);
/// hover and selection go through `out`.
pub fn ui(
    ctx: &ViewerContext<'_>,
    time: &mut TimeControl,
    tree: &mut TreeState,
    ui: &mut egui::Ui,
    out: &mut FrameOutput,
) {
    controls(ctx, time, ui);
    ui.separator();
    let Some(timeline) = time.timeline.clone() else {
        ui.weak("only static data so far: no timeline to show");
        return;
    };
    let Some((lo, hi)) = time.visible(ctx.store) else {
        return;
    };
    let cursor = time.current(ctx.store);

    // The ruler, with the whole recording's density under it.
    let full = ui.available_rect_before_wrap();
    let stripes_left = full.left() + NAMES_WIDTH;
    let (ruler_rect, ruler) = ui.allocate_exact_size(
        Vec2::new(full.width(), RULER_HEIGHT + ROW_HEIGHT),
        Sense::click_and_drag(),
    );
    let axis = Axis {
        lo,
        hi,
        left: stripes_left,
        right: ruler_rect.right() - 4.0,
    };
    let painter = ui.painter_at(ruler_rect);
    let ticks_rect = Rect::from_min_max(
        Pos2::new(axis.left, ruler_rect.top()),
        Pos2::new(axis.right, ruler_rect.top() + RULER_HEIGHT),
    );
    draw_ticks(&painter, ui, &timeline, &axis, ticks_rect);
    painter.text(
        Pos2::new(
            ruler_rect.left() + 4.0,
            ruler_rect.top() + RULER_HEIGHT + ROW_HEIGHT / 2.0,
        ),
        Align2::LEFT_CENTER,
        "all",
        FontId::proportional(12.0),
        ui.visuals().text_color(),
    );
    let all_rect = Rect::from_min_max(
        Pos2::new(axis.left, ruler_rect.top() + RULER_HEIGHT),
        Pos2::new(axis.right, ruler_rect.bottom()),
    );
    draw_density(
        ctx,
        &painter,
        &reel_core::EntityPath::root(),
        &timeline,
        &axis,
        all_rect,
        ui,
    );

    // Rows: one stripe per visible tree row, virtualized.
    let rows = tree.rows(ctx.store).to_vec();
    let rows_response = egui::ScrollArea::vertical()
        .id_salt("time_panel_rows")
        .auto_shrink(false)
        .show_rows(ui, ROW_HEIGHT, rows.len(), |ui, range| {
            for row in &rows[range] {
                let (rect, response) = ui.allocate_exact_size(
                    Vec2::new(ui.available_width(), ROW_HEIGHT),
                    Sense::click_and_drag(),
                );
                let painter = ui.painter_at(rect);
                let name = row
                    .path
                    .parts()
                    .last()
                    .map_or_else(|| "/".to_owned(), ToString::to_string);
                let highlighted = ctx.is_highlighted(&row.path, None);
                if highlighted {
                    painter.rect_filled(
                        rect,
                        0.0,
                        ui.visuals().selection.bg_fill.gamma_multiply(0.4),
                    );
                }
                painter.text(
                    Pos2::new(rect.left() + 4.0 + row.depth as f32 * 10.0, rect.center().y),
                    Align2::LEFT_CENTER,
                    name,
                    FontId::proportional(12.0),
                    ui.visuals().text_color(),
                );
                let stripe = Rect::from_min_max(
                    Pos2::new(axis.left, rect.top() + 3.0),
                    Pos2::new(axis.right, rect.bottom() - 3.0),
                );
                draw_density(ctx, &painter, &row.path, &timeline, &axis, stripe, ui);
                if response.hovered() {
                    out.hovered = Some(Item::Entity(row.path.clone()));
                }
                if let Some(pos) = response.interact_pointer_pos() {
                    if pos.x >= axis.left
                        && (response.clicked() || response.dragged_by(egui::PointerButton::Primary))
                    {
                        time.set_time(ctx.store, axis.time(pos.x));
                    } else if response.clicked() {
                        out.select(Item::Entity(row.path.clone()));
                    }
                }
            }
        });

    // Cursor across the ruler and the rows.
    let cursor_x = axis.x(cursor.as_i64() as f64);
    if (axis.left..=axis.right).contains(&cursor_x) {
        let top = ruler_rect.top();
        let bottom = rows_response.inner_rect.bottom().max(ruler_rect.bottom());
        let painter = ui.painter_at(Rect::from_min_max(
            Pos2::new(axis.left - 6.0, top),
            Pos2::new(axis.right + 6.0, bottom),
        ));
        painter.line_segment(
            [Pos2::new(cursor_x, top), Pos2::new(cursor_x, bottom)],
            Stroke::new(1.5, CURSOR_COLOR),
        );
        painter.add(egui::Shape::convex_polygon(
            vec![
                Pos2::new(cursor_x - 5.0, top),
                Pos2::new(cursor_x + 5.0, top),
                Pos2::new(cursor_x, top + 7.0),
            ],
            CURSOR_COLOR,
            Stroke::NONE,
        ));
    }

    // Ruler: click or drag moves the cursor, right-drag pans, double-click shows all.
    if let Some(pos) = ruler.interact_pointer_pos() {
        if ruler.dragged_by(egui::PointerButton::Secondary) {
            let delta = -f64::from(ruler.drag_delta().x) * axis.per_point();
            time.pan(ctx.store, delta);
        } else if ruler.double_clicked() {
            time.view = None;
        } else if (ruler.clicked() || ruler.dragged_by(egui::PointerButton::Primary))
            && pos.x >= axis.left
        {
            time.set_time(ctx.store, axis.time(pos.x));
        }
    }
    let area = Rect::from_min_max(
        Pos2::new(axis.left, full.top()),
        Pos2::new(axis.right, full.bottom()),
    );
    let hover = ui
        .input(|i| i.pointer.hover_pos())
        .filter(|p| area.contains(*p));
    if let Some(pos) = hover {
        let (zoom, scroll, shift) =
            ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta, i.modifiers.shift));
        if (zoom - 1.0).abs() > 1e-4 {
            time.zoom(ctx.store, 1.0 / f64::from(zoom), axis.value(pos.x));
        } else if shift && scroll.length_sq() > 0.0 {
            let dx = if scroll.x != 0.0 { scroll.x } else { scroll.y };
            time.pan(ctx.store, -f64::from(dx) * axis.per_point());
        } else if scroll.x != 0.0 {
            time.pan(ctx.store, -f64::from(scroll.x) * axis.per_point());
        }
    }
}

/// The playback controls row.
fn controls(ctx: &ViewerContext<'_>, time: &mut TimeControl, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        let timelines: Vec<Timeline> = ctx.store.timelines().keys().cloned().collect();
        let selected = time.timeline.as_ref().map_or_else(
            || "(no timeline)".to_owned(),
            |t| t.name().as_str().to_owned(),
        );
        egui::ComboBox::new("timeline", "timeline")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                for t in timelines {
                    let label = format!("{} ({})", t.name(), t.typ());
                    let is = time.timeline.as_ref() == Some(&t);
                    if ui.selectable_label(is, label).clicked() && !is {
                        time.timeline = Some(t);
                        time.view = None;
                        time.time = None;
                    }
                }
            });
        let store = ctx.store;
        if ui.button("⏮").on_hover_text("Start (Home)").clicked() {
            time.jump(store, false);
        }
        if ui
            .button("⏴")
            .on_hover_text("Previous time with data (←)")
            .clicked()
        {
            time.step(store, false);
        }
        let play = if time.playing { "⏸" } else { "▶" };
        if ui
            .button(play)
            .on_hover_text("Play / pause (Space)")
            .clicked()
        {
            time.toggle_play(store);
        }
        if ui
            .button("⏵")
            .on_hover_text("Next time with data (→)")
            .clicked()
        {
            time.step(store, true);
        }
        if ui.button("⏭").on_hover_text("End (End)").clicked() {
            time.jump(store, true);
        }
        ui.toggle_value(&mut time.looping, "🔁")
            .on_hover_text("Loop");
        egui::ComboBox::new("speed", "playback speed")
            .width(60.0)
            .selected_text(format!("{}×", time.speed))
            .show_ui(ui, |ui| {
                for s in SPEEDS {
                    ui.selectable_value(&mut time.speed, s, format!("{s}×"));
                }
            });
        let live = ui
            .selectable_label(time.following, "live")
            .on_hover_text("Follow the newest data (L)");
        if live.clicked() {
            if time.following {
                let now = time.current(store);
                time.set_time(store, now);
            } else {
                time.follow();
            }
        }
        if let Some(timeline) = &time.timeline {
            let now = time.current(store);
            ui.separator();
            ui.monospace(timeline.typ().format(now));
        }
    });
}

/// Maps timeline values to screen x between `left` and `right`.
struct Axis {
    lo: f64,
    hi: f64,
    left: f32,
    right: f32,
}

impl Axis {
    fn x(&self, t: f64) -> f32 {
        self.left
            + ((t - self.lo) / (self.hi - self.lo).max(1e-9)) as f32 * (self.right - self.left)
    }

    fn value(&self, x: f32) -> f64 {
        self.lo
            + f64::from((x - self.left) / (self.right - self.left).max(1.0)) * (self.hi - self.lo)
    }

    fn time(&self, x: f32) -> TimeInt {
        TimeInt::new(self.value(x).round() as i64)
    }

    fn per_point(&self) -> f64 {
        (self.hi - self.lo) / f64::from((self.right - self.left).max(1.0))
    }
}

/// A "nice" tick spacing (1, 2 or 5 times a power of ten) of at least `min`.
pub fn nice_step(min: f64) -> f64 {
    if min.is_nan() || min <= 0.0 || min.is_infinite() {
        return 1.0;
    }
    let power = 10f64.powf(min.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * power >= min {
            return m * power;
        }
    }
    10.0 * power
}

fn draw_ticks(
    painter: &egui::Painter,
    ui: &egui::Ui,
    timeline: &Timeline,
    axis: &Axis,
    rect: Rect,
) {
    let color = ui.visuals().weak_text_color();
    let font = FontId::proportional(10.0);
    // Ticks at least one label (plus a gap) apart, so labels never overlap.
    let widest = [axis.lo, axis.hi]
        .into_iter()
        .map(|t| {
            let text = tick_label(timeline.typ(), t, nice_step(axis.per_point() * 90.0));
            painter.layout_no_wrap(text, font.clone(), color).size().x
        })
        .fold(0.0_f32, f32::max);
    let min_step = axis.per_point() * f64::from((widest + 16.0).max(60.0));
    let step = match timeline.typ() {
        reel_core::TimeType::Sequence => nice_step(min_step).max(1.0),
        _ => nice_step(min_step),
    };
    let first = (axis.lo / step).ceil() as i64;
    let last = (axis.hi / step).floor() as i64;
    if last - first > 1000 {
        return;
    }
    for k in first..=last {
        let t = k as f64 * step;
        let x = axis.x(t);
        painter.line_segment(
            [
                Pos2::new(x, rect.bottom() - 6.0),
                Pos2::new(x, rect.bottom()),
            ],
            Stroke::new(1.0, color),
        );
        painter.text(
            Pos2::new(x + 2.0, rect.top() + 2.0),
            Align2::LEFT_TOP,
            tick_label(timeline.typ(), t, step),
            font.clone(),
            color,
        );
    }
}

/// A tick's label: sequence numbers whole; times as the time of day and durations in
/// seconds, with only as many decimals as the tick step needs (the cursor's own label shows
/// the full value).
pub fn tick_label(typ: reel_core::TimeType, t: f64, step: f64) -> String {
    let decimals = (9.0 - step.max(1.0).log10().floor()).clamp(0.0, 9.0) as usize;
    // Rounded in integers to the last digit shown: `t` itself is only as exact as an f64.
    let unit = 10_i64.pow(9 - decimals as u32);
    let value = match typ {
        reel_core::TimeType::Sequence => t.round() as i64,
        _ => ((t / unit as f64).round() as i64).saturating_mul(unit),
    };
    let full = typ.format(TimeInt::new(value));
    let trim = |text: &str| match text.split_once('.') {
        Some((whole, fraction)) if decimals == 0 => {
            let rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{whole}{rest}")
        }
        Some((whole, fraction)) => {
            let digits: String = fraction.chars().take_while(char::is_ascii_digit).collect();
            let rest = &fraction[digits.len()..];
            format!("{whole}.{}{rest}", &digits[..decimals.min(digits.len())])
        }
        None => text.to_owned(),
    };
    match typ {
        reel_core::TimeType::Sequence => full,
        reel_core::TimeType::Duration => trim(&full),
        reel_core::TimeType::Time => {
            let time_of_day = full.split_once('T').map_or(full.as_str(), |(_, t)| t);
            trim(time_of_day.trim_end_matches('Z'))
        }
    }
}

fn draw_density(
    ctx: &ViewerContext<'_>,
    painter: &egui::Painter,
    path: &reel_core::EntityPath,
    timeline: &Timeline,
    axis: &Axis,
    rect: Rect,
    ui: &egui::Ui,
) {
    painter.rect_filled(rect, 2.0, ui.visuals().faint_bg_color);
    let n = ((rect.width() / BUCKET_WIDTH) as usize).max(1);
    let (lo, hi) = (axis.lo.floor() as i64, axis.hi.ceil() as i64);
    let counts = ctx.store.entity_tree().density(path, timeline, lo, hi, n);
    let Some(max) = counts.iter().copied().max().filter(|m| *m > 0) else {
        return;
    };
    let base = ui.visuals().selection.bg_fill;
    let bucket = rect.width() / n as f32;
    let log_max = (max as f32 + 1.0).ln();
    for (i, &c) in counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        // At least a third of full strength, so single rows stay visible.
        let strength = 0.35 + 0.65 * (c as f32 + 1.0).ln() / log_max;
        let x = rect.left() + i as f32 * bucket;
        painter.rect_filled(
            Rect::from_min_max(
                Pos2::new(x, rect.top()),
                Pos2::new(x + bucket.max(1.5), rect.bottom()),
            ),
            0.0,
            base.gamma_multiply(strength).to_opaque(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.5), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(42.0), 50.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn tick_labels_show_what_the_step_resolves() {
        use reel_core::TimeType;
        assert_eq!(tick_label(TimeType::Sequence, 150.0, 10.0), "#150");
        // 2026-11-24T11:04:33.701281791Z
        let t = 1_795_518_273_701_281_791.0;
        assert_eq!(tick_label(TimeType::Time, t, 1e9), "11:04:34");
        assert_eq!(tick_label(TimeType::Time, t, 1e7), "11:04:33.70");
        // Nanosecond steps keep all nine digits (the last one is at f64's precision here).
        assert!(tick_label(TimeType::Time, t, 1.0).starts_with("11:04:33.70128179"));
        // Rounded, not cut: 39.9098 stays .9098 although the f64 is a little below it.
        let t = 1_795_519_119_909_800_000.0 - 200.0;
        assert_eq!(tick_label(TimeType::Time, t, 2e5), "11:18:39.9098");
        assert_eq!(tick_label(TimeType::Duration, 2.5e9, 5e8), "2.5s");
        assert_eq!(tick_label(TimeType::Duration, 3e9, 1e9), "3s");
    }

    #[test]
    fn axis_maps_both_ways() {
        let a = Axis {
            lo: 0.0,
            hi: 100.0,
            left: 100.0,
            right: 300.0,
        };
        assert_eq!(a.x(50.0), 200.0);
        assert_eq!(a.time(200.0), TimeInt::new(50));
        assert_eq!(a.per_point(), 0.5);
    }
}
