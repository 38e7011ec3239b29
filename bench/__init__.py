"""The national benchmark (issue 6): ``wres run`` against a plain pandas implementation and the DuckDB floor.

Run it with ``python -m bench.national --trusts 220 --staff 6500``; see ``docs/benchmark.md``.
Nothing here is imported by the product.
"""
