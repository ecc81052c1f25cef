#include "app/cli/parallel_job.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#ifdef LOUPE_WITH_MPI
#include <mpi.h>
#endif

namespace loupe::cli {
namespace {

// Open MPI's mpirun, PMIx (srun --mpi=pmix, prrte) and PMI (MPICH's Hydra, srun --mpi=pmi2)
// each leave one of these in the environment of the processes they start.
bool launchedByMpi()
{
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (std::getenv(name))
            return true;
    return false;
}

#ifdef LOUPE_WITH_MPI
constexpr int kProgressTag = 17;
#endif

}  // namespace

ParallelJob& ParallelJob::instance()
{
    static ParallelJob job;
    return job;
}

ParallelJob::ParallelJob()
{
#ifdef LOUPE_WITH_MPI
    if (!launchedByMpi())
        return;
    int already = 0;
    MPI_Initialized(&already);
    if (!already)
        MPI_Init(nullptr, nullptr);
    initialised_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    // The ranks sharing this machine share its cores.
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &localSize_);
    MPI_Comm_free(&local);
    if (rank_ == 0)
        latest_.assign(size_t(size_) * 3, 0);
#else
    if (launchedByMpi() && std::getenv("OMPI_COMM_WORLD_RANK") &&
        std::string(std::getenv("OMPI_COMM_WORLD_RANK")) == "0")
        std::cerr << "loupe-cli: started by an MPI launcher, but this loupe-cli was built without "
                     "MPI: every process runs the whole command on its own\n";
#endif
}

ParallelJob::~ParallelJob()
{
#ifdef LOUPE_WITH_MPI
    if (initialised_) {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (!finalized)
            MPI_Finalize();
    }
#endif
}

int ParallelJob::threadsPerRank() const
{
    if (localSize_ <= 1)
        return 0;
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, cores / localSize_);
}

void ParallelJob::report(std::int64_t done, std::int64_t todo)
{
    ownDone_ = done;
    ownTodo_ = todo;
#ifdef LOUPE_WITH_MPI
    if (initialised_ && rank_ > 0) {
        std::int64_t message[3] = {done, todo, 0};
        MPI_Send(message, 3, MPI_INT64_T, 0, kProgressTag, MPI_COMM_WORLD);
    }
#endif
}

ParallelJob::Totals ParallelJob::collect()
{
    Totals t;
    t.done = ownDone_;
    t.todo = ownTodo_;
#ifdef LOUPE_WITH_MPI
    if (initialised_ && rank_ == 0) {
        for (;;) {
            int waiting = 0;
            MPI_Status status;
            MPI_Iprobe(MPI_ANY_SOURCE, kProgressTag, MPI_COMM_WORLD, &waiting, &status);
            if (!waiting)
                break;
            std::int64_t message[3];
            MPI_Recv(message, 3, MPI_INT64_T, status.MPI_SOURCE, kProgressTag, MPI_COMM_WORLD,
                MPI_STATUS_IGNORE);
            std::copy(message, message + 3, latest_.begin() + status.MPI_SOURCE * 3);
        }
        for (int r = 1; r < size_; ++r) {
            t.done += latest_[r * 3];
            t.todo += latest_[r * 3 + 1];
            t.finished += int(latest_[r * 3 + 2]);
        }
    }
#endif
    return t;
}

void ParallelJob::finishAndWait(const std::function<void(const Totals&)>& progress)
{
#ifdef LOUPE_WITH_MPI
    if (!initialised_)
        return;
    if (rank_ > 0) {
        // The last message from this rank: rank 0 stops listening once every rank sent it.
        std::int64_t message[3] = {ownDone_, ownTodo_, 1};
        MPI_Send(message, 3, MPI_INT64_T, 0, kProgressTag, MPI_COMM_WORLD);
    } else {
        for (;;) {
            const Totals t = collect();
            if (progress)
                progress(t);
            if (t.finished >= size_ - 1)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);
#else
    (void)progress;
#endif
}

std::string ParallelJob::broadcastFromFirst(const std::string& text)
{
#ifdef LOUPE_WITH_MPI
    if (!initialised_)
        return text;
    std::uint64_t size = rank_ == 0 ? text.size() : 0;
    MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::string out = rank_ == 0 ? text : std::string(size, '\0');
    MPI_Bcast(out.data(), int(size), MPI_CHAR, 0, MPI_COMM_WORLD);
    return out;
#else
    return text;
#endif
}

void ParallelJob::abort(const std::string& message)
{
    std::cerr << "loupe-cli: rank " << rank_ << " of " << size_ << ": " << message << std::endl;
#ifdef LOUPE_WITH_MPI
    if (initialised_)
        MPI_Abort(MPI_COMM_WORLD, 1);
#endif
    std::exit(1);
}

}  // namespace loupe::cli
