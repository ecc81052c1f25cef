#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace loupe {

// Per-model result cache: one SQLite file per model hash. Every write is a transaction in
// WAL mode, so killing the process mid-job leaves the last committed state, never a corrupt
// file. Entries are keyed by (kind, key), where key encodes the unit and every parameter.
class Workspace {
public:
    // $LOUPE_DATA_DIR, else $XDG_DATA_HOME/loupe, else ~/.local/share/loupe.
    static std::string defaultDataDirectory();
    static std::string fileForModel(const std::string& dataDirectory, const std::string& modelHash);

    // Opens (creating if needed) a workspace file; throws loupe::Error if it cannot, or if
    // the file belongs to another model.
    static std::unique_ptr<Workspace> open(const std::string& file, const std::string& modelHash);
    // Opens an existing workspace for whichever model it belongs to (read its hash).
    static std::unique_ptr<Workspace> openExisting(const std::string& file);
    // A damaged workspace moved aside (never deleted: what can still be read stays there),
    // with its journal files, to FILE.damaged-YYYYmmdd-HHMMSS; returns the new name. The
    // caller then opens a fresh workspace at `file`. Throws loupe::Error when it cannot.
    static std::string moveAside(const std::string& file);
    ~Workspace();
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    const std::string& file() const { return file_; }
    const std::string& modelHash() const { return modelHash_; }

    void put(const std::string& kind, const std::string& key, const std::string& data,
        const std::string& parametersJson = "{}");
    // Nothing stored: nullopt. A read that fails (a damaged file) throws loupe::Error saying
    // the workspace is damaged and how to start over.
    std::optional<std::string> get(const std::string& kind, const std::string& key) const;
    bool remove(const std::string& kind, const std::string& key);
    int count(const std::string& kind) const;
    std::vector<std::string> keys(const std::string& kind) const;

    // SQLite's own consistency check (PRAGMA quick_check).
    bool integrityOk() const;

    // Runs `body` inside one transaction: all its puts land together or not at all.
    void transaction(const std::function<void()>& body);

    // Runs a cache write, which is optional: a failure (a full disk, a read-only file) is
    // remembered for cacheProblem() instead of thrown, so the result the user asked for is
    // still delivered. Returns whether the write succeeded.
    bool cacheBestEffort(const std::function<void()>& write);
    std::string cacheProblem() const;  // the last failed cache write's message, "" if none

private:
    Workspace(sqlite3* db, std::string file, std::string modelHash);
    void exec(const std::string& sql) const;
    [[noreturn]] void
    throwReadFailure() const;  // says the file is damaged, with the check's verdict

    sqlite3* db_ = nullptr;
    std::string file_;
    std::string modelHash_;
    // One connection serves the app's worker threads: a transaction holds this lock from BEGIN
    // to COMMIT, so another thread's write waits instead of slipping into it (and being rolled
    // back with it). Recursive: a transaction's own puts take it again.
    mutable std::recursive_mutex mutex_;
    int transactionDepth_ = 0;  // guarded by mutex_
    std::string cacheProblem_;  // guarded by mutex_
};

}  // namespace loupe
