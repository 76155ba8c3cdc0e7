"""Location consistency, verify-only: an accelerator cannot answer a landmark faster than
light in fibre covers the distance from its claimed site and back. Nothing here can
disable an accelerator; it only reads attestations and says whether they are possible."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from aiexports.core.monitoring.model import Attestation, Location, Thresholds, utc_text

MESSAGE_VERSION = "aiexports-attestation-v1"


def great_circle_km(a: Location, b: Location, radius_km: float) -> float:
    """Haversine distance between two locations."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * radius_km * math.asin(min(1.0, math.sqrt(h)))


def min_rtt_ms(site: Location, landmark: Location, thresholds: Thresholds) -> float:
    """The physical minimum round trip: twice the distance at light's speed in fibre."""
    distance = great_circle_km(site, landmark, thresholds.earth_radius_km)
    return 2 * distance / thresholds.fibre_km_per_ms


def signed_message(row: Attestation) -> bytes:
    """The bytes an accelerator signs (docs/monitoring.md, "Signed attestations")."""
    return (
        f"{MESSAGE_VERSION}|{row.accelerator_id}|{row.site}|{utc_text(row.time)}"
        f"|{row.landmark}|{row.rtt_ms:.3f}"
    ).encode()


def public_key(text: str) -> Ed25519PublicKey:
    """A key written as the standard base64 of its 32 raw bytes; ``ValueError`` else."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key has 32 bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def verifies(row: Attestation, keys: Mapping[str, Ed25519PublicKey]) -> str | None:
    """``None`` when the row's signature verifies under its accelerator's key, else why
    not."""
    key = keys.get(row.accelerator_id)
    if key is None:
        return "no public key for this accelerator"
    try:
        signature = base64.b64decode(row.signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return "the signature is not base64"
    try:
        key.verify(signature, signed_message(row))
    except InvalidSignature:
        return "the signature does not verify"
    return None
