//! Tamper detection: single entries edited, removed, inserted and reordered directly in the
//! catalog, each caught and named by `audit_verify`.

use super::*;

fn entry(i: u64) -> AuditEntry {
    AuditEntry {
        actor: "analyst".into(),
        action: Action::ALL[(i % 6) as usize],
        object: format!("source:{i}"),
        justification: "REQ-2026-001".into(),
        recipients: if i.is_multiple_of(3) {
            vec!["208-01".into(), "208-10".into()]
        } else {
            vec![]
        },
        detail: format!("test entry {i}"),
    }
}

/// A workspace with `n` entries, a checkpoint at the end, and the triggers dropped (as someone
/// editing the file directly would).
fn logged(n: u64) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    for i in 1..=n {
        assert_eq!(ws.audit(&entry(i)).unwrap(), i);
    }
    ws.audit_checkpoint().unwrap();
    ws.conn()
        .execute_batch(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
             DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;",
        )
        .unwrap();
    (dir, ws)
}

fn first(ws: &Workspace) -> (u64, Tamper) {
    let v = ws.audit_verify(None).unwrap();
    let b = v.first().unwrap_or_else(|| panic!("nothing found: {v:?}"));
    (b.seq, b.kind)
}

fn hash_of(ws: &Workspace, seq: u64) -> String {
    ws.conn()
        .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn an_intact_log_verifies_with_checkpoints() {
    let (_d, ws) = logged(250);
    let v = ws.audit_verify(None).unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert!(!v.triggers);
    // Every 100 entries, plus the end.
    assert_eq!((v.entries, v.checkpoints, v.signed_through), (250, 3, 250));
    assert!(
        ws.audit_checkpoint().unwrap().is_none(),
        "head already signed"
    );
}

#[test]
fn the_triggers_refuse_changes_through_sql() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    ws.audit(&entry(1)).unwrap();
    let err = ws
        .conn()
        .execute("UPDATE audit_log SET actor = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(ws.conn().execute("DELETE FROM audit_log", []).is_err());
    assert!(ws.audit_verify(None).unwrap().triggers);
}

#[test]
fn an_edited_entry_is_caught() {
    let (_d, ws) = logged(20);
    ws.conn()
        .execute(
            "UPDATE audit_log SET justification = 'nothing to see' WHERE seq = 7",
            [],
        )
        .unwrap();
    assert_eq!(first(&ws), (7, Tamper::Edited));
}

#[test]
fn an_edited_entry_with_a_recomputed_hash_is_caught() {
    let (_d, ws) = logged(20);
    let e: StoredEntry = ws.audit_entries(7, 1).unwrap().remove(0);
    let forged = StoredEntry {
        actor: "someone else".into(),
        ..e
    };
    ws.conn()
        .execute(
            "UPDATE audit_log SET actor = ?1, hash = ?2 WHERE seq = 7",
            params![forged.actor, forged.hash_at(7)],
        )
        .unwrap();
    assert_eq!(first(&ws), (7, Tamper::Edited));
}

#[test]
fn a_removed_entry_is_caught() {
    let (_d, ws) = logged(20);
    ws.conn()
        .execute("DELETE FROM audit_log WHERE seq = 9", [])
        .unwrap();
    assert_eq!(first(&ws), (9, Tamper::Removed));
}

#[test]
fn a_removed_entry_with_renumbering_is_caught() {
    let (_d, ws) = logged(20);
    ws.conn()
        .execute_batch(
            "DELETE FROM audit_log WHERE seq = 9;
             UPDATE audit_log SET seq = -(seq - 1) WHERE seq > 9;
             UPDATE audit_log SET seq = -seq WHERE seq < 0;",
        )
        .unwrap();
    assert_eq!(first(&ws), (9, Tamper::Removed));
}

#[test]
fn a_removed_last_entry_is_caught_by_the_checkpoint() {
    let (_d, ws) = logged(20);
    ws.conn()
        .execute("DELETE FROM audit_log WHERE seq = 20", [])
        .unwrap();
    let v = ws.audit_verify(None).unwrap();
    assert!(v.chain.is_none());
    assert_eq!(first(&ws), (20, Tamper::Removed));
}

#[test]
fn two_swapped_entries_are_caught() {
    let (_d, ws) = logged(20);
    ws.conn()
        .execute_batch(
            "UPDATE audit_log SET seq = -1 WHERE seq = 5;
             UPDATE audit_log SET seq = 5 WHERE seq = 6;
             UPDATE audit_log SET seq = 6 WHERE seq = -1;",
        )
        .unwrap();
    assert_eq!(first(&ws), (5, Tamper::Reordered));
}

#[test]
fn an_entry_moved_far_is_caught() {
    let (_d, ws) = logged(20);
    // Entry 3 moved to the end: 4..20 move up one place.
    ws.conn()
        .execute_batch(
            "UPDATE audit_log SET seq = -1 WHERE seq = 3;
             UPDATE audit_log SET seq = -(seq - 1) WHERE seq > 3;
             UPDATE audit_log SET seq = -seq WHERE seq < -1;
             UPDATE audit_log SET seq = 20 WHERE seq = -1;",
        )
        .unwrap();
    let (seq, kind) = first(&ws);
    assert_eq!(seq, 3);
    assert!(
        matches!(kind, Tamper::Removed | Tamper::Reordered),
        "{kind}"
    );
}

#[test]
fn an_inserted_entry_is_caught() {
    let (_d, ws) = logged(20);
    // Shift 12.. down one place and insert a well-formed entry linked to 11.
    let prev = hash_of(&ws, 11);
    let fields = [
        "2026-01-01T00:00:00Z",
        "intruder",
        "consultation",
        "device:D1",
        "none",
        "",
        "forged",
    ];
    let hash = entry_hash(12, &fields, &prev);
    ws.conn()
        .execute_batch(
            "UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= 12;
             UPDATE audit_log SET seq = -seq WHERE seq < 0;",
        )
        .unwrap();
    ws.conn()
        .execute(
            "INSERT INTO audit_log VALUES (12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], prev,
                hash
            ],
        )
        .unwrap();
    assert_eq!(first(&ws), (12, Tamper::Inserted));
}

#[test]
fn an_inserted_garbage_entry_is_caught() {
    let (_d, ws) = logged(20);
    ws.conn()
        .execute_batch(
            "UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= 4;
             UPDATE audit_log SET seq = -seq WHERE seq < 0;
             INSERT INTO audit_log VALUES (4, 'x', 'x', 'erasure', 'x', 'x', '', 'x', 'x', 'x');",
        )
        .unwrap();
    assert_eq!(first(&ws), (4, Tamper::Inserted));
}

#[test]
fn a_rewritten_chain_is_caught_by_the_signed_checkpoint() {
    let (_d, ws) = logged(20);
    // Rewrite entry 5 and every later hash consistently: the chain alone looks fine.
    let mut rows = ws.audit_entries(1, 100).unwrap();
    rows[4].justification = "rewritten".into();
    for i in 4..rows.len() {
        if i > 0 {
            rows[i].prev_hash = rows[i - 1].hash.clone();
        }
        rows[i].hash = rows[i].hash_at(rows[i].seq);
        ws.conn()
            .execute(
                "UPDATE audit_log SET justification = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
                params![
                    rows[i].justification,
                    rows[i].prev_hash,
                    rows[i].hash,
                    rows[i].seq
                ],
            )
            .unwrap();
    }
    let v = ws.audit_verify(None).unwrap();
    assert!(v.chain.is_none(), "{v:?}");
    assert_eq!(first(&ws), (20, Tamper::Edited));
}

#[test]
fn a_forged_or_removed_checkpoint_is_caught() {
    let (_d, ws) = logged(250);
    ws.conn()
        .execute("DELETE FROM audit_checkpoints WHERE id = 2", [])
        .unwrap();
    assert_eq!(first(&ws).1, Tamper::Signature);
    let (_d, ws) = logged(30);
    ws.conn()
        .execute("UPDATE audit_checkpoints SET seq = 29", [])
        .unwrap();
    assert_eq!(first(&ws), (29, Tamper::Signature));
    // Another key than the verifier's.
    let (_d, ws) = logged(3);
    let v = ws.audit_verify(Some([7u8; 32])).unwrap();
    assert_eq!(v.first().map(|b| b.kind), Some(Tamper::Signature));
}

#[test]
fn entries_join_an_open_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    {
        let tx = ws.conn().unchecked_transaction().unwrap();
        ws.audit(&entry(1)).unwrap();
        drop(tx); // rolled back with the work it recorded
    }
    assert!(ws.audit_entries(1, 10).unwrap().is_empty());
    ws.audit(&entry(1)).unwrap();
    assert_eq!(ws.audit_entries(1, 10).unwrap().len(), 1);
}

#[test]
fn the_key_is_created_once_and_kept_private() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    assert!(ws.audit_public_key().unwrap().is_none());
    ws.audit(&entry(1)).unwrap();
    ws.audit_checkpoint().unwrap();
    let k1 = ws.audit_public_key().unwrap().unwrap();
    ws.audit(&entry(2)).unwrap();
    ws.audit_checkpoint().unwrap();
    assert_eq!(ws.audit_public_key().unwrap().unwrap(), k1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ws.root().join(SIGNING_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(ws.audit_verify(None).unwrap().is_intact());
}
