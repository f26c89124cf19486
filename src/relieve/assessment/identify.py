"""Which muscle is in spasm? A transparent likelihood model over every muscle-side.

Every finding adds a log-likelihood ratio (LLR) to every muscle-side, computed from
two sources only:

* the MODEL: how much each test movement (``movements.yaml``) and the resting head
  posture lengthen or shorten the muscle (``length_change_pct_batch``), so evidence
  is side-aware by construction (turning right stretches the LEFT levator
  scapulae, so pain on the left when turning right counts for it);
* the KNOWLEDGE BASE: where the muscle hurts, where it refers pain, where its
  tender points are, and what commonly overloads it.

The weights, thresholds and their justification are data (``data/evidence.yaml``).
The posterior is normalised over all muscle-sides plus an explicit "not
identified" alternative, then scaled by triage's confidence factor, so the
probabilities of the candidates sum to at most 1 and stay low when evidence is
weak. No muscle is named in this module: a muscle added to the model and the
knowledge base is considered as it is.

>>> from relieve.assessment import parse_findings
>>> from relieve.assessment.identify import identify
>>> result = identify(parse_findings({"age": 40, "pain_regions": [
...     {"region": "neck_shoulder_junction", "side": "left"}]}))
>>> result.candidates[0].side
'left'
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..anatomy import knowledge_base
from ..vocabulary import HISTORY_CODES, MOVEMENT_CODES, NECK_VARIABLES, ONSET_CODES, REGION_CODES, SYMPTOM_CODES
from .._data import packaged_yaml, parse_yaml
from ..errors import ModelError
from ..contract.findings import Findings, MovementFinding, RegionFinding
from ..anatomy.movements import movements as default_movements

EVIDENCE_FILE = "evidence.yaml"


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True)
class EvidenceWeights:
    """The numbers of ``evidence.yaml``, validated. See that file for their meaning."""

    default_prior: float
    priors: Mapping[str, float]
    not_identified_prior: float
    temperature: float
    dead_zone_pct: float
    scale_pct: float
    movement: Mapping[str, Any]
    regions: Mapping[str, Any]
    symptom_regions: Mapping[str, Mapping[str, Any]]
    head_posture: Mapping[str, Any]
    history: Mapping[str, Any]
    candidates: Mapping[str, Any]
    movement_phrases: Mapping[str, str]
    history_phrases: Mapping[str, str]
    sources: Mapping[str, str]

    @classmethod
    def from_document(cls, doc: Any) -> "EvidenceWeights":
        """Validate a parsed ``evidence.yaml`` (``ModelError`` naming the field if invalid)."""
        r = _Reader(doc)
        mv = r.section("movements")
        for key in ("stretch_positive", "contract_positive", "stretch_free", "contract_free",
                    "other_side_free_fraction", "pain_full", "limited_q", "free_without_pain_rating"):
            r.number(f"movements.{key}")
        for key in ("same", "both", "midline", "unknown"):
            r.number(f"movements.side_weight.{key}", low=0.0, high=1.0)
        rg = r.section("regions")
        for key in ("local", "referral", "tender_point_area", "unexplained"):
            r.number(f"regions.pain.{key}")
        for key in ("tender_point", "local", "referral", "unexplained"):
            r.number(f"regions.tender_points.{key}")
        r.number("regions.limited_referral_factor", low=0.0, high=1.0)
        for key in ("same", "midline", "unknown", "midline_region"):
            r.number(f"regions.side_weight.{key}", low=0.0, high=1.0)
        symptoms = r.section("symptom_regions")
        for code, entry in symptoms.items():
            if code not in SYMPTOM_CODES:
                raise ModelError(f"unknown symptom code {code!r}", field=f"{EVIDENCE_FILE}:symptom_regions")
            for region in r.get(f"symptom_regions.{code}.regions"):
                if region not in REGION_CODES:
                    raise ModelError(f"unknown region {region!r}", field=f"{EVIDENCE_FILE}:symptom_regions.{code}")
            r.number(f"symptom_regions.{code}.weight")
            r.text(f"symptom_regions.{code}.phrase")
        hp = r.section("head_posture")
        for key in ("tilt_turn_weight", "forward_head.weight"):
            r.number(f"head_posture.{key}")
        for key in ("concentration", "amplitude_deg", "gradient_step_deg"):
            r.number(f"head_posture.{key}", low=0.01)
        for key in ("primary", "secondary", "not_stated"):
            r.number(f"head_posture.action_strength.{key}", low=0.0, high=1.0)
        for var in r.get("head_posture.forward_head.direction"):
            if var not in NECK_VARIABLES:
                raise ModelError(f"expected one of {NECK_VARIABLES}, got {var!r}",
                                 field=f"{EVIDENCE_FILE}:head_posture.forward_head.direction")
        hist = r.section("history")
        r.number("history.cause")
        r.number("history.not_a_cause")
        for onset, entry in (hist.get("onset_implies") or {}).items():
            if onset not in ONSET_CODES or entry.get("code") not in HISTORY_CODES:
                raise ModelError(f"bad onset mapping {onset!r}: {entry!r}", field=f"{EVIDENCE_FILE}:history.onset_implies")
            r.number(f"history.onset_implies.{onset}.fraction", low=0.0, high=1.0)
        cand = r.section("candidates")
        r.number("candidates.max_count", low=1)
        for key in ("probability_floor", "why_min_llr", "max_why", "max_against"):
            r.number(f"candidates.{key}", low=0.0)
        phrases = r.section("movement_phrases")
        missing = [c for c in MOVEMENT_CODES if c not in phrases]
        if missing:
            raise ModelError(f"no phrase for movement(s) {missing}", field=f"{EVIDENCE_FILE}:movement_phrases")
        priors = r.section("priors")
        for muscle in priors:
            r.number(f"priors.{muscle}", low=0.0)
        return cls(
            default_prior=r.number("default_prior", low=0.0),
            priors=MappingProxyType(dict(priors)),
            not_identified_prior=r.number("not_identified_prior", low=0.0, high=0.99),
            temperature=r.number("temperature", low=0.01),
            dead_zone_pct=r.number("length_response.dead_zone_pct", low=0.0),
            scale_pct=r.number("length_response.scale_pct", low=0.01),
            movement=MappingProxyType(dict(mv)),
            regions=MappingProxyType(dict(rg)),
            symptom_regions=MappingProxyType(dict(symptoms)),
            head_posture=MappingProxyType(dict(hp)),
            history=MappingProxyType(dict(hist)),
            candidates=MappingProxyType(dict(cand)),
            movement_phrases=MappingProxyType(dict(phrases)),
            history_phrases=MappingProxyType(dict(r.section("history_phrases"))),
            sources=MappingProxyType(dict(r.section("sources"))),
        )


class _Reader:
    """Small typed access to a nested YAML document, with errors that name the field."""

    def __init__(self, doc: Any):
        if not isinstance(doc, dict):
            raise ModelError("expected a mapping", field=EVIDENCE_FILE)
        self.doc = doc

    def get(self, path: str) -> Any:
        node: Any = self.doc
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise ModelError("required", field=f"{EVIDENCE_FILE}:{path}")
            node = node[part]
        return node

    def section(self, path: str) -> dict:
        node = self.get(path)
        if not isinstance(node, dict):
            raise ModelError("expected a mapping", field=f"{EVIDENCE_FILE}:{path}")
        return node

    def number(self, path: str, low: float | None = None, high: float | None = None) -> float:
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ModelError(f"expected a number, got {value!r}", field=f"{EVIDENCE_FILE}:{path}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ModelError(f"must be within [{low}, {high}], got {value!r}", field=f"{EVIDENCE_FILE}:{path}")
        return float(value)

    def text(self, path: str) -> str:
        value = self.get(path)
        if not isinstance(value, str) or not value.strip():
            raise ModelError("expected text", field=f"{EVIDENCE_FILE}:{path}")
        return value


def load_evidence_weights(text: str | None = None) -> EvidenceWeights:
    """Read ``evidence.yaml`` (the packaged one unless ``text`` is given) and validate it."""
    doc = packaged_yaml(__package__, EVIDENCE_FILE) if text is None else parse_yaml(text, EVIDENCE_FILE)
    return EvidenceWeights.from_document(doc)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Reason:
    """One finding's contribution to one muscle-side: plain words and its LLR."""

    text: str
    llr: float


@dataclass(frozen=True)
class Candidate:
    """A muscle-side that may be in spasm, with its probability and the reasons."""

    muscle: str
    side: str
    probability: float
    why: tuple[str, ...]
    common_name: str
    log_evidence: float  # the summed LLR (before the temperature)
    reasons: tuple[Reason, ...]  # every non-negligible contribution, strongest first

    def to_contract(self) -> dict[str, Any]:
        """Contract section 4 candidate object."""
        return {"muscle": self.muscle, "side": self.side, "probability": self.probability, "why": list(self.why)}

    def to_dict(self) -> dict[str, Any]:
        out = self.to_contract()
        out["common_name"] = self.common_name
        return out


@dataclass(frozen=True)
class Identification:
    """Ranked candidates, and the probability that none of the muscles is the source."""

    candidates: tuple[Candidate, ...]
    not_identified: float
    confidence: str  # a plain label for the top candidate's probability
    confidence_factor: float  # from triage; already applied to the probabilities
    probabilities: Mapping[tuple[str, str], float]  # every muscle-side, unrounded

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


# --------------------------------------------------------------------------- the identifier


_NOT_YET = object()  # Identifier._remember: a value whose component is not built yet


@dataclass(frozen=True)
class _Component:
    """One finding's evidence over all muscle-sides: LLR vector and a text per muscle-side."""

    llr: np.ndarray  # (H,)
    text_index: np.ndarray  # (H,) index into texts, -1 = no text
    texts: tuple[str, ...]


class Identifier:
    """The likelihood model, built once from a body model, a knowledge base and weights.

    Immutable; ``identify`` is a pure function of the findings.
    """

    def __init__(self, body, kb, weights: EvidenceWeights, movement_map=None):
        self.weights = weights
        mv = movement_map if movement_map is not None else default_movements()
        known = set(kb.muscle_ids)
        hyp = [(m, s) for (m, s) in body.muscle_sides if m in known]
        if not hyp:
            raise ModelError("the model and the knowledge base share no muscle")
        self.hypotheses: tuple[tuple[str, str], ...] = tuple(hyp)
        cols = np.array([body.muscle_sides.index(h) for h in hyp])
        self.sides = np.array([s for _, s in hyp])
        facts = [kb.muscle(m) for m, _ in hyp]
        self._names = tuple(f.common_name for f in facts)
        H = len(hyp)

        # Test movements: percent length change of every muscle-side.
        codes = [c for c in MOVEMENT_CODES if c in mv]
        P = body.postures_array([dict(mv[c].posture) for c in codes])
        D = body.length_change_pct_batch(P)[:, cols]
        self._movement_row = {c: i for i, c in enumerate(codes)}
        self._stretch = self._response(np.clip(D, 0.0, None))
        self._shorten = self._response(np.clip(-D, 0.0, None))
        self._contraction = {c: bool(mv[c].contraction) for c in codes}

        # Regions: which muscle-sides each region belongs to, by kind (side-free).
        rw = weights.regions
        ref_factor = np.array([1.0 if f.pain.evidence == "established" else rw["limited_referral_factor"] for f in facts])
        self._region_index = {r: i for i, r in enumerate(REGION_CODES)}
        R = len(REGION_CODES)
        local = np.zeros((R, H), bool)
        referral = np.zeros((R, H), bool)
        tender = np.zeros((R, H), bool)
        for j, f in enumerate(facts):
            for r in f.pain.local:
                local[self._region_index[r], j] = True
            for r in f.pain.referral:
                referral[self._region_index[r], j] = True
            for r in f.tender_points:
                tender[self._region_index[r], j] = True
        # Pain: best kind per (region, muscle); kind codes 0 none, 1 local, 2 referral, 3 tender area.
        self._pain_match, self._pain_kind = self._best_kind(
            [(local, rw["pain"]["local"]), (referral, rw["pain"]["referral"] * ref_factor),
             (tender, rw["pain"]["tender_point_area"])])
        self._tender_match, self._tender_kind = self._best_kind(
            [(tender, rw["tender_points"]["tender_point"]), (local, rw["tender_points"]["local"]),
             (referral, rw["tender_points"]["referral"] * ref_factor)])
        self._side_applies = {r.code: r.side_applies for r in kb.regions}
        self._region_names = {r.code: r.name for r in kb.regions}

        # History: causes per muscle; the codes that are a cause of some muscle.
        self._cause_codes = tuple(c for c in HISTORY_CODES if any(c in f.causes for f in facts))
        self._causes = {c: np.array([c in f.causes for f in facts]) for c in self._cause_codes}

        # Resting head posture: the length gradient over the neck variables (%/degree).
        hp = weights.head_posture
        step = hp["gradient_step_deg"]
        plus = [{v: step} for v in NECK_VARIABLES]
        minus = [{v: -step} for v in NECK_VARIABLES]
        G = body.length_change_pct_batch(body.postures_array(plus + minus))[:, cols]
        n = len(NECK_VARIABLES)
        self._gradient = (G[:n] - G[n:]) / (2.0 * step)  # (4, H)
        self._posture_gate = self._response(np.linalg.norm(self._gradient, axis=0) * hp["amplitude_deg"])
        # How the knowledge base rates each muscle as a mover of each neck variable
        # (a prime mover pulls the head visibly; a stabiliser with a short lever less so).
        strength = hp["action_strength"]
        self._action_strength = np.array([
            [next((strength[a.strength] for a in f.actions if a.variable == v), strength["not_stated"])
             for f in facts]
            for v in NECK_VARIABLES
        ])  # (4, H)

        # Priors: relative weights per muscle, then "not identified" as a share.
        w = np.array([weights.priors.get(m, weights.default_prior) for m, _ in hyp], float)
        if w.sum() <= 0:
            raise ModelError("every muscle has prior 0", field=f"{EVIDENCE_FILE}:priors")
        share = weights.not_identified_prior
        self._log_prior = np.log(np.where(w > 0, w / w.sum() * (1.0 - share), 1e-300))
        self._log_prior_other = math.log(share) if share > 0 else -math.inf
        for arr in (self._stretch, self._shorten, self._gradient, self._log_prior):
            arr.setflags(write=False)
        # A movement's or a place's evidence depends on nothing but that finding's
        # value, so it is built once per value and kept (bounded; ``_remember``).
        self._remembered: dict[tuple, _Component | None] = {}

    # ----------------------------------------------------------------- helpers

    def _response(self, pct: np.ndarray) -> np.ndarray:
        w = self.weights
        excess = np.clip(np.asarray(pct, float) - w.dead_zone_pct, 0.0, None)
        return 1.0 - np.exp(-excess / w.scale_pct)

    @staticmethod
    def _best_kind(kinds) -> tuple[np.ndarray, np.ndarray]:
        shape = kinds[0][0].shape
        best = np.full(shape, -np.inf)
        kind = np.zeros(shape, int)
        for k, (mask, weight) in enumerate(kinds, start=1):
            value = np.where(mask, np.broadcast_to(weight, shape), -np.inf)
            better = value > best
            best = np.where(better, value, best)
            kind = np.where(better, k, kind)
        best[kind == 0] = 0.0
        return best, kind

    def _where(self, region: str, side: str | None) -> str:
        name = self._region_names.get(region, region.replace("_", " "))
        if side in ("left", "right"):
            return f"{name}, {side}"
        if side == "midline":
            return f"{name}, middle"
        return name

    # ----------------------------------------------------------------- evidence

    _REMEMBER_AT_MOST = 4096

    def _remember(self, key: tuple, build: Callable[[], _Component | None]) -> _Component | None:
        """``build()``'s component for one finding's value, built the first time only
        (its arrays made read-only, as they are shared). Past ``_REMEMBER_AT_MOST``
        values the store starts again, so odd inputs cannot grow it without bound."""
        found = self._remembered.get(key, _NOT_YET)
        if found is not _NOT_YET:
            return found
        comp = build()
        if comp is not None:
            comp.llr.setflags(write=False)
            comp.text_index.setflags(write=False)
        if len(self._remembered) >= self._REMEMBER_AT_MOST:
            self._remembered.clear()
        self._remembered[key] = comp
        return comp

    def _movement_evidence(self, code: str, m: MovementFinding) -> _Component | None:
        return self._remember(("movement", code, m.pain, m.limited, m.pain_side),
                              lambda: self._movement_component(code, m))

    def _region_evidence(self, finding: RegionFinding, tender: bool) -> _Component:
        return self._remember(("region", finding.region, finding.side, tender),
                              lambda: self._region_component(finding, tender))

    def _movement_component(self, code: str, m: MovementFinding) -> _Component | None:
        row = self._movement_row.get(code)
        if row is None:
            return None
        w = self.weights.movement
        stretch, shorten = self._stretch[row], self._shorten[row]
        contraction = self._contraction[code]
        if not contraction:
            shorten = np.zeros_like(shorten)
        phrase = self.weights.movement_phrases[code]
        pain = m.pain
        painful = pain is not None and pain > 0
        if painful or m.limited:
            q_pain = min(pain, w["pain_full"]) / w["pain_full"] if painful else 0.0
            q_lim = w["limited_q"] if m.limited else 0.0
            q = 1.0 - (1.0 - q_pain) * (1.0 - q_lim)
            sw = self._movement_side_weight(m.pain_side)
            llr = q * sw * (w["stretch_positive"] * stretch + w["contract_positive"] * shorten)
            how = _what_happened(m)
            texts = [f"{phrase} stretches it, and {how}", f"{phrase} makes it work as it shortens, and {how}"]
            idx = np.where(stretch > 0, 0, np.where(shorten > 0, 1, -1))
            idx = np.where(sw > 0, idx, -1)
            if m.pain_side in ("left", "right"):
                # This side did not hurt: part of the evidence of a free movement.
                other = self.sides != m.pain_side
                f = w["other_side_free_fraction"]
                against = f * (w["stretch_free"] * stretch + w["contract_free"] * shorten)
                llr = np.where(other, against, llr)
                texts += [f"{phrase} stretches it, but the pain was on the {m.pain_side} side",
                          f"{phrase} makes it work, but the pain was on the {m.pain_side} side"]
                idx = np.where(other, np.where(stretch > 0, 2, np.where(shorten > 0, 3, -1)), idx)
            return _Component(llr, idx, tuple(texts))
        if pain == 0 or (pain is None and m.limited is False):
            f = 1.0 if pain is not None else w["free_without_pain_rating"]
            llr = f * (w["stretch_free"] * stretch + w["contract_free"] * shorten)
            texts = (f"{phrase} stretches it, yet that was free", f"{phrase} makes it work, yet that was free")
            idx = np.where(stretch > 0, 0, np.where(shorten > 0, 1, -1))
            return _Component(llr, idx, texts)
        return None

    def _movement_side_weight(self, pain_side: str | None) -> np.ndarray:
        sw = self.weights.movement["side_weight"]
        if pain_side in ("left", "right"):
            return np.where(self.sides == pain_side, sw["same"], 0.0)
        key = {"both": "both", "midline": "midline"}.get(pain_side, "unknown")
        return np.full(len(self.sides), sw[key])

    def _region_side_weight(self, finding: RegionFinding) -> np.ndarray:
        sw = self.weights.regions["side_weight"]
        if finding.side in ("left", "right"):
            return np.where(self.sides == finding.side, sw["same"], 0.0)
        if not self._side_applies.get(finding.region, True):
            value = sw["midline_region"]
        else:
            value = sw["midline"] if finding.side == "midline" else sw["unknown"]
        return np.full(len(self.sides), value)

    def _region_component(self, finding: RegionFinding, tender: bool) -> _Component:
        i = self._region_index[finding.region]
        if tender:
            match, kind = self._tender_match[i], self._tender_kind[i]
            unexplained = self.weights.regions["tender_points"]["unexplained"]
        else:
            match, kind = self._pain_match[i], self._pain_kind[i]
            unexplained = self.weights.regions["pain"]["unexplained"]
        sw = self._region_side_weight(finding)
        llr = np.where(kind > 0, sw * match + (1.0 - sw) * unexplained, unexplained)
        where = self._where(finding.region, finding.side)
        if tender:
            texts = (f"the tender spot you found ({where}) is not typical of this muscle",
                     f"the tender spot you found ({where}) is a typical tender spot of this muscle",
                     f"the tender spot you found ({where}) lies over this muscle",
                     f"the tender spot you found ({where}) is in the area this muscle sends pain to",
                     f"the tender spot you found ({where}) is on the other side")
        else:
            texts = (f"it does not usually cause pain where you feel it ({where})",
                     f"it lies where you feel pain ({where})",
                     f"it is known to send pain where you feel it ({where})",
                     f"you feel pain over one of its usual tender spots ({where})",
                     f"the pain ({where}) is on the other side")
        idx = np.where(kind > 0, np.where(sw > 0, kind, 4), 0)
        return _Component(llr, idx, texts)

    def _symptom_components(self, findings: Findings) -> list[_Component]:
        out = []
        for code, entry in self.weights.symptom_regions.items():
            if code not in findings.symptoms:
                continue
            rows = [self._region_index[r] for r in entry["regions"]]
            best = self._pain_match[rows].max(axis=0)
            llr = entry["weight"] * np.clip(best, 0.0, None)
            idx = np.where(llr > 0, 0, -1)
            out.append(_Component(llr, idx, (f"{entry['phrase']} fits the pattern of pain it can cause",)))
        return out

    def _posture_components(self, findings: Findings) -> list[_Component]:
        hp = self.weights.head_posture
        rest = findings.resting_head_posture
        out = []
        # Only the axes the person reported: a tilt without a turn says nothing
        # about turning (null means "not turned" or "not noticed").
        axes, signs, words = [], [], []
        if rest.tilt in ("left", "right"):
            axes.append(NECK_VARIABLES.index("neck_side_bend"))
            signs.append(-1.0 if rest.tilt == "left" else 1.0)
            words.append(f"tilted to the {rest.tilt}")
        if rest.turn in ("left", "right"):
            axes.append(NECK_VARIABLES.index("neck_rotation"))
            signs.append(-1.0 if rest.turn == "left" else 1.0)
            words.append(f"turned to the {rest.turn}")
        if axes:
            grad = self._gradient[axes]  # (k, H) %/degree on the reported axes
            cos = _cosine(np.array(signs), -grad)
            gate = self._response(np.linalg.norm(grad, axis=0) * hp["amplitude_deg"])
            mover = self._action_strength[axes].mean(axis=0)
            llr = hp["tilt_turn_weight"] * gate * mover * _von_mises_score(cos, hp["concentration"])
            desc = " and ".join(words)
            texts = (f"your head rests {desc}, the way this muscle pulls it",
                     f"your head rests {desc}, which this muscle would not do")
            out.append(_Component(llr, np.where(llr >= 0, 0, 1), texts))
        if rest.forward_head:
            fh = hp["forward_head"]
            d = np.array([float(fh["direction"].get(v, 0.0)) for v in NECK_VARIABLES])
            cos = _cosine(d, -self._gradient)
            llr = fh["weight"] * np.clip(cos, 0.0, None) * self._posture_gate
            out.append(_Component(llr, np.where(llr > 0, 0, -1),
                                  ("your head is held forward, which keeps this muscle short",)))
        return out

    def _history_components(self, findings: Findings) -> list[_Component]:
        hw = self.weights.history
        # (history code, how much it counts, the words that name it)
        present = [(c, 1.0, c) for c in findings.history if c in self._causes]
        for onset, entry in (hw.get("onset_implies") or {}).items():
            code = entry["code"]
            if findings.onset == onset and code in self._causes and code not in findings.history:
                present.append((code, float(entry["fraction"]), onset))
        out = []
        for code, fraction, label in present:
            is_cause = self._causes[code]
            llr = fraction * np.where(is_cause, hw["cause"], hw["not_a_cause"])
            phrase = self.weights.history_phrases.get(label, label.replace("_", " "))
            texts = (f"it is often brought on by {phrase}", f"it is not usually brought on by {phrase}")
            out.append(_Component(llr, np.where(is_cause, 0, 1), texts))
        return out

    def movement_llr(self, code: str, finding: MovementFinding) -> np.ndarray:
        """The LLR that one movement finding adds to every muscle-side, shape (H,)
        (zeros for a movement the model does not know or a finding with no answer)."""
        comp = self._movement_evidence(code, finding)
        return np.zeros(len(self.hypotheses)) if comp is None else comp.llr

    def movement_response(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """How much a test movement stretches each muscle-side, and how much it makes
        it work as it shortens (a contraction test only), each in [0, 1], shape (H,)."""
        row = self._movement_row[code]
        work = self._shorten[row] if self._contraction[code] else np.zeros(len(self.hypotheses))
        return self._stretch[row], work

    def common_name(self, j: int) -> str:
        """The plain name of muscle-side ``j`` (``hypotheses[j]``)."""
        return self._names[j]

    def components(self, findings: Findings) -> list[_Component]:
        """Every finding's evidence, in a stable order."""
        comps: list[_Component] = []
        for code, m in findings.movements.items():
            c = self._movement_evidence(code, m)
            if c is not None:
                comps.append(c)
        comps += [self._region_evidence(r, tender=False) for r in findings.pain_regions]
        comps += [self._region_evidence(r, tender=True) for r in findings.tender_points]
        comps += self._symptom_components(findings)
        comps += self._posture_components(findings)
        comps += self._history_components(findings)
        return comps

    # ----------------------------------------------------------------- posterior

    def evidence(self, findings: Findings) -> np.ndarray:
        """The summed LLR of every muscle-side (before the temperature), shape (H,)."""
        return self._total(self.components(findings))

    def _total(self, comps: Sequence[_Component]) -> np.ndarray:
        total = np.zeros(len(self.hypotheses))
        for c in comps:
            total += c.llr
        return total

    def posterior(self, total: np.ndarray, confidence_factor: float = 1.0) -> np.ndarray:
        """Probabilities of the muscle-sides for a summed LLR (``evidence``), scaled by
        the confidence factor; 1 minus their sum is "not identified"."""
        log_post = self._log_prior + self.weights.temperature * total
        top = max(float(log_post.max()), self._log_prior_other)
        expo = np.exp(log_post - top)
        other = math.exp(self._log_prior_other - top)
        factor = min(max(float(confidence_factor), 0.0), 1.0)
        return expo / (expo.sum() + other) * factor

    def ranking(self, probs: np.ndarray, total: np.ndarray) -> list[int]:
        """Indices of the muscle-sides that are candidates, most likely first (the
        order and the filter of ``identify``: above the probability floor, with net
        evidence for them), at most ``candidates.max_count``."""
        cw = self.weights.candidates
        order = sorted(range(len(self.hypotheses)), key=lambda j: (-probs[j], j))
        return [j for j in order if probs[j] >= cw["probability_floor"] and total[j] > 0][: int(cw["max_count"])]

    def identify(self, findings: Findings, confidence_factor: float = 1.0) -> Identification:
        """Rank the muscle-sides for these findings (triage is the caller's job)."""
        comps = self.components(findings)
        total = self._total(comps)
        probs = self.posterior(total, confidence_factor)
        factor = min(max(float(confidence_factor), 0.0), 1.0)

        cw = self.weights.candidates
        chosen = self.ranking(probs, total)
        # Each finding's evidence and text for the chosen muscle-sides only, as plain
        # numbers (one column per candidate).
        values = np.array([c.llr[chosen] for c in comps]).T.tolist() if comps else [[] for _ in chosen]
        kinds = np.array([c.text_index[chosen] for c in comps]).T.tolist() if comps else [[] for _ in chosen]
        candidates = []
        for j, v, k in zip(chosen, values, kinds):
            reasons = self._reasons(comps, v, k)
            candidates.append(Candidate(
                muscle=self.hypotheses[j][0], side=self.hypotheses[j][1],
                probability=_floor3(probs[j]), why=self._why(reasons),
                common_name=self._names[j], log_evidence=round(float(total[j]), 6), reasons=reasons,
            ))
        top_p = candidates[0].probability if candidates else 0.0
        label = next(lv["label"] for lv in cw["confidence_levels"] if top_p >= lv["at_least"])
        return Identification(
            candidates=tuple(candidates),
            not_identified=round(1.0 - float(probs.sum()), 6),
            confidence=label,
            confidence_factor=factor,
            probabilities=MappingProxyType({h: float(p) for h, p in zip(self.hypotheses, probs)}),
        )

    def _reasons(self, comps: Sequence[_Component], values: Sequence[float], kinds: Sequence[int]) -> tuple[Reason, ...]:
        """One muscle-side's reasons: each component's evidence for it (``values``) and
        the index of its text (``kinds``, -1 for none)."""
        floor = self.weights.candidates["why_min_llr"]
        out = []
        for c, value, k in zip(comps, values, kinds):
            if k >= 0 and abs(value) >= floor:
                out.append(Reason(c.texts[k], round(value, 4)))
        out.sort(key=lambda r: -abs(r.llr))  # stable: ties keep the findings' order
        return tuple(out)

    def _why(self, reasons: Sequence[Reason]) -> tuple[str, ...]:
        cw = self.weights.candidates
        pro = [r.text for r in reasons if r.llr > 0][: int(cw["max_why"])]
        con = [f"against it: {r.text}" for r in reasons if r.llr < 0][: int(cw["max_against"])]
        return tuple(_dedupe(pro + con))


def _cosine(direction: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Cosine between one direction (k,) and each column of ``vectors`` (k, H); 0 if either is 0."""
    dot = direction @ vectors
    denom = np.linalg.norm(direction) * np.linalg.norm(vectors, axis=0)
    return np.divide(dot, denom, out=np.zeros_like(dot), where=denom > 1e-12)


def _von_mises_score(cos: np.ndarray, kappa: float) -> np.ndarray:
    """Log-likelihood ratio of a direction under a von Mises pull toward the muscle's
    shortening direction (concentration ``kappa``) against a uniform direction,
    scaled so that perfect alignment scores 1: positive when the posture points
    within about 60 degrees of the muscle's pull, negative beyond."""
    log_norm = math.log(float(np.i0(kappa)))
    return (kappa * cos - log_norm) / (kappa - log_norm)


def _what_happened(m: MovementFinding) -> str:
    parts = []
    if m.pain is not None and m.pain > 0:
        where = {"left": " on the left", "right": " on the right", "both": " on both sides",
                 "midline": " in the middle"}.get(m.pain_side or "", "")
        parts.append(f"that hurt{where} ({_number(m.pain)}/10)")
    if m.limited:
        parts.append("it was limited" if not parts else "was limited")
    return " and ".join(parts) if parts else "that was limited"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for s in items:
        if s not in out:
            out.append(s)
    return out


def _floor3(p: float) -> float:
    # Rounded down to 3 decimals, so rounding can never push the sum above 1.
    return math.floor(float(p) * 1000.0) / 1000.0


# --------------------------------------------------------------------------- defaults


@functools.lru_cache(maxsize=1)
def default_identifier() -> Identifier:
    """The identifier over the packaged model, knowledge base and weights (built once;
    ``default_identifier.cache_clear()`` resets it)."""
    from ..model import default_model

    return Identifier(default_model(), knowledge_base(), load_evidence_weights())


def identify(findings: Findings, confidence_factor: float = 1.0) -> Identification:
    """Rank the muscle-sides for validated findings with the packaged identifier."""
    return default_identifier().identify(findings, confidence_factor)


__all__ = [
    "Candidate",
    "EvidenceWeights",
    "Identification",
    "Identifier",
    "Reason",
    "default_identifier",
    "identify",
    "load_evidence_weights",
]
