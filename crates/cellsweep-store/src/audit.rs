//! The audit log: every collection, alteration, consultation, disclosure, combination and
//! erasure of personal data (EU Directive 2016/680, article 25), append-only and hash-chained,
//! with checkpoints signed by the workspace's ed25519 key.
//!
//! ```text
//!  entry 1            entry 2            entry 3 ...
//!  prev = 0…0    ┌──► prev = h1     ┌──► prev = h2
//!  h1 = SHA-256( │    h2 = SHA-256( │    h3 = SHA-256(canonical(seq, at, actor, action,
//!   canonical) ──┘     canonical) ──┘         object, justification, recipients, detail, prev))
//!                         ▲
//!            checkpoint: ed25519(seq 2, h2, at, previous checkpoint's signature)
//! ```
//!
//! Editing an entry changes its hash; removing, inserting or reordering one breaks the links or
//! the sequence; rewriting the whole chain consistently does not match the signed checkpoints.
//! [`Workspace::audit_verify`] walks all of it and names the first broken `seq` and the kind of
//! tampering (docs/interdiction.md, "Audit").
//!
//! The signing key lives in `WS/keys/audit.key` (created on first use, readable by its owner
//! only); in production it belongs in an HSM, and the verifier should hold its own copy of the
//! public key (`audit verify --public-key`).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::{Error, Workspace};

/// A checkpoint is signed at least every this many entries (and at the end of each command).
pub const CHECKPOINT_EVERY: u64 = 100;

/// Directory of the workspace's keys, relative to its root.
pub const KEYS_DIR: &str = "keys";

/// The audit signing key (hex seed), relative to the workspace root.
pub const SIGNING_KEY_FILE: &str = "keys/audit.key";

/// The audit public key (hex), relative to the workspace root.
pub const PUBLIC_KEY_FILE: &str = "keys/audit.pub";

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain separation of entry hashes and checkpoint signatures.
const ENTRY_DOMAIN: &[u8] = b"cellsweep-audit-entry-v1";
const CHECKPOINT_DOMAIN: &[u8] = b"cellsweep-audit-checkpoint-v1";

/// The categories of article 25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Data came in (an import, an ingest, an operator's answer).
    Collection,
    /// Data or a decision changed (an approval, a state transition, a retention date).
    Alteration,
    /// Someone looked at personal data.
    Consultation,
    /// Data left the workspace for someone else (lists, requests, evidence).
    Disclosure,
    /// Datasets were combined (detection, list generation).
    Combination,
    /// Data were erased.
    Erasure,
}

impl Action {
    /// Every category.
    pub const ALL: [Action; 6] = [
        Action::Collection,
        Action::Alteration,
        Action::Consultation,
        Action::Disclosure,
        Action::Combination,
        Action::Erasure,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Collection => "collection",
            Action::Alteration => "alteration",
            Action::Consultation => "consultation",
            Action::Disclosure => "disclosure",
            Action::Combination => "combination",
            Action::Erasure => "erasure",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a command records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Who: `--by`, `CELLSWEEP_USER` or `$USER`.
    pub actor: String,
    /// The category.
    pub action: Action,
    /// What was touched (`source:12`, `device:D…`, `lists:3`, `workspace`).
    pub object: String,
    /// Why: the user's reason or the legal request reference.
    pub justification: String,
    /// To whom data were disclosed.
    pub recipients: Vec<String>,
    /// The command and what it did, in words.
    pub detail: String,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// RFC 3339 UTC.
    pub at: String,
    /// Who.
    pub actor: String,
    /// The category, as stored (verification does not trust it to parse).
    pub action: String,
    /// What.
    pub object: String,
    /// Why.
    pub justification: String,
    /// To whom, `;`-separated.
    pub recipients: String,
    /// The command and what it did.
    pub detail: String,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl StoredEntry {
    const SELECT: &'static str = "SELECT seq, at, actor, action, object, justification, \
        recipients, detail, prev_hash, hash FROM audit_log";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            object: r.get(4)?,
            justification: r.get(5)?,
            recipients: r.get(6)?,
            detail: r.get(7)?,
            prev_hash: r.get(8)?,
            hash: r.get(9)?,
        })
    }

    /// The hash this entry would have at position `seq`.
    fn hash_at(&self, seq: u64) -> String {
        entry_hash(
            seq,
            &[
                &self.at,
                &self.actor,
                &self.action,
                &self.object,
                &self.justification,
                &self.recipients,
                &self.detail,
            ],
            &self.prev_hash,
        )
    }
}

/// SHA-256 over the canonical encoding: a domain tag, then each field as its byte length
/// (8 bytes, big-endian) followed by its UTF-8 bytes, in a fixed order; `seq` as decimal text
/// first and `prev_hash` last. Length prefixes make the encoding unambiguous (no separator
/// can be forged inside a field).
fn entry_hash(seq: u64, fields: &[&str; 7], prev_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(ENTRY_DOMAIN);
    let seq = seq.to_string();
    for f in std::iter::once(seq.as_str())
        .chain(fields.iter().copied())
        .chain(std::iter::once(prev_hash))
    {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// A signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Checkpoint id, from 1.
    pub id: u64,
    /// The last entry it covers.
    pub seq: u64,
    /// That entry's hash.
    pub hash: String,
    /// When it was signed.
    pub at: String,
    /// The signer's public key, hex.
    pub public_key: String,
    /// The previous checkpoint's signature (empty for the first).
    pub prev_sig: String,
    /// The signature, hex.
    pub signature: String,
}

impl Checkpoint {
    fn message(id: u64, seq: u64, hash: &str, at: &str, prev_sig: &str) -> Vec<u8> {
        let mut m = CHECKPOINT_DOMAIN.to_vec();
        m.extend_from_slice(format!("\n{id}\n{seq}\n{hash}\n{at}\n{prev_sig}").as_bytes());
        m
    }
}

/// Kinds of tampering `audit verify` tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// An entry's content no longer matches its hash (or was rewritten with a new hash).
    Edited,
    /// Entries are missing.
    Removed,
    /// An entry that was never appended by cellsweep stands in the chain.
    Inserted,
    /// Entries stand at other positions than the ones they were written at.
    Reordered,
    /// A checkpoint's signature does not verify, or checkpoints were removed.
    Signature,
}

impl Tamper {
    /// The word printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Tamper::Edited => "edited",
            Tamper::Removed => "removed",
            Tamper::Inserted => "inserted",
            Tamper::Reordered => "reordered",
            Tamper::Signature => "signature",
        }
    }
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first place where the log is not what cellsweep wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The first broken `seq`.
    pub seq: u64,
    /// The kind of tampering.
    pub kind: Tamper,
    /// What was found, in words.
    pub detail: String,
}

/// The outcome of [`Workspace::audit_verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Entries in the log.
    pub entries: u64,
    /// Checkpoints whose signature verified.
    pub checkpoints: u64,
    /// The last entry covered by a valid checkpoint.
    pub signed_through: u64,
    /// The first break in the chain, if any.
    pub chain: Option<Break>,
    /// Problems with checkpoints (signatures, mismatching hashes), in order.
    pub checkpoint_problems: Vec<Break>,
    /// Whether the append-only triggers are in place.
    pub triggers: bool,
}

impl Verification {
    /// Whether nothing was found.
    pub fn is_intact(&self) -> bool {
        self.chain.is_none() && self.checkpoint_problems.is_empty()
    }

    /// The first problem: the chain's, else the first checkpoint's.
    pub fn first(&self) -> Option<&Break> {
        self.chain.as_ref().or(self.checkpoint_problems.first())
    }
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

impl Workspace {
    /// Appends an entry; signs a checkpoint every [`CHECKPOINT_EVERY`] entries. Joins the
    /// caller's transaction when one is open, else runs in its own. Returns the entry's seq.
    pub fn audit(&self, e: &AuditEntry) -> Result<u64, Error> {
        let sql = |s| self.sql_err(s);
        let own = self.conn().is_autocommit();
        if own {
            self.conn().execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
        }
        let result = append(self.conn(), e);
        match result {
            Ok(seq) => {
                if own {
                    self.conn().execute_batch("COMMIT").map_err(sql)?;
                }
                if seq.is_multiple_of(CHECKPOINT_EVERY) {
                    self.audit_checkpoint()?;
                }
                Ok(seq)
            }
            Err(err) => {
                if own {
                    let _ = self.conn().execute_batch("ROLLBACK");
                }
                Err(sql(err))
            }
        }
    }

    /// Signs a checkpoint over the last entry unless one already covers it. Commands call this
    /// once at their end. Returns the new checkpoint, if one was needed.
    pub fn audit_checkpoint(&self) -> Result<Option<Checkpoint>, Error> {
        let conn = self.conn();
        let sql = |s| self.sql_err(s);
        let head: Option<(u64, String)> = conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql)?;
        let Some((seq, hash)) = head else {
            return Ok(None);
        };
        let last: Option<(u64, u64, String)> = conn
            .query_row(
                "SELECT id, seq, signature FROM audit_checkpoints ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(sql)?;
        if last.as_ref().is_some_and(|l| l.1 == seq) {
            return Ok(None);
        }
        let key = self.audit_signing_key()?;
        let id = last.as_ref().map_or(1, |l| l.0 + 1);
        let prev_sig = last.map(|l| l.2).unwrap_or_default();
        let at = now();
        let sig = key.sign(&Checkpoint::message(id, seq, &hash, &at, &prev_sig));
        let cp = Checkpoint {
            id,
            seq,
            hash,
            at,
            public_key: hex(&key.verifying_key().to_bytes()),
            prev_sig,
            signature: hex(&sig.to_bytes()),
        };
        conn.execute(
            "INSERT INTO audit_checkpoints (id, seq, hash, at, public_key, prev_sig, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                cp.id,
                cp.seq,
                cp.hash,
                cp.at,
                cp.public_key,
                cp.prev_sig,
                cp.signature
            ],
        )
        .map_err(sql)?;
        Ok(Some(cp))
    }

    /// Entries with `seq >= from`, in order, at most `limit`.
    pub fn audit_entries(&self, from: u64, limit: usize) -> Result<Vec<StoredEntry>, Error> {
        let mut stmt = self
            .conn()
            .prepare(&format!(
                "{} WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
                StoredEntry::SELECT
            ))
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![from, limit as i64], StoredEntry::from_row)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// The signing key, created on first use.
    fn audit_signing_key(&self) -> Result<SigningKey, Error> {
        let path = self.root().join(SIGNING_KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let seed = unhex::<32>(text.trim()).ok_or_else(|| Error::BadKey {
                    path: path.clone(),
                    reason: "expected 64 hex digits".into(),
                })?;
                Ok(SigningKey::from_bytes(&seed))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key(self.root()),
            Err(source) => Err(Error::Io { path, source }),
        }
    }

    /// The workspace's audit public key, if a key was created.
    pub fn audit_public_key(&self) -> Result<Option<[u8; 32]>, Error> {
        read_public_key(&self.root().join(PUBLIC_KEY_FILE))
            .map(Some)
            .or_else(|e| match e {
                Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                    Ok(None)
                }
                e => Err(e),
            })
    }

    /// Walks the chain and the checkpoints. `public_key` is the verifier's trusted copy;
    /// without it, the workspace's own `keys/audit.pub` is used.
    pub fn audit_verify(&self, public_key: Option<[u8; 32]>) -> Result<Verification, Error> {
        let conn = self.conn();
        let sql = |s| self.sql_err(s);
        let rows: Vec<StoredEntry> = conn
            .prepare(&format!("{} ORDER BY seq", StoredEntry::SELECT))
            .and_then(|mut s| {
                s.query_map([], StoredEntry::from_row)
                    .and_then(|r| r.collect())
            })
            .map_err(sql)?;
        let checkpoints: Vec<Checkpoint> = conn
            .prepare(
                "SELECT id, seq, hash, at, public_key, prev_sig, signature
                 FROM audit_checkpoints ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(Checkpoint {
                        id: r.get(0)?,
                        seq: r.get(1)?,
                        hash: r.get(2)?,
                        at: r.get(3)?,
                        public_key: r.get(4)?,
                        prev_sig: r.get(5)?,
                        signature: r.get(6)?,
                    })
                })
                .and_then(|r| r.collect())
            })
            .map_err(sql)?;
        let triggers: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN
                 ('audit_log_no_update', 'audit_log_no_delete',
                  'audit_checkpoints_no_update', 'audit_checkpoints_no_delete')",
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        let key = match public_key {
            Some(k) => Some(k),
            None => self.audit_public_key()?,
        };
        let chain = walk_chain(&rows);
        let (checkpoints_ok, signed_through, checkpoint_problems) =
            check_checkpoints(&rows, &checkpoints, key);
        Ok(Verification {
            entries: rows.len() as u64,
            checkpoints: checkpoints_ok,
            signed_through,
            chain,
            checkpoint_problems,
            triggers: triggers == 4,
        })
    }
}

/// Inserts one entry after the current head, inside the caller's transaction.
fn append(conn: &Connection, e: &AuditEntry) -> rusqlite::Result<u64> {
    let head: Option<(u64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match head {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let at = now();
    let recipients = e.recipients.join(";");
    let fields = [
        at.as_str(),
        e.actor.as_str(),
        e.action.as_str(),
        e.object.as_str(),
        e.justification.as_str(),
        recipients.as_str(),
        e.detail.as_str(),
    ];
    let hash = entry_hash(seq, &fields, &prev);
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, object, justification, recipients,
                                detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        seq,
        at,
        e.actor,
        e.action.as_str(),
        e.object,
        e.justification,
        recipients,
        e.detail,
        prev,
        hash
    ])?;
    Ok(seq)
}

/// How far away from its position an entry is looked for when it does not hash where it stands.
const SEARCH_WINDOW: u64 = 100_000;

/// The first break of the chain, classified.
fn walk_chain(rows: &[StoredEntry]) -> Option<Break> {
    let by_hash: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.hash.as_str(), i))
        .collect();
    let max_seq = rows.last().map_or(0, |r| r.seq);
    let mut prev = GENESIS;
    for (i, r) in rows.iter().enumerate() {
        let expected = i as u64 + 1;
        let before = |k: usize| i.checked_sub(k).map_or(GENESIS, |j| rows[j].hash.as_str());
        if r.seq != expected {
            let detail = if r.seq == expected + 1 {
                format!("entry {expected} is missing")
            } else {
                format!("entries {expected} to {} are missing", r.seq - 1)
            };
            return Some(Break {
                seq: expected,
                kind: Tamper::Removed,
                detail,
            });
        }
        if r.hash_at(r.seq) != r.hash {
            // Was it written at another position?
            let lo = r.seq.saturating_sub(SEARCH_WINDOW).max(1);
            let hi = (r.seq + SEARCH_WINDOW).min(max_seq + 1);
            let written = (lo..=hi)
                .filter(|&s| s != r.seq)
                .find(|&s| r.hash_at(s) == r.hash);
            return Some(match written {
                Some(s) if s + 1 == r.seq && r.prev_hash == before(2) => Break {
                    seq: r.seq - 1,
                    kind: Tamper::Inserted,
                    detail: format!(
                        "entry {} was not in the chain: entry {s} and the ones after it were moved one place down",
                        r.seq - 1
                    ),
                },
                Some(s) if s == r.seq + 1 && !by_hash.contains_key(r.prev_hash.as_str()) => Break {
                    seq: r.seq,
                    kind: Tamper::Removed,
                    detail: format!(
                        "entry {} is missing: entry {s} and the ones after it were moved one place up",
                        r.seq
                    ),
                },
                Some(s) => Break {
                    seq: r.seq,
                    kind: Tamper::Reordered,
                    detail: format!("the entry at {} was written as entry {s}", r.seq),
                },
                None => {
                    // An entry that hashes nowhere: inserted if the next one links over it.
                    let skipped = rows.get(i + 1).is_some_and(|n| {
                        n.seq == r.seq + 1 && n.hash_at(r.seq) == n.hash && n.prev_hash == prev
                    });
                    if skipped {
                        Break {
                            seq: r.seq,
                            kind: Tamper::Inserted,
                            detail: format!(
                                "entry {} was not in the chain: the next entry was written at its place",
                                r.seq
                            ),
                        }
                    } else {
                        Break {
                            seq: r.seq,
                            kind: Tamper::Edited,
                            detail: format!(
                                "the content of entry {} does not match its hash",
                                r.seq
                            ),
                        }
                    }
                }
            });
        }
        if r.prev_hash != prev {
            return Some(if i >= 1 && r.prev_hash == before(2) {
                Break {
                    seq: r.seq - 1,
                    kind: Tamper::Inserted,
                    detail: format!(
                        "entry {} was not in the chain: entry {} links over it",
                        r.seq - 1,
                        r.seq
                    ),
                }
            } else if by_hash.get(r.prev_hash.as_str()).is_some_and(|&j| j > i) {
                Break {
                    seq: r.seq,
                    kind: Tamper::Reordered,
                    detail: format!("entry {} follows an entry that now stands after it", r.seq),
                }
            } else {
                Break {
                    seq: r.seq - 1,
                    kind: Tamper::Edited,
                    detail: format!(
                        "entry {} was rewritten: its hash no longer links to entry {}",
                        r.seq - 1,
                        r.seq
                    ),
                }
            });
        }
        prev = &r.hash;
    }
    None
}

/// Verifies every checkpoint's signature, its link to the previous one and its hash against
/// the stored entry. Returns the valid checkpoints, the last entry they cover, and problems.
fn check_checkpoints(
    rows: &[StoredEntry],
    checkpoints: &[Checkpoint],
    key: Option<[u8; 32]>,
) -> (u64, u64, Vec<Break>) {
    let by_seq: HashMap<u64, &StoredEntry> = rows.iter().map(|r| (r.seq, r)).collect();
    let by_hash: HashMap<&str, u64> = rows.iter().map(|r| (r.hash.as_str(), r.seq)).collect();
    let max_seq = rows.last().map_or(0, |r| r.seq);
    let verifying = key.and_then(|k| VerifyingKey::from_bytes(&k).ok());
    let mut problems = Vec::new();
    let (mut ok, mut through) = (0, 0);
    let mut prev_sig = "";
    for (i, cp) in checkpoints.iter().enumerate() {
        let expected_id = i as u64 + 1;
        let sig = unhex::<64>(&cp.signature).map(|b| Signature::from_bytes(&b));
        let valid = match (&verifying, sig) {
            (Some(k), Some(s)) => {
                hex(&k.to_bytes()) == cp.public_key
                    && k.verify(
                        &Checkpoint::message(cp.id, cp.seq, &cp.hash, &cp.at, &cp.prev_sig),
                        &s,
                    )
                    .is_ok()
            }
            _ => false,
        };
        if !valid {
            problems.push(Break {
                seq: cp.seq,
                kind: Tamper::Signature,
                detail: if verifying.is_none() {
                    format!(
                        "checkpoint {} cannot be checked: no public key (`{PUBLIC_KEY_FILE}`)",
                        cp.id
                    )
                } else {
                    format!(
                        "checkpoint {} (entry {}) is not signed by the audit key",
                        cp.id, cp.seq
                    )
                },
            });
            continue;
        }
        if cp.id != expected_id || cp.prev_sig != prev_sig {
            problems.push(Break {
                seq: cp.seq,
                kind: Tamper::Signature,
                detail: format!(
                    "checkpoint {} does not follow checkpoint {}: checkpoints were removed",
                    cp.id,
                    expected_id.saturating_sub(1)
                ),
            });
        }
        prev_sig = &cp.signature;
        match by_seq.get(&cp.seq) {
            Some(r) if r.hash == cp.hash => {
                ok += 1;
                through = through.max(cp.seq);
            }
            other => {
                let now_at = by_hash.get(cp.hash.as_str()).copied();
                let (kind, detail) = match (other, now_at) {
                    (_, Some(s)) if s > cp.seq => (
                        Tamper::Inserted,
                        format!(
                            "signed entry {} now stands at {s}: entries were inserted before it",
                            cp.seq
                        ),
                    ),
                    (_, Some(s)) => (
                        Tamper::Removed,
                        format!(
                            "signed entry {} now stands at {s}: entries were removed before it",
                            cp.seq
                        ),
                    ),
                    (None, None) if cp.seq > max_seq => (
                        Tamper::Removed,
                        format!(
                            "checkpoint {} signed entry {} but the log ends at {max_seq}",
                            cp.id, cp.seq
                        ),
                    ),
                    _ => (
                        Tamper::Edited,
                        format!(
                            "signed entry {} has another hash than the one signed: the chain up to it was rewritten",
                            cp.seq
                        ),
                    ),
                };
                let seq = if kind == Tamper::Removed && cp.seq > max_seq {
                    max_seq + 1
                } else {
                    cp.seq
                };
                problems.push(Break { seq, kind, detail });
            }
        }
    }
    (ok, through, problems)
}

/// Creates the key pair files. Written to temporary names then renamed, so a crash never
/// leaves half a key.
fn create_key(root: &Path) -> Result<SigningKey, Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| Error::BadKey {
        path: root.join(SIGNING_KEY_FILE),
        reason: format!("no randomness from the operating system: {e}"),
    })?;
    let key = SigningKey::from_bytes(&seed);
    let dir = root.join(KEYS_DIR);
    let io = |path: PathBuf| move |source| Error::Io { path, source };
    std::fs::create_dir_all(&dir).map_err(io(dir.clone()))?;
    let public = root.join(PUBLIC_KEY_FILE);
    let secret = root.join(SIGNING_KEY_FILE);
    for (path, text, private) in [
        (&public, hex(&key.verifying_key().to_bytes()), false),
        (&secret, hex(&seed), true),
    ] {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, format!("{text}\n")).map_err(io(tmp.clone()))?;
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
                .map_err(io(tmp.clone()))?;
        }
        #[cfg(not(unix))]
        let _ = private;
        std::fs::rename(&tmp, path).map_err(io(path.clone()))?;
    }
    Ok(key)
}

/// Reads a hex public key file.
pub fn read_public_key(path: &Path) -> Result<[u8; 32], Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    unhex::<32>(text.trim()).ok_or_else(|| Error::BadKey {
        path: path.into(),
        reason: "expected 64 hex digits".into(),
    })
}

#[cfg(test)]
mod tests;
