//! Time-ordered unique ids: [`Tuid`] and the two ids built on it, [`RowId`] and [`ChunkId`].
//!
//! A `Tuid` is 128 bits: the high 64 are nanoseconds since the Unix epoch, the low 64 a
//! per-thread counter that starts at a random value. Within one thread ids strictly increase;
//! across threads and processes a collision needs the same nanosecond *and* overlapping
//! counters drawn from 2^64, which is negligible. The big-endian byte form sorts like the id.

use std::cell::Cell;
use std::fmt;

/// A 128-bit time-ordered unique id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Tuid {
    time_ns: u64,
    inc: u64,
}

thread_local! {
    /// The last id this thread made; `None` until the first call seeds the counter.
    static LAST: Cell<Option<Tuid>> = const { Cell::new(None) };
}

fn now_ns() -> u64 {
    // A clock before 1970 is a misconfigured machine; ids then still increase per thread.
    crate::time::now_nanos().max(0) as u64
}

impl Tuid {
    /// The smallest id.
    pub const ZERO: Self = Self { time_ns: 0, inc: 0 };

    /// The largest id.
    pub const MAX: Self = Self {
        time_ns: u64::MAX,
        inc: u64::MAX,
    };

    /// A new id, greater than every id this thread made before.
    #[inline]
    pub fn new() -> Self {
        Self::new_at(now_ns())
    }

    /// Like [`Self::new`], with the current time in nanoseconds since the Unix epoch
    /// already read by the caller (who stamps the same instant elsewhere).
    #[inline]
    pub fn new_at(now: u64) -> Self {
        LAST.with(|last| {
            let next = match last.get() {
                None => Self {
                    time_ns: now,
                    inc: random_u64(),
                },
                Some(prev) => match prev.inc.checked_add(1) {
                    Some(inc) => Self {
                        time_ns: now.max(prev.time_ns),
                        inc,
                    },
                    // The counter wrapped: move time on so the order still holds.
                    None => Self {
                        time_ns: now.max(prev.time_ns + 1),
                        inc: 0,
                    },
                },
            };
            last.set(Some(next));
            next
        })
    }

    /// Builds an id from its two halves.
    #[inline]
    pub const fn from_parts(time_ns: u64, inc: u64) -> Self {
        Self { time_ns, inc }
    }

    /// Nanoseconds since the Unix epoch when the id was made.
    #[inline]
    pub const fn nanoseconds_since_epoch(&self) -> u64 {
        self.time_ns
    }

    /// The counter half.
    #[inline]
    pub const fn inc(&self) -> u64 {
        self.inc
    }

    /// The id as one 128-bit number (time in the high half).
    #[inline]
    pub const fn as_u128(&self) -> u128 {
        ((self.time_ns as u128) << 64) | self.inc as u128
    }

    /// The inverse of [`Self::as_u128`].
    #[inline]
    pub const fn from_u128(v: u128) -> Self {
        Self {
            time_ns: (v >> 64) as u64,
            inc: v as u64,
        }
    }

    /// Big-endian bytes: comparing them compares the ids.
    #[inline]
    pub const fn to_bytes(&self) -> [u8; 16] {
        self.as_u128().to_be_bytes()
    }

    /// The inverse of [`Self::to_bytes`].
    #[inline]
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self::from_u128(u128::from_be_bytes(bytes))
    }

    /// The next id in order (saturating at [`Self::MAX`]); used to build ranges.
    #[inline]
    pub fn next(&self) -> Self {
        Self::from_u128(self.as_u128().saturating_add(1))
    }
}

/// 64 random bits, drawn from the operating system through `uuid` (once per thread).
fn random_u64() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}

impl fmt::Display for Tuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.as_u128())
    }
}

impl std::str::FromStr for Tuid {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        u128::from_str_radix(s, 16).map(Self::from_u128)
    }
}

macro_rules! tuid_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub Tuid);

        impl $name {
            /// The smallest id.
            pub const ZERO: Self = Self(Tuid::ZERO);
            /// The largest id.
            pub const MAX: Self = Self(Tuid::MAX);

            /// A new id, greater than every one this thread made before.
            #[inline]
            pub fn new() -> Self {
                Self(Tuid::new())
            }

            /// Like [`Self::new`], with the time (nanoseconds since the Unix epoch)
            /// already read by the caller.
            #[inline]
            pub fn new_at(now_ns: u64) -> Self {
                Self(Tuid::new_at(now_ns))
            }

            /// The underlying [`Tuid`].
            #[inline]
            pub const fn as_tuid(&self) -> Tuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

tuid_newtype!(
    /// Identifies one logged row. Rows of one thread are ordered by their `RowId`.
    RowId
);
tuid_newtype!(
    /// Identifies one [`crate::Chunk`].
    ChunkId
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_increase_within_a_thread() {
        let mut prev = Tuid::new();
        for _ in 0..100_000 {
            let next = Tuid::new();
            assert!(next > prev, "{next} <= {prev}");
            assert!(next.to_bytes() > prev.to_bytes());
            prev = next;
        }
    }

    #[test]
    fn ids_are_unique_across_threads() {
        let handles: Vec<_> = (0..8)
            .map(|_| std::thread::spawn(|| (0..20_000).map(|_| Tuid::new()).collect::<Vec<_>>()))
            .collect();
        let mut all = HashSet::new();
        for h in handles {
            for id in h.join().expect("thread panicked") {
                assert!(all.insert(id), "duplicate id {id}");
            }
        }
        assert_eq!(all.len(), 8 * 20_000);
    }

    #[test]
    fn byte_order_matches_id_order() {
        let a = Tuid::from_parts(1, u64::MAX);
        let b = Tuid::from_parts(2, 0);
        assert!(a < b);
        assert!(a.to_bytes() < b.to_bytes());
        assert_eq!(Tuid::from_bytes(a.to_bytes()), a);
        assert_eq!(a.next(), b);
    }

    #[test]
    fn display_parses_back() {
        let id = Tuid::new();
        assert_eq!(id.to_string().parse::<Tuid>().expect("parse"), id);
    }

    #[test]
    fn time_is_recent() {
        let id = Tuid::new();
        let now = now_ns();
        assert!(id.nanoseconds_since_epoch() <= now.max(id.nanoseconds_since_epoch()));
        assert!(now - id.nanoseconds_since_epoch().min(now) < 60_000_000_000);
    }
}
