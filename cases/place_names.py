"""English names of the markets (ISO 3166-1 alpha-2 codes) and languages (BCP 47 tags) that titles and chips write.

A small table, not a dependency: the markets and languages of the traffic audited here, and their neighbours. A code
missing from it is written as the code itself (`market_name("XK") == "XK"`), which is still correct, only terse.
"""

# code: (name, how a sentence writes it after "in")
_MARKETS: dict[str, tuple[str, str]] = {
    "AE": ("United Arab Emirates", "the UAE"),
    "AR": ("Argentina", "Argentina"),
    "AU": ("Australia", "Australia"),
    "BD": ("Bangladesh", "Bangladesh"),
    "BR": ("Brazil", "Brazil"),
    "CA": ("Canada", "Canada"),
    "CL": ("Chile", "Chile"),
    "CO": ("Colombia", "Colombia"),
    "DE": ("Germany", "Germany"),
    "EG": ("Egypt", "Egypt"),
    "ES": ("Spain", "Spain"),
    "FR": ("France", "France"),
    "GB": ("United Kingdom", "the UK"),
    "ID": ("Indonesia", "Indonesia"),
    "IN": ("India", "India"),
    "IT": ("Italy", "Italy"),
    "JP": ("Japan", "Japan"),
    "KR": ("South Korea", "South Korea"),
    "MX": ("Mexico", "Mexico"),
    "MY": ("Malaysia", "Malaysia"),
    "NG": ("Nigeria", "Nigeria"),
    "NL": ("Netherlands", "the Netherlands"),
    "PE": ("Peru", "Peru"),
    "PH": ("Philippines", "the Philippines"),
    "PK": ("Pakistan", "Pakistan"),
    "PL": ("Poland", "Poland"),
    "SA": ("Saudi Arabia", "Saudi Arabia"),
    "SG": ("Singapore", "Singapore"),
    "TH": ("Thailand", "Thailand"),
    "TR": ("Türkiye", "Türkiye"),
    "TW": ("Taiwan", "Taiwan"),
    "UA": ("Ukraine", "Ukraine"),
    "US": ("United States", "the US"),
    "VN": ("Vietnam", "Vietnam"),
    "ZA": ("South Africa", "South Africa"),
}

_LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "bn": "Bengali",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "ms": "Malay",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "pt-BR": "Brazilian Portuguese",
    "ru": "Russian",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


def market_name(code: str) -> str:
    """`"ID"` -> `"Indonesia"`; an unknown code as it is."""
    known = _MARKETS.get(str(code).upper())
    return known[0] if known else str(code)


def market_in_sentence(code: str) -> str:
    """The market as a sentence writes it after "in": `"the Philippines"`, `"the UK"`, `"Brazil"`, or the code."""
    known = _MARKETS.get(str(code).upper())
    return known[1] if known else str(code)


def language_name(tag: str) -> str | None:
    """`"pt-BR"` -> `"Brazilian Portuguese"`, `"es-MX"` -> `"Spanish"` (its base language); None when unknown."""
    tag = str(tag)
    return _LANGUAGES.get(tag) or _LANGUAGES.get(tag.split("-")[0].lower())
