"""The anatomy knowledge base: muscle facts, pain-map regions and bony landmarks.

The facts live in ``data/*.yaml`` (readable by a person, sources cited there). They are
read once, checked against the contract's code lists, and turned into frozen
dataclasses; nothing here changes after loading. ``knowledge_base()`` returns the
packaged knowledge base (cached; ``knowledge_base.cache_clear()`` resets it), and
``KnowledgeBase.from_documents`` builds one from already-parsed documents, which is
how tests check that a broken file is refused.

Stated actions are written for the RIGHT-side muscle with side-less variable names;
``KnowledgeBase.actions(muscle, side)`` applies the mirror rule: for a left muscle the
signs of ``neck_side_bend`` and ``neck_rotation`` flip, and every scapula variable gets
the muscle's own side as suffix (``scapula_elevation`` -> ``scapula_elevation_left``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterable, Mapping


from .._data import packaged_yaml
from .._input import did_you_mean, shown
from ..errors import ModelError, UnknownNameError
from ..vocabulary import (
    ACTION_VARIABLES,
    GROUPS,
    HISTORY_CODES,
    LANDMARK_IDS,
    MIRRORED_VARIABLES,
    MUSCLE_IDS,
    REGION_CODES,
    SIDED_VARIABLES,
    SIDES,
)

MUSCLES_FILE = "muscles.yaml"
REGIONS_FILE = "regions.yaml"
LANDMARKS_FILE = "landmarks.yaml"

MUSCLE_REGIONS: tuple[str, ...] = ("neck", "shoulder_girdle", "upper_back")
STRENGTHS: tuple[str, ...] = ("primary", "secondary")
PRESSURES: tuple[str, ...] = ("light", "moderate")
PAIN_EVIDENCE: tuple[str, ...] = ("established", "limited")
VIEWS: tuple[str, ...] = ("front", "back", "side")


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Attachment:
    """One end of a muscle on a bony landmark, and how a person finds it by touch."""

    landmark: str
    description: str
    find_it: str
    felt_directly: bool  # false: the end lies under other tissue; find_it names the nearest palpable point


@dataclass(frozen=True)
class StatedAction:
    """A stated action of the RIGHT-side muscle, in side-less posture variables.

    ``sign`` is the direction the posture variable moves when the muscle contracts,
    so moving the posture that way shortens the muscle.
    """

    variable: str
    sign: int
    strength: str  # "primary" | "secondary"
    text: str

    @property
    def primary(self) -> bool:
        return self.strength == "primary"


@dataclass(frozen=True)
class SidedAction:
    """A stated action of a muscle on one side, in the contract's full posture variables."""

    variable: str
    sign: int
    strength: str
    text: str
    side: str

    @property
    def primary(self) -> bool:
        return self.strength == "primary"


@dataclass(frozen=True)
class Pain:
    local: tuple[str, ...]  # region codes where the muscle itself hurts
    referral: tuple[str, ...]  # region codes its trigger points send pain to
    evidence: str  # "established" (a mapped referral pattern) | "limited"
    description: str


@dataclass(frozen=True)
class Palpation:
    pressure: str  # "light" | "moderate"
    notes: str


@dataclass(frozen=True)
class MuscleFacts:
    id: str
    common_name: str
    latin_name: str
    group: str | None
    region: str  # "neck" | "shoulder_girdle" | "upper_back"
    origin: tuple[Attachment, ...]
    insertion: tuple[Attachment, ...]
    actions: tuple[StatedAction, ...]  # as stated for the right-side muscle
    innervation: str
    pain: Pain
    tender_points: tuple[str, ...]
    tender_point_text: str
    causes: tuple[str, ...]
    causes_text: str
    cautions: tuple[str, ...]
    palpation: Palpation
    neighbours: tuple[str, ...]
    sources: tuple[str, ...]  # full citations

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        return self.origin + self.insertion

    @property
    def landmark_ids(self) -> tuple[str, ...]:
        """Every landmark this muscle attaches to, each once, origin first."""
        return tuple(dict.fromkeys(a.landmark for a in self.attachments))


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    description: str
    side_applies: bool
    view: str  # "front" | "back" | "side"


@dataclass(frozen=True)
class Landmark:
    id: str
    name: str
    bilateral: bool
    palpable: bool
    find_it: str
    caution: str | None = None


# --------------------------------------------------------------------------- errors


def _unknown_message(kind: str, name: object, valid: Iterable[str]) -> str:
    """Bounded in time and length: the name is shortened when echoed, and "did you
    mean" skips names too long to be a near miss (a 30 MB name costs nothing)."""
    valid = list(valid)
    close = did_you_mean(name, valid)
    hint = f" (did you mean {close!r}?)" if close else ""
    return f"unknown {kind} {shown(name)}{hint}; valid: {', '.join(valid)}"


def _unknown(kind: str, name: object, valid: Iterable[str], field: str) -> UnknownNameError:
    """A caller asked for a name that does not exist."""
    return UnknownNameError(_unknown_message(kind, name, valid), field=field)


class _Reader:
    """Typed access to one parsed YAML document; every problem names the file and entry."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, path: str, message: str) -> ModelError:
        return ModelError(message, field=f"{self.file}:{path}")

    def mapping(self, node: Any, path: str, *, required: Iterable[str] = (), optional: Iterable[str] = ()) -> dict:
        if not isinstance(node, dict):
            raise self.fail(path, f"expected a mapping, got {type(node).__name__}")
        required, optional = tuple(required), tuple(optional)
        if required or optional:
            # A misspelt key is both extra and missing; name the misspelling first.
            for key in node:
                if key not in required and key not in optional:
                    raise self.fail(f"{path}.{key}", _unknown_message("key", key, required + optional))
            missing = [k for k in required if k not in node]
            if missing:
                raise self.fail(path, f"missing {', '.join(missing)}")
        return node

    def text(self, node: Any, path: str) -> str:
        if not isinstance(node, str) or not node.strip():
            raise self.fail(path, "expected non-empty text")
        return " ".join(node.split())

    def flag(self, node: Any, path: str) -> bool:
        if not isinstance(node, bool):
            raise self.fail(path, "expected true or false")
        return node

    def choice(self, node: Any, path: str, allowed: Iterable[str], kind: str) -> str:
        allowed = tuple(allowed)
        if not isinstance(node, str) or node not in allowed:
            raise self.fail(path, _unknown_message(kind, node, allowed))
        return node

    def items(self, node: Any, path: str) -> list:
        if not isinstance(node, list) or not node:
            raise self.fail(path, "expected a non-empty list")
        return node

    def codes(self, node: Any, path: str, allowed: Iterable[str], kind: str) -> tuple[str, ...]:
        allowed = tuple(allowed)
        values = tuple(self.choice(v, f"{path}[{i}]", allowed, kind) for i, v in enumerate(self.items(node, path)))
        if len(set(values)) != len(values):
            raise self.fail(path, f"a {kind} is listed twice")
        return values

    def exact_keys(self, node: dict, path: str, expected: tuple[str, ...], kind: str) -> None:
        """The document must describe exactly the contract's names, no more, no fewer."""
        missing = [k for k in expected if k not in node]
        if missing:
            raise self.fail(path, f"missing {kind}(s): {', '.join(missing)}")
        for key in node:
            if key not in expected:
                raise self.fail(f"{path}.{key}", _unknown_message(kind, key, expected))


# --------------------------------------------------------------------------- parsing


def _parse_regions(doc: Any) -> dict[str, Region]:
    r = _Reader(REGIONS_FILE)
    table = r.mapping(r.mapping(doc, "", required=("regions",))["regions"], "regions")
    r.exact_keys(table, "regions", REGION_CODES, "region code")
    regions = {}
    for code in REGION_CODES:
        path = f"regions.{code}"
        e = r.mapping(table[code], path, required=("name", "description", "side_applies", "view"))
        regions[code] = Region(
            code=code,
            name=r.text(e["name"], f"{path}.name"),
            description=r.text(e["description"], f"{path}.description"),
            side_applies=r.flag(e["side_applies"], f"{path}.side_applies"),
            view=r.choice(e["view"], f"{path}.view", VIEWS, "view"),
        )
    return regions


def _parse_landmarks(doc: Any) -> dict[str, Landmark]:
    r = _Reader(LANDMARKS_FILE)
    table = r.mapping(r.mapping(doc, "", required=("landmarks",))["landmarks"], "landmarks")
    r.exact_keys(table, "landmarks", LANDMARK_IDS, "landmark id")
    landmarks = {}
    for lid in LANDMARK_IDS:
        path = f"landmarks.{lid}"
        e = r.mapping(table[lid], path, required=("name", "bilateral", "palpable", "find_it"), optional=("caution",))
        landmarks[lid] = Landmark(
            id=lid,
            name=r.text(e["name"], f"{path}.name"),
            bilateral=r.flag(e["bilateral"], f"{path}.bilateral"),
            palpable=r.flag(e["palpable"], f"{path}.palpable"),
            find_it=r.text(e["find_it"], f"{path}.find_it"),
            caution=r.text(e["caution"], f"{path}.caution") if "caution" in e else None,
        )
    return landmarks


_MUSCLE_KEYS = (
    "common_name",
    "latin_name",
    "group",
    "region",
    "origin",
    "insertion",
    "actions",
    "innervation",
    "pain",
    "tender_points",
    "tender_point_text",
    "causes",
    "causes_text",
    "cautions",
    "palpation",
    "neighbours",
    "sources",
)


def _parse_attachments(r: _Reader, node: Any, path: str, landmarks: Mapping[str, Landmark]) -> tuple[Attachment, ...]:
    out = []
    for i, item in enumerate(r.items(node, path)):
        p = f"{path}[{i}]"
        e = r.mapping(item, p, required=("landmark", "description", "find_it"), optional=("felt_directly",))
        lid = r.choice(e["landmark"], f"{p}.landmark", LANDMARK_IDS, "landmark id")
        palpable = landmarks[lid].palpable
        felt = r.flag(e["felt_directly"], f"{p}.felt_directly") if "felt_directly" in e else palpable
        if felt and not palpable:
            raise r.fail(f"{p}.felt_directly", f"landmark {lid!r} is not palpable, so this end cannot be felt")
        description = r.text(e["description"], f"{p}.description")
        out.append(Attachment(lid, description, r.text(e["find_it"], f"{p}.find_it"), felt))
    return tuple(out)


def _parse_actions(r: _Reader, node: Any, path: str) -> tuple[StatedAction, ...]:
    out = []
    for i, item in enumerate(r.items(node, path)):
        p = f"{path}[{i}]"
        e = r.mapping(item, p, required=("variable", "sign", "strength", "text"))
        variable = r.choice(e["variable"], f"{p}.variable", ACTION_VARIABLES, "posture variable")
        if any(a.variable == variable for a in out):
            raise r.fail(f"{p}.variable", f"{variable!r} is stated twice")
        sign = e["sign"]
        if isinstance(sign, bool) or sign not in (1, -1):
            raise r.fail(f"{p}.sign", f"expected +1 or -1, got {sign!r}")
        strength = r.choice(e["strength"], f"{p}.strength", STRENGTHS, "strength")
        out.append(StatedAction(variable, int(sign), strength, r.text(e["text"], f"{p}.text")))
    return tuple(out)


def _parse_muscles(doc: Any, landmarks: Mapping[str, Landmark]) -> tuple[dict[str, MuscleFacts], dict[str, str]]:
    r = _Reader(MUSCLES_FILE)
    top = r.mapping(doc, "", required=("sources", "muscles"))
    sources_table = r.mapping(top["sources"], "sources")
    if not sources_table:
        raise r.fail("sources", "expected at least one source")
    sources = {str(k): r.text(v, f"sources.{k}") for k, v in sources_table.items()}
    table = r.mapping(top["muscles"], "muscles")
    r.exact_keys(table, "muscles", MUSCLE_IDS, "muscle id")
    group_of = {m: g for g, members in GROUPS.items() for m in members}

    muscles = {}
    for mid in MUSCLE_IDS:
        path = f"muscles.{mid}"
        e = r.mapping(table[mid], path, required=_MUSCLE_KEYS)
        if e["group"] != group_of.get(mid):
            raise r.fail(f"{path}.group", f"expected {group_of.get(mid)!r} (contract section 2), got {e['group']!r}")
        pain = r.mapping(e["pain"], f"{path}.pain", required=("local", "referral", "evidence", "description"))
        palpation = r.mapping(e["palpation"], f"{path}.palpation", required=("pressure", "notes"))
        neighbours = r.codes(e["neighbours"], f"{path}.neighbours", MUSCLE_IDS, "muscle id")
        if mid in neighbours:
            raise r.fail(f"{path}.neighbours", "a muscle cannot be its own neighbour")
        source_keys = r.codes(e["sources"], f"{path}.sources", tuple(sources), "source")
        muscles[mid] = MuscleFacts(
            id=mid,
            common_name=r.text(e["common_name"], f"{path}.common_name"),
            latin_name=r.text(e["latin_name"], f"{path}.latin_name"),
            group=e["group"],
            region=r.choice(e["region"], f"{path}.region", MUSCLE_REGIONS, "muscle region"),
            origin=_parse_attachments(r, e["origin"], f"{path}.origin", landmarks),
            insertion=_parse_attachments(r, e["insertion"], f"{path}.insertion", landmarks),
            actions=_parse_actions(r, e["actions"], f"{path}.actions"),
            innervation=r.text(e["innervation"], f"{path}.innervation"),
            pain=Pain(
                local=r.codes(pain["local"], f"{path}.pain.local", REGION_CODES, "region code"),
                referral=r.codes(pain["referral"], f"{path}.pain.referral", REGION_CODES, "region code"),
                evidence=r.choice(pain["evidence"], f"{path}.pain.evidence", PAIN_EVIDENCE, "evidence level"),
                description=r.text(pain["description"], f"{path}.pain.description"),
            ),
            tender_points=r.codes(e["tender_points"], f"{path}.tender_points", REGION_CODES, "region code"),
            tender_point_text=r.text(e["tender_point_text"], f"{path}.tender_point_text"),
            causes=r.codes(e["causes"], f"{path}.causes", HISTORY_CODES, "history code"),
            causes_text=r.text(e["causes_text"], f"{path}.causes_text"),
            cautions=tuple(
                r.text(c, f"{path}.cautions[{i}]") for i, c in enumerate(r.items(e["cautions"], f"{path}.cautions"))
            ),
            palpation=Palpation(
                pressure=r.choice(palpation["pressure"], f"{path}.palpation.pressure", PRESSURES, "pressure"),
                notes=r.text(palpation["notes"], f"{path}.palpation.notes"),
            ),
            neighbours=neighbours,
            sources=tuple(sources[k] for k in source_keys),
        )
    return muscles, sources


# --------------------------------------------------------------------------- knowledge base


class KnowledgeBase:
    """Read-only access to the validated facts. Build with ``from_documents``."""

    def __init__(
        self,
        muscles: Mapping[str, MuscleFacts],
        regions: Mapping[str, Region],
        landmarks: Mapping[str, Landmark],
        sources: Mapping[str, str],
    ):
        self._muscles = MappingProxyType(dict(muscles))
        self._regions = MappingProxyType(dict(regions))
        self._landmarks = MappingProxyType(dict(landmarks))
        self.sources: Mapping[str, str] = MappingProxyType(dict(sources))

    @classmethod
    def from_documents(cls, muscles_doc: Any, regions_doc: Any, landmarks_doc: Any) -> "KnowledgeBase":
        """Validate parsed YAML documents and build the knowledge base (``ModelError`` if invalid)."""
        regions = _parse_regions(regions_doc)
        landmarks = _parse_landmarks(landmarks_doc)
        muscles, sources = _parse_muscles(muscles_doc, landmarks)
        return cls(muscles, regions, landmarks, sources)

    # ----------------------------------------------------------------- muscles

    @property
    def muscle_ids(self) -> tuple[str, ...]:
        """Muscle ids in contract order."""
        return MUSCLE_IDS

    @property
    def muscles(self) -> tuple[MuscleFacts, ...]:
        return tuple(self._muscles[m] for m in MUSCLE_IDS)

    @property
    def groups(self) -> Mapping[str, tuple[str, ...]]:
        return GROUPS

    def muscle(self, muscle_id: str) -> MuscleFacts:
        try:
            return self._muscles[muscle_id]
        except (KeyError, TypeError):
            raise _unknown("muscle", muscle_id, MUSCLE_IDS, field="muscle") from None

    def expand(self, id_or_group: str) -> tuple[str, ...]:
        """A muscle id gives itself; a contract group gives its members in contract order."""
        if isinstance(id_or_group, str) and id_or_group in self._muscles:
            return (id_or_group,)
        if isinstance(id_or_group, str) and id_or_group in GROUPS:
            return GROUPS[id_or_group]
        raise _unknown("muscle or group", id_or_group, (*MUSCLE_IDS, *GROUPS), field="muscle")

    def actions(self, muscle_id: str, side: str) -> tuple[SidedAction, ...]:
        """The stated actions of ``muscle_id`` on ``side``, in full posture variable names.

        A left muscle mirrors a right one: side bend and rotation change sign, and the
        scapula variables refer to the muscle's own shoulder blade.
        """
        facts = self.muscle(muscle_id)
        if side not in SIDES:
            raise _unknown("side", side, SIDES, field="side")
        out = []
        for a in facts.actions:
            sign = -a.sign if (side == "left" and a.variable in MIRRORED_VARIABLES) else a.sign
            variable = f"{a.variable}_{side}" if a.variable in SIDED_VARIABLES else a.variable
            out.append(SidedAction(variable, sign, a.strength, a.text, side))
        return tuple(out)

    def muscles_referring_to(self, region: str, *, include_local: bool = False) -> tuple[str, ...]:
        """Muscles whose trigger points send pain to ``region`` (contract order)."""
        self.region(region)
        return tuple(
            m.id for m in self.muscles if region in m.pain.referral or (include_local and region in m.pain.local)
        )

    def muscles_tender_at(self, region: str) -> tuple[str, ...]:
        """Muscles whose tender points are usually found in ``region`` (contract order)."""
        self.region(region)
        return tuple(m.id for m in self.muscles if region in m.tender_points)

    # ----------------------------------------------------------------- regions and landmarks

    @property
    def regions(self) -> tuple[Region, ...]:
        """Every pain-map region, in contract order."""
        return tuple(self._regions[c] for c in REGION_CODES)

    def region(self, code: str) -> Region:
        try:
            return self._regions[code]
        except (KeyError, TypeError):
            raise _unknown("region code", code, REGION_CODES, field="region") from None

    @property
    def landmarks(self) -> tuple[Landmark, ...]:
        """Every landmark of docs/landmarks.md, in its order."""
        return tuple(self._landmarks[lid] for lid in LANDMARK_IDS)

    def landmark(self, landmark_id: str) -> Landmark:
        try:
            return self._landmarks[landmark_id]
        except (KeyError, TypeError):
            raise _unknown("landmark id", landmark_id, LANDMARK_IDS, field="landmark") from None


# --------------------------------------------------------------------------- packaged data


def _read_packaged(name: str) -> Any:
    return packaged_yaml("relieve.anatomy", name)


def load_knowledge_base() -> KnowledgeBase:
    """Read and validate the packaged YAML files (no caching)."""
    return KnowledgeBase.from_documents(
        _read_packaged(MUSCLES_FILE), _read_packaged(REGIONS_FILE), _read_packaged(LANDMARKS_FILE)
    )


@functools.lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base, built once (``knowledge_base.cache_clear()`` resets it)."""
    return load_knowledge_base()
