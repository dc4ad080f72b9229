"""Benchmarks: ``python -m bench [--smoke] [NAME ...]``. Each module ``bench/<name>.py`` has
``main(smoke: bool) -> None`` and prints its figures with a ratio against a baseline measured
in the same run. Run them on PostgreSQL (``DATABASE_URL=postgres://…``)."""
