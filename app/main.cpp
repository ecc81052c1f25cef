// loupe: the desktop app. Thin: parses the command line and shows the main window.

#include "app/launch_script.h"
#include "app/main_window.h"
#include "app/settings.h"
#include "app/unit_navigation.h"
#include "core/device.h"
#include "core/workspace.h"

#include <algorithm>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QSvgRenderer>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace {

// The icon is an SVG in the resources; rendered here at a few sizes so that no image-format
// plugin is needed for it.
QIcon applicationIcon()
{
    QSvgRenderer svg(QStringLiteral(":/loupe.svg"));
    QIcon icon;
    for (int size : {16, 32, 64, 128, 256}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        svg.render(&painter);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

// --help and --version print text: they must work on a machine without a display (a server,
// an ssh session), where the default platform plugin would abort before the parser runs.
bool onlyPrintsText(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"--help", "-h", "--help-all", "--version", "-v"})
            if (std::strcmp(argv[i], flag) == 0)
                return true;
    return false;
}

}  // namespace

int main(int argc, char** argv)
{
    if (onlyPrintsText(argc, argv))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Loupe"));
    QApplication::setApplicationName(QStringLiteral("Loupe"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setWindowIcon(applicationIcon());
    QGuiApplication::setDesktopFileName(
        QStringLiteral("loupe"));  // pairs the window with loupe.desktop
    loupe::configureTorchThreads();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Loupe — a microscope for the neurons of convolutional networks"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
        QStringLiteral("TorchScript model to open, or a unit link loupe://<hash>/<layer>/<channel> "
                       "(its model is found among the recent models)"),
        QStringLiteral("[model.pt | link]"));
    const QCommandLineOption image(
        QStringLiteral("image"), QStringLiteral("Image to open."), QStringLiteral("file"));
    const QCommandLineOption layer(
        QStringLiteral("layer"), QStringLiteral("Layer to select."), QStringLiteral("layer"));
    const QCommandLineOption unit(QStringLiteral("unit"),
        QStringLiteral(
            "Unit to select, layer:channel or a loupe:// link (shown on its Unit Page)."),
        QStringLiteral("unit"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Save a screenshot once all jobs are done, then quit."),
        QStringLiteral("png"));
    const QCommandLineOption screenshotTimeout(QStringLiteral("screenshot-timeout"),
        QStringLiteral("Seconds --screenshot waits for its jobs before giving up (default 300)."),
        QStringLiteral("seconds"));
    const QCommandLineOption dock(QStringLiteral("dock"),
        QStringLiteral("Dock to raise, by title or short name (examples, tuning, atlas, ...)."),
        QStringLiteral("name"));
    const QCommandLineOption renderLayer(QStringLiteral("render-layer"),
        QStringLiteral("Render the selected layer's feature visualizations."));
    const QCommandLineOption pick(QStringLiteral("pick"),
        QStringLiteral("Semantic dictionary at image pixel x,y."), QStringLiteral("x,y"));
    const QCommandLineOption nmf(QStringLiteral("nmf"),
        QStringLiteral("NMF with k factors of the selected layer on the image."),
        QStringLiteral("k"));
    const QCommandLineOption attribute(QStringLiteral("attribute"),
        QStringLiteral("Attribution method (or compare) for the top class."),
        QStringLiteral("method"));
    const QCommandLineOption tune(QStringLiteral("tune"),
        QStringLiteral("Tuning experiment for the selected unit: sweep, rotation, radial, "
                       "invariance or find."),
        QStringLiteral("experiment"));
    const QCommandLineOption family(QStringLiteral("family"),
        QStringLiteral("Other channels of the unit's family, e.g. 3,7,12."),
        QStringLiteral("channels"));
    const QCommandLineOption sweep(QStringLiteral("sweep"),
        QStringLiteral("Tuning sweep, e.g. orientation=0:360:10,curvature=0:4:0.5."),
        QStringLiteral("axes"));
    const QCommandLineOption occlude(QStringLiteral("occlude"),
        QStringLiteral("Occlusion map of the image: prob, unit, layer or classes."),
        QStringLiteral("map"));
    const QCommandLineOption circuit(QStringLiteral("circuit"),
        QStringLiteral("Compute the selected unit's circuit on the image."));
    const QCommandLineOption atlas(QStringLiteral("atlas"),
        QStringLiteral("Build the selected layer's activation atlas over a folder."),
        QStringLiteral("folder"));
    const QCommandLineOption imageMap(
        QStringLiteral("image-map"), QStringLiteral("With --atlas: build the image map instead."));
    const QCommandLineOption classColours(QStringLiteral("class-colours"),
        QStringLiteral("With --atlas: frame cells by predicted class."));
    const QCommandLineOption scanSamples(QStringLiteral("scan-samples"),
        QStringLiteral("Scan the built-in sample images (Dataset menu) with the default layers."));
    const QCommandLineOption attributeUnit(QStringLiteral("attribute-unit"),
        QStringLiteral(
            "With --attribute: explain the selected unit (--unit) instead of the top class."));
    const QCommandLineOption invert(QStringLiteral("invert"),
        QStringLiteral("Feature inversion of the image at these layers, e.g. conv2,inception_4a."),
        QStringLiteral("layers"));
    parser.addOption(invert);
    const QCommandLineOption dream(QStringLiteral("dream"),
        QStringLiteral("DeepDream on the image for this objective, e.g. layer:inception_4c."),
        QStringLiteral("objective"));
    // Not --style: QApplication takes that for the widget style.
    const QCommandLineOption style(QStringLiteral("style-photo"),
        QStringLiteral("Style transfer onto the image from this style photo."),
        QStringLiteral("photo"));
    const QCommandLineOption attack(QStringLiteral("attack"),
        QStringLiteral(
            "Adversarial example of the image: pgd, fgsm, min-epsilon or fooling:CLASS."),
        QStringLiteral("kind"));
    const QCommandLineOption shapeBias(QStringLiteral("shape-bias"),
        QStringLiteral("Shape bias over cue-conflict pairs of a folder of labelled photos."),
        QStringLiteral("folder"));
    const QCommandLineOption degrade(QStringLiteral("degrade"),
        QStringLiteral("Accuracy table of a folder of labelled photos under degradations."),
        QStringLiteral("folder"));
    const QCommandLineOption steps(QStringLiteral("steps"),
        QStringLiteral("Steps of --dream (per octave), --style, --attack and --shape-bias."),
        QStringLiteral("n"));
    const QCommandLineOption pairs(QStringLiteral("pairs"),
        QStringLiteral("Cue-conflict pairs of --shape-bias."), QStringLiteral("n"));
    const QCommandLineOption sanity(QStringLiteral("sanity"),
        QStringLiteral("With --attribute: heavy metrics and the randomisation sanity check."));
    const QCommandLineOption objectBox(QStringLiteral("object-box"),
        QStringLiteral("With --attribute: the object's box in model-input pixels, for the "
                       "energy-in-box and pointing-game columns."),
        QStringLiteral("x,y,w,h"));
    const QCommandLineOption concept(QStringLiteral("concept"),
        QStringLiteral(
            "Show this concept of the selected layer's dictionary in the Concepts dock."),
        QStringLiteral("index"));
    const QCommandLineOption dissect(QStringLiteral("dissect"),
        QStringLiteral("Network dissection of the selected layer over this folder of photos "
                       "(colour concepts), or of a labelled folder (images/, labels/, "
                       "concepts.csv, e.g. a synthetic set: rendered there when absent)."),
        QStringLiteral("folder"));
    const QCommandLineOption dissectUnit(QStringLiteral("dissect-unit"),
        QStringLiteral("With --dissect: show this unit's images with region and concept."),
        QStringLiteral("unit"));
    const QCommandLineOption explain(QStringLiteral("explain"),
        QStringLiteral("Which channels of the selected layer made the decision for this class "
                       "(name or number; 'top': the top class), or CLASS,VERSUS."),
        QStringLiteral("class"));
    const QCommandLineOption curves(QStringLiteral("curves"),
        QStringLiteral("The curve map of this family (layer:c1,c2 or a saved name) on the image, "
                       "beside Canny (Curves dock)."),
        QStringLiteral("family"));
    const QCommandLineOption orientationColour(QStringLiteral("orientation-colour"),
        QStringLiteral("With --curves: colour each unit's share by its preferred orientation."));
    const QCommandLineOption trace(QStringLiteral("trace"),
        QStringLiteral("With --curves: trace this many B-spline strokes."), QStringLiteral("n"));
    const QCommandLineOption curvesMeasure(QStringLiteral("curves-measure"),
        QStringLiteral("With --curves: measure the family against Canny on synthetic scenes."));
    const QCommandLineOption ablate(QStringLiteral("ablate"),
        QStringLiteral("Apply a circuit edit to every dock: 'zero L:c1,c2', 'mean L:c1,c2' or "
                       "'cut L:C<-I' (Circuit Edits dock)."),
        QStringLiteral("edit"));
    const QCommandLineOption editAccuracy(QStringLiteral("edit-accuracy"),
        QStringLiteral("With --ablate: accuracy over this labelled folder, original vs edited, "
                       "with the random-unit control."),
        QStringLiteral("folder"));
    const QCommandLineOption editTuning(QStringLiteral("edit-tuning"),
        QStringLiteral("With --ablate: this unit's curve tuning, original vs edited."),
        QStringLiteral("unit"));
    const QCommandLineOption editOcclusion(QStringLiteral("edit-occlusion"),
        QStringLiteral("With --ablate: the image's occlusion map, original vs edited."));
    const QCommandLineOption timeline(QStringLiteral("timeline"),
        QStringLiteral("The selected unit (--unit) across this folder of checkpoints."),
        QStringLiteral("folder"));
    const QCommandLineOption timelineImages(QStringLiteral("timeline-images"),
        QStringLiteral("With --timeline: the unit's top examples among these images."),
        QStringLiteral("folder"));
    const QCommandLineOption preset(QStringLiteral("preset"),
        QStringLiteral("Arrange the docks for a task: unit, image, dataset or experiments."),
        QStringLiteral("name"));
    parser.addOption(preset);
    const QCommandLineOption exportFigure(QStringLiteral("export"),
        QStringLiteral("When the scripted steps are done, export the --dock's figure (PNG, SVG "
                       "or PDF by suffix, with its JSON sidecar)."),
        QStringLiteral("file"));
    parser.addOption(exportFigure);
    parser.addOptions({dream, style, attack, shapeBias, degrade, steps, pairs, sanity, objectBox,
        concept, dissect, dissectUnit, explain, screenshotTimeout, curves, orientationColour, trace,
        curvesMeasure, ablate, editAccuracy, editTuning, editOcclusion, timeline, timelineImages});
    parser.addOptions(
        {image, layer, unit, screenshot, dock, renderLayer, pick, nmf, attribute, tune, family,
            sweep, occlude, circuit, atlas, imageMap, classColours, scanSamples, attributeUnit});
    parser.process(app);

    loupe::app::MainWindow window;
    loupe::app::LaunchRequest request{parser.value(image), parser.value(layer), parser.value(unit),
        parser.value(screenshot), parser.value(dock), parser.isSet(renderLayer), parser.value(pick),
        parser.value(nmf).toInt(), parser.value(attribute), parser.value(tune),
        parser.value(family), parser.value(sweep), parser.value(occlude), parser.isSet(circuit),
        parser.value(atlas), parser.isSet(imageMap), parser.isSet(classColours),
        parser.isSet(scanSamples), parser.isSet(attributeUnit), parser.value(invert)};
    request.dream = parser.value(dream);
    request.style = parser.value(style);
    request.attack = parser.value(attack);
    request.shapeBias = parser.value(shapeBias);
    request.degrade = parser.value(degrade);
    request.steps = parser.value(steps).toInt();
    request.pairs = parser.value(pairs).toInt();
    request.sanity = parser.isSet(sanity);
    request.objectBox = parser.value(objectBox);
    request.concept = parser.isSet(concept) ? parser.value(concept).toInt() : -1;
    request.dissect = parser.value(dissect);
    request.dissectUnit = parser.isSet(dissectUnit) ? parser.value(dissectUnit).toInt() : -1;
    request.explain = parser.value(explain);
    request.curves = parser.value(curves);
    request.orientationColour = parser.isSet(orientationColour);
    request.trace = parser.value(trace).toInt();
    request.curvesMeasure = parser.isSet(curvesMeasure);
    request.ablate = parser.value(ablate);
    request.editAccuracy = parser.value(editAccuracy);
    request.editTuning = parser.value(editTuning);
    request.editOcclusion = parser.isSet(editOcclusion);
    request.timeline = parser.value(timeline);
    request.timelineImages = parser.value(timelineImages);
    request.preset = parser.value(preset);
    request.exportFigure = parser.value(exportFigure);
    if (parser.isSet(screenshotTimeout))
        request.timeoutSeconds = std::max(1, parser.value(screenshotTimeout).toInt());
    if (request.scanSamples)
        qputenv("LOUPE_NO_DIALOGS", "1");  // the scan dialog's defaults, unattended
    QString model = parser.positionalArguments().value(0);
    if (loupe::app::looksLikeUnitLink(model)) {
        const auto destination =
            loupe::app::resolveUnitText(model, QString(), loupe::app::Settings().recentModels(),
                QString::fromStdString(loupe::Workspace::defaultDataDirectory()));
        if (!destination.problem.isEmpty()) {
            std::fprintf(stderr, "loupe: %s\n", qPrintable(destination.problem));
            return 2;
        }
        request.unit = model;
        model = destination.modelPath;
    }
    new loupe::app::LaunchScript(&window, request);
    window.show();

    if (model.isEmpty()) {
        const QStringList recent = loupe::app::Settings().recentModels();
        if (!recent.isEmpty() && QFileInfo::exists(recent.first()))
            model = recent.first();
    }
    if (!model.isEmpty())
        window.openModel(model);
    else
        window.openBuiltinModel();  // trains it on the very first launch
    return app.exec();
}
