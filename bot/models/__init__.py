"""Tables, one module per family (DESIGN.md, Data), re-exported here. UTC everywhere."""

from bot.models.alerts import Alert, AlertMessage
from bot.models.base import new_public_id
from bot.models.broadcasts import Broadcast
from bot.models.followup import (
    AnonymousPool,
    Answer,
    FeedbackRespondent,
    ScheduledPrompt,
    SurveyResponse,
)
from bot.models.groups import (
    GroupMeeting,
    GroupMember,
    GroupRequest,
    GroupSlot,
    GroupTask,
    MeetingAttendance,
    PeerGroup,
    SlotAnswer,
)
from bot.models.helpdesk import CannedReply, ThreadNote
from bot.models.imports import PeopleImport
from bot.models.integrations import ApiToken, WebhookDelivery, WebhookEndpoint
from bot.models.mentoring import (
    Mentor,
    MentorConflict,
    MentoringTask,
    MentorMatch,
    MentorPulse,
    MentorRequest,
)
from bot.models.messages import Inbound, Outbound, RateBudget
from bot.models.people import Consent, Contact, Conversation, Person
from bot.models.programme import ProgrammeSetting
from bot.models.results import ResultsSnapshot
from bot.models.savings import (
    SavingsAttendance,
    SavingsEntry,
    SavingsGroup,
    SavingsMeeting,
    SavingsMember,
    SavingsOfficer,
    SavingsShareOut,
    SavingsTask,
)
from bot.models.staff import (
    AuditLog,
    LoginAttempt,
    Staff,
    StaffContact,
    StaffLinkCode,
    StaffSession,
)

__all__ = [
    "RateBudget",
    "GroupMeeting",
    "GroupMember",
    "GroupRequest",
    "GroupSlot",
    "GroupTask",
    "MeetingAttendance",
    "PeerGroup",
    "SlotAnswer",
    "SavingsAttendance",
    "SavingsEntry",
    "SavingsGroup",
    "SavingsMeeting",
    "SavingsMember",
    "SavingsOfficer",
    "SavingsShareOut",
    "SavingsTask",
    "AnonymousPool",
    "Mentor",
    "MentorConflict",
    "MentoringTask",
    "MentorPulse",
    "MentorMatch",
    "MentorRequest",
    "CannedReply",
    "ThreadNote",
    "PeopleImport",
    "ApiToken",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Person",
    "Contact",
    "Consent",
    "Conversation",
    "Inbound",
    "Outbound",
    "Staff",
    "StaffSession",
    "StaffContact",
    "StaffLinkCode",
    "LoginAttempt",
    "AuditLog",
    "ScheduledPrompt",
    "SurveyResponse",
    "Answer",
    "FeedbackRespondent",
    "Alert",
    "AlertMessage",
    "Broadcast",
    "ResultsSnapshot",
    "ProgrammeSetting",
    "new_public_id",
]
