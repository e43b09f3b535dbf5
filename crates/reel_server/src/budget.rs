//! The server-wide budget for memory held outside the store: frames being received and
//! decoded (all connections together) and messages queued for subscribers (all of them
//! together). The store bounds itself (its memory limit); this bounds everything else, so
//! many clients sending large frames at once, or many stalled subscribers, cannot push
//! the server past its limit.
//!
//! Producers come first: subscribers may hold at most half of the budget and never wait
//! for room (a subscriber that finds none is cut), while a connection whose next frame
//! does not fit waits, without reading, until others finish theirs: TCP then pushes back
//! on its client, whose own bound takes over.

use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// Why the budget did not admit something.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    /// The frame alone is larger than the whole budget.
    #[error("a message of {need} bytes exceeds the server's receive budget of {limit} bytes")]
    TooLarge {
        /// Bytes the frame needs.
        need: u64,
        /// The budget.
        limit: u64,
    },
    /// No room came free in time.
    #[error(
        "no room for a message of {need} bytes for {waited:?}: {in_use} of {limit} bytes \
         of the server's buffers are in use"
    )]
    NoRoom {
        /// Bytes the frame needs.
        need: u64,
        /// Bytes in use when it gave up.
        in_use: u64,
        /// The budget.
        limit: u64,
        /// How long it waited.
        waited: Duration,
    },
    /// The subscribers' half of the budget is full.
    #[error(
        "the subscribers' share of the server's buffers is full ({subscribers} of {share} \
         bytes queued across all subscribers)"
    )]
    SubscribersFull {
        /// Bytes queued for all subscribers.
        subscribers: u64,
        /// Their share of the budget.
        share: u64,
    },
}

#[derive(Default)]
struct Usage {
    receiving: u64,
    subscribers: u64,
    peak: u64,
}

impl Usage {
    fn total(&self) -> u64 {
        self.receiving + self.subscribers
    }
}

/// Bytes held outside the store, bounded server-wide; see the module docs.
pub struct MemoryBudget {
    limit: u64,
    usage: Mutex<Usage>,
    room: Condvar,
}

impl MemoryBudget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            usage: Mutex::new(Usage::default()),
            room: Condvar::new(),
        }
    }

    /// The bound.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes in use now.
    pub fn in_use(&self) -> u64 {
        self.usage.lock().total()
    }

    /// The most bytes ever in use at once.
    pub fn peak(&self) -> u64 {
        self.usage.lock().peak
    }

    /// Reserves `need` bytes for a frame about to be read, waiting at most `timeout` for
    /// room.
    pub fn reserve_receiving(&self, need: u64, timeout: Duration) -> Result<(), BudgetError> {
        if need > self.limit {
            return Err(BudgetError::TooLarge {
                need,
                limit: self.limit,
            });
        }
        let started = Instant::now();
        let deadline = started + timeout;
        let mut usage = self.usage.lock();
        while usage.total() + need > self.limit {
            if self.room.wait_until(&mut usage, deadline).timed_out()
                && usage.total() + need > self.limit
            {
                return Err(BudgetError::NoRoom {
                    need,
                    in_use: usage.total(),
                    limit: self.limit,
                    waited: started.elapsed(),
                });
            }
        }
        usage.receiving += need;
        usage.peak = usage.peak.max(usage.total());
        Ok(())
    }

    /// Returns bytes of a frame that is stored (or given up).
    pub fn release_receiving(&self, bytes: u64) {
        if bytes == 0 {
            return;
        }
        let mut usage = self.usage.lock();
        usage.receiving = usage.receiving.saturating_sub(bytes);
        self.room.notify_all();
    }

    /// Reserves `bytes` of a subscriber's queue, without waiting: subscribers together
    /// may hold half the budget.
    pub fn try_reserve_subscriber(&self, bytes: u64) -> Result<(), BudgetError> {
        let share = self.limit / 2;
        let mut usage = self.usage.lock();
        if usage.subscribers + bytes > share || usage.total() + bytes > self.limit {
            return Err(BudgetError::SubscribersFull {
                subscribers: usage.subscribers,
                share,
            });
        }
        usage.subscribers += bytes;
        usage.peak = usage.peak.max(usage.total());
        Ok(())
    }

    /// Returns bytes a subscriber sent (or dropped when it left).
    pub fn release_subscriber(&self, bytes: u64) {
        if bytes == 0 {
            return;
        }
        let mut usage = self.usage.lock();
        usage.subscribers = usage.subscribers.saturating_sub(bytes);
        self.room.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn receiving_waits_for_room_and_gives_up_with_the_numbers() {
        let budget = Arc::new(MemoryBudget::new(100));
        budget
            .reserve_receiving(60, Duration::ZERO)
            .expect("room for the first");
        let err = budget.reserve_receiving(50, Duration::from_millis(30));
        assert!(
            matches!(
                err,
                Err(BudgetError::NoRoom {
                    need: 50,
                    in_use: 60,
                    limit: 100,
                    ..
                })
            ),
            "{err:?}"
        );
        // A release wakes a waiter.
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.reserve_receiving(50, Duration::from_secs(10)))
        };
        std::thread::sleep(Duration::from_millis(20));
        budget.release_receiving(60);
        assert_eq!(waiter.join().expect("thread"), Ok(()));
        assert_eq!(budget.in_use(), 50);
        assert_eq!(budget.peak(), 60);
        assert_eq!(
            budget.reserve_receiving(101, Duration::ZERO),
            Err(BudgetError::TooLarge {
                need: 101,
                limit: 100
            })
        );
    }

    #[test]
    fn subscribers_get_at_most_half_and_never_wait() {
        let budget = MemoryBudget::new(100);
        budget.try_reserve_subscriber(30).expect("room");
        budget.try_reserve_subscriber(20).expect("room up to half");
        assert!(matches!(
            budget.try_reserve_subscriber(1),
            Err(BudgetError::SubscribersFull {
                subscribers: 50,
                share: 50
            })
        ));
        // Producers still have their half.
        budget
            .reserve_receiving(50, Duration::ZERO)
            .expect("the producers' half");
        budget.release_subscriber(50);
        assert_eq!(budget.in_use(), 50);
    }
}
