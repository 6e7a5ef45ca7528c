//! Size probe: a binary that detects the language of its stdin with lingua (or only echoes it, for
//! `none`), built with the app's release profile; scripts/bench-langs.sh compares their sizes.

fn main() {
    let mut text = String::new();
    let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text);
    println!("{}", detect(&text));
}

fn detect(text: &str) -> String {
    let languages: Vec<lingua::Language> = lingua::Language::all().into_iter().collect();
    let detector = lingua::LanguageDetectorBuilder::from_languages(&languages).build();
    format!("{:?}", detector.detect_language_of(text))
}
