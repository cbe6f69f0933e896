//! The same detection plan on an Apache DataFusion Ballista cluster started in this process
//! (scheduler and executor) gives exactly the in-process results.
#![cfg(feature = "cluster")]

mod common;

use cellsweep_detect::{Settings, run};
use cellsweep_query::Engine;
use cellsweep_store::Workspace;

#[test]
fn in_process_ballista_cluster_gives_identical_results() {
    let (_dir, _sim, ws_dir) = common::prepared(33);
    let ws = Workspace::open(&ws_dir).unwrap();
    let local = run(&ws, &Engine::local().unwrap(), &Settings::default()).unwrap();
    let cluster_engine = Engine::standalone_cluster().unwrap();
    assert!(cluster_engine.is_cluster());
    let cluster = run(&ws, &cluster_engine, &Settings::default()).unwrap();
    assert!(!local.all.is_empty());
    assert_eq!(local.devices, cluster.devices);
    // Sums of floating-point values may be added in another order on the cluster: they agree
    // to 1e-9; every count, time and identifier is identical.
    let rows = |d: &cellsweep_detect::Detection| {
        d.all
            .iter()
            .map(|c| {
                let mut p = c.presence.clone();
                p.inside_probability = (p.inside_probability * 1e9).round() / 1e9;
                p.max_distance_m = (p.max_distance_m * 1e3).round() / 1e3;
                (
                    c.device.clone(),
                    c.facility.clone(),
                    p,
                    (c.probability * 1e9).round() as i64,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&local), rows(&cluster));
    // A second run on the same cluster (a long-lived scheduler) gives the same again.
    let again = run(&ws, &cluster_engine, &Settings::default()).unwrap();
    assert_eq!(rows(&local), rows(&again));
}
