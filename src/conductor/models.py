"""Every domain's tables, imported in one place so that ``Base.metadata`` knows them all
(Alembic's autogenerate, the test database reset)."""

from conductor.accounts.models import ApiToken, AuditEntry, User
from conductor.budtenders.models import Budtender, Dispensary
from conductor.crm.models import (
    Customer,
    CustomerMerge,
    Product,
    Staff,
    Transaction,
    TransactionItem,
)
from conductor.loyalty.models import PointsEntry, Receipt, ReceiptImage, ReceiptItem
from conductor.messaging.models import (
    ConsentEvent,
    ConsentState,
    GatewayState,
    InboundFragment,
    Message,
    MessagePart,
)
from conductor.rollup.models import MessageSlot, SalesSlot, TierCounts
from conductor.store.base import Base

__all__ = [
    "ApiToken", "AuditEntry", "Base", "Budtender", "ConsentEvent", "ConsentState", "Customer",
    "CustomerMerge", "Dispensary", "GatewayState", "InboundFragment", "Message", "MessagePart",
    "MessageSlot", "PointsEntry", "Product", "Receipt", "ReceiptImage", "ReceiptItem", "SalesSlot",
    "Staff", "TierCounts", "Transaction", "TransactionItem", "User",
]  # fmt: skip
