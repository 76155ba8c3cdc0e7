"""The closed vocabularies of the determination contract (spec section 1 and 2).

The string values are public interface: documents and determinations use them verbatim.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class ComponentKind(StrEnum):
    HARDWARE = "hardware"
    CLOUD = "cloud"
    DATA_PIPELINE = "data_pipeline"
    MODEL = "model"
    SECURITY = "security"
    APPLICATION = "application"
    GOVERNANCE = "governance"


class EndUse(StrEnum):
    COMMERCIAL = "commercial"
    PUBLIC_SERVICES = "public_services"
    HEALTHCARE = "healthcare"
    EDUCATION = "education"
    AGRICULTURE = "agriculture"
    FINANCE = "finance"
    RESEARCH = "research"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"
    DEFENSE = "defense"
    LAW_ENFORCEMENT = "law_enforcement"
    INTELLIGENCE = "intelligence"
    SURVEILLANCE = "surveillance"
    WMD = "wmd"
    FRONTIER_TRAINING = "frontier_training"


class Capability(StrEnum):
    """Capability tags a component may declare. All of these are surveillance-capable;
    a component with no surveillance capability simply declares none."""

    FACIAL_RECOGNITION = "facial_recognition"
    BIOMETRIC_IDENTIFICATION = "biometric_identification"
    MASS_MONITORING = "mass_monitoring"
    COMMUNICATIONS_INTERCEPTION = "communications_interception"
    LOCATION_TRACKING = "location_tracking"
    SOCIAL_MEDIA_MONITORING = "social_media_monitoring"
    PREDICTIVE_POLICING = "predictive_policing"


class PartyRole(StrEnum):
    END_USER = "end_user"
    ULTIMATE_CONSIGNEE = "ultimate_consignee"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee"
    PURCHASER = "purchaser"


class PartyType(StrEnum):
    GOVERNMENT = "government"
    MILITARY = "military"
    LAW_ENFORCEMENT = "law_enforcement"
    INTELLIGENCE = "intelligence"
    STATE_OWNED = "state_owned"
    PRIVATE = "private"
    ACADEMIC = "academic"
    NGO = "ngo"


class ModelWeights(StrEnum):
    CLOSED = "closed"
    OPEN = "open"


class ModelAccess(StrEnum):
    API = "api"
    HOSTED = "hosted"
    WEIGHTS = "weights"


class Outcome(StrEnum):
    """Determination outcomes; :attr:`strictness` orders them (higher is stricter)."""

    NO_LICENSE_REQUIRED = "no_license_required"
    REVIEW_REQUIRED = "review_required"
    LICENSE_REQUIRED = "license_required"
    PROHIBITED = "prohibited"

    @property
    def strictness(self) -> int:
        return _OUTCOME_ORDER[self]


class ReviewPolicy(StrEnum):
    """License review policies; :attr:`strictness` orders them (higher is stricter)."""

    PRESUMPTION_OF_APPROVAL = "presumption_of_approval"
    CASE_BY_CASE = "case_by_case"
    PRESUMPTION_OF_DENIAL = "presumption_of_denial"

    @property
    def strictness(self) -> int:
        return _REVIEW_ORDER[self]


_OUTCOME_ORDER = MappingProxyType({outcome: rank for rank, outcome in enumerate(Outcome)})
_REVIEW_ORDER = MappingProxyType({policy: rank for rank, policy in enumerate(ReviewPolicy)})


class ListCode(StrEnum):
    """Restricted-party list codes (spec section 6)."""

    SDN = "SDN"
    DPL = "DPL"
    EL = "EL"
    MEU = "MEU"
    UVL = "UVL"
    ISN = "ISN"
    DTC = "DTC"
    FSE = "FSE"
    SSI = "SSI"
    CAPTA = "CAPTA"
    NS_MBS = "NS-MBS"
    NS_CMIC = "NS-CMIC"
    NS_PLC = "NS-PLC"
    UN = "UN"


class PackageStatus(StrEnum):
    PROPOSED = "proposed"
    DESIGNATED = "designated"
    SUSPENDED = "suspended"
    RETIRED = "retired"
    REJECTED = "rejected"


class RiskTier(StrEnum):
    """Human-rights risk tier of a destination (spec section 4)."""

    LOW = "low"
    ELEVATED = "elevated"
    HIGH = "high"
