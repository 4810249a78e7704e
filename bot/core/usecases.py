"""Every use case of the bot, built once by the composition root (``bot.app.wiring``) and handed
to the Slack surface (``handlers``) and the background loops (``bot.app.pollers``)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.accounts import AccountService
from bot.core.activity import ActivityService
from bot.core.agreements import AgreementService
from bot.core.alerts import AlertService
from bot.core.chart_images import ChartImages
from bot.core.corporate_actions import CorporateActionService
from bot.core.digests import DigestService
from bot.core.followup import OrderFollowUp
from bot.core.funds import FundService
from bot.core.holdings import HoldingsService
from bot.core.home import HomeService
from bot.core.linking import LinkService
from bot.core.market import MarketService
from bot.core.news import NewsService
from bot.core.offboarding import Offboarding
from bot.core.offerings import OfferingService
from bot.core.options import OptionService
from bot.core.orders import OrderService
from bot.core.performance import PerformanceService
from bot.core.tasks import BackgroundTasks
from bot.core.team import TeamService
from bot.core.transfers import TransferService
from bot.core.users import LinkedUsers
from bot.core.watchlists import WatchlistService


@dataclass(frozen=True)
class UseCases:
    users: LinkedUsers
    linking: LinkService
    agreements: AgreementService
    accounts: AccountService
    market: MarketService
    orders: OrderService
    funds: FundService
    followup: OrderFollowUp
    alerts: AlertService
    team: TeamService
    digests: DigestService
    home: HomeService
    offboarding: Offboarding
    tasks: BackgroundTasks
    charts: ChartImages
    watchlists: WatchlistService
    options: OptionService
    performance: PerformanceService
    news: NewsService
    corporate_actions: CorporateActionService
    activity: ActivityService
    holdings: HoldingsService
    offerings: OfferingService
    transfers: TransferService
