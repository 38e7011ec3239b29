"""WRES monitor: the Workforce Race Equality Standard for NHS trusts, with a maternity focus.

The library is Prefect-free: plain functions from inbox to publication. ``flows/`` orchestrates.
"""

__version__ = "0.1.0"
