import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
    import django

    django.setup()
    here = Path(__file__).resolve().parent
    names = args.names or sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n== bench.{name} ({'smoke' if args.smoke else 'full'} size)", flush=True)
        started = time.perf_counter()
        module.main(smoke=args.smoke)
        print(f"   ({time.perf_counter() - started:.1f}s in all)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
