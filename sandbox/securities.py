"""The securities the sandbox lists: real US tickers with plausible reference prices.

Ids are fixed (1, 2, 3... in table order) so tests and demos can rely on them: AAPL is 1,
MSFT 2, TSLA 3, NVDA 4, AMZN 5, GOOGL 6, META 7, SPY 8. The mutual funds (VFIAX, VTSAX, VBTLX,
FXAIX) come last.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Security:
    """One tradable equity or ETF."""

    id: int
    symbol: str
    name: str
    exchange: str
    type: str  # EquityResource.Type enum value: CommonStock, ETF or MutualFund
    industry: str
    reference_price: float
    #: Typical daily volume, used to simulate the volume figure.
    daily_volume: int
    #: Shares one unit stands for: 1 for a share, 100 for an option contract.
    contract_size: float = 1.0


_TABLE: tuple[tuple[str, str, str, str, str, float, int], ...] = (
    ("AAPL", "Apple Inc.", "NASDAQ", "CommonStock", "Technology", 229.50, 52_000_000),
    ("MSFT", "Microsoft Corporation", "NASDAQ", "CommonStock", "Technology", 428.10, 21_000_000),
    ("TSLA", "Tesla, Inc.", "NASDAQ", "CommonStock", "Automotive", 251.30, 95_000_000),
    ("NVDA", "NVIDIA Corporation", "NASDAQ", "CommonStock", "Semiconductors", 131.40, 240_000_000),
    ("AMZN", "Amazon.com, Inc.", "NASDAQ", "CommonStock", "Retail", 186.20, 41_000_000),
    ("GOOGL", "Alphabet Inc. Class A", "NASDAQ", "CommonStock", "Technology", 165.80, 27_000_000),
    ("META", "Meta Platforms, Inc.", "NASDAQ", "CommonStock", "Technology", 567.40, 12_000_000),
    ("SPY", "SPDR S&P 500 ETF Trust", "NYSE ARCA", "ETF", "Index Fund", 571.20, 45_000_000),
    ("QQQ", "Invesco QQQ Trust", "NASDAQ", "ETF", "Index Fund", 488.50, 33_000_000),
    ("IWM", "iShares Russell 2000 ETF", "NYSE ARCA", "ETF", "Index Fund", 218.70, 30_000_000),
    ("DIA", "SPDR Dow Jones Industrial Average ETF", "NYSE ARCA", "ETF", "Index Fund", 421.60, 3_000_000),
    ("GOOG", "Alphabet Inc. Class C", "NASDAQ", "CommonStock", "Technology", 167.20, 20_000_000),
    ("BRK.B", "Berkshire Hathaway Inc. Class B", "NYSE", "CommonStock", "Financials", 459.30, 3_500_000),
    ("JPM", "JPMorgan Chase & Co.", "NYSE", "CommonStock", "Banking", 222.40, 9_000_000),
    ("V", "Visa Inc.", "NYSE", "CommonStock", "Financials", 284.90, 6_500_000),
    ("MA", "Mastercard Incorporated", "NYSE", "CommonStock", "Financials", 497.10, 2_800_000),
    ("UNH", "UnitedHealth Group Incorporated", "NYSE", "CommonStock", "Healthcare", 585.20, 3_200_000),
    ("JNJ", "Johnson & Johnson", "NYSE", "CommonStock", "Healthcare", 161.80, 7_000_000),
    ("XOM", "Exxon Mobil Corporation", "NYSE", "CommonStock", "Energy", 119.70, 15_000_000),
    ("CVX", "Chevron Corporation", "NYSE", "CommonStock", "Energy", 150.30, 7_500_000),
    ("WMT", "Walmart Inc.", "NYSE", "CommonStock", "Retail", 81.90, 14_000_000),
    ("PG", "The Procter & Gamble Company", "NYSE", "CommonStock", "Consumer Staples", 170.40, 6_500_000),
    ("HD", "The Home Depot, Inc.", "NYSE", "CommonStock", "Retail", 405.60, 3_300_000),
    ("KO", "The Coca-Cola Company", "NYSE", "CommonStock", "Beverages", 69.80, 13_000_000),
    ("PEP", "PepsiCo, Inc.", "NASDAQ", "CommonStock", "Beverages", 169.20, 5_500_000),
    ("COST", "Costco Wholesale Corporation", "NASDAQ", "CommonStock", "Retail", 889.40, 1_900_000),
    ("DIS", "The Walt Disney Company", "NYSE", "CommonStock", "Media", 95.10, 9_000_000),
    ("NFLX", "Netflix, Inc.", "NASDAQ", "CommonStock", "Media", 711.30, 3_000_000),
    ("ADBE", "Adobe Inc.", "NASDAQ", "CommonStock", "Software", 503.90, 3_000_000),
    ("CRM", "Salesforce, Inc.", "NYSE", "CommonStock", "Software", 289.70, 5_500_000),
    ("ORCL", "Oracle Corporation", "NYSE", "CommonStock", "Software", 171.50, 8_000_000),
    ("INTC", "Intel Corporation", "NASDAQ", "CommonStock", "Semiconductors", 22.90, 55_000_000),
    ("AMD", "Advanced Micro Devices, Inc.", "NASDAQ", "CommonStock", "Semiconductors", 159.80, 38_000_000),
    ("AVGO", "Broadcom Inc.", "NASDAQ", "CommonStock", "Semiconductors", 172.60, 24_000_000),
    ("QCOM", "QUALCOMM Incorporated", "NASDAQ", "CommonStock", "Semiconductors", 168.40, 8_000_000),
    ("CSCO", "Cisco Systems, Inc.", "NASDAQ", "CommonStock", "Networking", 53.70, 18_000_000),
    (
        "IBM",
        "International Business Machines Corporation",
        "NYSE",
        "CommonStock",
        "Technology",
        231.20,
        4_500_000,
    ),
    ("BA", "The Boeing Company", "NYSE", "CommonStock", "Aerospace", 155.60, 8_500_000),
    ("CAT", "Caterpillar Inc.", "NYSE", "CommonStock", "Machinery", 391.80, 2_700_000),
    ("GE", "GE Aerospace", "NYSE", "CommonStock", "Aerospace", 188.40, 5_500_000),
    ("F", "Ford Motor Company", "NYSE", "CommonStock", "Automotive", 10.70, 50_000_000),
    ("GM", "General Motors Company", "NYSE", "CommonStock", "Automotive", 48.90, 12_000_000),
    ("T", "AT&T Inc.", "NYSE", "CommonStock", "Telecommunications", 22.10, 35_000_000),
    ("VZ", "Verizon Communications Inc.", "NYSE", "CommonStock", "Telecommunications", 44.60, 17_000_000),
    ("PFE", "Pfizer Inc.", "NYSE", "CommonStock", "Pharmaceuticals", 28.90, 38_000_000),
    ("MRK", "Merck & Co., Inc.", "NYSE", "CommonStock", "Pharmaceuticals", 112.30, 8_500_000),
    ("ABBV", "AbbVie Inc.", "NYSE", "CommonStock", "Pharmaceuticals", 196.70, 5_500_000),
    ("LLY", "Eli Lilly and Company", "NYSE", "CommonStock", "Pharmaceuticals", 902.10, 3_000_000),
    ("BAC", "Bank of America Corporation", "NYSE", "CommonStock", "Banking", 41.80, 38_000_000),
    ("WFC", "Wells Fargo & Company", "NYSE", "CommonStock", "Banking", 59.40, 17_000_000),
    ("GS", "The Goldman Sachs Group, Inc.", "NYSE", "CommonStock", "Financials", 512.80, 2_200_000),
    ("MS", "Morgan Stanley", "NYSE", "CommonStock", "Financials", 106.40, 7_000_000),
    ("NKE", "NIKE, Inc.", "NYSE", "CommonStock", "Apparel", 82.30, 11_000_000),
    ("MCD", "McDonald's Corporation", "NYSE", "CommonStock", "Restaurants", 301.20, 3_300_000),
    ("SBUX", "Starbucks Corporation", "NASDAQ", "CommonStock", "Restaurants", 98.10, 9_000_000),
    ("UBER", "Uber Technologies, Inc.", "NYSE", "CommonStock", "Transportation", 75.90, 18_000_000),
    ("ABNB", "Airbnb, Inc.", "NASDAQ", "CommonStock", "Travel", 133.50, 5_000_000),
    ("PYPL", "PayPal Holdings, Inc.", "NASDAQ", "CommonStock", "Financials", 79.80, 14_000_000),
    ("SHOP", "Shopify Inc.", "NYSE", "CommonStock", "Software", 79.40, 9_000_000),
    ("PLTR", "Palantir Technologies Inc.", "NYSE", "CommonStock", "Software", 41.20, 60_000_000),
    ("COIN", "Coinbase Global, Inc.", "NASDAQ", "CommonStock", "Financials", 198.60, 8_000_000),
    ("AMC", "AMC Entertainment Holdings, Inc.", "NYSE", "CommonStock", "Media", 4.60, 20_000_000),
    ("GME", "GameStop Corp.", "NYSE", "CommonStock", "Retail", 21.40, 9_000_000),
    # Mutual funds: priced once a day at their net asset value; orders fill at the next close.
    ("VFIAX", "Vanguard 500 Index Fund Admiral Shares", "MUTUALFUND", "MutualFund", "Index Fund", 525.40, 0),
    (
        "VTSAX",
        "Vanguard Total Stock Market Index Fund Admiral Shares",
        "MUTUALFUND",
        "MutualFund",
        "Index Fund",
        136.20,
        0,
    ),
    ("VBTLX", "Vanguard Total Bond Market Index Fund Admiral Shares", "MUTUALFUND", "MutualFund", "Bond Fund", 9.71, 0),
    ("FXAIX", "Fidelity 500 Index Fund", "MUTUALFUND", "MutualFund", "Index Fund", 199.80, 0),
)


def default_securities() -> tuple[Security, ...]:
    """The fixed listing, ids assigned in table order starting at 1."""
    return tuple(
        Security(index, symbol, name, exchange, kind, industry, price, volume)
        for index, (symbol, name, exchange, kind, industry, price, volume) in enumerate(_TABLE, start=1)
    )
