"""Importers: one folder per source (csv/ now, blaze/ next), mapped into the domain services."""
