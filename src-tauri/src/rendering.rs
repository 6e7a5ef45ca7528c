//! How WebKitGTK paints Hayon's pages, chosen before the window exists.
//!
//! Since 2.46 WebKitGTK paints page content with Skia on the GPU when it can. Hayon's pages are text and
//! form controls, which the CPU paints quickly; painting them through OpenGL instead keeps glyph atlases,
//! compiled shaders and textures for every tile — and on a machine without a GPU driver (software GL,
//! llvmpipe) all of that is ordinary process memory: about 33 MiB for the accounts page, measured with
//! `scripts/bench.sh` (see BENCHMARKS.md). So Hayon asks for CPU painting. Compositing (scrolling,
//! layers) still uses the GPU. A value the user set in the environment wins, so anyone can switch GPU
//! painting back on with `WEBKIT_SKIA_ENABLE_CPU_RENDERING=0`.

/// WebKitGTK reads this in the web process, which inherits Hayon's environment.
const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Must run first thing in `main`, while the process has a single thread: the environment is only
/// safe to change before other threads (GTK's, Tauri's, tokio's) could read it.
pub fn prefer_cpu_painting() {
    if cfg!(target_os = "linux") && std::env::var_os(CPU_PAINTING).is_none() {
        std::env::set_var(CPU_PAINTING, "1");
    }
}
