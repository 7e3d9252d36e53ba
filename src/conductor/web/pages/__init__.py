"""HTML pages, one module per noun."""
