#pragma once

namespace loupe::widgets {

// Where a job is in its life; the Jobs dock shows it, the runner reports it.
enum class JobState { Queued, Running, Paused, Done, Failed, Cancelled };

}  // namespace loupe::widgets
