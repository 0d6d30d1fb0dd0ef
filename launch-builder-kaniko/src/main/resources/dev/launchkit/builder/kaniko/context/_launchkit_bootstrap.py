"""Installs pinned requirements inside a LaunchKit-generated image build.

Usage: python _launchkit_bootstrap.py requirements.frozen.txt

A frozen list often holds pins that cannot be installed on the build platform (a package built only for the
author's OS, a local wheel). Rather than failing the whole build, this script installs everything it can: it first
tries the whole list, and when that fails it installs the pins one at a time and skips those that fail. PyTorch
packages with a local version such as 2.3.0+cu121 come from download.pytorch.org for that CUDA variant.

At the end, failed pins are reported on stderr as
    ERROR: Failed to install: a,b. During automated build process.
which the agent turns into a warning on the queue item (the same marker as the W&B agent's bootstrap).
"""
import re
import subprocess
import sys

TORCH_PACKAGES = {"torch", "torchvision", "torchaudio", "torchtext"}
TORCH_INDEX = "https://download.pytorch.org/whl/"


def read_pins(path):
    pins = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                pins.append(line)
    return pins


def name_of(pin):
    return re.split(r"[\s\[<>=!~;@]", pin, maxsplit=1)[0].lower().replace("_", "-")


def torch_variant(pins):
    for pin in pins:
        if name_of(pin) in TORCH_PACKAGES and "+" in pin:
            return pin.rsplit("+", 1)[1].strip()
    return None


def uv_install(pins, extra=()):
    if not pins:
        return True
    cmd = ["uv", "pip", "install", "--no-cache", "--no-deps", *extra, *pins]
    return subprocess.call(cmd) == 0


def main(argv):
    pins = read_pins(argv[1] if len(argv) > 1 else "requirements.frozen.txt")
    torch = [p for p in pins if name_of(p) in TORCH_PACKAGES]
    others = [p for p in pins if name_of(p) not in TORCH_PACKAGES]
    failed = []

    if not uv_install(others):
        for pin in others:
            if not uv_install([pin]):
                failed.append(name_of(pin))

    if torch:
        variant = torch_variant(torch) or "cpu"
        index = ("--extra-index-url", TORCH_INDEX + variant, "--index-strategy", "unsafe-best-match")
        if not uv_install(torch, index):
            for pin in torch:
                if not uv_install([pin], index):
                    failed.append(name_of(pin))

    if failed:
        print("ERROR: Failed to install: " + ",".join(failed) + ". During automated build process.",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
