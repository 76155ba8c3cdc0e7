"""Assessing deals: choosing the pack, screening the parties, deciding, comparing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiexports.core.deal import Deal
from aiexports.core.determination import Determination
from aiexports.core.policy.compare import ImpactTally, PolicyDifference
from aiexports.core.policy.engine import ReferenceData, assess
from aiexports.core.policy.pack import PackShelf, PolicyPack
from aiexports.core.screening.snapshot import ListSnapshot
from aiexports.errors import AiExportsError, InputError
from aiexports.services.deals import SourcedDeal, read_portfolio
from aiexports.services.screening import DealScreener, deal_screener, load_lists
from aiexports.sources.documents import DOCUMENT_SUFFIXES
from aiexports.sources.reference import pack_from_file, packs, reference_data


def resolve_policy(shelf: PackShelf, value: str | None) -> PolicyPack | None:
    """A pack by id, or from a file when ``value`` names one (a draft pack to try out)."""
    if value is None:
        return None
    if value.endswith(DOCUMENT_SUFFIXES) or Path(value).is_file():
        return pack_from_file(Path(value))
    return shelf.named(value)


@dataclass
class Assessor:
    reference: ReferenceData
    shelf: PackShelf
    screener: DealScreener

    def pack_for(self, deal: Deal, pack: PolicyPack | None) -> PolicyPack:
        return pack if pack is not None else self.shelf.in_force(deal.date)

    def decide(self, sourced: SourcedDeal, pack: PolicyPack | None = None) -> Determination:
        """Decide one deal; errors the engine finds are located in its document."""
        try:
            chosen = self.pack_for(sourced.deal, pack)
            return assess(sourced.deal, chosen, self.reference, self.screener.screen(sourced.deal))
        except AiExportsError as error:
            raise sourced.locate(error) from None

    def compare(
        self, sourced: SourcedDeal, first: PolicyPack | None, other: PolicyPack
    ) -> PolicyDifference:
        return PolicyDifference(self.decide(sourced, first), self.decide(sourced, other))

    def impact(
        self,
        path: Path,
        policy: PolicyPack,
        against: PolicyPack,
        skip_invalid: bool = False,
        progress: Callable[[], None] | None = None,
    ) -> tuple[ImpactTally, list[InputError]]:
        """Re-decide a portfolio under two packs. Invalid deals are collected; unless
        ``skip_invalid``, any invalid deal is an error and no report is produced."""
        tally = ImpactTally(policy.id, against.id)
        errors: list[InputError] = []
        for where, difference in self._differences(path, policy, against, errors):
            tally.add(difference, where)
            if progress is not None:
                progress()
        if errors and not skip_invalid:
            raise InputError([issue for error in errors for issue in error.issues])
        return tally, errors

    def _differences(
        self, path: Path, policy: PolicyPack, against: PolicyPack, errors: list[InputError]
    ) -> Iterator[tuple[str, PolicyDifference]]:
        for item in read_portfolio(path, self.reference.countries):
            if isinstance(item, InputError):
                errors.append(item)
                continue
            try:
                yield item.where, self.compare(item, policy, against)
            except InputError as error:
                errors.append(error)


def build_assessor(
    list_paths: Sequence[Path] | None = None,
    installed: Callable[[], ListSnapshot | None] | None = None,
) -> Assessor:
    """The bundled reference data and packs, with the lists this run uses."""
    reference = reference_data()
    lists = load_lists(list_paths, reference.countries, installed)
    return Assessor(reference, packs(), deal_screener(lists))
