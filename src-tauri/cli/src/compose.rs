//! `hayon-cli compose analyze`: the composer's text analysis (counter, limits, facets, the text as it
//! will be posted) for scripts and tests. Pure text work: it opens neither the database nor the
//! keychain, and `--jsonl` streams, so a script can analyse thousands of texts in one process.

use super::Output;
use clap::Subcommand;
use hayon_core::compose::analyze;
use hayon_core::{Error, ErrorCode};
use serde::Deserialize;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};

#[derive(Debug, Subcommand)]
pub enum ComposeCommand {
    /// Analyse post text read from stdin: graphemes and bytes against the limits, facets as typed,
    /// the published text and its facets, the link that gets a card.
    Analyze {
        /// Read one `{"text": …}` per line and write one result per line, in the same order (blank
        /// lines are skipped; a bad line gets `{"error":{code,message}}` and exit status 1).
        #[arg(long)]
        jsonl: bool,
    },
}

pub fn run(command: ComposeCommand) -> Result<Output, Error> {
    match command {
        ComposeCommand::Analyze { jsonl: false } => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|err| {
                Error::validation(format!(
                    "could not read the post text from stdin (it must be UTF-8): {err}"
                ))
            })?;
            serde_json::to_value(analyze(&text))
                .map(Output::from)
                .map_err(|err| output_error(&err))
        }
        ComposeCommand::Analyze { jsonl: true } => analyze_lines(),
    }
}

/// One input line of `--jsonl`.
#[derive(Deserialize)]
struct Line {
    text: String,
}

/// Streams results as lines; returns a null value (already printed) and whether every line parsed.
fn analyze_lines() -> Result<Output, Error> {
    let mut input = BufReader::with_capacity(1 << 16, std::io::stdin().lock());
    let output = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let success = stream(&mut input, output)?;
    Ok(Output {
        value: serde_json::Value::Null,
        success,
    })
}

/// One result line per non-blank input line, flushed whenever the input has no more lines ready.
/// Returns whether every line was a valid `{"text": …}`.
fn stream(input: &mut BufReader<impl Read>, mut output: impl Write) -> Result<bool, Error> {
    let mut line = Vec::new();
    let mut number = 0;
    let mut success = true;
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(|err| Error::validation(format!("could not read stdin: {err}")))?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let written = match serde_json::from_slice::<Line>(&line) {
            Ok(Line { text }) => serde_json::to_writer(&mut output, &analyze(&text)),
            Err(err) => {
                success = false;
                let error = Error::validation(format!(
                    "line {number} is not a JSON object with a \"text\" string: {err}"
                ));
                serde_json::to_writer(&mut output, &serde_json::json!({ "error": error }))
            }
        };
        written.map_err(|err| output_error(&err))?;
        output.write_all(b"\n").map_err(|err| output_error(&err))?;
        // Answer what has arrived before waiting for more, so a caller can talk line by line.
        if input.buffer().is_empty() {
            output.flush().map_err(|err| output_error(&err))?;
        }
    }
    output.flush().map_err(|err| output_error(&err))?;
    Ok(success)
}

fn output_error(err: &dyn std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::Storage,
        format!("could not write the results to stdout: {err}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_lines(input: &str) -> (Vec<serde_json::Value>, bool) {
        let mut output = Vec::new();
        let success = stream(&mut BufReader::new(input.as_bytes()), &mut output).expect("streams");
        let lines = String::from_utf8(output).expect("UTF-8");
        let values = lines
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON document per line"))
            .collect();
        (values, success)
    }

    #[test]
    fn one_result_per_line_in_order() {
        let texts = [
            "a #b",
            "",
            "see https://example.com/a/long/path/indeed",
            "\u{1F98B}\n\n\n\nx",
        ];
        let input: String = texts
            .iter()
            .map(|text| format!("{}\n", serde_json::json!({ "text": text })))
            .collect();
        let (values, success) = run_lines(&input);
        assert!(success);
        let expected: Vec<serde_json::Value> = texts
            .iter()
            .map(|text| serde_json::to_value(analyze(text)).expect("serializable"))
            .collect();
        assert_eq!(values, expected);
    }

    #[test]
    fn bad_lines_get_an_error_in_place_and_blank_lines_are_skipped() {
        let (values, success) =
            run_lines("{\"text\":\"one\"}\n\n  \r\nnot json\n{\"text\":\"two\"}");
        assert!(!success);
        assert_eq!(values.len(), 3);
        assert_eq!(values[0]["publishedText"], "one");
        assert_eq!(values[1]["error"]["code"], "validation");
        assert!(values[1]["error"]["message"]
            .as_str()
            .is_some_and(|message| message.starts_with("line 4 ")));
        assert_eq!(values[2]["publishedText"], "two");
    }
}
