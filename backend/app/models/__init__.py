"""All tables, imported so that `Base.metadata` knows every one of them."""

from backend.app.models.amendment import AmendmentSignature
from backend.app.models.base import Base
from backend.app.models.chain import (
    ChainBlock,
    ChainContractOwner,
    ChainCredit,
    ChainCreditBalance,
    ChainDispute,
    ChainEscrowFees,
    ChainEscrowSettings,
    ChainEvent,
    ChainFunding,
    ChainJob,
    ChainMilestone,
    ChainRating,
    ChainReputation,
    ChainReputationEscrow,
    ChainReputationJob,
    ChainReputationPair,
    ChainReputationVolume,
    ChainSettlement,
    ChainWithdrawal,
    IndexerCheckpoint,
)
from backend.app.models.consent_salt import ConsentSalt
from backend.app.models.idempotency import IdempotencyKey
from backend.app.models.job_post import JobPost, JobPostSkill
from backend.app.models.message import Attachment, Message, Thread, ThreadRead
from backend.app.models.moderation import ModerationAction, Report
from backend.app.models.notification import Notification
from backend.app.models.profile import Category, Profile, ProfileSkill
from backend.app.models.proposal import OfferOrder, OfferOrderSkill, OfferSkill, OfferTier, Proposal, ServiceOffer
from backend.app.models.rate_limit import RateLimitHit
from backend.app.models.search import SearchDocument
from backend.app.models.settlement import SettlementSignature
from backend.app.models.user import AuthNonce, AuthSession, User

__all__ = [
    "RateLimitHit",
    "AmendmentSignature",
    "Attachment",
    "AuthNonce",
    "AuthSession",
    "Base",
    "ChainBlock",
    "ChainEvent",
    "ChainJob",
    "ChainWithdrawal",
    "ChainSettlement",
    "ChainReputationVolume",
    "ChainReputationJob",
    "ChainReputationPair",
    "ChainReputationEscrow",
    "ChainReputation",
    "ChainRating",
    "ChainFunding",
    "ChainEscrowSettings",
    "ChainEscrowFees",
    "ChainDispute",
    "ChainCreditBalance",
    "ChainCredit",
    "ChainContractOwner",
    "Category",
    "ConsentSalt",
    "ChainMilestone",
    "Profile",
    "ProfileSkill",
    "Proposal",
    "Report",
    "SearchDocument",
    "ServiceOffer",
    "SettlementSignature",
    "Thread",
    "ThreadRead",
    "IdempotencyKey",
    "IndexerCheckpoint",
    "JobPost",
    "JobPostSkill",
    "Message",
    "ModerationAction",
    "Notification",
    "OfferOrder",
    "OfferOrderSkill",
    "OfferSkill",
    "OfferTier",
    "User",
]
