#pragma once

namespace loupe {

// The number of threads Loupe's own pools (image decoding) use, decided once at start-up
// together with LibTorch's intra-op threads (configureTorchThreads), so decode threads do not
// stack on top of LibTorch's: all cores unless set.
int threadBudget();
void setThreadBudget(int threads);

}  // namespace loupe
