#include "core/workspace.h"

#include "core/error.h"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <cstdlib>
#include <filesystem>

namespace loupe {
namespace {

constexpr int kSchemaVersion = 1;

class Statement {
public:
    Statement(sqlite3* db, const char* sql)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw Error(std::string("workspace: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    void bind(int i, const std::string& text)
    {
        sqlite3_bind_text(stmt_, i, text.data(), int(text.size()), SQLITE_TRANSIENT);
    }
    void bindBlob(int i, const std::string& data)
    {
        sqlite3_bind_blob(stmt_, i, data.data(), int(data.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, long long v) { sqlite3_bind_int64(stmt_, i, v); }
    int step() { return sqlite3_step(stmt_); }
    sqlite3_stmt* get() { return stmt_; }

private:
    sqlite3_stmt* stmt_ = nullptr;
};

std::string columnBytes(sqlite3_stmt* stmt, int column)
{
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, column));
    return data ? std::string(data, size_t(sqlite3_column_bytes(stmt, column))) : std::string();
}

}  // namespace

std::string Workspace::defaultDataDirectory()
{
    if (const char* dir = std::getenv("LOUPE_DATA_DIR"); dir && *dir)
        return dir;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        return std::string(xdg) + "/loupe";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : "/tmp") + "/.local/share/loupe";
}

std::string Workspace::fileForModel(const std::string& dataDirectory, const std::string& modelHash)
{
    return dataDirectory + "/workspaces/" + modelHash.substr(0, 16) + ".loupe.sqlite";
}

std::unique_ptr<Workspace> Workspace::open(const std::string& file, const std::string& modelHash)
{
    std::error_code ec;
    const bool existed = std::filesystem::exists(file, ec);
    // A workspace this call created but could not set up (a full disk) is removed again
    // instead of being left behind as a 0-byte database.
    const auto removeIfCreated = [&] {
        if (existed)
            return;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(file + suffix, ec);
    };
    const auto parent = std::filesystem::path(file).parent_path();
    if (!parent.empty())
        std::filesystem::create_directories(parent, ec);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
            nullptr) != SQLITE_OK) {
        const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        removeIfCreated();
        throw Error("cannot open workspace '" + file + "': " + message);
    }
    std::unique_ptr<Workspace> ws(new Workspace(db, file, modelHash));
    sqlite3_busy_timeout(db, 5000);
    try {
        ws->exec("PRAGMA journal_mode=WAL");
        ws->exec("PRAGMA synchronous=NORMAL");
        ws->transaction([&] {
            ws->exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            ws->exec("CREATE TABLE IF NOT EXISTS results (kind TEXT NOT NULL, key TEXT NOT NULL, "
                     "parameters TEXT NOT NULL,"
                     " data BLOB NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (kind, key))");
            Statement read(db, "SELECT value FROM meta WHERE key = 'model_hash'");
            if (read.step() == SQLITE_ROW) {
                const std::string stored = columnBytes(read.get(), 0);
                if (stored != modelHash)
                    throw Error("workspace '" + file + "' belongs to another model (" +
                        stored.substr(0, 12) + ")");
            } else {
                Statement write(db,
                    "INSERT INTO meta (key, value) VALUES ('model_hash', ?1), ('schema_version', "
                    "?2)");
                write.bind(1, modelHash);
                write.bind(2, std::to_string(kSchemaVersion));
                write.step();
            }
        });
    } catch (const Error& e) {
        ws.reset();
        removeIfCreated();
        throw Error(std::string(e.what()).find("workspace") != std::string::npos
                ? std::string(e.what())
                : "workspace '" + file + "' is unusable: " + e.what());
    }
    return ws;
}

std::unique_ptr<Workspace> Workspace::openExisting(const std::string& file)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        throw Error("workspace '" + file + "' does not exist");
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw Error("cannot open workspace '" + file + "'");
    }
    // Another process may be closing the file (its last connection checkpoints the journal):
    // wait for it as open() does, instead of reading "no such table" from a busy file.
    sqlite3_busy_timeout(db, 5000);
    std::string hash;
    {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'model_hash'", -1, &stmt,
                nullptr) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW)
            hash = columnBytes(stmt, 0);
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    if (hash.empty())
        throw Error("'" + file + "' is not a Loupe workspace");
    return open(file, hash);
}

std::string Workspace::moveAside(const std::string& file)
{
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    const std::string aside = file + ".damaged-" + stamp;
    std::error_code ec;
    std::filesystem::rename(file, aside, ec);
    if (ec)
        throw Error("cannot move the damaged workspace '" + file + "' aside: " + ec.message());
    for (const char* suffix : {"-wal", "-shm"})
        if (std::filesystem::exists(file + suffix, ec))
            std::filesystem::rename(file + suffix, aside + suffix, ec);
    return aside;
}

Workspace::Workspace(sqlite3* db, std::string file, std::string modelHash)
    : db_(db), file_(std::move(file)), modelHash_(std::move(modelHash))
{
}

Workspace::~Workspace()
{
    sqlite3_close(db_);
}

void Workspace::exec(const std::string& sql) const
{
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw Error("workspace '" + file_ + "': " + text);
    }
}

void Workspace::transaction(const std::function<void()>& body)
{
    const std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (transactionDepth_ > 0) {  // nested: part of the outer transaction
        body();
        return;
    }
    exec("BEGIN IMMEDIATE");
    ++transactionDepth_;
    try {
        body();
        --transactionDepth_;
        exec("COMMIT");
    } catch (...) {
        --transactionDepth_;
        // SQLite may have rolled back already (a full disk, an I/O error): a second ROLLBACK
        // would fail with "no transaction is active" and hide the real cause.
        if (!sqlite3_get_autocommit(db_))
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

bool Workspace::cacheBestEffort(const std::function<void()>& write)
{
    try {
        write();
        return true;
    } catch (const Error& e) {
        const std::lock_guard<std::recursive_mutex> lock(mutex_);
        cacheProblem_ = e.what();
        return false;
    }
}

std::string Workspace::cacheProblem() const
{
    const std::lock_guard<std::recursive_mutex> lock(mutex_);
    return cacheProblem_;
}

void Workspace::put(const std::string& kind, const std::string& key, const std::string& data,
    const std::string& parametersJson)
{
    transaction([&] {
        Statement s(db_,
            "INSERT OR REPLACE INTO results (kind, key, parameters, data, created) VALUES (?1, ?2, "
            "?3, ?4, ?5)");
        s.bind(1, kind);
        s.bind(2, key);
        s.bind(3, parametersJson);
        s.bindBlob(4, data);
        s.bind(5,
            static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch())
                                       .count()));
        if (s.step() != SQLITE_DONE)
            throw Error("workspace '" + file_ + "': write failed: " + sqlite3_errmsg(db_));
    });
}

std::optional<std::string> Workspace::get(const std::string& kind, const std::string& key) const
{
    const std::lock_guard<std::recursive_mutex> lock(mutex_);
    Statement s(db_, "SELECT data FROM results WHERE kind = ?1 AND key = ?2");
    s.bind(1, kind);
    s.bind(2, key);
    const int result = s.step();
    if (result == SQLITE_DONE)
        return std::nullopt;
    if (result != SQLITE_ROW)
        throwReadFailure();
    return columnBytes(s.get(), 0);
}

void Workspace::throwReadFailure() const
{
    // A read that fails is not "nothing stored": a damaged file must never pass for an empty
    // one (a scan would start over and overwrite what is left).
    const std::string cause = sqlite3_errmsg(db_);
    std::string check;
    {
        char* message = nullptr;
        std::string first;
        sqlite3_exec(
            db_, "PRAGMA quick_check(1)",
            [](void* out, int, char** values, char**) {
                if (values && values[0])
                    *static_cast<std::string*>(out) = values[0];
                return 0;
            },
            &first, &message);
        sqlite3_free(message);
        check = first.empty() ? "cannot be checked" : first;
    }
    throw Error("workspace '" + file_ + "' is damaged (" + cause + "; integrity check: " + check +
        "). Move it aside or delete it to start a new one; its cached results and scans are then "
        "made again");
}

bool Workspace::remove(const std::string& kind, const std::string& key)
{
    bool removed = false;
    transaction([&] {
        Statement s(db_, "DELETE FROM results WHERE kind = ?1 AND key = ?2");
        s.bind(1, kind);
        s.bind(2, key);
        s.step();
        removed = sqlite3_changes(db_) > 0;
    });
    return removed;
}

std::vector<std::string> Workspace::keys(const std::string& kind) const
{
    const std::lock_guard<std::recursive_mutex> lock(mutex_);
    Statement s(db_, "SELECT key FROM results WHERE kind = ?1 ORDER BY key");
    s.bind(1, kind);
    std::vector<std::string> out;
    int result = SQLITE_ROW;
    while ((result = s.step()) == SQLITE_ROW)
        out.push_back(columnBytes(s.get(), 0));
    if (result != SQLITE_DONE)
        throwReadFailure();
    return out;
}

int Workspace::count(const std::string& kind) const
{
    const std::lock_guard<std::recursive_mutex> lock(mutex_);
    Statement s(db_, "SELECT COUNT(*) FROM results WHERE kind = ?1");
    s.bind(1, kind);
    if (s.step() != SQLITE_ROW)
        throwReadFailure();
    return sqlite3_column_int(s.get(), 0);
}

}  // namespace loupe

namespace loupe {

bool Workspace::integrityOk() const
{
    const std::lock_guard<std::recursive_mutex> lock(mutex_);
    Statement s(db_, "PRAGMA quick_check");
    return s.step() == SQLITE_ROW && columnBytes(s.get(), 0) == "ok";
}

}  // namespace loupe
