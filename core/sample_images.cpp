#include "core/sample_images.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/synthetic_shapes.h"

#include <cstdio>
#include <filesystem>

namespace loupe {

namespace fs = std::filesystem;

int writeShapeSampleFolder(const std::string& folder, int perClass, int size, Progress& progress)
{
    const auto names = shapeClassNames();
    const int total = perClass * int(names.size());
    int written = 0;
    for (int cls = 0; cls < int(names.size()); ++cls) {
        const fs::path dir = fs::path(folder) / names[size_t(cls)];
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec)
            throw Error("cannot create '" + dir.string() + "': " + ec.message());
        for (int i = 0; i < perClass; ++i) {
            progress.checkCancelled();
            char name[32];
            std::snprintf(name, sizeof name, "%03d.png", i);
            const fs::path file = dir / name;
            if (fs::exists(file))
                continue;
            // Seeds from 2^40 up: training renders from seed * 1000003 + index, far below.
            const std::uint64_t seed =
                (std::uint64_t(1) << 40) + std::uint64_t(cls) * 100000 + std::uint64_t(i);
            // Never a half-written sample under the real name, even if killed.
            writeFileAtomically(
                file.string(), encodePng(renderShapeSample(ShapeClass(cls), seed, size)));
            ++written;
            progress.report(double(cls * perClass + i + 1) / total,
                "sample images " + std::to_string(cls * perClass + i + 1) + "/" +
                    std::to_string(total));
        }
    }
    return written;
}

}  // namespace loupe
