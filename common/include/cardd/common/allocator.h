// The C library's allocator, set for a long-running service.
#pragma once

namespace cardd {

// Every card allocates and frees buffers of hundreds of kilobytes (the
// faces' pixels and PNG, the pack paper's PDF, the 257 kB font table cairo
// copies for each new glyph). glibc serves those with mmap or returns them to
// the kernel when freed, so each card paid for the same pages again in page
// faults (~8% of bench_pipeline). Kept in the heap up to 16 MiB a block, and
// freed memory up to 128 MiB an arena kept: the daemon's peak, not a leak.
// Call once at start-up.
void keep_large_allocations();

}  // namespace cardd
