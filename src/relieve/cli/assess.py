"""``relieve assess``: the safety screen and the muscle identification from the command line.

* ``relieve assess`` asks the questions one by one (Rich prompts): age and history,
  the safety questions (and stops there, with advice, if self-care is not safe),
  a pain map with a picture, the test movements explained one at a time, the
  resting head posture and tender spots. It then shows the result and offers the
  plan for a candidate.
* ``relieve assess --json FILE`` (``-`` = standard input) prints exactly the
  contract section 4 object for a findings document; ``--details`` adds the extra
  fields beside it (cautions, confidence, the notice that it does not diagnose).
* ``relieve assess --findings FILE`` shows the same result for people.

Bad findings raise ``ValidationError`` (a ``RelieveError``) naming every bad field;
the main CLI turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from ._cli_common import console as make_console
from ._cli_common import print_json, read_text_arg
from .errors import RelieveError

PAIN_MAP = r"""
        BACK (seen from behind)                  FRONT (facing you)
                 .-~~~-.                                .-~~~-.
                /   1   \                              /   1   \
               |    6    |                            |  2   2  |
             4 |  7   7  | 4                        3 |    .    | 3
                \ 8   8 /                              \ 5   5 /
               9 |     | 9                           9  |10  10|  9
      12    11 __|     |__ 11    12        17 _________|       |_________ 17
         ___/    13  15  13    \___          /     16             16     \
        /  |     14  15  14     |  \        /  |                       |  \
       | 18|     14      14     |18 |      | 18|                       |18 |
       |   |                    |   |      |   |                       |   |
       | 19                       19 |     | 19                          19 |
      left                       right    right                        left
"""

PAIN_SIDE_WORDS = {"l": "left", "r": "right", "b": "both", "m": "midline",
                   "left": "left", "right": "right", "both": "both", "middle": "midline",
                   "midline": "midline", "centre": "midline", "center": "midline"}

HISTORY_LABELS = {
    "sustained_posture": "held one posture for a long time (desk, phone, driving, reading)",
    "repetitive_motion": "repeated the same movement many times",
    "slept_awkwardly": "slept in an awkward position",
    "sports_strain": "strained it during sport or exercise",
    "emotional_stress": "under stress or tension lately",
    "carrying_load": "carried a heavy bag, child or load",
    "car_accident": "a car accident or crash",
    "fall": "a fall",
    "blow_to_head_or_neck": "a blow to the head or neck",
    "diving_or_axial_load": "a dive into shallow water or a heavy load onto the head",
    "recent_neck_manipulation": "neck manipulation (\"cracking\") in the last few weeks",
    "history_of_cancer": "cancer now or in the past",
    "osteoporosis": "osteoporosis (thin bones)",
    "long_term_steroids": "steroid tablets for months or years",
    "inflammatory_arthritis": "rheumatoid arthritis, ankylosing spondylitis or similar",
    "recent_infection": "an infection in the last few weeks",
    "immunosuppressed": "a weak immune system (illness or medicines)",
    "iv_drug_use": "injecting drugs",
    "anticoagulants": "blood thinners",
    "recent_neck_surgery": "neck surgery in the last few months",
    "pregnancy": "pregnant",
}

SYMPTOM_LABELS = {
    "fever": "fever or feeling hot and shivery",
    "unexplained_weight_loss": "weight loss you cannot explain",
    "night_pain_unrelieved_by_rest": "pain at night that rest or changing position does not ease",
    "sudden_severe_headache": "a sudden, very severe headache (the worst ever)",
    "headache": "a headache",
    "dizziness": "dizziness",
    "double_vision": "double vision or other trouble seeing",
    "drop_attacks": "falling down suddenly without losing consciousness",
    "difficulty_speaking": "difficulty speaking",
    "difficulty_swallowing": "difficulty swallowing",
    "nausea_vomiting": "nausea or vomiting",
    "facial_numbness": "numbness of the face",
    "light_sensitivity": "light hurting your eyes",
    "unsteady_walking": "unsteady walking",
    "hand_clumsiness": "clumsy hands (dropping things, trouble with buttons)",
    "numbness_both_arms": "numbness in both arms",
    "numbness_one_arm": "numbness in one arm",
    "tingling_one_arm": "tingling (pins and needles) in one arm",
    "arm_weakness": "weakness in an arm or hand",
    "arm_pain_radiating": "pain shooting down an arm",
    "bladder_or_bowel_changes": "new trouble controlling bladder or bowels",
    "chest_pain": "chest pain",
    "shortness_of_breath": "shortness of breath",
    "pain_on_exertion": "pain that comes on with physical effort",
    "jaw_pain": "jaw pain",
}

ONSET_LABELS = {"sudden": "suddenly", "gradual": "gradually", "on_waking": "I woke up with it"}


# --------------------------------------------------------------------------- parser


def add_assess_parser(subparsers) -> Any:
    """Add ``assess`` to the main CLI's subparsers."""
    p = subparsers.add_parser(
        "assess",
        help="safety screen, then which muscle is most likely in spasm (questionnaire or --json)",
        description=(
            "Screen for danger first, then rank the muscles most likely in spasm. Without "
            "options it asks the questions one by one. It informs; it does not diagnose."
        ),
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--json", metavar="FILE",
                     help="assess a findings document (contract section 3; '-' = standard input) "
                          "and print the contract's assessment JSON")
    src.add_argument("--findings", metavar="FILE",
                     help="assess a findings document and show the result for people")
    p.add_argument("--details", action="store_true",
                   help="with --json: add cautions, confidence and the notice beside the contract fields")
    p.set_defaults(func=cmd_assess)
    return p


def cmd_assess(args) -> int:
    from .assess import assess

    if getattr(args, "json", None) is not None:
        result = assess(read_text_arg(args.json, "--json"))
        data = result.to_dict() if getattr(args, "details", False) else result.to_contract()
        print_json(data)
        return 0
    if getattr(args, "details", False):
        raise RelieveError("--details only goes with --json", field="--details")
    console = make_console()
    if getattr(args, "findings", None) is not None:
        result = assess(read_text_arg(args.findings, "--findings"))
        show_result(result, console)
        return 0
    return Questionnaire(console).run()


# --------------------------------------------------------------------------- result


def show_result(result, console) -> None:
    """The assessment for people: refer advice, or the ranked candidates with reasons."""
    from rich.panel import Panel
    from rich.table import Table

    from .assess import NOTICE

    if result.status == "refer":
        refer = result.refer
        title = {"emergency": "EMERGENCY: get help now", "urgent": "See a doctor today",
                 "soon": "See a doctor before treating this yourself"}[refer["urgency"]]
        body = "\n".join(f"- {r}" for r in refer["reasons"]) + "\n\n" + refer["advice"]
        console.print(Panel(body, title=title, border_style="red"))
        console.print("Self-treatment is not advised, so no muscle guess or technique is shown.")
        return
    ident = result.identification
    if not result.candidates:
        console.print("The answers do not point to one muscle clearly enough to name it.")
        console.print("Try the test movements and the pain map again, or see a physiotherapist.")
    else:
        table = Table(title="Muscles most likely in spasm", show_lines=True)
        table.add_column("#", justify="right")
        table.add_column("muscle")
        table.add_column("side")
        table.add_column("chance", justify="right")
        table.add_column("why")
        for i, c in enumerate(result.candidates, 1):
            table.add_row(str(i), c.common_name, c.side, f"{c.probability:.0%}",
                          "\n".join(f"- {w}" for w in c.why))
        console.print(table)
        console.print(f"How sure: [bold]{ident.confidence}[/bold]. Something else, or no single muscle: "
                      f"{ident.not_identified:.0%}.")
    for caution in result.triage.cautions:
        console.print(f"[yellow]Caution:[/yellow] {caution}")
    console.print(f"[italic]{NOTICE}[/italic]")


def offer_plan(result, console, ask: Callable[[str], str]) -> None:
    """Ask which candidate's plan to show, then show it (via ``relieve.cli_plan``)."""
    if result.status != "ok" or not result.candidates:
        return
    n = len(result.candidates)
    while True:
        answer = ask(f"Show the gentle techniques for one of these? Number 1-{n}, Enter = 1, n = no").strip().lower()
        if answer in ("n", "no"):
            return
        if answer in ("", "y", "yes"):
            choice = 1
        elif answer.isdigit() and 1 <= int(answer) <= n:
            choice = int(answer)
        else:
            console.print(f"Please type a number from 1 to {n}, or n.")
            continue
        break
    candidate = result.candidates[choice - 1]
    try:
        from .cli_plan import show_plan
    except ImportError:
        console.print("Plans are not available yet in this version.")
        return
    show_plan(candidate.muscle, candidate.side, result.findings)


# --------------------------------------------------------------------------- questionnaire


class QuestionnaireEnded(RelieveError):
    """Standard input ended before the questionnaire was finished."""


class Questionnaire:
    """The interactive assessment. Reads answers with Rich prompts (any text stream works,
    so it can be driven by scripted standard input)."""

    def __init__(self, console):
        self.console = console

    # ----------------------------------------------------------------- prompts

    def ask(self, question: str) -> str:
        from rich.prompt import Prompt

        try:
            return Prompt.ask(question, console=self.console, default="", show_default=False)
        except EOFError:
            raise QuestionnaireEnded("the answers ended before the questionnaire was finished",
                                     field="standard input") from None

    def ask_number(self, question: str, low: float, high: float | None, *, optional: bool,
                   whole: bool = False) -> float | None:
        while True:
            raw = self.ask(question).strip()
            if not raw and optional:
                return None
            try:
                value = float(raw)
            except ValueError:
                value = None
            ok = value is not None and value == value and value >= low and (high is None or value <= high)
            if ok and whole and not float(value).is_integer():
                ok = False
            if ok:
                return int(value) if float(value).is_integer() else value
            rng = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
            self.console.print(f"Please type a {'whole ' if whole else ''}number from {rng}"
                               + (", or press Enter to skip." if optional else "."))

    def ask_choice(self, question: str, options: dict[str, str], *, optional: bool = True) -> str | None:
        """Numbered options; the answer may be the number, the code or the first word."""
        keys = list(options)
        for i, k in enumerate(keys, 1):
            self.console.print(f"  {i}. {options[k]}")
        while True:
            raw = self.ask(question).strip().lower()
            if not raw and optional:
                return None
            if raw.isdigit() and 1 <= int(raw) <= len(keys):
                return keys[int(raw) - 1]
            for k in keys:
                if raw in (k, k.replace("_", " "), options[k].lower()):
                    return k
            self.console.print(f"Please type a number from 1 to {len(keys)}"
                               + (", or press Enter to skip." if optional else "."))

    def ask_many(self, question: str, options: dict[str, str]) -> list[str]:
        """Numbered options; several numbers separated by spaces or commas, Enter for none."""
        keys = list(options)
        for i, k in enumerate(keys, 1):
            self.console.print(f"  {i:>2}. {options[k]}")
        while True:
            raw = self.ask(question).strip()
            tokens = [t for t in re.split(r"[,\s]+", raw) if t]
            bad = [t for t in tokens if not (t.isdigit() and 1 <= int(t) <= len(keys))]
            if not bad:
                return list(dict.fromkeys(keys[int(t) - 1] for t in tokens))
            self.console.print(f"Not understood: {', '.join(bad)}. Type numbers from 1 to {len(keys)}, "
                               "separated by spaces, or press Enter for none.")

    def ask_yes_no(self, question: str, *, optional: bool = True) -> bool | None:
        while True:
            raw = self.ask(question + " (y/n)").strip().lower()
            if not raw and optional:
                return None
            if raw in ("y", "yes"):
                return True
            if raw in ("n", "no"):
                return False
            self.console.print("Please answer y or n" + (", or press Enter to skip." if optional else "."))

    def ask_side(self, question: str, allowed: Sequence[str]) -> str | None:
        while True:
            raw = self.ask(question).strip().lower()
            if not raw:
                return None
            side = PAIN_SIDE_WORDS.get(raw)
            if side in allowed:
                return side
            words = "/".join("middle" if a == "midline" else a for a in allowed)
            self.console.print(f"Please answer {words}, or press Enter to skip.")

    # ----------------------------------------------------------------- steps

    def run(self) -> int:
        from rich.panel import Panel

        from .assess import assess, parse_findings, triage

        c = self.console
        c.print(Panel(
            "A few questions about your neck or upper-back pain. First the safety questions, "
            "then where it hurts and how it moves.\nPress Enter to skip a question you cannot "
            "answer. This informs; it does not diagnose.",
            title="relieve assess"))
        doc: dict[str, Any] = {}
        doc["age"] = self.ask_number("How old are you (years)?", 12, 110, optional=False, whole=True)
        onset = self.ask_choice("How did the pain start? (number, Enter to skip)", ONSET_LABELS)
        if onset:
            doc["onset"] = onset
        days = self.ask_number("How many days ago did it start? (0 = today)", 0, None, optional=True)
        if days is not None:
            doc["duration_days"] = days
        pain = self.ask_number("How strong is the pain now, 0 (none) to 10 (worst imaginable)?", 0, 10,
                               optional=True)
        if pain is not None:
            doc["pain_now"] = pain

        c.print("\n[bold]Safety questions[/bold]. Which of these apply to you (recently, or now)?")
        history = self.ask_many("Numbers separated by spaces, Enter for none", HISTORY_LABELS)
        if history:
            doc["history"] = history
        c.print("\nDo you have any of these symptoms?")
        symptoms = self.ask_many("Numbers separated by spaces, Enter for none", SYMPTOM_LABELS)
        if symptoms:
            doc["symptoms"] = symptoms

        # The safety gate runs before any movement is asked for.
        gate = triage(parse_findings(doc))
        if gate.status == "refer":
            result = assess(doc)
            show_result(result, c)
            c.print("Please do not try the test movements.")
            return 0

        regions = self.ask_regions(
            "\n[bold]Where does it hurt?[/bold] Find the places on the picture.",
            "Numbers with L, R or M for left, right or middle, e.g. 11L 13L 15 (Enter for none)")
        if regions:
            doc["pain_regions"] = regions

        movements = self.ask_movements()
        if movements:
            doc["movements"] = movements

        c.print("\n[bold]Resting head posture.[/bold] Sit relaxed and look straight into a mirror.")
        tilt = self.ask_side("Is your head tilted, one ear lower than the other? left / right (Enter = no)",
                             ("left", "right"))
        turn = self.ask_side("Is your chin turned to one side? left / right (Enter = no)", ("left", "right"))
        forward = self.ask_yes_no("Is your head held forward of your shoulders?")
        if tilt or turn or forward is not None:
            doc["resting_head_posture"] = {"tilt": tilt, "turn": turn, "forward_head": forward}

        tender = self.ask_regions(
            "\n[bold]Tender spots.[/bold] Press gently with two fingertips around the painful area. "
            "Where is it clearly more tender than the same spot on the other side?",
            "Numbers with L, R or M, e.g. 13L (Enter for none)", show_picture=False)
        if tender:
            doc["tender_points"] = tender

        result = assess(doc)
        c.print()
        show_result(result, c)
        offer_plan(result, c, self.ask)
        return 0

    def ask_regions(self, intro: str, question: str, show_picture: bool = True) -> list[dict]:
        from .anatomy import knowledge_base

        kb = knowledge_base()
        regions = kb.regions
        c = self.console
        c.print(intro)
        if show_picture:
            from rich.table import Table

            c.print(PAIN_MAP, markup=False)
            half = (len(regions) + 1) // 2
            grid = Table.grid(padding=(0, 3))
            grid.add_column()
            grid.add_column()
            for i in range(half):
                left = f"{i + 1:>2}. {regions[i].name}"
                right = f"{i + 1 + half:>2}. {regions[i + half].name}" if i + half < len(regions) else ""
                grid.add_row(left, right)
            c.print(grid)
        while True:
            raw = self.ask(question).strip().lower()
            if not raw:
                return []
            out, bad = [], []
            for token in re.split(r"[,\s]+", raw):
                m = re.fullmatch(r"(\d+)\s*([lrm]?)", token)
                if not m or not 1 <= int(m.group(1)) <= len(regions):
                    bad.append(token)
                    continue
                region = regions[int(m.group(1)) - 1]
                side = {"l": "left", "r": "right", "m": "midline"}.get(m.group(2))
                if side is None:
                    if region.side_applies:
                        side = self.ask_side(f"{region.name}: left, right or middle?", ("left", "right", "midline"))
                    else:
                        side = "midline"
                item = {"region": region.code}
                if side:
                    item["side"] = side
                if item not in out:
                    out.append(item)
            if not bad:
                return out
            c.print(f"Not understood: {', '.join(bad)}. Type region numbers 1-{len(regions)} "
                    "each followed by L, R or M, separated by spaces.")

    def ask_movements(self) -> dict[str, dict]:
        from .anatomy.movements import movements

        c = self.console
        moves = list(movements().values())
        c.print("\n[bold]Test movements.[/bold] Try each one slowly and gently, only as far as is "
                "comfortable; stop at the first real pain. Press Enter to skip one, or q to skip "
                "all that are left.")
        out: dict[str, dict] = {}
        for i, m in enumerate(moves, 1):
            c.print(f"\n[bold]{i} of {len(moves)}.[/bold] {m.text}")
            raw = self.ask("How much did it hurt, 0-10? (Enter = skip, q = skip the rest)").strip().lower()
            if raw == "q":
                break
            if not raw:
                continue
            pain = _parse_pain(raw)
            while pain is None:
                c.print("Please type a number from 0 to 10, Enter to skip, or q.")
                raw = self.ask("How much did it hurt, 0-10?").strip().lower()
                if raw == "q":
                    return out
                if not raw:
                    break
                pain = _parse_pain(raw)
            if pain is None:
                continue
            entry: dict[str, Any] = {"pain": pain}
            limited = self.ask_yes_no("Did it stop short of the usual range (stiff or blocked)?")
            if limited is not None:
                entry["limited"] = limited
            if pain > 0 or limited:
                side = self.ask_side("Where did you feel it? left / right / both / middle",
                                     ("left", "right", "both", "midline"))
                if side:
                    entry["pain_side"] = side
            out[m.code] = entry
        return out


def _parse_pain(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    if not (0 <= value <= 10):
        return None
    return int(value) if value.is_integer() else value


__all__ = ["add_assess_parser", "cmd_assess", "offer_plan", "show_result", "Questionnaire"]
