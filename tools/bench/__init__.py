"""One module per benchmark: ``python3 tools/dev.py bench NAME [options]`` runs
``python3 -m tools.bench.NAME``. Figures and commands: docs/BENCHMARKS.md."""
