"""CSV import in the POS export layout (see layout.py)."""
