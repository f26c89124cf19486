"""Technique planner: muscle shortening, repositioning and strain-counterstrain
(with the classic Jones variant), every posture computed from the model.

>>> from relieve.techniques import plan
>>> p = plan([("levator_scapulae", "left")])
>>> p.techniques["muscle_shortening"]["length_change_pct"] < 0
True
"""

from ._limits import Bounds, bounds
from ._plan import IF_IT_HURTS, NOTICE, TECHNIQUES, Plan, Target, plan
from ._search import SearchResult, optimise

__all__ = ["Bounds", "IF_IT_HURTS", "NOTICE", "TECHNIQUES", "Plan", "SearchResult", "Target", "bounds", "optimise", "plan"]
