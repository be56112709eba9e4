"""Developer tools: the demo, the test suite, benchmarks, dashboards and screenshots.

A package run from the repository root: ``python3 tools/dev.py run|test|bench``
(the README's commands), or ``python3 -m tools.<module>``. Shared code lives in
``tools/common.py``, one module per benchmark in ``tools/bench/``, and the demo
and benchmark data generator is the development add-on ``tools/addons/crm_demo_data``.
"""
