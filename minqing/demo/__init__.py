"""The demo county: a deterministic, fictional county (or province) of households and staff.

`python -m minqing demo` loads it; see `minqing.demo.generator`.
"""
