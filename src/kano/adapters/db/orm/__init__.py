"""ORM tables of the app database, one module per layer or context."""

from kano.adapters.db.orm.base import Base, utcnow
from kano.adapters.db.orm.case_rules import CaseRouteRow, CaseRuleRow
from kano.adapters.db.orm.cases import CaseEventRow, CaseRow
from kano.adapters.db.orm.customer_facts import CustomerFactsRow, CustomerFactsRunRow
from kano.adapters.db.orm.customers import Customer, Segment, SegmentMembership
from kano.adapters.db.orm.feedback import FeedbackResponse, Survey
from kano.adapters.db.orm.feedback_settings import WorkspaceFeedbackSettingsRow
from kano.adapters.db.orm.invitations import InvitationRow
from kano.adapters.db.orm.journey_maps import (
    JourneyRow,
    JourneyStageOrderRow,
    PainPointLinkRow,
    TouchpointMeasureRow,
)
from kano.adapters.db.orm.journeys import JourneyStage, Touchpoint
from kano.adapters.db.orm.link_tests import LinkTestRow
from kano.adapters.db.orm.mbo import MboObjectiveRow, MboSheetRow
from kano.adapters.db.orm.metrics import (
    ComputedValueRow,
    ComputeRunRow,
    CustomMetricRow,
    ScheduledJobRow,
)
from kano.adapters.db.orm.okr import CheckInRow, KeyResultRow, OkrCycleRow, OkrObjectiveRow
from kano.adapters.db.orm.operations import ProcessEvent
from kano.adapters.db.orm.outbox import IdempotencyKeyRow, OutboxMessageRow, WebhookEndpointRow
from kano.adapters.db.orm.people import Employee, PulseResponse, Team
from kano.adapters.db.orm.pilots import PilotRow
from kano.adapters.db.orm.products import ProductRow
from kano.adapters.db.orm.quotas import SurveyQuotaRow
from kano.adapters.db.orm.rate_limits import RateLimitHitRow
from kano.adapters.db.orm.requirements import SpecialRequirementRow
from kano.adapters.db.orm.sentiment_models import SentimentModelRow
from kano.adapters.db.orm.strategy import (
    CauseEffectLinkRow,
    InitiativeObjectiveRow,
    InitiativeRow,
    MeasureRow,
    MeasureValueRow,
    ObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
)
from kano.adapters.db.orm.surveys import ResponseAnswerRow, SurveyDefinitionRow
from kano.adapters.db.orm.transactions import Payment, Transaction
from kano.adapters.db.orm.workspaces import (
    ApiToken,
    AuditEntry,
    Membership,
    User,
    WebSession,
    Workspace,
)

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "CaseEventRow",
    "CaseRouteRow",
    "CaseRow",
    "CaseRuleRow",
    "CauseEffectLinkRow",
    "CheckInRow",
    "ComputeRunRow",
    "ComputedValueRow",
    "CustomMetricRow",
    "Customer",
    "CustomerFactsRow",
    "CustomerFactsRunRow",
    "Employee",
    "FeedbackResponse",
    "IdempotencyKeyRow",
    "InitiativeObjectiveRow",
    "InitiativeRow",
    "InvitationRow",
    "JourneyRow",
    "JourneyStage",
    "JourneyStageOrderRow",
    "KeyResultRow",
    "LinkTestRow",
    "MboObjectiveRow",
    "MboSheetRow",
    "MeasureRow",
    "MeasureValueRow",
    "Membership",
    "ObjectiveRow",
    "OkrCycleRow",
    "OkrObjectiveRow",
    "OutboxMessageRow",
    "PainPointLinkRow",
    "Payment",
    "PerspectiveRow",
    "PilotRow",
    "ProcessEvent",
    "ProductRow",
    "PulseResponse",
    "RateLimitHitRow",
    "ResponseAnswerRow",
    "ScheduledJobRow",
    "ScorecardRow",
    "Segment",
    "SegmentMembership",
    "SentimentModelRow",
    "SpecialRequirementRow",
    "Survey",
    "SurveyDefinitionRow",
    "SurveyQuotaRow",
    "Team",
    "Touchpoint",
    "TouchpointMeasureRow",
    "Transaction",
    "User",
    "WebSession",
    "WebhookEndpointRow",
    "Workspace",
    "WorkspaceFeedbackSettingsRow",
    "utcnow",
]
