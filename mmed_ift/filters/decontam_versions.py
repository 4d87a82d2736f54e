"""Language versions of one item (HEAD-QA's English release translates the Spanish one item by
item, under the same release id): when one version's own text repeats a benchmark item, every
other version is the same question (docs/decontamination.md, "Versions of one item").

Which versions repeat a benchmark item is found *when a training item asks* and only for the
versions of that item: a build reads every training item of the multilingual releases, but only
the items whose release id is present in another language than their own have anything to
learn from a sibling (a build with Spanish HEAD-QA alone has none), and scoring every version at
construction cost more than the rest of the decontamination.  Each (release id, language) is
scored once, the first time it is asked for; the answer does not depend on when that is (a
record's score depends only on itself and the index), so the removals are those of scoring all
versions up front.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Generic, TypeVar

from mmed_ift.filters.decontam_xling import family
from mmed_ift.filters.decontam_xling_lexicon import parallel_key
from mmed_ift.schemas import Item, MCQuestion

#: what a version's check finds (the decontamination's ``Hit``)
H = TypeVar("H")
Group = tuple[str, str]


def version_group(item: Item) -> Group | None:
    """(exam family, release id without the language prefix): the same for every language version
    of one item; None for an item of no multilingual release."""
    name = family(item.source)
    if name is None:
        return None
    key = parallel_key(item)
    return None if key is None else (name, key[1])


class VersionLinks(Generic[H]):
    """The MC training items of multilingual releases, found by version group, with the check of
    each (group, language) once it is asked for."""

    def __init__(self, parallel_items: Sequence[Item]) -> None:
        found = [(item, version_group(item)) for item in parallel_items if isinstance(item, MCQuestion)]
        versions = [(hash(group), item, group) for item, group in found if group is not None]
        # a stable sort by the hash alone keeps each hash's items in the given order (what a sort
        # by (hash, position) gives, without building and comparing the pairs)
        versions.sort(key=itemgetter(0))
        # by the groups' hashes (items of one group in the given order): a hash only says where to
        # look, the group itself is compared on the candidates; 8 bytes and a reference per item
        self._keys = array("q", [key for key, _, _ in versions])
        self._items: list[Item] = [item for _, item, _ in versions]
        #: no two different groups share a hash: then the candidates of one hash are all of one
        #: group, and comparing the first one's group decides for all of them
        self._one_group_per_hash = all(
            versions[at][2] == versions[at - 1][2]
            for at in range(1, len(versions))
            if versions[at][0] == versions[at - 1][0]
        )
        #: the one language of every version, when there is a single one: an item of that language
        #: then has no version in another language, whatever its group (None: several, or none)
        languages = {item.lang for _, item, _ in versions}
        self._only_language: str | None = next(iter(languages)) if len(languages) == 1 else None
        #: group -> language -> the first version of that language (given order) whose own text
        #: repeats a benchmark item, with what its check found (None: no version of it does)
        self._found: dict[Group, dict[str, tuple[Item, H] | None]] = {}
        #: id -> (version, its check), for the other use of one check: a version checked for its
        #: sibling is checked later as a record itself, or the reverse (held: the id stays its own)
        self._checked: dict[int, tuple[Item, H | None]] = {}

    def checked(self, item: Item) -> tuple[bool, H | None]:
        """Whether this very item was checked already (:meth:`remember`), and what was found."""
        found = self._checked.get(id(item))
        if found is not None and found[0] is item:
            return True, found[1]
        return False, None

    def remember(
        self, items: Sequence[Item], hits: Sequence[H | None], groups: Sequence[Group | None] | None = None
    ) -> None:
        """Keep the checks of the MC records among ``items`` (checked as MC records, as a version
        is) whose release id has another language: a sibling will ask for them.  ``groups``: each
        item's :func:`version_group`, when the caller has them (computed here otherwise)."""
        if groups is None:
            groups = [version_group(item) for item in items]
        for item, hit, group in zip(items, hits, groups, strict=True):
            if group is not None and isinstance(item, MCQuestion) and self._other_languages(item, group) is not None:
                self._checked[id(item)] = (item, hit)

    def __bool__(self) -> bool:
        return bool(self._items)

    def _versions(self, group: Group) -> list[Item]:
        """The items of ``group``, in the given order."""
        key = hash(group)
        low, high = bisect_left(self._keys, key), bisect_right(self._keys, key)
        if self._one_group_per_hash:
            candidates = self._items[low:high]
            return candidates if candidates and version_group(candidates[0]) == group else []
        return [item for item in self._items[low:high] if version_group(item) == group]

    def _other_languages(self, item: Item, group: Group | None) -> tuple[Group, dict[str, list[Item]]] | None:
        """``item``'s group (its :func:`version_group`) and its versions in other languages than
        ``item``'s, by language."""
        if group is None or item.lang == self._only_language:
            return None
        others: dict[str, list[Item]] = {}
        for version in self._versions(group):
            if version.lang != item.lang:
                others.setdefault(version.lang, []).append(version)
        return (group, others) if others else None

    def resolve(
        self,
        items: Sequence[Item],
        check: Callable[[list[Item]], list[H | None]],
        groups: Sequence[Group | None] | None = None,
    ) -> None:
        """Make sure the other-language versions of each of ``items`` are checked: every version
        of a (group, language) not yet asked for goes through ``check`` in one batch, unless it
        was checked already (as a record: :meth:`remember`).  ``groups``: as for :meth:`remember`."""
        if groups is None:
            groups = [version_group(item) for item in items]
        wanted: dict[tuple[Group, str], list[Item]] = {}
        for item, group_of_item in zip(items, groups, strict=True):
            found = self._other_languages(item, group_of_item)
            if found is None:
                continue
            group, others = found
            for lang, versions in others.items():
                if lang not in self._found.get(group, {}):
                    wanted[(group, lang)] = versions
        batch = [version for versions in wanted.values() for version in versions]
        known = [self.checked(version) for version in batch]
        todo = [version for version, (done, _) in zip(batch, known, strict=True) if not done]
        fresh = iter(check(todo)) if todo else iter(())
        results = [hit if done else next(fresh) for done, hit in known]
        for version, hit in zip(batch, results, strict=True):
            self._checked.setdefault(id(version), (version, hit))
        hits = iter(results)
        for (group, lang), versions in wanted.items():
            first: tuple[Item, H] | None = None
            for version in versions:
                hit = next(hits)
                if first is None and hit is not None:
                    first = (version, hit)
            self._found.setdefault(group, {})[lang] = first

    def sibling(self, item: Item, group: Group | None = None) -> tuple[str, Item, H] | None:
        """The first language (alphabetical) other than ``item``'s whose version repeats a
        benchmark item: (language, that version, its check); None when none does (asked for with
        :meth:`resolve` first).  ``group``: ``item``'s :func:`version_group`, when the caller has it."""
        group = group if group is not None else version_group(item)
        if group is None:
            return None
        for lang, found in sorted(self._found.get(group, {}).items()):
            if lang != item.lang and found is not None:
                return lang, found[0], found[1]
        return None
