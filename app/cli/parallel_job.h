#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loupe::cli {

// The ranks of a job started by mpirun or srun, when loupe-cli was built with MPI (CMake
// option LOUPE_WITH_MPI); otherwise, or when the process was not started by such a launcher,
// a job of one process. MPI is initialised only when a launcher's environment says so, so a
// plain `loupe-cli scan` never touches it.
class ParallelJob {
public:
    static ParallelJob& instance();
    ~ParallelJob();
    ParallelJob(const ParallelJob&) = delete;
    ParallelJob& operator=(const ParallelJob&) = delete;

    bool parallel() const { return size_ > 1; }
    int rank() const { return rank_; }
    int size() const { return size_; }
    // LibTorch threads for this rank: the machine's cores shared by the ranks on it (0: all).
    int threadsPerRank() const;

    // Progress of the whole job: every rank reports its images done / to do after each batch;
    // on rank 0, `collect` adds up the latest report of every rank.
    void report(std::int64_t done, std::int64_t todo);
    struct Totals {
        std::int64_t done = 0;
        std::int64_t todo = 0;
        int finished = 0;  // ranks that said they are done
    };
    Totals collect();
    // A rank's work is done (ranks > 0 tell rank 0); rank 0 then waits for every rank, calling
    // `progress` while it does, and all ranks meet at a barrier.
    void finishAndWait(const std::function<void(const Totals&)>& progress);
    // Rank 0's `text` on every rank (one reader of shared files instead of N at once).
    std::string broadcastFromFirst(const std::string& text);
    // Ends the whole job after an error on one rank, so that the others do not wait forever.
    [[noreturn]] void abort(const std::string& message);

private:
    ParallelJob();
    int rank_ = 0;
    int size_ = 1;
    int localSize_ = 1;
    bool initialised_ = false;
    std::int64_t ownDone_ = 0, ownTodo_ = 0;
    std::vector<std::int64_t> latest_;  // rank 0: per rank {done, todo, finished}
};

}  // namespace loupe::cli
