#include "core/image_folder.h"

#include "core/cv_convert.h"
#include "core/error.h"
#include "core/image_io.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <thread>

namespace loupe {
namespace {

namespace fs = std::filesystem;

bool hasImageExtension(const fs::path& path)
{
    std::string ext = path.extension().string();
    std::transform(
        ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" ||
        ext == ".tif" || ext == ".tiff";
}

// Why an entry named like an image is not one ("" when it is a regular file). Follows
// symbolic links, so a link to an image counts as the image.
std::string whyNotAnImageFile(const fs::directory_entry& entry)
{
    std::error_code ec;
    const auto status = fs::status(entry.path(), ec);
    if (status.type() == fs::file_type::not_found)  // listed, so a link to nothing
        return "a dangling symbolic link";
    if (ec)
        return "cannot be read (" + ec.message() + ")";  // e.g. a symbolic link loop
    switch (status.type()) {
    case fs::file_type::regular: return "";
    case fs::file_type::directory: return "a folder named like an image";
    default: return "not a regular file (a FIFO, socket or device)";
    }
}

}  // namespace

ImageFolderListing listImageFolder(const std::string& folder)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error("'" + folder + "' is not a folder");
    ImageFolderListing listing;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec),
        end;
    if (ec)
        throw Error("cannot read folder '" + folder + "': " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec)
            break;
        if (!hasImageExtension(it->path()))
            continue;
        const std::string relative =
            it->path().lexically_relative(folder).generic_string();  // symlinks kept as named
        const std::string problem = whyNotAnImageFile(*it);
        if (problem.empty())
            listing.images.push_back(relative);
        else
            listing.unusable.emplace_back(relative, problem);
    }
    std::sort(listing.images.begin(), listing.images.end());
    std::sort(listing.unusable.begin(), listing.unusable.end());
    return listing;
}

std::vector<std::string> listImages(const std::string& folder)
{
    return listImageFolder(folder).images;
}

RgbImage decodeImageForModel(const std::string& path, int targetSize, long long maxPixels)
{
    const ImageFileHeader header = checkImageFile(path, maxPixels);
    int flags = cv::IMREAD_COLOR;
    if (header.kind == ImageFileHeader::Kind::Jpeg && header.width > 0) {
        // libjpeg's DCT scaling: decoding at 1/8 of the pixels is several times faster.
        const int shorter = std::min(header.width, header.height);
        if (shorter >= 8 * targetSize)
            flags = cv::IMREAD_REDUCED_COLOR_8;
        else if (shorter >= 4 * targetSize)
            flags = cv::IMREAD_REDUCED_COLOR_4;
        else if (shorter >= 2 * targetSize)
            flags = cv::IMREAD_REDUCED_COLOR_2;
    }
    return decodeCheckedImage(path, flags, maxPixels);
}

std::vector<std::string> evenlySpread(const std::vector<std::string>& files, int maximum)
{
    if (maximum <= 0 || int(files.size()) <= maximum)
        return files;
    std::vector<std::string> chosen;
    for (int i = 0; i < maximum; ++i)
        chosen.push_back(files[size_t(i) * files.size() / size_t(maximum)]);
    return chosen;
}

std::vector<DecodedImage> decodeImages(const std::string& folder,
    const std::vector<std::string>& files, size_t begin, size_t end, int inputSize, int threads)
{
    std::vector<DecodedImage> out(end - begin);
    std::atomic<size_t> next{begin};
    const auto work = [&] {
        for (size_t i = next++; i < end; i = next++) {
            DecodedImage& d = out[i - begin];
            d.index = int(i);
            try {
                d.image = decodeImageForModel(
                    (std::filesystem::path(folder) / files[i]).string(), inputSize);
            } catch (const std::exception& e) {
                d.error = e.what();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    return out;
}

}  // namespace loupe
