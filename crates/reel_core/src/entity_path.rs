//! [`EntityPath`]: where in the scene hierarchy data is logged, e.g. `world/robot/camera`.
//!
//! # Syntax
//!
//! A path is a list of non-empty *parts* separated by `/`. A leading `/` is optional and
//! means nothing (`/a/b` and `a/b` are the same path); `""` and `"/"` are the root.
//!
//! A part may hold any Unicode except the characters that must be escaped with `\`:
//!
//! | written      | means                                             |
//! |--------------|---------------------------------------------------|
//! | `\/`         | a `/` inside a part                               |
//! | `\\`         | a backslash                                       |
//! | `\ ` (space) | a space                                           |
//! | `\t` `\n` `\r` | tab, line feed, carriage return                 |
//! | `\u{1F980}`  | any character by its hex code point (1–6 digits)  |
//!
//! Other whitespace and control characters must be written as `\u{..}`. [`EntityPath`]'s
//! `Display` writes exactly this syntax, so `parse(path.to_string()) == path`.
//!
//! [`EntityPath::parse_strict`] rejects anything else with an [`EntityPathError`] naming the
//! byte offset. [`EntityPath::parse_forgiving`] never fails: it drops empty parts (`a//b`,
//! trailing `/`), keeps unescaped whitespace as written and keeps a bad escape literally.

use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// One part of an [`EntityPath`]: a non-empty, unescaped string.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityPathPart(Arc<str>);

impl EntityPathPart {
    /// A part holding `s` as it is (no escape processing). Fails for an empty string.
    pub fn new(s: impl AsRef<str>) -> Result<Self, EntityPathError> {
        let s = s.as_ref();
        if s.is_empty() {
            return Err(EntityPathError {
                offset: 0,
                kind: EntityPathErrorKind::EmptyPart,
            });
        }
        Ok(Self(s.into()))
    }

    /// The unescaped text of the part.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntityPathPart {
    /// Writes the part in the escaped syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '/' => f.write_str("\\/")?,
                '\\' => f.write_str("\\\\")?,
                ' ' => f.write_str("\\ ")?,
                '\t' => f.write_str("\\t")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                c if needs_unicode_escape(c) => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

fn needs_unicode_escape(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Why a path did not parse, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid entity path at byte {offset}: {kind}")]
pub struct EntityPathError {
    /// Byte offset into the parsed string.
    pub offset: usize,
    /// What is wrong there.
    pub kind: EntityPathErrorKind,
}

/// The kinds of [`EntityPathError`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntityPathErrorKind {
    /// `a//b` or a trailing `/`.
    #[error("empty part (double or trailing '/')")]
    EmptyPart,
    /// Whitespace or a control character that must be escaped.
    #[error("character {0:?} must be escaped")]
    UnescapedChar(char),
    /// A `\` not followed by a known escape.
    #[error("unknown escape sequence {0:?}")]
    UnknownEscape(String),
    /// A `\` at the end of the input.
    #[error("dangling '\\' at end of path")]
    DanglingBackslash,
    /// A malformed `\u{..}` escape.
    #[error("bad unicode escape {0:?} (expected \\u{{1-6 hex digits}} naming a character)")]
    BadUnicodeEscape(String),
}

struct Inner {
    parts: Vec<EntityPathPart>,
    /// Computed once at construction: maps and sets of paths hash one u64.
    hash: u64,
}

/// A path in the entity hierarchy. Cheap to clone (one `Arc`), hashed once.
#[derive(Clone)]
pub struct EntityPath(Arc<Inner>);

impl EntityPath {
    /// The root path `/`.
    pub fn root() -> Self {
        Self::from_parts(Vec::new())
    }

    /// A path from already-unescaped parts.
    pub fn from_parts(parts: Vec<EntityPathPart>) -> Self {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        parts.hash(&mut hasher);
        let hash = hasher.finish();
        Self(Arc::new(Inner { parts, hash }))
    }

    /// Parses the escaped syntax; any defect is an error naming its byte offset.
    pub fn parse_strict(input: &str) -> Result<Self, EntityPathError> {
        parse(input, true).map(Self::from_parts)
    }

    /// Parses the escaped syntax, repairing what it can; never fails.
    pub fn parse_forgiving(input: &str) -> Self {
        match parse(input, false) {
            Ok(parts) => Self::from_parts(parts),
            // Unreachable: forgiving parsing reports no errors. Root is the safe answer.
            Err(_) => Self::root(),
        }
    }

    /// The parts, root first.
    pub fn parts(&self) -> &[EntityPathPart] {
        &self.0.parts
    }

    /// Number of parts (0 for the root).
    pub fn num_parts(&self) -> usize {
        self.0.parts.len()
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.parts.is_empty()
    }

    /// The precomputed hash.
    pub fn hash64(&self) -> u64 {
        self.0.hash
    }

    /// The parent path; `None` for the root.
    pub fn parent(&self) -> Option<Self> {
        let parts = self.parts();
        (!parts.is_empty()).then(|| Self::from_parts(parts[..parts.len() - 1].to_vec()))
    }

    /// This path with one more part.
    pub fn join(&self, part: EntityPathPart) -> Self {
        let mut parts = self.parts().to_vec();
        parts.push(part);
        Self::from_parts(parts)
    }

    /// Whether `self` equals `ancestor` or lies below it.
    pub fn starts_with(&self, ancestor: &Self) -> bool {
        self.parts().starts_with(ancestor.parts())
    }
}

impl PartialEq for EntityPath {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.hash == other.0.hash && self.0.parts == other.0.parts)
    }
}

impl Eq for EntityPath {}

impl Hash for EntityPath {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.hash);
    }
}

impl PartialOrd for EntityPath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EntityPath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(other.parts())
    }
}

impl fmt::Display for EntityPath {
    /// The escaped syntax without a leading `/`; the root is `/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str("/");
        }
        for (i, part) in self.parts().iter().enumerate() {
            if i > 0 {
                f.write_char('/')?;
            }
            part.fmt(f)?;
        }
        Ok(())
    }
}

impl fmt::Debug for EntityPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntityPath({self})")
    }
}

impl std::str::FromStr for EntityPath {
    type Err = EntityPathError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_strict(s)
    }
}

impl From<Vec<EntityPathPart>> for EntityPath {
    fn from(parts: Vec<EntityPathPart>) -> Self {
        Self::from_parts(parts)
    }
}

impl serde::Serialize for EntityPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for EntityPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_strict(&s).map_err(serde::de::Error::custom)
    }
}

fn parse(input: &str, strict: bool) -> Result<Vec<EntityPathPart>, EntityPathError> {
    let err = |offset, kind| Err(EntityPathError { offset, kind });
    let body = input.strip_prefix('/').unwrap_or(input);
    let base = input.len() - body.len();
    let mut parts = Vec::new();
    if body.is_empty() {
        return Ok(parts);
    }

    let mut part = String::new();
    let mut part_start = base;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let offset = base + i;
        match c {
            '/' => {
                if part.is_empty() {
                    if strict {
                        return err(offset, EntityPathErrorKind::EmptyPart);
                    }
                } else {
                    parts.push(EntityPathPart(std::mem::take(&mut part).into()));
                }
                part_start = offset + 1;
            }
            '\\' => match chars.next() {
                None if strict => return err(offset, EntityPathErrorKind::DanglingBackslash),
                None => part.push('\\'),
                Some((_, e @ ('/' | '\\' | ' '))) => part.push(e),
                Some((_, 't')) => part.push('\t'),
                Some((_, 'n')) => part.push('\n'),
                Some((_, 'r')) => part.push('\r'),
                Some((j, 'u')) => {
                    let rest = &body[j + 1..];
                    match parse_unicode_escape(rest) {
                        Some((ch, used)) => {
                            part.push(ch);
                            // Skip the `{hex}` characters we consumed (all ASCII).
                            for _ in 0..used {
                                chars.next();
                            }
                        }
                        None if strict => {
                            let shown: String = rest.chars().take(9).collect();
                            return err(
                                offset,
                                EntityPathErrorKind::BadUnicodeEscape(format!("\\u{shown}")),
                            );
                        }
                        None => {
                            part.push('\\');
                            part.push('u');
                        }
                    }
                }
                Some((_, other)) if strict => {
                    return err(
                        offset,
                        EntityPathErrorKind::UnknownEscape(format!("\\{other}")),
                    );
                }
                Some((_, other)) => {
                    part.push('\\');
                    part.push(other);
                }
            },
            c if strict && needs_unicode_escape(c) => {
                return err(offset, EntityPathErrorKind::UnescapedChar(c));
            }
            c => part.push(c),
        }
    }
    if part.is_empty() {
        // The input ended in '/'.
        if strict {
            return err(part_start.saturating_sub(1), EntityPathErrorKind::EmptyPart);
        }
    } else {
        parts.push(EntityPathPart(part.into()));
    }
    Ok(parts)
}

/// Parses `{hex}` at the start of `s`; returns the char and how many bytes it used.
fn parse_unicode_escape(s: &str) -> Option<(char, usize)> {
    let inner = s.strip_prefix('{')?;
    let close = inner.find('}')?;
    let hex = &inner[..close];
    if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((ch, close + 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn strs(p: &EntityPath) -> Vec<&str> {
        p.parts().iter().map(|p| p.as_str()).collect()
    }

    #[test]
    fn plain_paths() {
        let p = EntityPath::parse_strict("world/robot/camera").expect("valid");
        assert_eq!(strs(&p), ["world", "robot", "camera"]);
        assert_eq!(p.to_string(), "world/robot/camera");
        assert_eq!(
            p,
            EntityPath::parse_strict("/world/robot/camera").expect("valid")
        );
        assert!(EntityPath::parse_strict("").expect("root").is_root());
        assert!(EntityPath::parse_strict("/").expect("root").is_root());
        assert_eq!(EntityPath::root().to_string(), "/");
    }

    #[test]
    fn unicode_and_escapes() {
        let p =
            EntityPath::parse_strict(r"wörld/🦀/a\/b/c\\d/with\ space/\u{2028}").expect("valid");
        assert_eq!(
            strs(&p),
            ["wörld", "🦀", "a/b", r"c\d", "with space", "\u{2028}"]
        );
        assert_eq!(p.to_string(), r"wörld/🦀/a\/b/c\\d/with\ space/\u{2028}");
        let tabs = EntityPath::parse_strict(r"a\tb\nc\r").expect("valid");
        assert_eq!(strs(&tabs), ["a\tb\nc\r"]);
    }

    #[test]
    fn strict_errors_name_the_offset() {
        let cases: &[(&str, usize, EntityPathErrorKind)] = &[
            ("a//b", 2, EntityPathErrorKind::EmptyPart),
            ("a/b/", 3, EntityPathErrorKind::EmptyPart),
            ("//", 1, EntityPathErrorKind::EmptyPart),
            ("a b", 1, EntityPathErrorKind::UnescapedChar(' ')),
            ("ab/c\n", 4, EntityPathErrorKind::UnescapedChar('\n')),
            (r"a\q", 1, EntityPathErrorKind::UnknownEscape(r"\q".into())),
            ("a\\", 1, EntityPathErrorKind::DanglingBackslash),
            (
                r"x\u{zz}",
                1,
                EntityPathErrorKind::BadUnicodeEscape(r"\u{zz}".into()),
            ),
            (
                r"x\u{d800}",
                1,
                EntityPathErrorKind::BadUnicodeEscape(r"\u{d800}".into()),
            ),
        ];
        for (input, offset, kind) in cases {
            let e = EntityPath::parse_strict(input).expect_err(input);
            assert_eq!((e.offset, &e.kind), (*offset, kind), "{input:?}");
            assert!(e.to_string().contains(&format!("byte {offset}")));
        }
    }

    #[test]
    fn forgiving_normalises() {
        let f = EntityPath::parse_forgiving;
        assert_eq!(strs(&f("//a///b/")), ["a", "b"]);
        assert_eq!(strs(&f("a b/c")), ["a b", "c"]);
        assert_eq!(strs(&f(r"a\q")), [r"a\q"]);
        assert_eq!(strs(&f("a\\")), ["a\\"]);
        assert_eq!(strs(&f(r"a\u{zz}")), [r"a\u{zz}"]);
        assert!(f("///").is_root());
    }

    #[test]
    fn parent_join_starts_with() {
        let p = EntityPath::parse_strict("a/b/c").expect("valid");
        let parent = p.parent().expect("has parent");
        assert_eq!(parent.to_string(), "a/b");
        assert!(p.starts_with(&parent));
        assert!(!parent.starts_with(&p));
        assert_eq!(parent.join(EntityPathPart::new("c").expect("part")), p);
        assert!(EntityPath::root().parent().is_none());
        assert!(EntityPathPart::new("").is_err());
    }

    fn arb_part() -> impl Strategy<Value = EntityPathPart> {
        // Any non-empty unicode string, including '/', '\\', whitespace and controls.
        prop::string::string_regex("(.|[ /\\\\\t\n\r\u{0}\u{2028}]){1,8}")
            .expect("regex")
            .prop_map(|s| EntityPathPart::new(s).expect("non-empty"))
    }

    proptest! {
        #[test]
        fn display_round_trips(parts in prop::collection::vec(arb_part(), 0..6)) {
            let path = EntityPath::from_parts(parts);
            let shown = path.to_string();
            let parsed = EntityPath::parse_strict(&shown);
            prop_assert_eq!(parsed.as_ref().ok(), Some(&path), "{:?} -> {:?}", shown, parsed);
            prop_assert_eq!(EntityPath::parse_forgiving(&shown), path);
        }

        #[test]
        fn parsing_never_panics(s in ".*") {
            let _ = EntityPath::parse_strict(&s);
            let _ = EntityPath::parse_forgiving(&s);
        }
    }
}
