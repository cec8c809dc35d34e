// The V8 flags the release runs the supervisor with (bin/bms-supervisor and the launcher), unless the
// site sets BMS_NODE_FLAGS (docs/install.md). Measured on the 2-core development machine, 2026-12-02
// (bench/scale-50k.bench.ts, bench/supervisor.bench.ts, bench/bundle.bench.ts, the release bundle):
// - --heap-growing-percent: V8 lets the old generation grow to a multiple of the live heap before the
//   next full collection; with memory to spare it picks up to ~4x (50,000 points: 749 MB RSS for a
//   ~135 MB live heap). A fixed 20 % keeps RSS near the live set at any site size, with no hard cap to
//   outgrow: a bigger site gets a bigger heap, not an out-of-memory exit.
// - --max-semi-space-size=2: a small young generation (V8 grows it to 16 MB a semi-space, three of them
//   in RSS); a scan's values live one scan period and are promoted either way. 50,000 points: 295 MB
//   RSS peak at 2 MB, 300.5 at 4 MB, 309 at 4 MB without the arena setting; 2,000 points: 114 MB
//   (bundle bench) against 123 at 4 MB and 117 under --optimize-for-size.
// - not --optimize-for-size (the default before): its 1.1x growing factor runs a full collection of the
//   whole live set roughly every scan period at 50,000 points (36 % of a core, 3,500 points late); a fixed
//   growing factor alone, with it, halved that cost (20 %), and without it 13-16 %.
export const DEFAULT_NODE_FLAGS = "--heap-growing-percent=20 --max-semi-space-size=2";

// glibc's malloc arenas (MALLOC_ARENA_MAX, unless the site sets it): the default of up to 8 per core
// for Node's threads left ~10 MB more RSS at 50,000 points (302 MB peak against 309 in the same hour).
export const DEFAULT_MALLOC_ARENA_MAX = "2";
