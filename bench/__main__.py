import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path


class _SharedOptions:
    """Collects the size options of every bench module; one option (``--orders``) may be declared
    by several modules with the same meaning, and each module gets only the options it declared."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser.add_argument_group("sizes (each bench takes those it declares; default: its own)")
        self.seen: dict[str, argparse.Action] = {}
        self.dests: dict[str, list[str]] = {}
        self._module = ""

    def for_module(self, name: str) -> "_SharedOptions":
        self._module = name
        self.dests[name] = []
        return self

    def add_argument(self, *flags, **kwargs):
        dest = kwargs.get("dest") or flags[0].lstrip("-").replace("-", "_")
        self.dests[self._module].append(dest)
        if flags[0] not in self.seen:
            kwargs.setdefault("default", None)
            self.seen[flags[0]] = self.parser.add_argument(*flags, **kwargs)
        elif kwargs.get("help"):
            self.seen[flags[0]].help += "; " + kwargs["help"]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
    import django

    django.setup()
    here = Path(__file__).resolve().parent
    available = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))
    modules = {name: importlib.import_module(f"bench.{name}") for name in available}

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all): {', '.join(available)}")
    options = _SharedOptions(parser)
    for name, module in modules.items():
        if hasattr(module, "add_arguments"):
            module.add_arguments(options.for_module(name))
    args = parser.parse_args()

    names = args.names or available
    for name in names:
        module = modules[name]
        sizes = {dest: getattr(args, dest) for dest in options.dests.get(name, []) if getattr(args, dest) is not None}
        label = "smoke" if args.smoke else "full"
        if sizes:
            label += ", " + ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in sizes.items())
        print(f"\n== bench.{name} ({label} size)", flush=True)
        started = time.perf_counter()
        module.main(smoke=args.smoke, **sizes)
        print(f"   ({time.perf_counter() - started:.1f}s in all)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
