"""Loyalty (REX): receipt photos -> OCR -> matched house-brand items -> a points ledger."""
