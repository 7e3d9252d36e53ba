"""The CRM: customers, transactions, items, products, staff, and analytics derived from them."""
