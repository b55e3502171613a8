//! History benchmark: seeds a database with many sessions, then times what the
//! history screen does when it opens (open the file, statistics and charts,
//! first page of the table) and what recording one session costs.
//! Prints figures; asserts nothing.
//!
//! `cargo run --release --example history_bench -- [SESSIONS] [--years N] [--keep DIR]`
//! `--keep DIR` writes the seeded history to `DIR/history.sqlite3` (for
//! screenshots) instead of a temporary folder.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Local, TimeZone, Utc};
use unknot::core::history::{HistoryFilter, Outcome};
use unknot::store::history_db::{HistoryDb, NewSession, SessionRow};
use unknot::store::history_worker::{HistoryQuery, load_view};

const ROUTINES: [(&str, &str, u32, &str, bool); 6] = [
    (
        "endorphin-15",
        "Endorphin release",
        900,
        "lower_back,upper_back",
        false,
    ),
    (
        "heat-lower-back",
        "Heat and massage for the lower back",
        1200,
        "lower_back",
        true,
    ),
    (
        "shoulders-to-lower-back",
        "Shoulders down to the lower back",
        1200,
        "shoulders,upper_back,lower_back",
        false,
    ),
    (
        "trigger-points",
        "Trigger points and acupressure",
        900,
        "upper_back,glutes",
        false,
    ),
    (
        "quick-tension-break",
        "Quick tension break",
        300,
        "neck,shoulders",
        false,
    ),
    (
        "evening-wind-down",
        "Evening wind-down",
        1200,
        "lower_back,hips",
        true,
    ),
];

/// A small deterministic generator, so every run seeds the same history.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `count` sessions spread evenly over the last `years` years, newest last.
fn seed_rows(count: usize, years: f64) -> Vec<SessionRow> {
    let mut random = Lcg(42);
    let now = Utc::now();
    let span_days = (years * 365.0).max(1.0);
    let today = Local::now().date_naive();
    (0..count)
        .map(|index| {
            // Evenly spread days, at a daytime hour (07:00 to 21:59 local).
            let days_back = ((count - index) as f64 * span_days / count.max(1) as f64) as i64;
            let minute_of_day = 7 * 60 + random.below(15 * 60) as u32;
            let started_at = Local
                .from_local_datetime(
                    &(today - Span::days(days_back))
                        .and_hms_opt(minute_of_day / 60, minute_of_day % 60, 0)
                        .unwrap_or_default(),
                )
                .earliest()
                .map(|at| at.with_timezone(&Utc))
                .unwrap_or(now);
            let (id, name, planned, regions, heat) =
                ROUTINES[random.below(ROUTINES.len() as u64) as usize];
            let outcome = match random.below(20) {
                0 => Outcome::Interrupted,
                1..=3 => Outcome::StoppedEarly,
                _ => Outcome::Completed,
            };
            let active_secs = match outcome {
                Outcome::Completed => planned,
                _ => random.below(u64::from(planned)) as u32,
            };
            // Pain drifts down over the months, as it would for someone it helps.
            let progress = index as f64 / count.max(1) as f64;
            let base = 7.0 - 3.0 * progress;
            let rated = random.below(3) != 0;
            let before = rated.then(|| (base + random.below(3) as f64 - 1.0).round() as u8);
            let after = before.map(|before| before.saturating_sub(1 + random.below(3) as u8));
            SessionRow {
                id: 0,
                routine_id: id.into(),
                routine_name: name.into(),
                planned_secs: planned,
                active_secs,
                steps_done: 6,
                step_count: 6,
                started_at,
                ended_at: Some(started_at + Span::seconds(i64::from(active_secs) + 10)),
                outcome,
                pain_before: before,
                pain_after: if random.below(4) == 0 { None } else { after },
                notes: if random.below(10) == 0 {
                    "Felt looser afterwards.".into()
                } else {
                    String::new()
                },
                regions: regions.split(',').map(str::to_owned).collect(),
                heat_used: heat,
            }
        })
        .collect()
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn summary(label: &str, mut samples: Vec<Duration>, target: &str) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let max = samples[samples.len() - 1];
    println!(
        "  {label}: median {}, max {} over {} runs (target {target})",
        ms(median),
        ms(max),
        samples.len()
    );
}

fn main() -> anyhow::Result<()> {
    let mut count = 100_000usize;
    let mut keep: Option<PathBuf> = None;
    let mut years = 10.0f64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--keep" {
            keep = args.next().map(PathBuf::from);
        } else if arg == "--years" {
            years = args.next().unwrap_or_default().parse()?;
        } else {
            count = arg.parse()?;
        }
    }
    let temp = tempfile::tempdir()?;
    let keep_seeded = keep.is_some();
    let folder = keep.unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&folder)?;
    let path = folder.join("history.sqlite3");

    let seeded_at = Instant::now();
    {
        let mut db = HistoryDb::open(&path, "bench")?.db;
        db.insert_many(&seed_rows(count, years))?;
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "== History with {count} sessions over {years} years ({:.1} MB on disk, seeded in {:.1} s)",
        size as f64 / 1e6,
        seeded_at.elapsed().as_secs_f64()
    );

    let today = Local::now().date_naive();
    let query = HistoryQuery {
        generation: 1,
        filter: HistoryFilter::default(),
        today,
        page_size: 100,
    };
    let mut opening = Vec::new();
    let mut parts = (Vec::new(), Vec::new());
    for _ in 0..15 {
        let started = Instant::now();
        let db = HistoryDb::open(&path, "bench")?.db;
        let opened = started.elapsed();
        let view = load_view(&db, &query)?;
        opening.push(started.elapsed());
        parts.0.push(opened);
        parts.1.push(started.elapsed() - opened);
        assert_eq!(view.total_sessions, count as u64);
    }
    summary("open + stats + charts + first page", opening, "<= 50 ms");
    if std::env::var_os("HISTORY_BENCH_PARTS").is_some() {
        let db = HistoryDb::open(&path, "bench")?.db;
        let filter = HistoryFilter::default();
        let time = |label: &str, run: &dyn Fn() -> anyhow::Result<()>| -> anyhow::Result<()> {
            let started = Instant::now();
            run()?;
            println!("    {label}: {}", ms(started.elapsed()));
            Ok(())
        };
        time("day totals", &|| {
            let _ = db.day_totals(&filter)?;
            Ok(())
        })?;
        time("count", &|| {
            let _ = db.count()?;
            Ok(())
        })?;
        time("count matching", &|| {
            let _ = db.count_matching(&filter)?;
            Ok(())
        })?;
        time("routines", &|| {
            let _ = db.routines()?;
            Ok(())
        })?;
        time("first page", &|| {
            let _ = db.page(&filter, 0, 100)?;
            Ok(())
        })?;
    }
    summary("  of which opening the file", parts.0, "-");
    summary("  of which statistics and the first page", parts.1, "-");

    let filtered = HistoryQuery {
        filter: HistoryFilter {
            routine_id: Some("endorphin-15".into()),
            outcome: Some(Outcome::Completed),
            from: Some(today - Span::days(365)),
            to: None,
        },
        ..query.clone()
    };
    let db = HistoryDb::open(&path, "bench")?.db;
    let mut filtering = Vec::new();
    for _ in 0..15 {
        let started = Instant::now();
        let _ = load_view(&db, &filtered)?;
        filtering.push(started.elapsed());
    }
    summary(
        "filtered view (routine + outcome + last year)",
        filtering,
        "-",
    );
    let mut paging = Vec::new();
    for page in 0..15u64 {
        let started = Instant::now();
        let offset = page * (count as u64 / 20);
        let rows = db.page(&HistoryFilter::default(), offset, 100)?;
        paging.push(started.elapsed());
        assert_eq!(rows.len() as u64, 100.min(count as u64 - offset));
    }
    summary("one page of 100 rows deep in the table", paging, "-");
    drop(db);

    if keep_seeded {
        // Leave the kept history as seeded (it is for screenshots).
        return Ok(());
    }
    let mut db = HistoryDb::open(&path, "bench")?.db;
    let mut appends = Vec::new();
    let mut finishes = Vec::new();
    for run in 0..50 {
        let started_at = Local
            .from_local_datetime(&today.and_hms_opt(12, 0, 0).unwrap_or_default())
            .single()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(Utc::now);
        let started = Instant::now();
        let id = db.start_session(&NewSession {
            routine_id: "endorphin-15".into(),
            routine_name: "Endorphin release".into(),
            planned_secs: 900,
            step_count: 6,
            started_at: started_at + Span::seconds(run),
            regions: vec!["lower_back".into()],
            heat_used: false,
            pain_before: Some(5),
            owner: None,
        })?;
        appends.push(started.elapsed());
        let started = Instant::now();
        db.finish(
            id,
            Outcome::Completed,
            900,
            6,
            started_at + Span::seconds(900),
        )?;
        finishes.push(started.elapsed());
    }
    summary("append one session (insert at start)", appends, "<= 2 ms");
    summary("finalise one session", finishes, "-");
    Ok(())
}
