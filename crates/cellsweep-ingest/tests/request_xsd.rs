//! Requests out: every TS 103 120 message we write validates against the V1.15.1 schemas
//! (`../shared/specs/etsi/103120`) with `xmllint`. The schemas import each other by namespace
//! without a location, so a wrapper schema imports them all with locations first.

use std::path::{Path, PathBuf};
use std::process::Command;

use cellsweep_ids::{CellId, CellParseOptions, Imei, MncTable, Plmn};
use cellsweep_ingest::request::{self, CoveringCell, Parties, Window};

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/etsi")
}

/// A wrapper schema importing every namespace with its file, in dependency order.
fn wrapper(dir: &Path) -> PathBuf {
    let xsd = specs().join("103120/v1.15.1/xsd");
    let imports = [
        (
            "http://uri.etsi.org/03280/common/2017/07",
            specs().join("103280/TS_103_280_v2.10.1.xsd"),
        ),
        (
            "http://www.w3.org/2000/09/xmldsig#",
            xsd.join("xmldsig-core-schema.xsd"),
        ),
        (
            "http://uri.etsi.org/03120/common/2016/02/Common",
            xsd.join("ts_103120_Common.xsd"),
        ),
        (
            "http://uri.etsi.org/03120/common/2019/10/Core",
            xsd.join("ts_103120_Core.xsd"),
        ),
        (
            "http://uri.etsi.org/03120/common/2020/09/Task",
            xsd.join("ts_103120_Task.xsd"),
        ),
        (
            "http://uri.etsi.org/03120/common/2020/09/Authorisation",
            xsd.join("ts_103120_Authorisation.xsd"),
        ),
    ];
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" elementFormDefault=\"qualified\">\n",
    );
    for (ns, file) in imports {
        assert!(file.exists(), "missing schema {}", file.display());
        s += &format!(
            "  <xs:import namespace=\"{ns}\" schemaLocation=\"{}\"/>\n",
            file.canonicalize().unwrap().display()
        );
    }
    s += "</xs:schema>\n";
    let p = dir.join("wrapper.xsd");
    std::fs::write(&p, s).unwrap();
    p
}

fn xmllint(schema: &Path, file: &Path) -> (bool, String) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(file)
        .output()
        .expect("xmllint runs (install libxml2-utils; .ci/run does)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn window() -> Window {
    Window {
        start: "2026-03-01T00:00:00Z".parse().unwrap(),
        end: "2026-03-08T00:00:00Z".parse().unwrap(),
    }
}

fn parties() -> Parties {
    Parties {
        country: "FR".into(),
        sender: "OFAC".into(),
    }
}

#[test]
fn requests_validate_against_ts_103_120() {
    let dir = tempfile::tempdir().unwrap();
    let schema = wrapper(dir.path());
    // The wrapper itself accepts the official example.
    let (ok, err) = xmllint(
        &schema,
        &specs().join("103120/examples-v1.23.1/xml/request4.xml"),
    );
    assert!(ok, "official example: {err}");

    let t = MncTable::builtin();
    let cell = |s: &str| CoveringCell {
        cell: CellId::parse(s, &CellParseOptions::default(), &t).unwrap(),
        distance_m: 100.0,
        range_m: 2500.0,
    };
    let cells = vec![
        (
            Plmn::parse("208-01").unwrap(),
            vec![
                cell("208-01-1a2b-3c4d"),
                cell("208-01-0045a01"),
                cell("sai:208-01-1a2b-0c0d"),
            ],
        ),
        (
            Plmn::parse("208-10").unwrap(),
            vec![cell("208-10-0000a1b2c")],
        ),
    ];
    let now: jiff::Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
    let mut msgs =
        request::tower_dump(&parties(), "R2026-0042 <juge & co>", &window(), &cells, now);
    let imeis = vec![
        Imei::parse("490154203237518").unwrap(),
        Imei::parse("35209900176148").unwrap(),
    ];
    msgs.extend(request::imei_requests(
        &parties(),
        "R2026-0042",
        &window(),
        &imeis,
        &[Plmn::parse("208-15").unwrap()],
        now,
    ));
    assert_eq!(msgs.len(), 3);
    for m in &msgs {
        let f = dir.path().join(&m.file_name);
        std::fs::write(&f, &m.xml).unwrap();
        let (ok, err) = xmllint(&schema, &f);
        assert!(ok, "{}: {err}\n{}", m.file_name, m.xml);
    }
    insta::assert_snapshot!("tower_dump_208_01", msgs[0].xml);
    insta::assert_snapshot!("imei_requests_208_15", msgs[2].xml);
}
