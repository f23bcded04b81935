//! Files attached to a reply: a path prompt that completes from the directory being typed
//! (listed by the run loop, never here), the files listed under the editor, and removing one.
//!
//! Paths stay as typed (`~/report.pdf`, `../logs/a.txt`); the run loop expands them when it
//! lists a directory or uploads a file.

use super::{App, Effect, Layer, Menu, Pane};
use crate::domain::Id;
use crate::tui::keymap::Action;

pub use crate::api::MAX_REPLY_FILES as MAX_FILES;
/// Bytes one reply may carry in all, as the server allows.
pub const MAX_TOTAL: u64 = crate::api::MAX_REPLY_BYTES as u64;

/// A file attached to a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// The path as typed.
    pub path: String,
    pub name: String,
    pub size: u64,
}

/// One entry of a listed directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub dir: bool,
    pub size: u64,
}

/// A directory's entries, for the directory part of the path typed (`""` is the working
/// directory); `Err` says why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub dir: String,
    pub entries: Result<Vec<DirEntry>, String>,
}

/// `input` split at its last `/`: the directory part (with the slash) and the name typed.
pub fn split(input: &str) -> (&str, &str) {
    match input.rfind('/') {
        Some(at) => input.split_at(at + 1),
        None => ("", input),
    }
}

/// The entries of `listing` whose names start with `prefix`, directories first; hidden
/// ones only when the prefix starts with a dot.
pub fn matches<'a>(listing: &'a Listing, prefix: &str) -> Vec<&'a DirEntry> {
    let Ok(entries) = &listing.entries else {
        return Vec::new();
    };
    let mut found: Vec<&DirEntry> = entries
        .iter()
        .filter(|e| {
            e.name.starts_with(prefix) && (prefix.starts_with('.') || !e.name.starts_with('.'))
        })
        .collect();
    found.sort_by(|a, b| b.dir.cmp(&a.dir).then_with(|| a.name.cmp(&b.name)));
    found
}

/// The longest start all `names` share.
fn common_prefix<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut prefix: Option<String> = None;
    for name in names {
        prefix = Some(match prefix {
            None => name.to_string(),
            Some(p) => p
                .chars()
                .zip(name.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    prefix.unwrap_or_default()
}

/// "12 KB", for the list under the editor.
pub fn size_label(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

impl App {
    /// The files attached to conversation `id`'s draft.
    pub fn attached(&self, id: Id) -> &[Attached] {
        self.editor.files.get(&id).map_or(&[], Vec::as_slice)
    }

    /// Opens the path prompt for the open conversation's draft and lists the working
    /// directory.
    pub(super) fn open_attach(&mut self) -> Vec<Effect> {
        let Some(conversation) = self.thread.open else {
            return vec![];
        };
        self.layers.push(Layer::Attach {
            conversation,
            input: String::new(),
            selected: 0,
            listing: None,
            asked: String::new(),
        });
        vec![Effect::ListDir { dir: String::new() }]
    }

    /// Opens the menu that removes one of the open draft's files.
    pub(super) fn open_detach(&mut self) {
        match self.thread.open {
            Some(id) if !self.attached(id).is_empty() => self.open_menu(Menu::Detach),
            Some(_) => self.inform("no files attached"),
            None => {}
        }
    }

    /// The listing of the directory typed arrived; kept if it is still the one typed.
    pub(super) fn listed(&mut self, listing: Listing) {
        if let Some(Layer::Attach {
            input,
            listing: shown,
            selected,
            ..
        }) = self.layers.last_mut()
            && split(input).0 == listing.dir
        {
            *shown = Some(listing);
            *selected = 0;
        }
    }

    /// What typing in the path prompt asks for: a listing when the directory part changed.
    pub(super) fn attach_typed(&mut self) -> Vec<Effect> {
        let Some(Layer::Attach {
            input,
            listing,
            selected,
            asked,
            ..
        }) = self.layers.last_mut()
        else {
            return vec![];
        };
        *selected = 0;
        let dir = split(input).0;
        if listing.as_ref().is_some_and(|l| l.dir != dir) {
            *listing = None;
        }
        if *asked == dir {
            return vec![];
        }
        *asked = dir.to_string();
        vec![Effect::ListDir {
            dir: dir.to_string(),
        }]
    }

    /// A key action in the path prompt.
    pub(super) fn attach_action(
        &mut self,
        conversation: Id,
        mut input: String,
        mut selected: usize,
        (listing, asked): (Option<Listing>, String),
        action: Action,
    ) -> Vec<Effect> {
        let before = input.clone();
        let (dir, prefix) = split(&input);
        let found: Vec<DirEntry> = listing
            .as_ref()
            .map(|l| matches(l, prefix).into_iter().cloned().collect())
            .unwrap_or_default();
        let dir = dir.to_string();
        match action {
            Action::MoveDown => selected = (selected + 1).min(found.len().saturating_sub(1)),
            Action::MoveUp => selected = selected.saturating_sub(1),
            Action::Complete => match found.as_slice() {
                [] => {}
                [one] if one.dir => input = format!("{dir}{}/", one.name),
                [one] => input = format!("{dir}{}", one.name),
                many => {
                    input = format!(
                        "{dir}{}",
                        common_prefix(many.iter().map(|e| e.name.as_str()))
                    )
                }
            },
            Action::Open | Action::Confirm => match found.get(selected) {
                Some(e) if e.dir => input = format!("{dir}{}/", e.name),
                Some(e) => {
                    let file = Attached {
                        path: format!("{dir}{}", e.name),
                        name: e.name.clone(),
                        size: e.size,
                    };
                    self.attach(conversation, file);
                    return vec![];
                }
                None => self.warn(format!("no file matches {input:?}")),
            },
            _ => {}
        }
        let changed = input != before;
        self.layers.push(Layer::Attach {
            conversation,
            input,
            selected,
            listing,
            asked,
        });
        if changed { self.attach_typed() } else { vec![] }
    }

    /// Attaches `file` to conversation `id`'s draft, within the limits a reply has.
    fn attach(&mut self, id: Id, file: Attached) {
        let files = self.attached(id);
        let total: u64 = files.iter().map(|f| f.size).sum::<u64>() + file.size;
        if files.iter().any(|f| f.path == file.path) {
            self.inform(format!("{} is already attached", file.name));
        } else if files.len() >= MAX_FILES {
            self.warn(format!("a reply carries at most {MAX_FILES} files"));
        } else if total > MAX_TOTAL {
            self.warn(format!(
                "{} would make the reply {}: at most {} in all",
                file.name,
                size_label(total),
                size_label(MAX_TOTAL)
            ));
        } else {
            self.inform(format!(
                "attached {} ({})",
                file.name,
                size_label(file.size)
            ));
            self.editor.files.entry(id).or_default().push(file);
        }
        if self.thread.open == Some(id) {
            self.focus = Pane::Editor;
        }
    }

    /// Puts a reply that could not be queued back: its text when the draft is empty again,
    /// its files beside any attached since.
    pub(super) fn unsent(&mut self, id: Id, body: &str, files: Vec<Attached>) {
        if self.draft_text(id).is_none_or(|t| t.trim().is_empty()) {
            self.set_draft(id, body);
        }
        let kept = self.editor.files.entry(id).or_default();
        for file in files {
            if !kept.iter().any(|f| f.path == file.path) {
                kept.push(file);
            }
        }
    }

    /// Removes the `index`th file of conversation `id`'s draft.
    pub(super) fn detach(&mut self, id: Id, index: usize) {
        if let Some(files) = self.editor.files.get_mut(&id)
            && index < files.len()
        {
            let gone = files.remove(index);
            self.inform(format!("removed {}", gone.name));
        }
        self.focus = Pane::Editor;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, dir: bool) -> DirEntry {
        DirEntry {
            name: name.into(),
            dir,
            size: 10,
        }
    }

    #[test]
    fn paths_split_at_the_last_slash() {
        assert_eq!(split("~/Documents/rep"), ("~/Documents/", "rep"));
        assert_eq!(split("report"), ("", "report"));
        assert_eq!(split("/"), ("/", ""));
    }

    #[test]
    fn matches_put_directories_first_and_hide_dotfiles_unless_asked() {
        let listing = Listing {
            dir: String::new(),
            entries: Ok(vec![
                entry("report.pdf", false),
                entry(".secret", false),
                entry("reports", true),
                entry("readme.md", false),
            ]),
        };
        let names = |p: &str| -> Vec<String> {
            matches(&listing, p)
                .iter()
                .map(|e| e.name.clone())
                .collect()
        };
        assert_eq!(names("rep"), ["reports", "report.pdf"]);
        assert_eq!(names(""), ["reports", "readme.md", "report.pdf"]);
        assert_eq!(names("."), [".secret"]);
        assert_eq!(
            common_prefix(["report.pdf", "reports"].into_iter()),
            "report"
        );
    }
}
