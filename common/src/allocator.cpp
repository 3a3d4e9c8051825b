#include "cardd/common/allocator.h"

#include <malloc.h>

namespace cardd {

void keep_large_allocations() {
  constexpr int kMmapThreshold = 16 << 20;
  constexpr int kTrimThreshold = 128 << 20;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

}  // namespace cardd
