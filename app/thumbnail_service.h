#pragma once

#include "core/image.h"

#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace loupe::app {

class JobRunner;
class ModelSession;

// Small feature visualizations of channels for lists (the semantic dictionary, the circuit's
// inputs): cached ones at once, the rest rendered in one batch and cached. Results and
// failures go back to the module that asked, never to a shared signal.
class ThumbnailService : public QObject {
    Q_OBJECT
public:
    ThumbnailService(ModelSession* session, JobRunner* jobs, QObject* parent = nullptr);

    using Delivered = std::function<void(const QString& layer, int channel, const RgbImage& image)>;
    // `requester` names the panel: a newer request of the same panel supersedes its older one.
    // The callbacks run on the GUI thread while `receiver` exists.
    void request(const QString& layer, const QList<int>& channels, const QString& requester,
        QObject* receiver, Delivered delivered, std::function<void(const QString&)> failed);

private:
    ModelSession* session_;
    JobRunner* jobs_;
};

}  // namespace loupe::app
