#include "app/user_guide.h"

#include <QCoreApplication>
#include <QDialog>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace loupe::app {

namespace {
QString guideHtml()
{
    return QCoreApplication::translate("UserGuide",
        "<h2>Loupe in five minutes</h2>"
        "<h3>1. Open a model and an image</h3>"
        "<p>File &gt; Open Model… takes a TorchScript CNN (<tt>.pt</tt>); a <tt>loupe.json</tt> "
        "inside it (labels, input size, mean/std, layer aliases) is read when present. File &gt; "
        "Open Image… or drop a photo on the window. Without a model of your own, the built-in one "
        "(Model &gt; Train Built-in Model…) is trained on synthetic shapes in a few minutes.</p>"
        "<h3>2. Reach a unit</h3>"
        "<p>Click a layer in the Layer Browser, then a channel in the Activations dock. Or type "
        "<tt>inception_3b:413</tt> in the layer search and press Enter, or Edit &gt; Go to Unit… "
        "(Ctrl+G). Every unit has a stable link, <tt>loupe://&lt;model hash&gt;/&lt;layer&gt;/"
        "&lt;channel&gt;</tt> (Unit Page &gt; Copy Link); paste it in the search box or give it "
        "on the command line: <tt>loupe loupe://…</tt>.</p>"
        "<h3>3. Arrange the docks for the task</h3>"
        "<p>View &gt; Task Presets: <b>Explore a Unit</b> (Unit Page, feature visualization, "
        "examples, tuning), <b>Explain an Image</b> (attribution, occlusion, decision, semantic "
        "dictionary), <b>Dataset</b> (atlas, dissection, concepts), <b>Experiments</b> (inversion, "
        "DeepDream, style, adversarial, curves, circuit edits, timeline). View &gt; Reset Layout "
        "shows every dock again.</p>"
        "<h3>4. Jobs</h3>"
        "<p>Everything long runs as a job (the Jobs dock): it reports progress and can be "
        "cancelled. What you ask for last runs first: a feature visualization that is rendering "
        "pauses at its next step to let it through (its row says <i>paused</i>). <b>Run Next</b> "
        "moves a waiting job to the front.</p>"
        "<h3>5. Datasets</h3>"
        "<p>Dataset &gt; Scan Folder… runs a folder of images through the model once; then every "
        "unit shows its strongest and weakest examples and its distribution, and the atlas, "
        "dissection and concept docks can use them.</p>"
        "<h3>6. Figures</h3>"
        "<p>Every dock's Export… (or File &gt; Export) writes PNG, SVG or PDF plus a JSON sidecar "
        "with the model, its hash and every setting; plots also write their numbers as CSV.</p>"
        "<h3>7. Where results live</h3>"
        "<p>Per model, in a workspace file keyed by the model's hash (SQLite, in Loupe's data "
        "folder): renders, scans, sweeps and saved families are read back instead of recomputed. "
        "The headless <tt>loupe-cli</tt> shares it.</p>");
}
}  // namespace

void showUserGuide(QWidget* parent)
{
    auto* dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("userGuide"));
    dialog->setWindowTitle(QCoreApplication::translate("UserGuide", "Loupe Guide"));
    auto* text = new QTextBrowser;
    text->setHtml(guideHtml());
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    dialog->resize(640, 680);
    dialog->show();
}

}  // namespace loupe::app
