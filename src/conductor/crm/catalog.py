"""The product catalogue as the console lists it: filters, sorting, paging, facets, one product."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from conductor.crm.models import Product
from conductor.errors import NotFound

PRODUCT_SORTS: dict[str, Any] = {
    "name": Product.name,
    "brand": Product.brand,
    "category": Product.category,
    "strain": Product.strain_type,
    "thc": Product.thc_pct,
    "cbd": Product.cbd_pct,
    "price": Product.retail_price,
    "stock": Product.quantity_in_stock,
}
"""Sort keys a caller may ask for, and the column each one orders by."""


@dataclass(frozen=True)
class ProductFilter:
    """What a person narrowed the list to; empty values mean "any"."""

    name: str = ""
    brand: str = ""
    category: str = ""
    strain_type: str = ""
    in_stock: bool = False


@dataclass(frozen=True)
class ProductPage:
    products: list[Product]
    total: int


@dataclass(frozen=True)
class Facets:
    """The values the filters offer, from the catalogue itself."""

    brands: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    strain_types: list[str] = field(default_factory=list)


def _filtered(stmt: Select[Any], filters: ProductFilter) -> Select[Any]:
    p = Product
    if filters.name.strip():
        stmt = stmt.where(
            func.lower(p.name).contains(filters.name.strip().lower(), autoescape=True)
        )
    for column, value in ((p.brand, filters.brand), (p.category, filters.category),
                          (p.strain_type, filters.strain_type)):  # fmt: skip
        if value:
            stmt = stmt.where(column == value)
    if filters.in_stock:
        stmt = stmt.where(p.quantity_in_stock > 0)
    return stmt


def list_products(
    session: Session,
    filters: ProductFilter,
    *,
    sort: str = "name",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> ProductPage:
    """One page of products matching ``filters``, ordered by ``sort`` (a PRODUCT_SORTS key)."""
    column = PRODUCT_SORTS.get(sort, Product.name)
    order = column.desc().nulls_last() if descending else column.asc().nulls_last()
    stmt = _filtered(select(Product), filters).order_by(order, Product.id)
    total = session.scalar(_filtered(select(func.count(Product.id)), filters)) or 0
    products = list(session.scalars(stmt.limit(limit).offset(offset)))
    return ProductPage(products, int(total))


def product_facets(session: Session) -> Facets:
    def values(column: Any) -> list[str]:
        stmt = select(column).distinct().where(column.is_not(None)).order_by(column)
        return [v for v in session.scalars(stmt) if v]

    return Facets(values(Product.brand), values(Product.category), values(Product.strain_type))


def get_product(session: Session, product_id: int) -> Product:
    """A product by database id; NotFound otherwise."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"no product {product_id}")
    return product
