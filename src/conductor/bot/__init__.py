"""The bot: answers customers' texts from their own CRM context, compliance keywords first."""
