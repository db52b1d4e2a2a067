"""Imports every table so that metadata (Alembic, tests) sees the whole schema."""

from ombuds.accounts.models import ApiToken, Brand, Invite, Membership, Role, Team, User
from ombuds.cases.models import Case, Customer, Identity
from ombuds.cases.tasks import Task
from ombuds.enrichment.models import BrandModel, Enrichment, LabeledExample
from ombuds.events import Event
from ombuds.followups.models import FollowUp
from ombuds.inbox.models import SavedView
from ombuds.incidents.models import (
    Alert,
    AlertChannel,
    DetectorJournal,
    DetectorState,
    Incident,
    IncidentCase,
    IncidentMention,
)
from ombuds.mentions.models import Mention, Source
from ombuds.metrics.models import DigestSchedule
from ombuds.metrics.outcome_models import (
    CaseOpenSpan,
    CaseOutcome,
    CaseOutcomeDay,
    MentionVoice,
    MentionVoiceDay,
)
from ombuds.notifications.models import Notification
from ombuds.privacy.models import DailyRollup, ErasureRecord, RetentionPolicy
from ombuds.problems.models import (
    Problem,
    ProblemCase,
    ProblemIncident,
    ProblemNotice,
    ProblemPromise,
    ProblemProposalDismissal,
)
from ombuds.promises.models import Promise, PromiseExample, PromiseMatch
from ombuds.responses.models import Reply, ReplyApprovalPolicy, ReplySink
from ombuds.responses.resolutions.models import CaseResolution, ResolutionOption
from ombuds.responses.wording.models import NewsItem, ReplyTemplate, TalkingPoint, TalkingPointVersion
from ombuds.routing.models import RoutingRule, SlaClock, SlaPolicySetting
from ombuds.sources.models import DeadLetter, SourceState, WebhookDelivery
from ombuds.surveys.models import Survey, SurveySetting

__all__ = [
    "Alert",
    "AlertChannel",
    "ApiToken",
    "Brand",
    "BrandModel",
    "Case",
    "CaseOpenSpan",
    "CaseOutcome",
    "CaseOutcomeDay",
    "CaseResolution",
    "Customer",
    "DailyRollup",
    "DeadLetter",
    "DetectorJournal",
    "DetectorState",
    "DigestSchedule",
    "Enrichment",
    "ErasureRecord",
    "Event",
    "FollowUp",
    "Identity",
    "Incident",
    "IncidentCase",
    "IncidentMention",
    "Invite",
    "LabeledExample",
    "Membership",
    "Mention",
    "MentionVoice",
    "MentionVoiceDay",
    "NewsItem",
    "Notification",
    "Problem",
    "ProblemCase",
    "ProblemIncident",
    "ProblemNotice",
    "ProblemPromise",
    "ProblemProposalDismissal",
    "Promise",
    "PromiseExample",
    "PromiseMatch",
    "Reply",
    "ReplyApprovalPolicy",
    "ReplySink",
    "ReplyTemplate",
    "ResolutionOption",
    "RetentionPolicy",
    "Role",
    "RoutingRule",
    "SavedView",
    "SlaClock",
    "SlaPolicySetting",
    "Source",
    "SourceState",
    "Survey",
    "SurveySetting",
    "TalkingPoint",
    "TalkingPointVersion",
    "Task",
    "Team",
    "User",
    "WebhookDelivery",
]
