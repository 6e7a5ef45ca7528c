//! The window's side of the IPC contract, generated: `ui/js/ipc.d.ts` declares, in TypeScript, every
//! type that crosses between the window's page and Rust (what the commands in
//! `src-tauri/src/commands/` take and return, the post's progress stages, the events' payloads, and
//! the `{code, message, field?}` a command rejects with). The page's JavaScript names these types in
//! JSDoc (`import('./ipc').Account`) and `tsc --noEmit` checks it against them
//! (`tests/ui_types.rs`), so a field renamed in Rust fails the tests instead of showing `undefined`
//! in the window.
//!
//! The declarations come from the Rust types themselves, serde attributes included, through ts-rs:
//! each type that crosses has `#[cfg_attr(test, derive(ts_rs::TS))]`. ts-rs is a dev-dependency, so
//! only this test builds it and nothing of it ships. The file is committed (the page never loads a
//! `.d.ts`: there is no build step); this test fails when it is stale, and
//! `HAYON_BLESS=1 cargo test -p hayon-core ipc_contract` writes it again.
//!
//! Types the app crate sends are plain data kept in the core for this reason ([`crate::About`],
//! [`crate::UpdateOffer`], [`crate::link_card::CardPreview`]).

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use ts_rs::{Config, TypeVisitor, TS};

const REGENERATE: &str = "HAYON_BLESS=1 cargo test -p hayon-core ipc_contract";

/// Collects the declaration of each type visited and of every type it refers to, once each.
struct Declarations<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    /// By TypeScript name, so the file's order does not depend on the order of the visits.
    by_name: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Primitives, `Option`, `Vec` and the like have no declaration of their own.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let name = T::ident(self.cfg);
        let text = format!(
            "{}export {}\n",
            T::docs().unwrap_or_default(),
            T::decl(self.cfg)
        );
        if let Some(other) = self.by_name.insert(name.clone(), text) {
            panic!("two Rust types are both named {name} in TypeScript; the other is:\n{other}");
        }
        T::visit_dependencies(self);
    }
}

/// The whole of `ui/js/ipc.d.ts`.
fn generate() -> String {
    // i64 and u64 would be `bigint`, which JSON never gives: the only ones that cross are draft ids,
    // SQLite row ids far below 2^53.
    let cfg = Config::new().with_large_int("number");
    let mut types = Declarations {
        cfg: &cfg,
        seen: HashSet::new(),
        by_name: BTreeMap::new(),
    };
    // What the commands return, take, stream and reject with, and what events carry; the types they
    // refer to follow on their own.
    types.visit::<crate::Error>();
    types.visit::<crate::Account>();
    types.visit::<crate::Connected>();
    types.visit::<crate::Disconnected>();
    types.visit::<crate::publish::Limits>();
    types.visit::<crate::compose::Analysis>();
    types.visit::<crate::link_card::CardPreview>();
    types.visit::<crate::attachments::StagedImage>();
    types.visit::<crate::attachments::StagedVideo>();
    types.visit::<crate::attachments::StagedCaption>();
    types.visit::<crate::publish::quote::QuotedPost>();
    types.visit::<crate::settings::Preferences>();
    types.visit::<crate::composition::Composition>();
    types.visit::<crate::publish::PostStage>();
    types.visit::<crate::publish::Sent>();
    types.visit::<crate::publish::OutboxEntry>();
    types.visit::<crate::publish::Queued>();
    types.visit::<crate::publish::Posted>();
    types.visit::<crate::draft::SavedDraft>();
    types.visit::<crate::mentions::Suggestions>();
    types.visit::<crate::mentions::HandleCheck>();
    types.visit::<crate::About>();
    types.visit::<crate::UpdateOffer>();

    let mut file = format!(
        "// Generated from hayon-core's Rust types by ts-rs (src-tauri/core/src/ipc_contract.rs).\n\
         // Do not edit: run `{REGENERATE}` to write it again.\n"
    );
    for text in types.by_name.values() {
        file.push('\n');
        file.push_str(text);
    }
    file
}

#[test]
fn ui_js_ipc_d_ts_matches_the_rust_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/js/ipc.d.ts");
    let fresh = generate();
    if std::env::var_os("HAYON_BLESS").is_some() {
        std::fs::write(&path, &fresh)
            .unwrap_or_else(|err| panic!("writing {}: {err}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(old, new)| old != new)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "ui/js/ipc.d.ts does not match the Rust types that cross IPC (first difference at line \
             {}). Write it again with\n    {REGENERATE}\nand commit it.",
            first + 1
        );
    }
}
