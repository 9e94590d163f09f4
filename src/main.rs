//! `corridor`: the binary. Everything it does is in `corridor::cli`.

/// mimalloc instead of the system allocator: a large layer is millions of small allocations made
/// on every core, and glibc's per-thread arenas kept twice the live data resident.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    corridor::cli::run()
}
