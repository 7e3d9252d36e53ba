"""Rollups: sales and messages per quarter hour, customers per tier, kept by the database."""
