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

The questions' wording and order are data (``assessment/data/questions.yaml``, read by
``relieve.assessment.questions.questionnaire()``), so another front end asks the same
questions in the same order.
Every answer is read defensively: numbers only in ASCII digits, a closed or ended
standard input or an endless line stops with a one-line message (exit code 2), and
whatever a person or a file gives is printed as plain text, never as markup.

Bad findings raise ``ValidationError`` (a ``RelieveError``) naming every bad field;
the main CLI turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations

import re
import sys



from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from ._common import console as make_console
from ._common import plain, print_json, read_text_arg, styled
from .._input import ascii_int, ascii_number
from ..errors import RelieveError

if TYPE_CHECKING:  # the questionnaire is loaded when asked, not to build the parser
    from ..assessment.questions import Question, Questions

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

# A typed answer longer than this is not an answer (and an endless line must not fill memory).
MAX_ANSWER_CHARS = 4096
# How much of a bad answer is repeated back ("Not understood: ...").
_ECHO_CHARS = 60
_REGION_TOKEN = re.compile(r"([0-9]{1,3})\s*([lrm]?)")


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
    from ..assessment import assess

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
    """The assessment for people: refer advice, or the ranked candidates with reasons.
    Every text is printed as plain text (rules and names are data, not markup)."""
    from rich.panel import Panel
    from rich.table import Table

    from ..assessment import NOTICE

    if result.status == "refer":
        refer = result.refer
        title = {"emergency": "EMERGENCY: get help now", "urgent": "See a doctor today",
                 "soon": "See a doctor before treating this yourself"}[refer["urgency"]]
        body = "\n".join(f"- {r}" for r in refer["reasons"]) + "\n\n" + refer["advice"]
        console.print(Panel(plain(body), title=title, border_style="red"))
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
            table.add_row(str(i), plain(c.common_name), plain(c.side), f"{c.probability:.0%}",
                          plain("\n".join(f"- {w}" for w in c.why)))
        console.print(table)
        console.print(styled("How sure: ", (str(ident.confidence), "bold"),
                             f". Something else, or no single muscle: {ident.not_identified:.0%}."))
    for caution in result.triage.cautions:
        console.print(styled(("Caution:", "yellow"), " ", caution))
    console.print(plain(NOTICE, style="italic"))


def offer_plan(result, console, ask: Callable[[str], str], prompt: str | None = None) -> None:
    """Ask which candidate's plan to show, then show it (via ``relieve.cli_plan``)."""
    if result.status != "ok" or not result.candidates:
        return
    n = len(result.candidates)
    from ..assessment.questions import questionnaire

    wording = prompt if prompt is not None else questionnaire().plan_offer
    while True:
        answer = ask(wording.format(count=n)).strip().lower()
        if answer in ("n", "no"):
            return
        number = ascii_int(answer)
        if answer in ("", "y", "yes"):
            choice = 1
        elif number is not None and 1 <= number <= n:
            choice = number
        else:
            console.print(f"Please type a number from 1 to {n}, or n.")
            continue
        break
    candidate = result.candidates[choice - 1]
    try:
        from .plan import show_plan
    except ImportError:
        console.print("Plans are not available yet in this version.")
        return
    show_plan(candidate.muscle, candidate.side, result.findings)


# --------------------------------------------------------------------------- questionnaire


class QuestionnaireEnded(RelieveError):
    """Standard input ended (or could not be read) before the questionnaire was finished."""


class _BoundedLines:
    """Standard input, one line at a time, at most ``MAX_ANSWER_CHARS`` per line; used
    when it is not a terminal (a pipe or a file may hold one endless line)."""

    def __init__(self, stream):
        self.stream = stream

    def readline(self) -> str:
        line = self.stream.readline(MAX_ANSWER_CHARS + 1)
        if not line:
            raise EOFError
        if len(line) > MAX_ANSWER_CHARS and not line.endswith("\n"):
            raise QuestionnaireEnded(f"an answer is longer than {MAX_ANSWER_CHARS:,} characters",
                                     field="standard input")
        return line


def _bad_tokens(tokens: Sequence[str]) -> str:
    """The answers not understood, as they are repeated back: shortened, plain."""
    text = ", ".join(tokens)
    return text if len(text) <= _ECHO_CHARS else text[: _ECHO_CHARS - 3] + "..."


class Questionnaire:
    """The interactive assessment. Reads answers with Rich prompts (any text stream works,
    so it can be driven by scripted standard input); the questions are
    ``questionnaire()``'s, in its order."""

    def __init__(self, console, questions: Questions | None = None):
        self.console = console
        from ..assessment.questions import questionnaire

        self.questions = questions if questions is not None else questionnaire()

    # ----------------------------------------------------------------- prompts

    def ask(self, question: str) -> str:
        from rich.prompt import Prompt

        stdin = sys.stdin
        if stdin is None or getattr(stdin, "closed", False):
            raise QuestionnaireEnded("standard input is closed: there is nothing to read the answers from",
                                     field="standard input")
        try:
            interactive = stdin.isatty()
        except (AttributeError, ValueError, OSError):
            interactive = False
        try:
            # A terminal gets input() (line editing); anything else is read line by line, bounded.
            return Prompt.ask(plain(question), console=self.console, default="", show_default=False,
                              stream=None if interactive else _BoundedLines(stdin))
        except EOFError:
            raise QuestionnaireEnded("the answers ended before the questionnaire was finished",
                                     field="standard input") from None
        except UnicodeDecodeError:
            raise QuestionnaireEnded("the answers are not UTF-8 text", field="standard input") from None
        except (OSError, ValueError, RuntimeError) as exc:  # a closed or broken stream
            raise QuestionnaireEnded(f"cannot read the answers ({exc})", field="standard input") from None

    def ask_number(self, question: str, low: float, high: float | None, *, optional: bool,
                   whole: bool = False) -> float | None:
        """A number typed in ASCII digits within [low, high]; "²", "٣" or "３" are asked again."""
        while True:
            raw = self.ask(question).strip()
            if not raw and optional:
                return None
            value = ascii_number(raw)
            ok = value is not None and value >= low and (high is None or value <= high)
            if ok and whole and not float(value).is_integer():
                ok = False
            if ok:
                return int(value) if float(value).is_integer() else value
            rng = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
            self.console.print(f"Please type a {'whole ' if whole else ''}number from {rng}"
                               + (", or press Enter to skip." if optional else "."))

    def ask_choice(self, question: str, options: Mapping[str, str], *, optional: bool = True) -> str | None:
        """Numbered options; the answer may be the number, the code or the label."""
        keys = list(options)
        for i, k in enumerate(keys, 1):
            self.console.print(plain(f"  {i}. {options[k]}"))
        while True:
            raw = self.ask(question).strip().lower()
            if not raw and optional:
                return None
            number = ascii_int(raw)
            if number is not None and 1 <= number <= len(keys):
                return keys[number - 1]
            for k in keys:
                if raw in (k, k.replace("_", " "), options[k].lower()):
                    return k
            self.console.print(f"Please type a number from 1 to {len(keys)}"
                               + (", or press Enter to skip." if optional else "."))

    def ask_many(self, question: str, options: Mapping[str, str]) -> list[str]:
        """Numbered options; several numbers separated by spaces or commas, Enter for none."""
        keys = list(options)
        for i, k in enumerate(keys, 1):
            self.console.print(plain(f"  {i:>2}. {options[k]}"))
        while True:
            raw = self.ask(question).strip()
            tokens = [t for t in re.split(r"[,\s]+", raw) if t]
            numbers = [ascii_int(t) for t in tokens]
            bad = [t for t, n in zip(tokens, numbers) if n is None or not 1 <= n <= len(keys)]
            if not bad:
                return list(dict.fromkeys(keys[n - 1] for n in numbers))
            self.console.print(styled("Not understood: ", _bad_tokens(bad),
                                      f". Type numbers from 1 to {len(keys)}, separated by spaces, "
                                      "or press Enter for none."))

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
        from ..assessment import assess

        c = self.console
        qs = self.questions
        doc, stopped = self._answers()
        if stopped:
            return 0
        result = assess(doc)
        c.print()
        show_result(result, c)
        offer_plan(result, c, self.ask, qs.plan_offer)
        return 0

    def _answers(self) -> tuple[dict[str, Any], bool]:
        """Every question in turn: the findings document, and whether a safety gate stopped it."""
        from rich.panel import Panel

        qs = self.questions
        self.console.print(Panel(plain(qs.intro), title=plain(qs.title)))
        doc: dict[str, Any] = {}
        for question in qs.steps:
            if question.kind == "gate":
                if self._stopped_at_gate(question, doc):
                    return doc, True
                continue
            if question.kind == "movements":
                self.ask_movements(question, doc)
                continue
            answer = getattr(self, f"_step_{question.kind}")(question)
            if answer not in (None, [], {}):
                doc[question.id] = answer
            if question.screen == "before":
                self.ask_follow_ups(doc)
        return doc, False

    def collect(self) -> dict[str, Any]:
        """The findings document from the questions (a guided session assesses it itself;
        findings stopped at a safety gate are returned too, so the referral is stored)."""
        return self._answers()[0]

    def _introduce(self, question: Question) -> None:
        """The heading (bold) and the introduction, on a line of their own."""
        heading, intro = question.texts.get("heading"), question.texts.get("intro")
        if heading or intro:
            parts: list = ["\n"]
            if heading:
                parts += [(heading, "bold"), " " if intro else ""]
            if intro:
                parts.append(intro)
            self.console.print(styled(*parts))

    def _stopped_at_gate(self, question: Question, doc: dict) -> bool:
        """The safety gate: on the answers so far, is self-care safe? If not, the advice."""
        from ..assessment import assess, parse_findings, triage

        if triage(parse_findings(doc)).status != "refer":
            return False
        show_result(assess(doc), self.console)
        self.console.print(plain(question.text("stop")))
        return True

    def _step_number(self, question: Question):
        self._introduce(question)
        num = question.settings
        return self.ask_number(question.text("prompt"), num["min"], num.get("max"),
                               optional=not num.get("required", False), whole=bool(num.get("whole", False)))

    def _step_choice(self, question: Question):
        self._introduce(question)
        return self.ask_choice(question.text("prompt"), question.options)

    def _step_many(self, question: Question):
        self._introduce(question)
        return self.ask_many(question.text("prompt"), question.options)

    def _step_regions(self, question: Question):
        return self.ask_regions(question, show_picture=bool(question.settings.get("picture", False)))

    def ask_follow_ups(self, doc: dict) -> None:
        """Every red-flag follow-up the answers so far call for, asked now (right after the
        answer that raised it), into ``doc["qualifiers"]``; "cannot say" stays unknown."""
        from ..assessment import next_question

        while (q := next_question(doc)) is not None and q.kind == "qualifier":
            self._ask_qualifier(q, doc)

    def _ask_qualifier(self, q, doc: dict) -> None:
        texts = self.questions.follow_up
        self.console.print(styled("\n", (texts["heading"], "bold"), " ", q.text))
        self.console.print(plain(texts["why"].format(why=q.why), style="dim"))
        doc.setdefault("qualifiers", {})[q.code] = self.ask_yes_no(texts["prompt"])

    def _step_head_posture(self, question: Question):
        self._introduce(question)
        tilt = self.ask_side(question.text("tilt"), ("left", "right"))
        turn = self.ask_side(question.text("turn"), ("left", "right"))
        forward = self.ask_yes_no(question.text("forward"))
        if tilt or turn or forward is not None:
            return {"tilt": tilt, "turn": turn, "forward_head": forward}
        return None

    def ask_regions(self, question: Question, show_picture: bool = True) -> list[dict]:
        from ..anatomy import knowledge_base

        kb = knowledge_base()
        regions = kb.regions
        c = self.console
        self._introduce(question)
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
                grid.add_row(plain(left), plain(right))
            c.print(grid)
        while True:
            raw = self.ask(question.text("prompt")).strip().lower()
            if not raw:
                return []
            out, bad = [], []
            for token in re.split(r"[,\s]+", raw):
                m = _REGION_TOKEN.fullmatch(token)  # ASCII digits only: "٣l" is not region 3
                if not m or not 1 <= int(m.group(1)) <= len(regions):
                    bad.append(token)
                    continue
                region = regions[int(m.group(1)) - 1]
                side = {"l": "left", "r": "right", "m": "midline"}.get(m.group(2))
                if side is None:
                    if region.side_applies:
                        side = self.ask_side(question.text("side_prompt", region=region.name),
                                             ("left", "right", "midline"))
                    else:
                        side = "midline"
                item = {"region": region.code}
                if side:
                    item["side"] = side
                if item not in out:
                    out.append(item)
            if not bad:
                return out
            c.print(styled("Not understood: ", _bad_tokens(bad), f". Type region numbers 1-{len(regions)} "
                           "each followed by L, R or M, separated by spaces."))

    def ask_movements(self, question: Question, doc: dict) -> None:
        """The test movements one at a time, in the order ``relieve.next_question`` gives
        (the most telling first), into ``doc["movements"]``, until no further test would
        change the answer or the person stops (q). A test skipped is recorded as asked
        but not done (an empty entry), so it is not asked again."""
        from ..assessment import next_question

        c = self.console
        self._introduce(question)
        moves = doc.setdefault("movements", {})
        number = 0
        while (q := next_question(doc)) is not None:
            if q.kind == "qualifier":
                self._ask_qualifier(q, doc)
                continue
            number += 1
            c.print(styled("\n", (question.text("counter", number=number), "bold"), " ", q.text))
            c.print(plain(question.text("why", why=q.why), style="dim"))
            raw = self.ask(question.text("prompt")).strip().lower()
            entry = None if raw == "q" else self._movement_answer(question, raw)
            if raw == "q" or entry == "stop":
                break
            moves[q.code] = entry or {}
        if number == 0:
            c.print(plain(question.text("none_needed")))
        if not moves:
            del doc["movements"]

    def _movement_answer(self, question: Question, raw: str) -> dict[str, Any] | str | None:
        """One test's answer: pain 0-10, then limited and where; None when skipped,
        ``"stop"`` when the person chose to skip all the tests left."""
        c = self.console
        pain = _parse_pain(raw) if raw else None
        while raw and pain is None:
            c.print("Please type a number from 0 to 10, Enter to skip, or q.")
            raw = self.ask(question.text("again")).strip().lower()
            if raw == "q":
                return "stop"
            if not raw:
                return None
            pain = _parse_pain(raw)
        if pain is None:
            return None
        entry: dict[str, Any] = {"pain": pain}
        limited = self.ask_yes_no(question.text("limited"))
        if limited is not None:
            entry["limited"] = limited
        if pain > 0 or limited:
            side = self.ask_side(question.text("where"), ("left", "right", "both", "midline"))
            if side:
                entry["pain_side"] = side
        return entry


def _parse_pain(raw: str) -> float | None:
    """A pain score 0-10 in ASCII digits (a decimal point allowed), else None."""
    value = ascii_number(raw)
    if value is None or not (0 <= value <= 10):
        return None
    return int(value) if value.is_integer() else value


__all__ = ["add_assess_parser", "cmd_assess", "offer_plan", "show_result", "Questionnaire",
           "QuestionnaireEnded"]
