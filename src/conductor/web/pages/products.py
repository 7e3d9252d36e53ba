"""Products and stock: a filtered, sortable, paged list, and one product's details."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from conductor.crm import catalog
from conductor.web.deps import DbSession, PageUser
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = 50
Text = Annotated[str, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")]
Sort = Literal["name", "brand", "category", "strain", "thc", "cbd", "price", "stock"]


class ProductQuery:
    """The list's query string: filters, sort and page, read once and written back into links."""

    def __init__(
        self,
        name: Text = "",
        brand: Text = "",
        category: Text = "",
        strain: Text = "",
        in_stock: bool = False,
        sort: Sort = "name",
        dir: Literal["asc", "desc"] = "asc",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    ) -> None:
        self.filters = catalog.ProductFilter(name, brand, category, strain, in_stock)
        self.sort, self.dir, self.page = sort, dir, page

    def link(self, **changes: Any) -> str:
        """The query string with ``changes`` applied (a new sort or filter starts at page 1)."""
        f = self.filters
        params: dict[str, Any] = {
            "name": f.name, "brand": f.brand, "category": f.category, "strain": f.strain_type,
            "in_stock": "true" if f.in_stock else "", "sort": self.sort, "dir": self.dir,
            "page": self.page,
        }  # fmt: skip
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})


Listing = Annotated[ProductQuery, Depends()]


def _table(db: DbSession, query: ProductQuery) -> dict[str, Any]:
    found = catalog.list_products(
        db, query.filters, sort=query.sort, descending=query.dir == "desc",
        limit=PAGE, offset=(query.page - 1) * PAGE,
    )  # fmt: skip
    pages = max(1, -(-found.total // PAGE))
    return {"found": found, "query": query, "pages": pages, "first": (query.page - 1) * PAGE + 1}


@router.get("/products")
def products_page(request: Request, user: PageUser, db: DbSession, query: Listing) -> Response:
    context = {"user": user, "nav": "products", "facets": catalog.product_facets(db)}
    return render(request, "products/index.html", context | _table(db, query))


@router.get("/products/table")
def products_table(request: Request, user: PageUser, db: DbSession, query: Listing) -> Response:
    response = render(request, "products/_table.html", _table(db, query))
    response.headers["HX-Push-Url"] = f"/products?{query.link()}".rstrip("?")
    return response


@router.get("/products/{product_id}/details")
def product_details(
    request: Request,
    user: PageUser,
    db: DbSession,
    product_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    product = catalog.get_product(db, product_id)
    return render(request, "products/_details.html", {"p": product})
