#!/usr/bin/env python3
"""Export a torchvision (or timm) CNN to TorchScript with Loupe's metadata.

Usage:
    python3 export_model.py googlenet out.pt                 # torchvision name
    python3 export_model.py resnet50 out.pt --trace          # trace instead of script
    python3 export_model.py timm:resnet50 out.pt --size 224

The metadata is stored inside the archive as the extra file ``loupe.json``: class labels,
input size, colour order, value range, mean/std and optional layer aliases. Loupe reads it
with ``torch::jit::load(path, device, extra_files)``; without it Loupe assumes a 224x224
RGB input in [0, 1] with ImageNet mean/std.

LibTorch 1.13 (Debian's) loads archives written by PyTorch 1.13 through 2.x as long as the
model uses operators 1.13 knows (standard CNNs do). Scripting keeps module structure and
names; tracing works for models that script cannot handle. Both keep submodules, which is
what Loupe's layer browser and activation capture rely on.
"""
import argparse
import json

import torch

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def load_model(name):
    if name.startswith("timm:"):
        import timm

        return timm.create_model(name[5:], pretrained=True), None
    import torchvision

    weights = torchvision.models.get_model_weights(name).DEFAULT
    model = torchvision.models.get_model(name, weights=weights)
    labels = weights.meta.get("categories")
    return model, labels


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="torchvision model name, or timm:<name>")
    parser.add_argument("output", help="TorchScript file to write")
    parser.add_argument("--size", type=int, default=224, help="input size (square)")
    parser.add_argument("--trace", action="store_true", help="trace instead of script")
    parser.add_argument("--alias", action="append", default=[], metavar="ALIAS=PATH",
                        help="layer alias, e.g. mixed3b=inception3b (repeatable)")
    args = parser.parse_args()

    model, labels = load_model(args.model)
    model.eval()
    example = torch.zeros(1, 3, args.size, args.size)
    module = torch.jit.trace(model, example) if args.trace else torch.jit.script(model)

    metadata = {
        "name": args.model,
        "source": "exported by packaging/export_model.py",
        "license": "see the model's original licence",
        "labels": labels or [],
        "input": {"size": args.size, "color_order": "RGB", "range": [0, 1],
                  "mean": IMAGENET_MEAN, "std": IMAGENET_STD},
        "layer_aliases": dict(a.split("=", 1) for a in args.alias),
    }
    torch.jit.save(module, args.output, _extra_files={"loupe.json": json.dumps(metadata)})
    print(f"wrote {args.output} ({len(metadata['labels'])} labels)")


if __name__ == "__main__":
    main()
