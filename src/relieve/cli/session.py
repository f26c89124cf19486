"""``relieve session``: a guided session in the terminal (or from ``--script FILE``).

Presentation only: the state machine, the timers' lengths, the relief rule and the
storage are the library's (``relieve.sessions``, ``relieve.store``). Here: what the
person sees (Rich countdown and progress bar, cues, spoken cues with ``--speak``) and
the keyboard (Ctrl-C pauses: resume, skip or stop).
"""

from __future__ import annotations

import shutil
from pathlib import Path
import subprocess
import sys

from ._common import console as make_console
from ._common import plain, print_json, read_text_arg, styled
from ._store import db_parent, open_db
from .._input import ascii_int, ascii_number
from ..errors import RelieveError

TITLES = {
    "muscle_shortening": "Muscle shortening",
    "repositioning": "Repositioning",
    "strain_counterstrain": "Strain-counterstrain",
    "jones_counterstrain": "Jones' counterstrain (with a helper)",
}


def add_parser(sub) -> None:
    p = sub.add_parser("session", parents=[db_parent()],
                       help="a guided session: safety questions, the muscle, each technique with timers; stored",
                       description="A guided session: safety first, then the likely muscle, then each technique "
                                   "step by step with a countdown. Ctrl-C pauses (resume, skip or stop). Every "
                                   "finished step is stored at once; an interrupted session can be resumed.")
    p.add_argument("--script", metavar="FILE", help="answer the whole session from a JSON document (contract §7)")
    p.add_argument("--findings", metavar="FILE", help="findings JSON (contract §3) instead of the questions")
    p.add_argument("--time-scale", type=str, default="1", metavar="X",
                   help="multiply every timer by X (e.g. 0.01 to rehearse quickly)")
    p.add_argument("--resume", nargs="?", const="", metavar="ID",
                   help="go on with an interrupted session (default: the latest unfinished one)")
    p.add_argument("--speak", action="store_true", help="speak the cues (needs espeak-ng)")
    p.add_argument("--figures", metavar="DIR",
                   help="write each technique's pictures (one per group of steps, SVG and PNG) into DIR and show their paths")
    p.add_argument("--json", action="store_true", help="print the stored session (contract §7) at the end")
    p.set_defaults(func=cmd_session)


def _time_scale(text: str) -> float:
    value = ascii_number(str(text).strip(), exponent=True)
    if value is None or not 0 < value <= 1000:
        raise RelieveError(f"expected a number above 0 and at most 1000, got {text!r}", field="--time-scale")
    return value


def cmd_session(args) -> int:
    from ..contract.session import parse_script
    from ..sessions import GuidedSession, ScriptAnswers, SystemClock, run_session
    from ..sessions.measures import record_measures

    scale = _time_scale(args.time_scale)
    script = parse_script(read_text_arg(args.script, "--script")) if args.script else None
    if script is None and args.findings is None and args.resume is None and not sys.stdin.isatty():
        raise RelieveError("a session needs a terminal, or --script FILE (or --findings FILE)", field="--script")
    console = make_console()
    speaker = Speaker(console) if args.speak else None
    clock = SystemClock()
    with open_db(args) as store:
        if args.resume is not None:
            session = GuidedSession.resume(store, clock, args.resume or None)
            console.print(styled(("Resuming", "bold"), f" session {session.id[:8]} "
                                 f"({len(session.record['steps'])} technique(s) done)."))
        else:
            if script is not None:
                findings = script.findings
            elif args.findings is not None:
                findings = read_text_arg(args.findings, "--findings")
            else:
                findings = ask_findings(console)
            session = GuidedSession.start(store, clock, findings, time_scale=scale,
                                          pain_start=script.pain_before if script else None)
            if script is not None and script.measures is not None:
                m = script.measures
                record_measures(store, clock, ndi=m.ndi,
                                psfs=[a.model_dump() for a in m.psfs] if m.psfs is not None else None,
                                session_id=session.id)
            elif script is None and not session.referred:
                offer_measures(store, clock, console, session.id)
        show = Screen(console, speaker, live=script is None, figures=Path(args.figures) if args.figures else None)
        ui = ScriptAnswers(script, show) if script is not None else Interactive(console, show)
        try:
            record = run_session(session, ui, clock, scale)
        except KeyboardInterrupt:
            # Outside a timer (a question): keep it resumable.
            console.print(plain(f"Interrupted. Resume with: relieve session --resume {session.id[:8]}"))
            return 130
        if args.json:
            print_json(record)
        if record["status"] == "referred":
            raise RelieveError("self-treatment is not advised: " + (session.refer or {}).get("advice", ""),
                               field="findings")
    return 0


class Speaker:
    def __init__(self, console):
        self.program = shutil.which("espeak-ng")
        if self.program is None:
            console.print(plain("(espeak-ng is not installed: the cues are shown, not spoken)", style="dim"))

    def say(self, text: str) -> None:
        if self.program:
            try:
                subprocess.Popen([self.program, "--", text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError:
                self.program = None


class Screen:
    """What the person sees; ``live`` adds the Rich countdown (in a terminal)."""

    def __init__(self, console, speaker, live: bool, figures: Path | None = None):
        self.c, self.speaker = console, speaker
        self.live = live and console.is_terminal
        self.progress = None
        self.figures = figures

    def __call__(self, kind, **data):
        getattr(self, f"_{kind}")(**data)

    def _cue(self, text):
        if self.speaker:
            self.speaker.say(text)

    def _no_candidate(self):
        self.c.print("The answers do not point to one muscle clearly enough; no technique is suggested.")

    def _technique(self, session, run):
        from rich.rule import Rule

        self.c.print(Rule(plain(f"{TITLES[run.key]} - {run.side} {run.muscle.replace('_', ' ')}")))
        technique = session.plan_for(run.muscle, run.side).techniques[run.key]
        for i, step in enumerate(technique["steps"], 1):
            self.c.print(styled(f"  {i}. {step}"))
        if self.figures is not None:
            self._pictures(session.plan_for(run.muscle, run.side), run.key)
        self._cue(TITLES[run.key])

    def _pictures(self, plan, key: str) -> None:
        """The technique's pictures, one per group of steps, written and their paths shown."""
        from ..figures import plan_figures

        for picture in plan_figures(plan):
            if picture.technique != key:
                continue
            for name, data in picture.files().items():
                path = self.figures / name
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                except OSError as exc:
                    raise RelieveError(f"cannot write {path}: {exc.strerror}", field="--figures") from None
            first, last = picture.steps
            steps = f"step {first}" if first == last else f"steps {first}-{last}"
            # soft wrap: a path is never broken across lines
            self.c.print(styled(("  picture", "dim"), f" ({steps}): ", str(self.figures / f"{picture.name}.png")),
                         soft_wrap=True)

    def _phase(self, run, index, timer):
        phase = run.phases[index]
        rep = f" {phase.repetition}/{sum(1 for p in run.phases if p.kind == phase.kind)}" if phase.repetition else ""
        self.c.print(styled((f"[{phase.kind}{rep}] ", "bold cyan"), phase.cue, (f"  ({phase.seconds:g} s)", "dim")))
        self._cue(phase.cue)
        if self.live:
            from rich.progress import BarColumn, Progress, TextColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.fields[left]:>5.0f} s left"), console=self.c, transient=True)
            self.task = self.progress.add_task(phase.kind, total=max(timer.total, 1e-9), left=timer.remaining)
            self.progress.start()

    def _tick(self, run, index, timer):
        if self.progress is not None:
            left = timer.remaining / (timer.total / run.phases[index].seconds) if timer.total else 0
            self.progress.update(self.task, completed=timer.elapsed, left=left)
            if timer.remaining <= 0:
                self.progress.stop()
                self.progress = None

    def stop_live(self):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def _decision(self, decision):
        if decision.pain_after is None:
            return
        pct = f" ({decision.relief_pct:.0f} %)" if decision.relief_pct is not None else ""
        self.c.print(styled(("Pain ", "bold"), f"{decision.pain_start:g} -> {decision.pain_after:g}: "
                            f"{decision.relief_points:+g} points{pct}."))
        if decision.relieved:
            self.c.print("That is a meaningful relief (two points or 30 %; Farrar et al., Pain 2001).")
        elif decision.offer == "next_technique":
            self.c.print(plain(f"Less than a meaningful relief so far: next, {TITLES[decision.next_technique]}."))
        elif decision.offer == "next_candidate":
            m, s = decision.next_candidate
            self.c.print(plain(f"Less than a meaningful relief: the next likely muscle is the {s} {m.replace('_', ' ')}."))
        else:
            self.c.print("No more techniques to try here; if the pain persists, see a health professional.")

    def _referred(self, refer):
        from rich.panel import Panel

        body = "\n".join(f"- {r}" for r in refer["reasons"]) + "\n\n" + refer["advice"]
        self.c.print(Panel(plain(body), title=f"Please get help ({refer['urgency']})", border_style="red"))
        self.c.print("No technique is given; this session is stored as referred.")

    def _summary(self, record, decision):
        from ..sessions.progress import session_relief

        r = session_relief(record)
        done = ", ".join(TITLES[s["technique"]] for s in record["steps"]) or "none"
        self.c.print(styled(("Session ", "bold"), f"{record['id'][:8]} {record['status']}: techniques done: {done}."))
        if r["pain_start"] is not None and r["pain_end"] is not None:
            self.c.print(plain(f"Pain {r['pain_start']:g} at the start, {r['pain_end']:g} at the end."))
        if record["status"] == "stopped":
            self.c.print(plain("Stopped; what was done is stored."))


class Interactive:
    """Questions in the terminal; Ctrl-C during a timer pauses."""

    notes = None

    def __init__(self, console, screen):
        self.c, self.screen = console, screen

    def ask(self, prompt: str) -> str:
        from rich.prompt import Prompt

        return Prompt.ask(plain(prompt), console=self.c, default="", show_default=False)

    def choose(self, session):
        from ..assessment import assess
        from .assess import show_result

        show_result(assess(session.record["findings"]), self.c)
        cands = session.candidates
        if not cands:
            return None
        while True:
            a = self.ask(f"Treat which one? 1-{len(cands)} (Enter = 1, n = stop)").strip().lower()
            if a in ("n", "no", "q"):
                return None
            n = 1 if a == "" else ascii_int(a)
            if n is not None and 1 <= n <= len(cands):
                return cands[n - 1][0], cands[n - 1][1], None
            self.c.print(f"Please type a number from 1 to {len(cands)}.")

    def technique_start(self, session, run):
        self.screen("technique", session=session, run=run)

    def run_phase(self, run, index, timer):
        self.screen("phase", run=run, index=index, timer=timer)
        while True:
            try:
                timer.run(lambda t: self.screen("tick", run=run, index=index, timer=t))
                return "done"
            except KeyboardInterrupt:
                self.screen.stop_live()
                a = self.ask("Paused. [r]esume, [s]kip this step, or s[t]op the session?").strip().lower()
                if a in ("s", "skip"):
                    return "skip"
                if a in ("t", "stop"):
                    return "stop"
                self.screen("phase", run=run, index=index, timer=timer)

    def pain_after(self, run):
        while True:
            a = self.ask("Your pain now, 0-10 (Enter to skip)").strip()
            if a == "":
                return None
            v = ascii_number(a)
            if v is not None and 0 <= v <= 10:
                return v
            self.c.print("Please type a number from 0 to 10.")

    def next_step(self, session, decision):
        self.screen("decision", decision=decision)
        if decision.offer == "next_technique":
            a = self.ask("Go on with it? [Y/n]").strip().lower()
            return self._finish() if a in ("n", "no") else "next"
        if decision.offer == "next_candidate":
            a = self.ask("Try that muscle? [y/N]").strip().lower()
            if a in ("y", "yes"):
                return ("candidate", *decision.next_candidate)
            return self._finish()
        if decision.relieved and session.next_technique() is not None:
            a = self.ask("Do the next technique anyway? [y/N]").strip().lower()
            return "next" if a in ("y", "yes") else self._finish()
        return self._finish()

    def _finish(self):
        self.notes = self.ask("A note for your history (Enter to skip)").strip() or None
        return "finish"

    def referred(self, refer):
        self.screen("referred", refer=refer)

    def summary(self, record, decision):
        self.screen("summary", record=record, decision=decision)


def ask_findings(console) -> dict:
    from .assess import Questionnaire

    doc = Questionnaire(console).collect()
    return doc


def offer_measures(store, clock, console, session_id) -> None:
    from rich.prompt import Prompt

    from ..sessions.measures import measures_due, ndi_terms, record_measures

    if not measures_due(store.measures(), clock.now()):
        return
    a = Prompt.ask(plain("Record your outcome measures now (NDI scores, PSFS)? [y/N]"), console=console, default="",
                   show_default=False).strip().lower()
    if a not in ("y", "yes"):
        return
    console.print(plain(ndi_terms(), style="dim"))
    ndi = []
    for i in range(10):
        while True:
            v = Prompt.ask(f"NDI section {i + 1} score from your copy, 0-5 (Enter = not answered)",
                           console=console, default="", show_default=False).strip()
            if v == "":
                ndi.append(None)
                break
            n = ascii_int(v)
            if n is not None and 0 <= n <= 5:
                ndi.append(n)
                break
    console.print("Patient-Specific Functional Scale: name 3 to 5 activities that are hard for you now, and rate "
                  "each from 0 (cannot do it) to 10 (as well as before the problem).")
    psfs = []
    while len(psfs) < 5:
        name = Prompt.ask(f"Activity {len(psfs) + 1} (Enter to finish)", console=console, default="",
                          show_default=False).strip()
        if not name:
            if len(psfs) >= 3:
                break
            continue
        n = ascii_number(Prompt.ask("Rating 0-10", console=console, default="", show_default=False).strip())
        if n is not None and 0 <= n <= 10:
            psfs.append({"activity": name, "score": n})
    scores = record_measures(store, clock, ndi=ndi, psfs=psfs, session_id=session_id)
    console.print(plain(f"Stored: NDI {scores.get('ndi') if scores.get('ndi') is not None else 'not scored'}"
                        f"{' %' if scores.get('ndi') is not None else ''}, PSFS {scores.get('psfs')}."))
