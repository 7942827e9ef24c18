//! `report.html` opened in headless Chromium: the page renders its charts, logs nothing to the
//! console (no script error, no blocked load) and is saved as a screenshot.
//!
//! Chromium is found as `$CHROMIUM`, `chromium` or `chromium-browser`. Without it the test skips
//! with a message, unless `CONFTHEMES_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs it).
//! The screenshot goes to `target/report-screenshot.png`, or to `$CONFTHEMES_SCREENSHOT`
//! (`docs/report.png` for the README).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{confthemes, root, stderr};

/// The browser binary, if one is installed.
fn chromium() -> Option<PathBuf> {
    let candidates = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["chromium", "chromium-browser"].map(PathBuf::from));
    for candidate in candidates {
        let found = Command::new(&candidate).arg("--version").output();
        if found.is_ok_and(|o| o.status.success()) {
            return Some(candidate);
        }
    }
    let required = std::env::var("CONFTHEMES_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "CONFTHEMES_REQUIRE_BROWSER=1 but no chromium found (apt-get install chromium)"
    );
    eprintln!("SKIPPED: no chromium installed (set $CHROMIUM or apt-get install chromium)");
    None
}

/// Renders `page` into a PNG screenshot; returns what the browser logged.
fn screenshot(browser: &Path, page: &Path, png: &Path, profile: &Path) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,1900",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    let log = stderr(&out);
    assert!(out.status.success(), "chromium failed: {log}");
    log
}

/// Pixels of the screenshot whose colour is exactly `rgb`.
fn pixels_of(png: &Path, rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3, "colour screenshot");
    buf[..info.buffer_size()]
        .chunks_exact(channels)
        .filter(|p| p[..3] == rgb)
        .count()
}

#[test]
fn the_report_renders_its_charts_without_console_errors() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    let res = confthemes(
        &[
            "compare",
            "corpus",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", stderr(&res));

    let png = std::env::var_os("CONFTHEMES_SCREENSHOT")
        .map(|p| root().join(p))
        .unwrap_or_else(|| root().join("target/report-screenshot.png"));
    std::fs::create_dir_all(png.parent().unwrap()).unwrap();
    let log = screenshot(
        &browser,
        &out.join("report.html"),
        &png,
        &dir.path().join("profile"),
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "the page logged to the console:\n{}",
        console.join("\n")
    );

    // The bars are drawn in the palette's first colour, the heatmap's largest share in the
    // darkest blue: both must be on screen, in quantity.
    let bars = pixels_of(&png, [0x4e, 0x79, 0xa7]);
    let darkest = pixels_of(&png, [0x08, 0x30, 0x6b]);
    assert!(bars > 20_000, "bar chart: {bars} pixels");
    assert!(darkest > 1_000, "heatmap: {darkest} pixels");

    // The map has a dot per distinct talk, and the theme similarity is a square of themes.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let distinct = json["map"].as_array().unwrap().len();
    assert!(distinct > 40, "{distinct} talks on the map");
    assert_eq!(html.matches(r#"<circle class="talk""#).count(), distinct);
    let themes = json["theme_similarity"]["themes"].as_array().unwrap().len();
    assert!(html.contains("Cosine similarity of theme centroids"));
    assert!(themes >= 10, "{themes} themes compared");
    // A screenshot of the page's middle shows the map's dots in their theme colours.
    let middle = dir.path().join("middle.html");
    let cut = html.find("<h2>Map of the talks").unwrap();
    std::fs::write(
        &middle,
        format!(
            "{}{}",
            &html[..html.find("<body>").unwrap() + 6],
            &html[cut..]
        ),
    )
    .unwrap();
    let png = dir.path().join("middle.png");
    screenshot(&browser, &middle, &png, &dir.path().join("profile3"));
    let orange = pixels_of(&png, [0xf2, 0x8e, 0x2b]);
    assert!(orange > 150, "the map's second theme: {orange} pixels");
    eprintln!("screenshot: {}", png.display());

    // A page that loads from the network is caught: the report's policy blocks it and says so.
    let leaky = dir.path().join("leaky.html");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    std::fs::write(
        &leaky,
        html.replace("</body>", "<img src=\"https://example.com/x.png\"></body>"),
    )
    .unwrap();
    let log = screenshot(
        &browser,
        &leaky,
        &dir.path().join("leaky.png"),
        &dir.path().join("profile2"),
    );
    assert!(
        log.lines()
            .any(|l| l.contains(":CONSOLE") && l.contains("Content Security Policy")),
        "{log}"
    );
}
