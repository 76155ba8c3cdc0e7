"""Assessing deals: choosing the pack, screening the parties, deciding, comparing."""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiexports.core.deal import Deal
from aiexports.core.determination import Determination
from aiexports.core.policy.compare import ImpactTally, PolicyDifference
from aiexports.core.policy.engine import (
    CompiledPolicy,
    OutcomeSummary,
    ReferenceData,
    canonical_deal_text,
    compile_policy,
)
from aiexports.core.policy.pack import PackShelf, PolicyPack
from aiexports.core.screening.adjudication import Memory, apply_adjudications
from aiexports.errors import AiExportsError, InputError
from aiexports.services.deals import PortfolioChunk, SourcedDeal, portfolio_chunks
from aiexports.services.pools import can_fork, forked_pool
from aiexports.services.screening import DealScreener
from aiexports.sources.documents import DEFAULT_LIMITS, DOCUMENT_SUFFIXES, ReadLimits
from aiexports.sources.reference import pack_from_file

if TYPE_CHECKING:
    from aiexports.core.path_to_approval import PathToApproval


@dataclass(frozen=True)
class Remembered:
    """The adjudications that may bear on one deal, and its parties' details (aligned with
    the deal's parties) that they are judged against."""

    parties: Sequence[Mapping[str, str | None]]
    memory: Memory


@dataclass(frozen=True)
class Explained:
    """Rule explanations under two packs, for a comparison."""

    a: Mapping[str, str]
    b: Mapping[str, str]


def resolve_policy(
    shelf: PackShelf, value: str | None, limits: ReadLimits = DEFAULT_LIMITS
) -> PolicyPack | None:
    """A pack by id, or from a file when ``value`` names one (a draft pack to try out)."""
    if value is None:
        return None
    if value.endswith(DOCUMENT_SUFFIXES) or Path(value).is_file():
        return pack_from_file(Path(value), limits)
    return shelf.named(value)


@dataclass
class Assessor:
    reference: ReferenceData
    shelf: PackShelf
    screener: DealScreener
    _compiled: dict[int, tuple[PolicyPack, CompiledPolicy]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def pack_for(self, deal: Deal, pack: PolicyPack | None) -> PolicyPack:
        return pack if pack is not None else self.shelf.in_force(deal.date)

    def compiled(self, pack: PolicyPack) -> CompiledPolicy:
        """The pack compiled once for this assessor's reference data (by identity: the
        entry holds the pack, so its id cannot be reused while it is here)."""
        found = self._compiled.get(id(pack))
        if found is None or found[0] is not pack:
            found = self._compiled[id(pack)] = (pack, compile_policy(pack, self.reference))
        return found[1]

    def explanations(self, deal: Deal, pack: PolicyPack | None = None) -> dict[str, str]:
        """Every rule's explanation with the parameters in force for ``deal``."""
        compiled = self.compiled(self.pack_for(deal, pack))
        return {rule.id: compiled.explanation(rule.id, deal.date) for rule in compiled.rules}

    def decide(
        self,
        sourced: SourcedDeal,
        pack: PolicyPack | None = None,
        canonical: str | None = None,
        adjudications: Remembered | None = None,
    ) -> Determination:
        """Decide one deal; errors the engine finds are located in its document. With
        ``adjudications``, the remembered judgements of its parties' matches apply."""
        try:
            chosen = self.pack_for(sourced.deal, pack)
            screening = self.screener.screen(sourced.deal)
            if adjudications is not None and adjudications.memory:
                screening = apply_adjudications(
                    screening, adjudications.parties, adjudications.memory, self.screener.entry
                )
            return self.compiled(chosen).assess(sourced.deal, screening, canonical)
        except AiExportsError as error:
            raise sourced.locate(error) from None

    def path_to_approval(
        self, sourced: SourcedDeal, pack: PolicyPack | None = None
    ) -> PathToApproval:
        """The smallest changes of each kind that make the deal's determination less
        strict (:mod:`aiexports.core.path_to_approval`), each decided under ``pack`` (or
        the pack in force on the deal's date) with the same lists."""
        from aiexports.core.path_to_approval import path_to_approval  # noqa: PLC0415
        from aiexports.core.records import validation_context  # noqa: PLC0415

        chosen = self.pack_for(sourced.deal, pack)
        context = validation_context(self.reference.countries)

        def decide(document: dict[str, Any]) -> Determination:
            changed = Deal.model_validate(document, context=context)
            return self.decide(SourcedDeal(changed, None, sourced.where), chosen)

        document = sourced.deal.model_dump(mode="json", exclude_none=True)
        return path_to_approval(sourced.deal, document, decide, self.reference.menu)

    def decide_many(
        self, deals: Iterable[SourcedDeal], pack: PolicyPack | None = None
    ) -> Iterator[Determination]:
        """The batch path: every deal decided in turn, with the collector run rarely
        (a determination allocates many short-lived objects and nothing cyclic)."""
        with rare_collections():
            for sourced in deals:
                yield self.decide(sourced, pack)

    def compare_outcomes(
        self, sourced: SourcedDeal, first: PolicyPack, other: PolicyPack
    ) -> PolicyDifference[OutcomeSummary]:
        """The outcome-only comparison (no explanations rendered, no decision ids): what
        re-deciding a whole portfolio needs."""
        try:
            screening = self.screener.screen(sourced.deal)
            return PolicyDifference(
                self.compiled(first).outcome(sourced.deal, screening),
                self.compiled(other).outcome(sourced.deal, screening),
            )
        except AiExportsError as error:
            raise sourced.locate(error) from None

    def compare(
        self,
        sourced: SourcedDeal,
        first: PolicyPack | None,
        other: PolicyPack,
        adjudications: Remembered | None = None,
    ) -> PolicyDifference[Determination]:
        canonical = canonical_deal_text(sourced.deal)
        return PolicyDifference(
            self.decide(sourced, first, canonical, adjudications),
            self.decide(sourced, other, canonical, adjudications),
        )

    def impact(
        self,
        path: Path,
        policy: PolicyPack,
        against: PolicyPack,
        skip_invalid: bool = False,
        progress: Callable[[int, int | None], None] | None = None,
        workers: int = 1,
        limits: ReadLimits = DEFAULT_LIMITS,
        changes: Callable[[dict[str, object]], None] | None = None,
    ) -> tuple[ImpactTally, list[InputError]]:
        """Re-decide a portfolio under two packs, in ``workers`` processes, comparing
        outcomes only; for each deal whose outcome changes, ``changes`` (when given)
        receives both full determinations. Invalid deals are collected; unless
        ``skip_invalid``, any invalid deal is an error and no report is produced."""
        chunks = portfolio_chunks(path, limits, IMPACT_CHUNK)
        tally = ImpactTally(policy.id, against.id)
        errors: list[InputError] = []
        done = 0
        full = changes is not None
        for part, part_errors, changed in _map_chunks(self, policy, against, chunks, workers, full):
            tally.merge(part)
            errors.extend(part_errors)
            if changes is not None:
                for row in changed:
                    changes(row)
            done += part.deals + len(part_errors)
            if progress is not None:
                progress(done, None)
        if errors and not skip_invalid:
            raise InputError([issue for error in errors for issue in error.issues])
        return tally, errors


IMPACT_CHUNK = 2000
_IMPACT: tuple[Assessor, PolicyPack, PolicyPack, bool] | None = None
ChunkResult = tuple[ImpactTally, list[InputError], list[dict[str, object]]]


def _impact_chunk(chunk: PortfolioChunk) -> ChunkResult:
    assert _IMPACT is not None
    assessor, policy, against, full = _IMPACT
    tally = ImpactTally(policy.id, against.id)
    errors: list[InputError] = []
    changed: list[dict[str, object]] = []
    with rare_collections():
        _tally_chunk(assessor, policy, against, chunk, tally, errors, changed if full else None)
    return tally, errors, changed


def _tally_chunk(
    assessor: Assessor,
    policy: PolicyPack,
    against: PolicyPack,
    chunk: PortfolioChunk,
    tally: ImpactTally,
    errors: list[InputError],
    changed: list[dict[str, object]] | None,
) -> None:
    for item in chunk.items():
        sourced = item.read(assessor.reference.countries)
        if isinstance(sourced, InputError):
            errors.append(sourced)
            continue
        try:
            difference = assessor.compare_outcomes(sourced, policy, against)
            tally.add(difference, sourced.where)
            if changed is not None and difference.outcome_changed:
                # Only the deals that change are explained in full.
                full = assessor.compare(sourced, policy, against)
                changed.append({"where": sourced.where, **full.contract()})
        except InputError as error:
            errors.append(error)


@contextmanager
def rare_collections(threshold: int = 100_000) -> Iterator[None]:
    """Run the cyclic garbage collector rarely for the duration of a batch."""
    before = gc.get_threshold()
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _map_chunks(
    assessor: Assessor,
    policy: PolicyPack,
    against: PolicyPack,
    chunks: Iterator[PortfolioChunk],
    workers: int,
    full: bool = False,
) -> Iterator[ChunkResult]:
    """Chunk results in order, with at most two chunks per worker in flight (the input
    is read as the workers need it). Forked workers inherit the assessor (its list index
    included) through a module global instead of pickling it for every chunk."""
    global _IMPACT  # noqa: PLW0603
    _IMPACT = (assessor, policy, against, full)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if workers <= 1 or second is None or not can_fork():
        yield _impact_chunk(first)
        if second is not None:
            yield _impact_chunk(second)
        for chunk in chunks:
            yield _impact_chunk(chunk)
        return
    with forked_pool(workers) as pool:
        pending: deque[AsyncResult[ChunkResult]] = deque(
            pool.apply_async(_impact_chunk, (chunk,)) for chunk in (first, second)
        )
        for chunk in chunks:
            pending.append(pool.apply_async(_impact_chunk, (chunk,)))
            while len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
