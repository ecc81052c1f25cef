#include "core/file_hash_memo.h"

#include "core/atomic_file.h"
#include "core/content_hash.h"
#include "core/error.h"
#include "core/json.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace loupe {
namespace {

constexpr size_t kMaxEntries = 200;  // the memo stays small; the oldest entries go first

// "size:mtime-ns" of the file now, or "" when it cannot be read.
std::string stamp(const std::filesystem::path& path)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return {};
    const auto time = std::filesystem::last_write_time(path, ec);
    if (ec)
        return {};
    return std::to_string(size) + ":" + std::to_string(time.time_since_epoch().count());
}

Json readMemo(const std::string& memoFile)
{
    std::ifstream in(memoFile, std::ios::binary);
    if (!in)
        return Json::object();
    std::ostringstream text;
    text << in.rdbuf();
    try {
        Json memo = Json::parse(text.str());
        if (memo.isObject() && memo["files"].isArray())
            return memo;
    } catch (const std::exception&) {
        // a damaged memo is only a lost shortcut
    }
    return Json::object();
}

}  // namespace

std::string fileHashMemoPath(const std::string& dataDirectory)
{
    return dataDirectory + "/file-hashes.json";
}

std::string memoisedFileHash(const std::string& path, const std::string& memoFile, bool* fromMemo)
{
    if (fromMemo)
        *fromMemo = false;
    if (memoFile.empty())
        return sha256OfFile(path);
    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
    const std::string now = stamp(path);
    Json memo = readMemo(memoFile);
    Json kept = Json::array();
    if (memo["files"].isArray())
        for (const Json& entry : memo["files"].toArray()) {
            if (!entry["path"].isString() || !entry["stamp"].isString() ||
                !entry["sha256"].isString())
                continue;
            if (entry["path"].toString() == absolute) {
                if (!now.empty() && entry["stamp"].toString() == now) {
                    if (fromMemo)
                        *fromMemo = true;
                    return entry["sha256"].toString();
                }
                continue;  // stale: replaced below
            }
            kept.push(entry);
        }
    const std::string hash = sha256OfFile(path);
    // Re-stamped after hashing: a file written while it was read gets no entry.
    if (now.empty() || stamp(path) != now)
        return hash;
    Json entry = Json::object();
    entry["path"] = absolute;
    entry["stamp"] = now;
    entry["sha256"] = hash;
    Json files = Json::array();
    const size_t first = kept.size() + 1 > kMaxEntries ? kept.size() + 1 - kMaxEntries : 0;
    for (size_t i = first; i < kept.size(); ++i)
        files.push(kept.toArray()[i]);
    files.push(entry);
    Json out = Json::object();
    out["files"] = files;
    try {
        std::filesystem::create_directories(std::filesystem::path(memoFile).parent_path(), ec);
        writeFileAtomically(memoFile, out.dump(1));
    } catch (const Error&) {
        // read-only data directory: hash again next time
    }
    return hash;
}

}  // namespace loupe
