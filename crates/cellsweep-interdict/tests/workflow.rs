//! Approval, generations and retention on a small hand-made workspace: refusals that name
//! file, line and field; zips whose files match the manifest's hashes; empty deltas when
//! nothing changed; the allow list and cloned IMEIs kept off the blacklist.

use std::io::Read;
use std::path::{Path, PathBuf};

use cellsweep_interdict::{
    ApproveRequest, Error, GenerateRequest, approve, generate, register_candidates,
};
use cellsweep_store::rusqlite::params;
use cellsweep_store::{NewSource, Workspace};
use jiff::civil::Date;
use sha2::Digest;

const HEADER: &str = "device_id,imei,imsi,msisdn,facility_id,probability,conditions,explanation\n";

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// A workspace with one facility, two operators, a staff phone on the allow list and one
/// detection run.
fn workspace(dir: &Path) -> Workspace {
    let mut ws = Workspace::init(&dir.join("ws")).unwrap();
    let imp = ws
        .begin_import(NewSource {
            kind: "facilities".into(),
            format: "test".into(),
            path: "hand-made".into(),
            sha256: "00".repeat(32),
            bytes: 1,
            request_ref: None,
        })
        .unwrap();
    let src = imp.source_id();
    imp.tx()
        .execute_batch(&format!(
            "INSERT INTO facilities (id, name, footprint, footprint_estimated, area_m2, centroid_lon,
                 centroid_lat, source_file_id) VALUES ('F001', 'CP TEST', '{{}}', 0, 1.0, 2.0, 48.0, {src});
             INSERT INTO operators (mcc, mnc, brand, source_file_id) VALUES ('208', '01', 'Orange', {src});
             INSERT INTO operators (mcc, mnc, brand, source_file_id) VALUES ('208', '10', 'SFR', {src});
             INSERT INTO allowlist (imei, imsi, msisdn, holder, role, valid_from, reason, source_file_id)
                 VALUES ('35209900176148', '208011234567890', '+33612345678', 'officer 12', 'staff',
                         '2025-01-01', 'duty phone', {src});
             INSERT INTO condition_sets (sha256, origin, text, first_used) VALUES ('x', 'built-in',
                 '[[condition]]\nname = \"resident\"\nreason = \"lives inside\"\nall = [\"resident_in_facility\"]\n', 'now');
             INSERT INTO detect_runs (at, condition_set, devices, candidates, calibration)
                 VALUES ('now', 1, 3, 3, 'default');"
        ))
        .unwrap();
    imp.commit(1, None).unwrap();
    ws
}

fn candidates(dir: &Path, ws: &Workspace, name: &str, rows: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{HEADER}{rows}")).unwrap();
    register_candidates(ws, &p, rows.lines().count() as u64).unwrap();
    p
}

fn request(path: &Path) -> ApproveRequest {
    ApproveRequest {
        candidates: path.into(),
        min_probability: 0.8,
        conditions: vec![],
        grace_days: 7,
        by: "alice".into(),
        reason: "REQ-1".into(),
        day: d("2026-03-01"),
    }
}

const ROWS: &str = "\
D0000000000000001,86603928201867,208201111111111,+33612345601,F001,0.99,resident|mini-phone,inside
D0000000000000002,35209900176148,208202222222222,+33612345602,F001,0.95,resident,staff IMEI cloned
D0000000000000003,86911946200851,208103333333333,+33612345603,F001,0.97,resident|cloned-imei,clone
D0000000000000004,86911946201483,208104444444444,+33612345604,F001,0.50,resident,below the policy
";

#[test]
fn bad_rows_are_named_by_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let p = candidates(
        dir.path(),
        &ws,
        "bad.csv",
        "D0000000000000001,86603928201867,,,F001,1.5,resident,x\n\
         D0000000000000002,1234567890123,,,F001,0.9,resident,x\n\
         D0000000000000003,86911946200851,,,F999,0.9,resident,x\n",
    );
    let err = approve(&ws, &request(&p)).unwrap_err();
    let Error::BadCandidates { rows, total, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(*total, 3);
    let at: Vec<(u64, &str)> = rows.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(at, [(2, "probability"), (3, "imei"), (4, "facility_id")]);
    assert!(err.to_string().contains("bad.csv"), "{err}");
    // Not a candidates file at all.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "a,b\n1,2\n").unwrap();
    register_candidates(&ws, &other, 1).unwrap();
    let err = approve(&ws, &request(&other)).unwrap_err();
    assert!(matches!(err, Error::NotCandidates { .. }), "{err}");
    // Nothing meets the policy.
    let p = candidates(
        dir.path(),
        &ws,
        "low.csv",
        "D0000000000000001,86603928201867,,,F001,0.1,resident,x\n",
    );
    assert!(matches!(
        approve(&ws, &request(&p)),
        Err(Error::NothingApproved { .. })
    ));
    // Edited after detect wrote it: unknown.
    std::fs::write(
        &p,
        format!("{HEADER}D0000000000000001,86603928201867,,,F001,0.99,resident,x\n"),
    )
    .unwrap();
    assert!(matches!(
        approve(&ws, &request(&p)),
        Err(Error::UnknownCandidates { .. })
    ));
}

fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

#[test]
fn generations_zip_lists_with_hashes_and_empty_deltas_when_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let p = candidates(dir.path(), &ws, "c.csv", ROWS);
    let a = approve(&ws, &request(&p)).unwrap();
    assert_eq!((a.rows, a.approved, a.held, a.allow_listed), (4, 3, 1, 1));
    let generation = |day: &str| {
        generate(
            &ws,
            &GenerateRequest {
                out: dir.path().join("out"),
                day: d(day),
                by: "alice".into(),
                reason: "REQ-1".into(),
            },
        )
        .unwrap()
    };
    // In the grace period: notifications only, routed by the IMSI's home operator.
    let g1 = generation("2026-03-02");
    assert!(g1.lists.blacklist.is_empty());
    assert_eq!(g1.manifest.counts["notifications_208-20"], 1);
    assert_eq!(g1.manifest.counts["notifications_208-10"], 1);
    // After it: the resident phone is blacklisted; the cloned IMEI is notified per pairing;
    // the staff IMEI's clone is on no list, and the staff pairing is excepted.
    let g2 = generation("2026-03-08");
    assert_eq!(
        g2.lists.blacklist.keys().collect::<Vec<_>>(),
        ["86603928201867"]
    );
    assert_eq!(
        g2.lists.blacklist["86603928201867"].block_date,
        d("2026-03-08")
    );
    assert_eq!(g2.manifest.counts["blacklist_delta_blocked"], 1);
    assert_eq!(
        g2.manifest.counts["notifications_208-20_delta_blacklisted"],
        1
    );
    assert_eq!(g2.manifest.counts["notifications_208-10"], 1);
    assert_eq!(g2.manifest.counts["exceptions_208-01"], 1);
    let held: Vec<&str> = g2
        .manifest
        .held_imeis
        .iter()
        .map(|h| h.imei.as_str())
        .collect();
    assert_eq!(held, ["35209900176148", "86911946200851"]);
    assert_eq!(g2.manifest.reasons["resident"], "lives inside");

    // The zip holds every file of the manifest, with its hash, and the manifest itself.
    let files = unzip(&g2.zip);
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert!(names.contains(&"manifest.json"));
    assert_eq!(names.len(), g2.manifest.files.len() + 1);
    for f in &g2.manifest.files {
        let (_, bytes) = files.iter().find(|x| x.0 == f.name).unwrap();
        let sha: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha, f.sha256, "{}", f.name);
    }
    let black = &files.iter().find(|f| f.0 == "blacklist.csv").unwrap().1;
    assert_eq!(
        String::from_utf8_lossy(black),
        "imei,block_date,reasons\n86603928201867,20260308,mini-phone|resident\n"
    );

    // Nothing changed: empty deltas, same lists.
    let g3 = generation("2026-03-09");
    assert_eq!(g3.manifest.previous_generation, Some(g2.id));
    assert!(
        g3.manifest.counts.keys().all(|k| !k.contains("_delta_")),
        "{:?}",
        g3.manifest.counts
    );
    assert_eq!(g3.lists, g2.lists);

    // A later detection no longer lists the blacklisted phone (it is blocked, so unseen):
    // it stays blacklisted; the notified clone that disappeared is `no_longer_seen`.
    ws.conn()
        .execute("INSERT INTO detect_runs (at, condition_set, devices, candidates, calibration) VALUES ('now', 1, 1, 1, 'x')", [])
        .unwrap();
    let p2 = candidates(
        dir.path(),
        &ws,
        "c2.csv",
        "D0000000000000005,86911946201699,208105555555555,,F001,0.99,resident,new\n",
    );
    approve(
        &ws,
        &ApproveRequest {
            day: d("2026-03-09"),
            ..request(&p2)
        },
    )
    .unwrap();
    let g4 = generation("2026-03-10");
    assert!(g4.lists.blacklist.contains_key("86603928201867"));
    assert_eq!(
        g4.manifest.counts["notifications_208-10_delta_no_longer_seen"],
        1
    );
    assert_eq!(g4.manifest.counts["notifications_208-10_delta_new"], 1);

    // Retention: old generations go, the one in force stays; their zips are removed.
    let e = cellsweep_interdict::retention::apply(
        &mut Workspace::open(ws.root()).unwrap(),
        d("2100-01-01"),
        "dpo",
        "retention limit",
    )
    .unwrap();
    let erased: Vec<String> = e.datasets.iter().map(|x| x.object()).collect();
    assert_eq!(erased, ["lists:1", "lists:2", "lists:3"]);
    assert!(!ws.root().join("lists/lists-000001.zip").exists());
    assert!(ws.root().join("lists/lists-000004.zip").exists());
    assert!(ws.audit_verify(None).unwrap().is_intact());
    let erasures: i64 = ws
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'erasure'",
            params![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(erasures, 3);
}
