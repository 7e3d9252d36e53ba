"""The POS export layout: file kinds, canonical column names and the header aliases accepted.

The demo writes exactly the canonical names; the importers also accept the aliases below (what
Blaze and other POS exports and hand-made spreadsheets call the same column). Headers are compared
after :func:`header_key` (lower-case, letters and digits only), so "Member ID", "member_id" and
"MemberId" are one column.
"""

from __future__ import annotations

KINDS = ("customers", "staff", "products", "transactions", "items")
"""Import order that satisfies references: transactions name customers and staff, items name
transactions and products."""

COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "member_id": ("memberid", "customerid", "id", "membernumber"),
        "first_name": ("firstname", "first", "givenname"),
        "last_name": ("lastname", "last", "surname", "familyname"),
        "phone": ("phonenumber", "primaryphone", "cellphone", "mobile", "cell", "telephone"),
        "email": ("emailaddress", "e-mail"),
        "date_of_birth": ("dob", "birthday", "birthdate", "dateofbirth"),
        "loyalty_points": ("points", "loyaltypoints", "pointsbalance"),
        "member_group": ("group", "membergroup", "customertype"),
        "marketing_source": ("source", "marketingsource", "referralsource", "howdidyouhear"),
        "state": ("province", "region"),
        "zip": ("zipcode", "postalcode", "postcode"),
        "date_joined": ("joined", "membersince", "created", "createddate", "signupdate"),
        "sms_opt_in": ("smsconsent", "textoptin", "smsoptin", "acceptstexts"),
        "email_opt_in": ("emailconsent", "emailoptin", "acceptsemails"),
    },
    "staff": {
        "staff_id": ("employeeid", "id", "budtenderid"),
        "first_name": ("firstname", "first"),
        "last_name": ("lastname", "last", "surname"),
        "role": ("title", "position", "jobtitle"),
        "location": ("store", "shop", "shopname"),
        "active": ("isactive", "enabled"),
    },
    "products": {
        "product_id": ("productid", "id"),
        "sku": ("barcode",),
        "name": ("productname", "product"),
        "brand": ("brandname",),
        "category": ("categoryname", "producttype"),
        "strain_type": ("flowertype", "type", "straintype"),
        "strain": ("strainname",),
        "thc_pct": ("thc", "thcpercent", "thcpct"),
        "cbd_pct": ("cbd", "cbdpercent", "cbdpct"),
        "effects": ("effect",),
        "retail_price": ("price", "unitprice", "retailprice"),
        "cost": ("unitcost", "costprice", "wholesale"),
        "quantity_in_stock": ("quantity", "qty", "stock", "onhand", "quantityonhand"),
        "vendor": ("vendorname", "supplier"),
        "active": ("isactive", "enabled"),
    },
    "transactions": {
        "transaction_id": ("transactionid", "id", "ticketid", "orderid", "transno"),
        "member_id": ("memberid", "customerid", "customer"),
        "occurred_at": ("date", "datetime", "transactiondate", "completedtime", "processedtime"),
        "subtotal": ("subtotal",),
        "discount": ("discounts", "totaldiscount"),
        "tax": ("taxes", "totaltax"),
        "total": ("grandtotal", "totalamount", "amount"),
        "staff_id": ("employeeid", "sellerid", "budtenderid"),
        "staff_name": ("employee", "employeename", "seller", "budtender", "sellername"),
        "location": ("store", "shop", "shopname"),
        "payment_type": ("paymenttype", "paymentmethod", "paymentoption", "tender"),
    },
    "items": {
        "line_id": ("lineid", "itemid", "id", "orderitemid"),
        "transaction_id": ("transactionid", "ticketid", "orderid"),
        "product_id": ("productid",),
        "product_name": ("productname", "name", "product"),
        "brand": ("brandname",),
        "category": ("categoryname",),
        "quantity": ("qty", "quantity"),
        "unit_price": ("unitprice", "price"),
        "total_price": ("totalprice", "linetotal", "total", "finalprice"),
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("member_id",),
    "staff": ("staff_id",),
    "products": ("product_id", "name"),
    "transactions": ("transaction_id", "occurred_at", "total"),
    "items": ("line_id", "transaction_id"),
}


def header_key(header: str) -> str:
    """Lower-case letters and digits only: the form headers and aliases are compared in."""
    return "".join(c for c in header.lower() if c.isalnum())


def canonical_header(kind: str, header: str) -> str | None:
    """The canonical column a file header stands for, or None if it is not one we read."""
    key = header_key(header)
    for name, aliases in COLUMNS[kind].items():
        if key == header_key(name) or key in {header_key(a) for a in aliases}:
            return name
    return None
