#pragma once

#include "core/device.h"
#include "core/model_metadata.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loupe {

// One module of the network as the layer browser shows it.
struct LayerInfo {
    std::string path;  // module path, e.g. "inception_3b.b5x5.conv"
    std::string type;  // class name, e.g. "Conv2d"
    std::string alias;  // from loupe.json, e.g. "mixed3b"
    int depth = 0;  // number of dots in the path
    std::vector<std::int64_t> shape;  // output shape without batch: {C,H,W} or {C}
    std::int64_t parameters = 0;  // including submodules
    bool addressable = false;  // can its output be captured?
    std::string note;  // why not, when it cannot

    bool isSpatial() const { return shape.size() == 3; }
    std::int64_t channels() const { return shape.empty() ? 0 : shape[0]; }
};

// What Model::load may reuse from earlier opens. With a data directory, the file's hash is
// memoised by path, size and mtime, and the layer facts (shapes, capturability, class count)
// are read from the model's workspace there, or computed and stored for next time.
struct ModelOpenOptions {
    std::string dataDirectory;  // "": hash the file and run the model, store nothing
};

// Where an open spent its time (benchmarks).
struct ModelOpenTimings {
    double hashAndLoadSeconds = 0;  // the hash runs beside torch::jit::load
    double factsSeconds = 0;  // layer facts: surgery + one pass, or a workspace read
    bool hashMemoised = false;
    bool factsFromWorkspace = false;
    bool shapesFromMetaPass = false;  // the pass ran on the meta device, not a real forward
};

// A loaded TorchScript CNN. Not thread-safe: one job uses it at a time (the app serialises
// device work on one worker thread).
class Model {
public:
    // Loads a traced or scripted module, its optional loupe.json, checks it is an image CNN
    // (a forward on a 1x3xSxS input must give a tensor) and lists its layers with shapes.
    // Throws loupe::Error with a user-facing message on any problem.
    static std::unique_ptr<Model> load(const std::string& path,
        DevicePreference device = DevicePreference::Automatic, const ModelOpenOptions& options = {},
        ModelOpenTimings* timings = nullptr);
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    const std::string& path() const;
    const std::string& hash() const;  // SHA-256 of the file
    const ModelMetadata& metadata() const;
    const std::vector<LayerInfo>& layers() const;
    const DeviceInfo& device() const;
    void setDevice(DevicePreference preference);

    // An independent copy (weights deep-copied, same file identity and layers) for experiments
    // that change weights: sanity checks randomise a copy, never the open model.
    std::unique_ptr<Model> copy() const;
    // SHA-256 over every parameter and buffer as they are in memory now: proves the weights
    // were not changed (the file hash says nothing about the loaded copy).
    std::string weightsDigest() const;

    // Number of classes of the output logits (0 if the output is not a class vector).
    int numClasses() const;
    std::string classLabel(int index) const;

    // Resolves an alias or a module path to a known layer; throws loupe::Error otherwise.
    const LayerInfo& layer(const std::string& nameOrAlias) const;
    std::string displayName() const;

    struct Impl;
    Impl& impl() { return *impl_; }

private:
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace loupe
