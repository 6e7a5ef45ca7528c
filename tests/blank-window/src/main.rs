//! A blank Tauri 2 window: the floor Hayon's launch time and memory are compared against.

fn main() {
    let started = std::time::Instant::now();
    let result = tauri::Builder::default()
        .on_page_load(move |_, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                eprintln!(
                    "launch-marker: page-loaded {} ms",
                    started.elapsed().as_millis()
                );
            }
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("blank window failed: {err}");
        std::process::exit(1);
    }
}
