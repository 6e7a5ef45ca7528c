//! Figures read from running processes, for the tests and benchmarks that measure them: a field of
//! one of a process's `/proc` files, its peak memory, and medians.

/// The number after `name` (e.g. `VmHWM:`) in `/proc/<pid>/<file>`, a file of `key: value` lines.
pub fn proc_field(pid: u32, file: &str, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    let line = text.lines().find(|line| line.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// The peak resident memory of a running process so far (its `VmHWM`), in bytes.
pub fn peak_memory(pid: u32) -> Option<u64> {
    proc_field(pid, "status", "VmHWM:").map(|kib| kib * 1024)
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
