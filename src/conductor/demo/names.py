"""Word lists the demo draws from: people's names, strains, brands, places.

Every brand, person and shop here is invented. Strain names are the generic names the trade uses.
Phone numbers use the 555 exchange and e-mail addresses the reserved ``example`` domains, so a
demo database can never text or mail a real person.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _listed(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


FIRST_NAMES = _words(
    "James Michael Robert John David William Richard Joseph Thomas Christopher Daniel Matthew "
    "Anthony Mark Steven Andrew Joshua Kevin Brian Ryan Jacob Nicholas Eric Jonathan Justin "
    "Brandon Tyler Aaron Adam Nathan Kyle Sean Jordan Austin Dylan Ethan Noah Logan Mason Lucas "
    "Jose Luis Carlos Juan Miguel Jorge Alejandro Diego Javier Ricardo Fernando Eduardo Oscar "
    "Mario Sergio Andres Raul Hector Arturo Marco Angel Cesar Ruben Victor Manuel Julio "
    "Wei Jun Hao Ming Kenji Hiroshi Min-jun Ji-ho Tuan Minh Arman Aram Davit Tigran Raj Arjun "
    "Omar Ali Hassan Tariq Malik Jamal Darnell Andre Marcus Terrence DeShawn Isaiah Elijah "
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty "
    "Ashley Emily Michelle Amanda Melissa Stephanie Rebecca Laura Nicole Samantha Rachel Megan "
    "Hannah Olivia Emma Ava Chloe Madison Abigail Taylor Alexis Brittany Kayla Lauren Amber "
    "Maria Guadalupe Sofia Valentina Camila Isabella Daniela Gabriela Mariana Ximena Lucia "
    "Andrea Alejandra Veronica Adriana Leticia Rosa Yesenia Araceli Marisol Paola Carmen "
    "Mei Ling Yuki Sakura Ji-woo Seo-yeon Linh Thao Anahit Lilit Nare Priya Ananya Aisha "
    "Fatima Layla Zara Imani Keisha Tamika Aaliyah Jasmine Destiny Monique Ebony Tiana Nia"
)

ACCENTED_FIRST = ("José", "Sofía", "Raúl", "Andrés", "Jesús", "Inés", "Ramón", "Verónica", "Zoë")

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright "
    "Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker "
    "Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Cox Ward Richardson Watson Brooks Wood James Bennett Gray Hughes Price Sanders "
    "Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson "
    "Barnes Fisher Vasquez Simmons Graham Marshall Owens Harrison Gibson Wallace Hayes Bryant "
    "Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores "
    "Rivera Gomez Diaz Cruz Reyes Morales Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza "
    "Castillo Jimenez Moreno Romero Herrera Medina Aguilar Vargas Castro Guzman Fernandez Salazar "
    "Soto Delgado Pena Rios Contreras Sandoval Estrada Navarro Cervantes Ochoa Zamora Velasquez "
    "Nguyen Tran Le Pham Huynh Vo Kim Lee Park Choi Chung Kang Cho Yoon Chen Wang Li Zhang Liu "
    "Huang Wu Lin Zhou Yang Tanaka Yamamoto Nakamura Suzuki Sato Watanabe Kobayashi Patel Shah "
    "Singh Kumar Sharma Gupta Khan Ahmed Hassan Petrosyan Sargsyan Hakobyan Grigoryan Avetisyan "
    "Karapetyan Harutyunyan Mkrtchyan Cohen Levy Friedman Goldberg Katz Shapiro Rosen Klein "
    "O'Brien O'Connor McCarthy Kennedy Murray Quinn Walsh Byrne Doyle Gallagher Nolan"
)

ACCENTED_LAST = ("Peña", "Muñoz", "Ibáñez", "Núñez", "Gómez", "Pérez", "Martínez", "Nguyễn")

AREA_CODES = _words(
    "213 310 323 424 562 626 657 661 714 747 760 805 818 909 949 951 858 619 442 840"
)

ZIP_CODES = _words(
    "90004 90006 90012 90015 90019 90026 90027 90028 90029 90036 90038 90039 90046 90048 "
    "90057 90064 90065 90066 90031 90032 90041 90042 90230 90232 90245 90250 90254 "
    "90266 90291 90292 90301 90401 90403 90405 90501 90731 90802 90803 90804 90805 90806 "
    "90807 90808 90810 90813 90814 90815 91101 91103 91201 91205 91301 91335 91342 91344 "
    "91356 91367 91401 91405 91423 91505 91601 91602 91604 91606"
)

EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

MEMBER_GROUPS = (("Recreational", 70), ("Medical", 12), ("Veteran", 6), ("Senior", 5))
MEMBER_GROUPS_RARE = (("Industry", 4), ("VIP", 3))

MARKETING_SOURCES = (
    ("Walk-in", 30),
    ("Google", 18),
    ("Weedmaps", 14),
    ("Friend referral", 12),
    ("Instagram", 9),
    ("Leafly", 6),
    ("Yelp", 4),
    ("Billboard", 2),
)

SMS_SOURCES = ("in-store tablet", "POS signup", "web form", "keyword JOIN")
EMAIL_SOURCES = ("in-store tablet", "web form", "POS signup")

PAYMENT_TYPES = (("Cash", 52), ("Debit", 33), ("Cashless ATM", 8), ("Credit", 5))
PAYMENT_TYPES_RARE = (("Store Credit", 2),)

LOCATIONS = (
    ("MOTA Melrose", "CA", "0.2575"),
    ("MOTA Long Beach", "CA", "0.2525"),
)
"""Shop name, state, and the combined cannabis excise + sales tax rate charged there."""

HOUSE_BRAND = "MOTA"

BRANDS = _listed(
    "Golden Coast Cannabis, Pacific Roots, Sunset Farms, Canyon Kind, High Desert Growers, "
    "Emerald Bay, Malibu Haze, Sierra Gold, Coastal Cure, Redwood Remedies, Venice Leaf, "
    "Topanga Trees, Humboldt Hollow, Mendo Mist, Silver Lake Labs, Echo Park Extracts, "
    "Blue Heron, Tidewater, Sol Collective, Luna Botanicals, Firefly Farms, Nectar Lab, "
    "Kushie Kitchen, Half Moon Edibles, Wild Poppy, Dune Extracts, Purple Palm, Big Sur Buds, "
    "Orchard House, Copper Canyon, Velvet Vapors, Stone Fruit Co, Lotus Leaf, Cloud Nine Glass, "
    "Roll Up Supply, Solstice Gardens, Arroyo Organics, Night Owl, Harbor Light"
)
"""Invented brands; with the house brand MOTA that makes 40."""

STRAINS: dict[str, tuple[str, ...]] = {
    "Indica": (
        "Granddaddy Purple",
        "Northern Lights",
        "Bubba Kush",
        "Purple Punch",
        "Ice Cream Cake",
        "Hindu Kush",
        "Grape Ape",
        "Do-Si-Dos",
        "Mendo Breath",
        "Afghan Kush",
        "Skywalker OG",
        "Purple Urkle",
    ),
    "Sativa": (
        "Sour Diesel",
        "Green Crack",
        "Jack Herer",
        "Durban Poison",
        "Super Lemon Haze",
        "Tangie",
        "Strawberry Cough",
        "Super Silver Haze",
        "Maui Wowie",
        "Ghost Train Haze",
        "Lemon Tree",
        "Clementine",
    ),
    "Hybrid": (
        "Blue Dream",
        "OG Kush",
        "Gelato",
        "Wedding Cake",
        "Runtz",
        "Zkittlez",
        "Sherbet",
        "Gorilla Glue",
        "Pineapple Express",
        "White Widow",
        "Biscotti",
        "Mimosa",
        "Apple Fritter",
        "Cereal Milk",
    ),
    "CBD": ("Harlequin", "ACDC", "Cannatonic", "Ringo's Gift", "Sour Tsunami", "Pennywise"),
}

EFFECTS: dict[str, tuple[str, ...]] = {
    "Indica": ("relaxed", "sleepy", "happy", "hungry", "calm", "body high"),
    "Sativa": ("energetic", "uplifted", "creative", "focused", "happy", "talkative"),
    "Hybrid": ("happy", "relaxed", "euphoric", "uplifted", "creative", "giggly"),
    "CBD": ("calm", "clear-headed", "focused", "relief", "relaxed"),
}

FLAVOURS = _listed(
    "Watermelon, Sour Apple, Blue Raspberry, Mango, Peach, Cherry, Lemonade, Strawberry, "
    "Pineapple, Tropical, Grape, Passion Fruit, Dark Chocolate, Milk Chocolate, Mint, "
    "Salted Caramel, Cookies and Cream, Honey, Cold Brew, Ginger"
)

ACCESSORIES = _listed(
    "Glass Spoon Pipe, Rolling Papers, Hemp Wraps, Grinder 4-piece, Grinder 2-piece, Lighter, "
    "Rolling Tray, Silicone Jar, Battery 510, Dab Tool, Stash Box, Glass Bubbler, Cone 6-pack, "
    "Filter Tips, Smell-proof Bag, Torch Lighter, Carb Cap, Quartz Banger, Ash Tray, Hat"
)

STAFF_ROLES = (("Budtender", 22), ("Shift Lead", 4), ("Manager", 2), ("Inventory", 2))
