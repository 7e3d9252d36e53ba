"""Synthetic, realistic demo data at the original system's scale (10,047 customers and 186,394
transactions at scale 1), deterministic for a seed, with the dirt real POS data has.

:class:`DemoData` produces plain dict rows per table; :func:`seed_database` writes them into
the CRM tables and :func:`export_csv` writes them as a POS export the CSV importer reads.
"""

from conductor.demo.dataset import Batch, DemoData
from conductor.demo.export import export_csv
from conductor.demo.seed import seed_database
from conductor.demo.spec import DemoSpec, ProgressFn, today_in

__all__ = [
    "Batch",
    "DemoData",
    "DemoSpec",
    "ProgressFn",
    "export_csv",
    "seed_database",
    "today_in",
]
