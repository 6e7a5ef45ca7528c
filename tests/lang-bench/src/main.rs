//! Accuracy of whatlang and lingua on the labelled short posts
//! (`src-tauri/core/src/compose/langs/samples.tsv`), per language, with time per post and the
//! process's peak memory. One detector per run (`hayon-lang-bench DETECTOR`), so the peak memory is
//! that detector's: `whatlang` (all its 70 languages), `whatlang-app` (the same, answering only
//! at the confidence the app requires, 0.1: "none" otherwise), `whatlang-18` (only the set's 18
//! languages), `lingua` (the 18 languages, high accuracy), `lingua-low` (low accuracy mode). Links, mentions and hashtags are dropped word by word first, as the app drops their facets.

use std::time::Instant;

const SAMPLES: &str = include_str!("../../../src-tauri/core/src/compose/langs/samples.tsv");

/// The set's languages, as BCP-47 tags (ISO 639-1).
const TAGS: [&str; 18] = [
    "ar", "de", "en", "es", "fi", "fr", "hi", "it", "ja", "ko", "nl", "pl", "pt", "ru", "sv", "tr",
    "uk", "zh",
];

type Detect = Box<dyn Fn(&str) -> Option<String>>;

fn main() {
    let which = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "whatlang".to_owned());
    let detect = detector(&which);
    let samples: Vec<(&str, String)> = SAMPLES
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split_once('\t'))
        .map(|(tag, text)| (tag, without_facets(text)))
        .collect();
    // The first call loads lingua's models; it is timed apart from the rest.
    let started = Instant::now();
    let _ = detect("warm up");
    let first = started.elapsed();
    let started = Instant::now();
    let answers: Vec<Option<String>> = samples.iter().map(|(_, text)| detect(text)).collect();
    let per_post = started.elapsed() / samples.len() as u32;
    let mut total = 0;
    let mut line = String::new();
    for tag in TAGS {
        let of_tag: Vec<usize> = (0..samples.len())
            .filter(|&i| samples[i].0 == tag)
            .collect();
        let right = of_tag
            .iter()
            .filter(|&&i| answers[i].as_deref() == Some(tag))
            .count();
        total += right;
        let wrong: Vec<String> = of_tag
            .iter()
            .filter(|&&i| answers[i].as_deref() != Some(tag))
            .map(|&i| answers[i].clone().unwrap_or_else(|| "none".to_owned()))
            .collect();
        line.push_str(&format!("{tag} {right}/{}", of_tag.len()));
        if !wrong.is_empty() {
            line.push_str(&format!(" ({})", wrong.join(",")));
        }
        line.push_str("; ");
    }
    println!("{which}: {total}/{} correct", samples.len());
    println!("  {line}");
    println!(
        "  first call {:.1} ms, then {:.1} µs a post, peak memory {} MiB",
        first.as_secs_f64() * 1e3,
        per_post.as_secs_f64() * 1e6,
        peak_memory_kib() / 1024
    );
}

fn detector(which: &str) -> Detect {
    match which {
        "whatlang" => Box::new(|text| whatlang::detect_lang(text).map(whatlang_tag)),
        "whatlang-app" => Box::new(|text| {
            whatlang::detect(text)
                .filter(|info| info.confidence() >= 0.1)
                .map(|info| whatlang_tag(info.lang()))
        }),
        "whatlang-18" => {
            let allowed = whatlang::Lang::all()
                .iter()
                .copied()
                .filter(|lang| TAGS.contains(&whatlang_tag(*lang).as_str()))
                .collect();
            let detector = whatlang::Detector::with_allowlist(allowed);
            Box::new(move |text| detector.detect_lang(text).map(whatlang_tag))
        }
        "lingua" | "lingua-low" => {
            let languages: Vec<lingua::Language> = lingua::Language::all().into_iter().collect();
            let mut builder = lingua::LanguageDetectorBuilder::from_languages(&languages);
            if which == "lingua-low" {
                builder.with_low_accuracy_mode();
            }
            let detector = builder.build();
            Box::new(move |text| {
                detector
                    .detect_language_of(text)
                    .map(|lang| lang.iso_code_639_1().to_string())
            })
        }
        other => {
            eprintln!(
                "unknown detector {other}: whatlang, whatlang-app, whatlang-18, lingua, lingua-low"
            );
            std::process::exit(2);
        }
    }
}

/// whatlang names languages by ISO 639-3; the set's 18 by their 639-1 tag, others by 639-3.
fn whatlang_tag(lang: whatlang::Lang) -> String {
    use whatlang::Lang::*;
    let tag = match lang {
        Ara => "ar",
        Deu => "de",
        Eng => "en",
        Spa => "es",
        Fin => "fi",
        Fra => "fr",
        Hin => "hi",
        Ita => "it",
        Jpn => "ja",
        Kor => "ko",
        Nld => "nl",
        Pol => "pl",
        Por => "pt",
        Rus => "ru",
        Swe => "sv",
        Tur => "tr",
        Ukr => "uk",
        Cmn => "zh",
        other => other.code(),
    };
    tag.to_owned()
}

fn without_facets(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| {
            !(word.starts_with("http") || word.starts_with('@') || word.starts_with('#'))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn peak_memory_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
