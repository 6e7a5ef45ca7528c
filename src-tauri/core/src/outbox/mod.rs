//! The outbox: pressing Post first saves the composition, with the record keys of every post of the
//! thread chosen once per account; the sender works from that row. A retry, a restart after a crash
//! or a second press reuses the same keys, so no post is ever made twice, and accounts that have the
//! thread are never written to again. The row goes when every account has the thread.

mod entry;

pub use entry::{AccountDelivery, Delivery, ImageFiles, OutboxEntry, PostedRef};
