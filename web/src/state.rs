//! The editor's shared state (signals provided as context) and the actions that change it: loading, editing, preflight, saving.

use crate::analysis::{self, Analysis, Texts};
use crate::persistence::{self, Restore, StoredEdit};
use crate::proxy_client::{Proxy, ProxyError};
use leptos::prelude::*;
use scenario_lab_core::FileKind;
use scenario_lab_core::api::{PendingRun, ValidateOutcome, WorkspaceAnswer};
use scenario_lab_core::dialect::Layout;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// The views the editor offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Editor,
    Graph,
    Lifecycle,
    Review,
    Packs,
}

/// What the editor knows about the proxy.
#[derive(Clone, Debug, PartialEq)]
pub enum ProxyStatus {
    /// No session token: offline preflight only.
    Offline(String),
    Connecting,
    Connected {
        dir: String,
        endpoint: Option<String>,
        database: bool,
        signing_secret: bool,
    },
    /// A token was given but the proxy is missing or refused it.
    Failed(String),
}

impl ProxyStatus {
    pub fn is_connected(&self) -> bool {
        matches!(self, ProxyStatus::Connected { .. })
    }
}

/// A file whose disk version changed under an unsaved edit.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub file: FileKind,
    /// The disk version the edit did not start from.
    pub disk: String,
    /// The fingerprint of the disk version the edit started from (kept with the stored edit
    /// until the user chooses, so a reload still asks).
    pub base: Option<String>,
}

/// The last full validation: its outcome and the recipes text it proved.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationRun {
    pub outcome: ValidateOutcome,
    pub recipes: Option<String>,
    /// The scenarios it covered (empty: all).
    pub scenarios: Vec<String>,
}

impl ValidationRun {
    pub fn passed(&self) -> bool {
        self.outcome.passed()
    }
}

/// Where the text editor should put the cursor next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jump {
    pub file: FileKind,
    pub start: usize,
    pub end: usize,
    pub serial: u64,
}

/// Every signal the views share.
#[derive(Clone, Copy, Debug)]
pub struct EditorState {
    pub texts: RwSignal<Texts>,
    /// The files as the proxy last read them from disk.
    pub disk: RwSignal<Texts>,
    pub current: RwSignal<FileKind>,
    /// Bumped whenever a text changes from outside the textarea (load, fix, conflict choice).
    pub external_revision: RwSignal<u64>,
    pub analysis: RwSignal<Analysis>,
    pub preflight_ms: RwSignal<f64>,
    pub jump: RwSignal<Option<Jump>>,
    pub proxy: StoredValue<Proxy>,
    pub proxy_status: RwSignal<ProxyStatus>,
    pub conflicts: RwSignal<Vec<Conflict>>,
    pub tab: RwSignal<Tab>,
    pub validation: RwSignal<Option<ValidationRun>>,
    pub progress: RwSignal<Vec<String>>,
    /// The running validation's progress bar (none when no validation runs).
    pub validation_step: RwSignal<Option<scenario_lab_core::api::ValidateStep>>,
    pub busy: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    pub storage_key: RwSignal<String>,
    /// Runs whose teardown is still owed, from the proxy's ledger (no tokens).
    pub pending: RwSignal<Vec<PendingRun>>,
    pending_preflight: StoredValue<Option<TimeoutHandle>>,
    input_started: StoredValue<Option<f64>>,
    /// The file typed into since the last preflight (stored in localStorage with it).
    unsaved: StoredValue<Option<FileKind>>,
    /// How long the last keystroke's handler ran, and when it returned.
    handler_done: StoredValue<Option<(f64, f64)>>,
    pending_remember: StoredValue<Option<(TimeoutHandle, FileKind)>>,
    microtask_pending: StoredValue<bool>,
    /// A preflight is running in the worker; `worker_again`: edits came in meanwhile.
    worker_busy: StoredValue<bool>,
    worker_again: StoredValue<bool>,
    /// Other tabs' edits of files this tab also edited (shown, never applied silently).
    pub tab_edits: RwSignal<Vec<crate::tab_sync::TabEdit>>,
    /// Files whose edit the browser refused to store.
    memory_only: StoredValue<std::collections::BTreeSet<FileKind>>,
    /// The workspace's layout (plugin, planner CLI, hand-made): which rules the preflight applies.
    pub layout: RwSignal<Layout>,
    /// The recipes file's real name: `scenario-recipes.json` or the planner's `recipe.json`.
    pub recipes_name: RwSignal<String>,
}

/// A preflight that took less than a frame runs right after the keystroke, without a timer.
const IMMEDIATE_BELOW_MS: f64 = 16.0;

/// Pause in typing after which an edit is written to localStorage.
const REMEMBER_AFTER_MS: u64 = 400;

pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl EditorState {
    pub fn new(proxy: Proxy) -> Self {
        let status = if proxy.token.is_some() {
            ProxyStatus::Connecting
        } else {
            ProxyStatus::Offline(ProxyError::NoToken.to_string())
        };
        EditorState {
            texts: RwSignal::new(Texts::new()),
            disk: RwSignal::new(Texts::new()),
            current: RwSignal::new(FileKind::Recipes),
            external_revision: RwSignal::new(0),
            analysis: RwSignal::new(Analysis::default()),
            preflight_ms: RwSignal::new(0.0),
            jump: RwSignal::new(None),
            proxy: StoredValue::new(proxy),
            proxy_status: RwSignal::new(status),
            conflicts: RwSignal::new(Vec::new()),
            tab: RwSignal::new(Tab::Editor),
            validation: RwSignal::new(None),
            progress: RwSignal::new(Vec::new()),
            validation_step: RwSignal::new(None),
            busy: RwSignal::new(None),
            notice: RwSignal::new(None),
            storage_key: RwSignal::new("local".to_owned()),
            pending: RwSignal::new(Vec::new()),
            pending_preflight: StoredValue::new(None),
            input_started: StoredValue::new(None),
            unsaved: StoredValue::new(None),
            handler_done: StoredValue::new(None),
            pending_remember: StoredValue::new(None),
            microtask_pending: StoredValue::new(false),
            worker_busy: StoredValue::new(false),
            worker_again: StoredValue::new(false),
            tab_edits: RwSignal::new(Vec::new()),
            memory_only: StoredValue::new(std::collections::BTreeSet::new()),
            layout: RwSignal::new(Layout::default()),
            recipes_name: RwSignal::new(FileKind::Recipes.file_name().to_owned()),
        }
    }

    /// The name `file` has in this workspace (the recipes file under its real name).
    pub fn name(&self, file: FileKind) -> String {
        match file {
            FileKind::Recipes => self.recipes_name.get(),
            other => other.file_name().to_owned(),
        }
    }

    /// The same, outside a reactive context.
    pub fn name_untracked(&self, file: FileKind) -> String {
        match file {
            FileKind::Recipes => self.recipes_name.get_untracked(),
            other => other.file_name().to_owned(),
        }
    }

    /// Replaces every text at once (a workspace load), then runs the preflight.
    pub fn set_texts(&self, texts: Texts) {
        self.texts.set(texts);
        self.external_revision.update(|r| *r += 1);
        self.run_preflight();
    }

    /// One edit from outside the textarea (a fix, a conflict choice).
    pub fn replace_text(&self, file: FileKind, text: String) {
        self.replace_texts(Texts::from([(file, text)]));
    }

    /// Edits from outside the textarea: the new texts of the files that changed.
    fn replace_texts(&self, changed: Texts) {
        let files: Vec<FileKind> = changed.keys().copied().collect();
        self.texts.update(|t| t.extend(changed));
        for file in files {
            self.remember(file);
        }
        self.external_revision.update(|r| *r += 1);
        self.run_preflight();
    }

    /// Another tab's text for a file this tab had not edited (not stored again: the other tab did).
    pub fn adopt_text(&self, file: FileKind, text: String) {
        self.texts.update(|t| {
            t.insert(file, text);
        });
        self.external_revision.update(|r| *r += 1);
        self.run_preflight();
    }

    /// Another tab's message: its text is taken when its edit started from what this tab shows
    /// (or this tab has nothing of its own); an edit of this tab's own is never overwritten:
    /// the other version is offered instead.
    pub fn receive_tab_edit(&self, message: crate::tab_sync::TabMessage) {
        if message.workspace != self.storage_key.get_untracked() {
            return;
        }
        let Some(file) = FileKind::from_file_name(&message.file) else {
            return;
        };
        let mine = self.texts.with_untracked(|t| t.get(&file).cloned());
        let was_clean = !self.is_dirty(file)
            || message.base.is_some()
                && message.base == mine.as_deref().map(persistence::fingerprint);
        if message.saved {
            self.disk.update(|d| {
                d.insert(file, message.text.clone());
            });
        }
        if mine.as_deref() == Some(message.text.as_str()) {
            self.tab_edits.update(|e| e.retain(|e| e.file != file));
            return;
        }
        if was_clean {
            crate::tab_sync::taken(file, &message.text);
            self.adopt_text(file, message.text);
        } else {
            self.tab_edits.update(|e| {
                e.retain(|e| e.file != file);
                e.push(crate::tab_sync::TabEdit {
                    file,
                    text: message.text,
                });
            });
        }
    }

    /// Applies every quick fix in every file (the "Fix all" button).
    pub fn fix_all(&self) -> usize {
        let mut texts = self.texts.get_untracked();
        let applied = scenario_lab_core::fix_all::apply_fixes(&mut texts, |_| true);
        let changed: Texts = self.texts.with_untracked(|old| {
            texts
                .into_iter()
                .filter(|(k, v)| old.get(k) != Some(v))
                .collect()
        });
        if !changed.is_empty() {
            self.replace_texts(changed);
        }
        applied
    }

    /// A keystroke in the textarea: store the text, schedule the preflight (debounced by the
    /// cost of the last run, so small files answer at once and large ones do not queue up).
    pub fn edit(&self, file: FileKind, text: String) {
        let started = now_ms();
        self.input_started.update_value(|s| {
            s.get_or_insert(started);
        });
        self.texts.update(|t| {
            t.insert(file, text);
        });
        self.unsaved.set_value(Some(file));
        let last = self.preflight_ms.get_untracked();
        let state = *self;
        if crate::worker_api::available() {
            // The code view hands edits over after painting them, and the worker runs one
            // preflight at a time: nothing to debounce here.
            self.run_preflight();
        } else if last < IMMEDIATE_BELOW_MS {
            // Cheap enough to finish before the next frame: run once the current burst of
            // events is handled (a microtask), so the diagnostics paint with the keystroke.
            if !self.microtask_pending.get_value() {
                self.microtask_pending.set_value(true);
                wasm_bindgen_futures::spawn_local(async move {
                    state.microtask_pending.set_value(false);
                    if state.unsaved.get_value().is_some() {
                        state.run_preflight();
                    }
                });
            }
        } else {
            // Expensive: wait as long as the last run took, so keystrokes do not queue up.
            if let Some(handle) = self.pending_preflight.get_value() {
                handle.clear();
            }
            let delay = Duration::from_millis(last.min(80.0) as u64);
            let handle = set_timeout_with_handle(move || state.run_preflight(), delay).ok();
            self.pending_preflight.set_value(handle);
        }
        let done = now_ms();
        self.handler_done.set_value(Some((done - started, done)));
    }

    /// Runs the core's preflight now (in the worker when the code view runs one, so typing
    /// never waits) and records how long the keystroke took to reach the diagnostics (published
    /// on `window.__scenarioLab.timings` for the tests and the status bar).
    pub fn run_preflight(&self) {
        if let Some(handle) = self.pending_preflight.get_value() {
            handle.clear();
        }
        self.pending_preflight.set_value(None);
        if crate::worker_api::available() {
            self.run_preflight_in_worker();
            return;
        }
        let start = now_ms();
        let layout = self.layout.get_untracked();
        let analysis = self.texts.with_untracked(|t| analysis::analyze(t, layout));
        self.finish_preflight(analysis, start);
    }

    /// One preflight in flight at a time; edits meanwhile run one more when it returns.
    fn run_preflight_in_worker(&self) {
        if self.worker_busy.get_value() {
            self.worker_again.set_value(true);
            return;
        }
        self.worker_busy.set_value(true);
        let state = *self;
        let start = now_ms();
        let texts = self.texts.get_untracked();
        let layout = self.layout.get_untracked();
        wasm_bindgen_futures::spawn_local(async move {
            let files = crate::worker_api::WorkspaceFiles::new(&texts, layout);
            let analysis = match crate::worker_api::analyze(&files).await {
                Some(Ok(json)) => {
                    match serde_json::from_str::<crate::worker_api::WorkerReport>(&json) {
                        Ok(report) => Analysis::new(&texts, report.diagnostics, report.skipped)
                            .with_dialects(report.dialects),
                        Err(error) => {
                            tracing_notice(
                                state,
                                &format!("the worker's answer did not decode: {error}"),
                            );
                            analysis::analyze(&texts, layout)
                        }
                    }
                }
                Some(Err(error)) => {
                    tracing_notice(state, &format!("preflight runs on the page: {error}"));
                    analysis::analyze(&texts, layout)
                }
                None => analysis::analyze(&texts, layout),
            };
            state.finish_preflight(analysis, start);
            state.worker_busy.set_value(false);
            if state.worker_again.get_value() {
                state.worker_again.set_value(false);
                state.run_preflight();
            }
        });
    }

    /// Publishes an analysis and the keystroke's timings.
    fn finish_preflight(&self, analysis: Analysis, start: f64) {
        let preflight_ms = now_ms() - start;
        let bytes = self
            .texts
            .with_untracked(|t| t.values().map(String::len).sum::<usize>());
        self.preflight_ms.set(preflight_ms);
        self.analysis.set(analysis);
        let input_started = self.input_started.get_value();
        self.input_started.set_value(None);
        // Cleared only when the edit's storage is scheduled: a page hidden before its next frame
        // (no frames run then) still stores the edit when it is hidden (`flush_unsaved`).
        let unsaved = self.unsaved.get_value();
        let state = *self;
        let handler = self.handler_done.get_value();
        self.handler_done.set_value(None);
        let rendered = now_ms();
        let phases = [
            ("preflightMs", Some(preflight_ms)),
            ("keystrokeMs", None),
            ("handlerMs", handler.map(|h| h.0)),
            ("queuedMs", handler.map(|h| start - h.1)),
            ("renderMs", Some(rendered - start - preflight_ms)),
            // Main-thread time the editor spent on the keystroke.
            ("workMs", handler.map(|h| h.0 + rendered - start)),
        ];
        request_animation_frame(move || {
            let mut phases = phases;
            phases[1].1 = input_started.map(|s| now_ms() - s);
            record_timing(bytes, &phases);
            if let Some(file) = unsaved {
                if state.unsaved.get_value() == Some(file) {
                    state.unsaved.set_value(None);
                }
                state.schedule_remember(file);
            }
        });
    }

    /// Stores the edit once typing pauses (writing a large file to localStorage on every
    /// keystroke would slow typing down); `flush_unsaved` stores it at once when the page goes.
    fn schedule_remember(&self, file: FileKind) {
        if let Some((handle, _)) = self.pending_remember.get_value() {
            handle.clear();
        }
        let state = *self;
        let handle = set_timeout_with_handle(
            move || {
                state.pending_remember.set_value(None);
                state.remember(file);
            },
            Duration::from_millis(REMEMBER_AFTER_MS),
        )
        .ok();
        self.pending_remember
            .set_value(handle.map(|handle| (handle, file)));
    }

    /// Stores a pending edit now (the page is being hidden or reloaded).
    pub fn flush_unsaved(&self) {
        if let Some((handle, file)) = self.pending_remember.get_value() {
            handle.clear();
            self.pending_remember.set_value(None);
            self.remember(file);
        }
        if let Some(file) = self.unsaved.get_value() {
            self.remember(file);
        }
    }

    /// Keeps an unsaved edit in the browser (localStorage, IndexedDB when large), or forgets it
    /// when it equals the disk. A file in conflict keeps the base it was edited from until the
    /// user chooses, so typing during a conflict is stored and a reload still asks.
    fn remember(&self, file: FileKind) {
        let Some(text) = self.texts.with_untracked(|t| t.get(&file).cloned()) else {
            return;
        };
        let key = self.storage_key.get_untracked();
        let disk = self.disk.with_untracked(|d| d.get(&file).cloned());
        let conflict_base = self
            .conflicts
            .with_untracked(|c| c.iter().find(|c| c.file == file).map(|c| c.base.clone()));
        let edit = (disk.as_ref() != Some(&text)).then(|| StoredEdit {
            text,
            base: conflict_base
                .clone()
                .unwrap_or_else(|| disk.as_deref().map(persistence::fingerprint)),
        });
        let state = *self;
        let failed = move |error: String| {
            state.memory_only.update_value(|m| {
                m.insert(file);
            });
            state.notice.set(Some(format!(
                "the browser refused to store the edit of {} ({error}): it exists only in this page; save or download it",
                file.file_name()
            )));
        };
        let announced = edit
            .as_ref()
            .map_or_else(|| disk.clone().unwrap_or_default(), |e| e.text.clone());
        match persistence::save(&key, file, edit.as_ref(), failed) {
            persistence::Saved::Stored | persistence::Saved::Pending => {
                self.memory_only.update_value(|m| {
                    m.remove(&file);
                });
                crate::tab_sync::announce(&key, file, &announced, false);
            }
            persistence::Saved::Refused => {
                self.memory_only.update_value(|m| {
                    m.insert(file);
                });
                self.notice.set(Some(
                    "the browser refused to store unsaved edits (storage full or disabled): they exist only in this page; save or download them".into(),
                ));
            }
        }
    }

    /// Whether an edit exists only in this page's memory (not stored in the browser, not saved):
    /// leaving the page would lose it.
    pub fn has_memory_only_edits(&self) -> bool {
        self.flush_unsaved();
        persistence::writing()
            || self
                .memory_only
                .with_value(|m| m.iter().any(|&file| self.is_dirty(file)))
    }

    /// True when the editor's text differs from the disk version.
    pub fn is_dirty(&self, file: FileKind) -> bool {
        self.texts.with(|t| {
            self.disk
                .with(|d| t.get(&file).is_some_and(|text| d.get(&file) != Some(text)))
        })
    }

    pub fn go_to(&self, file: FileKind, start: usize, end: usize) {
        self.current.set(file);
        self.tab.set(Tab::Editor);
        let serial = self.jump.get_untracked().map_or(1, |j| j.serial + 1);
        self.jump.set(Some(Jump {
            file,
            start,
            end,
            serial,
        }));
    }

    /// Loads the workspace from the proxy, restoring unsaved edits and raising conflicts.
    pub async fn load_from_proxy(self) {
        let proxy = self.proxy.get_value();
        if proxy.token.is_none() {
            return;
        }
        self.proxy_status.set(ProxyStatus::Connecting);
        match proxy.get::<WorkspaceAnswer>("/api/workspace").await {
            Ok(body) => self.apply_workspace(body),
            Err(error) => self
                .proxy_status
                .set(ProxyStatus::Failed(error.to_string())),
        }
    }

    /// Re-reads the pending teardowns (after a validation or a teardown), leaving the texts alone.
    pub async fn refresh_pending(self) {
        if let Ok(body) = self
            .proxy
            .get_value()
            .get::<WorkspaceAnswer>("/api/workspace")
            .await
        {
            self.pending.set(body.pending);
        }
    }

    /// Takes a `GET /api/workspace` answer.
    pub fn apply_workspace(&self, body: WorkspaceAnswer) {
        let mut disk = Texts::new();
        self.layout.set(body.layout);
        self.recipes_name.set(body.recipes_name.clone());
        for kind in FileKind::ALL {
            let name = match kind {
                FileKind::Recipes => body.recipes_name.as_str(),
                other => other.file_name(),
            };
            if let Some(file) = body.files.get(name) {
                disk.insert(kind, file.contents.clone());
            }
        }
        self.proxy_status.set(ProxyStatus::Connected {
            dir: body.dir.clone(),
            endpoint: body.endpoint,
            database: body.database,
            signing_secret: body.signing_secret,
        });
        self.storage_key.set(body.dir);
        self.pending.set(body.pending);
        // The proxy's last validation (the demo's startup one) counts when it proved the
        // recipes that are on disk now.
        let disk_recipes = disk.get(&FileKind::Recipes).cloned();
        if let Some(record) = body.last_validation
            && record.recipes_fingerprint
                == disk_recipes
                    .as_deref()
                    .map(scenario_lab_core::file_version::fingerprint)
            && self.validation.with_untracked(Option::is_none)
        {
            self.validation.set(Some(ValidationRun {
                outcome: record.outcome,
                recipes: disk_recipes,
                scenarios: record.scenarios,
            }));
        }
        self.load_texts(disk, true);
    }

    /// Loads texts (from disk through the proxy, or from local files), restoring stored edits
    /// (reading IndexedDB first when a large one is there).
    pub fn load_texts(&self, disk: Texts, from_disk: bool) {
        // An edit still waiting for a pause in typing is stored first, so the reload keeps it.
        self.flush_unsaved();
        let key = self.storage_key.get_untracked();
        let stored: Vec<(FileKind, Option<StoredEdit>)> = FileKind::ALL
            .into_iter()
            .map(|kind| (kind, persistence::load(&key, kind)))
            .collect();
        if stored
            .iter()
            .any(|(_, e)| e.as_ref().is_some_and(StoredEdit::in_indexed_db))
        {
            let state = *self;
            wasm_bindgen_futures::spawn_local(async move {
                let mut resolved = Vec::new();
                for (kind, edit) in stored {
                    let edit = match edit {
                        Some(e) if e.in_indexed_db() => persistence::load_large(&key, kind)
                            .await
                            .map(|text| StoredEdit { text, base: e.base }),
                        other => other,
                    };
                    resolved.push((kind, edit));
                }
                state.restore_texts(disk, from_disk, resolved);
            });
        } else {
            self.restore_texts(disk, from_disk, stored);
        }
    }

    /// The texts to show: the disk, or a stored edit (kept in the editor also when the disk
    /// changed meanwhile: then the user chooses, seeing the difference).
    fn restore_texts(
        &self,
        disk: Texts,
        from_disk: bool,
        stored: Vec<(FileKind, Option<StoredEdit>)>,
    ) {
        let mut texts = disk.clone();
        let mut conflicts = Vec::new();
        let mut restored = 0;
        for (kind, stored_edit) in stored {
            match persistence::restore(stored_edit.as_ref(), disk.get(&kind).map(String::as_str)) {
                Restore::Disk => {}
                Restore::Edit(text) => {
                    restored += 1;
                    texts.insert(kind, text);
                }
                Restore::Conflict { edit, disk } => {
                    texts.insert(kind, edit);
                    conflicts.push(Conflict {
                        file: kind,
                        disk,
                        base: stored_edit.and_then(|e| e.base),
                    });
                }
            }
        }
        if from_disk {
            self.disk.set(disk);
        }
        self.conflicts.set(conflicts);
        if restored > 0 {
            self.notice.set(Some(format!(
                "restored unsaved edits to {restored} file(s) from this browser"
            )));
        }
        crate::tab_sync::loaded(&texts);
        self.set_texts(texts);
    }

    /// Resolves a conflict: keep the edit (as it is now, typing included), or take the disk
    /// version (one undoable change in the editor).
    pub fn resolve_conflict(&self, file: FileKind, keep_edit: bool) {
        let Some(conflict) = self
            .conflicts
            .with_untracked(|c| c.iter().find(|c| c.file == file).cloned())
        else {
            return;
        };
        self.conflicts.update(|c| c.retain(|c| c.file != file));
        if keep_edit {
            // Now edited from the current disk version: a save overwrites it knowingly.
            self.remember(file);
        } else {
            self.replace_text(file, conflict.disk);
        }
    }

    /// Writes one file through the proxy; the disk version follows. When the file changed on
    /// disk since it was loaded, nothing is written: the edit is kept and the user chooses.
    pub async fn save(self, file: FileKind) -> Result<(), ProxyError> {
        let Some(text) = self.texts.with_untracked(|t| t.get(&file).cloned()) else {
            return Ok(());
        };
        if self
            .conflicts
            .with_untracked(|c| c.iter().any(|c| c.file == file))
        {
            return Err(ProxyError::Failed(
                409,
                format!(
                    "{} changed on disk: choose above whether to keep your edit first",
                    self.name_untracked(file)
                ),
            ));
        }
        let base = self.disk.with_untracked(|d| d.get(&file).cloned());
        let proxy = self.proxy.get_value();
        if let Err(error) = proxy
            .put_file(&self.name_untracked(file), &text, base.as_deref())
            .await
        {
            if matches!(error, ProxyError::Failed(409, _)) {
                self.remember(file);
                self.load_from_proxy().await;
            }
            return Err(error);
        }
        self.disk.update(|d| {
            d.insert(file, text.clone());
        });
        let key = self.storage_key.get_untracked();
        persistence::save(&key, file, None, |_| {});
        self.memory_only.update_value(|m| {
            m.remove(&file);
        });
        crate::tab_sync::announce(&key, file, &text, true);
        Ok(())
    }

    /// What a tab shows from the files: computed after the debounced preflight (not on every
    /// keystroke) and only while the tab is open.
    pub fn tab_view<T>(self, tab: Tab, compute: fn(&Texts) -> T) -> Memo<T>
    where
        T: Default + PartialEq + Send + Sync + 'static,
    {
        Memo::new(move |_| {
            self.analysis.track();
            if self.tab.get() != tab {
                return T::default();
            }
            self.texts.with_untracked(compute)
        })
    }

    /// One `/api` call while the editor shows `label` as busy; `done` gets the answer.
    pub fn call<B, T>(
        self,
        label: String,
        path: &'static str,
        body: B,
        done: impl FnOnce(Result<T, ProxyError>) + 'static,
    ) where
        B: Serialize + 'static,
        T: DeserializeOwned + 'static,
    {
        self.busy.set(Some(label));
        leptos::task::spawn_local(async move {
            let answer = self.proxy.get_value().post(path, &body).await;
            done(answer);
            self.busy.set(None);
        });
    }

    /// Shows a proxy failure; a proxy that stopped answering turns the header red (with Retry).
    pub fn report(&self, error: &ProxyError) {
        if let ProxyError::Unreachable(_) = error {
            self.proxy_status.set(ProxyStatus::Failed(
                "the proxy stopped answering: start it again (`scenario-lab serve` or `demo`), then Retry; your edits stay in this browser".into(),
            ));
        }
        self.notice.set(Some(error.to_string()));
    }

    /// Before a live action saves the files: asks when a file to save has errors preflight
    /// found (the action would run on a broken file). `Ok(false)`: the user declined.
    pub async fn save_all_checked(self, action: &str) -> Result<bool, ProxyError> {
        let broken: Vec<String> = FileKind::ALL
            .into_iter()
            .filter(|&k| self.is_dirty(k))
            .filter_map(|k| {
                let errors = self.analysis.with_untracked(|a| {
                    a.rows
                        .iter()
                        .filter(|r| {
                            r.diagnostic.file == k
                                && r.severity() == scenario_lab_core::Severity::Error
                        })
                        .count()
                });
                (errors > 0).then(|| format!("{} ({errors} error(s))", k.file_name()))
            })
            .collect();
        if !broken.is_empty() {
            let question = format!(
                "Preflight found errors in {}. Save and {action} anyway?",
                broken.join(", ")
            );
            let yes = web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false);
            if !yes {
                return Ok(false);
            }
        }
        self.save_all().await.map(|_| true)
    }

    /// Saves every file that differs from disk (before a live action reads them).
    pub async fn save_all(self) -> Result<usize, ProxyError> {
        let dirty: Vec<FileKind> = FileKind::ALL
            .into_iter()
            .filter(|&k| self.is_dirty(k))
            .collect();
        for &file in &dirty {
            self.save(file).await?;
        }
        Ok(dirty.len())
    }
}

/// Says on the page why the preflight fell back to the page's thread.
fn tracing_notice(state: EditorState, message: &str) {
    state.notice.set(Some(message.to_owned()));
}

/// Appends one keystroke timing to `window.__scenarioLab.timings`.
fn record_timing(bytes: usize, phases: &[(&str, Option<f64>)]) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let root = js_sys::Reflect::get(&window, &"__scenarioLab".into())
        .ok()
        .filter(wasm_bindgen::JsValue::is_object)
        .unwrap_or_else(|| {
            let object = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&object, &"timings".into(), &js_sys::Array::new());
            let _ = js_sys::Reflect::set(&window, &"__scenarioLab".into(), &object);
            object.into()
        });
    let Ok(timings) = js_sys::Reflect::get(&root, &"timings".into()) else {
        return;
    };
    let entry = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&entry, &"bytes".into(), &(bytes as f64).into());
    for (name, value) in phases {
        if let Some(value) = value {
            let _ = js_sys::Reflect::set(&entry, &(*name).into(), &(*value).into());
        }
    }
    if let Ok(timings) = timings.dyn_into::<js_sys::Array>() {
        timings.push(&entry);
    }
}
