"""The strategy map page and its files: ``/strategy/map.svg``, ``.png`` and ``.pdf``.

The files answer a logged-in session or an API token (``Authorization: Bearer kano_…``
with read scope), so a wiki or a slide deck can embed the live map; without either they
answer 401. The map shows one scorecard of the workspace: ``?scorecard=KEY``, else the
company-level one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.api.auth import granted_scopes, not_authenticated, record_token_use
from kano.adapters.db import accounts
from kano.adapters.db.orm import Workspace
from kano.adapters.db.views.link_tests import LinkTestLine, link_tests_of
from kano.adapters.db.views.objective import ObjectiveDetail
from kano.adapters.db.views.scorecard import (
    PerspectiveLine,
    ScorecardView,
    choose_scorecard,
    list_scorecards,
    scorecard_view,
)
from kano.adapters.exports.svg_files import svg_to_pdf, svg_to_png, titled_svg
from kano.adapters.web.deps import (
    DbSession,
    OptionalViewer,
    SignedInPage,
    SignedInPageContext,
    Web,
    language_for,
)
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.link_effects import EffectWords
from kano.adapters.web.routes.linkage import design_label, lag_parts
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import formats_of, no_workspace, strategy_context
from kano.adapters.web.strategy_formats import LEGEND_ORDER, STATUS_LABELS, StrategyFormats
from kano.adapters.web.strategy_map_svg import (
    BoxText,
    MapTexts,
    arrow_style,
    as_svg_file,
    render_strategy_map,
)
from kano.domain.strategy.map_layout import MapLink, MapObjective, layout_strategy_map
from kano.domain.workspaces import Scope

router = APIRouter()
Gettext = Callable[[str], str]
Plural = Callable[[str, str, int], str]


def strategy_map_svg(
    view: ScorecardView, gettext: Gettext, fmt: StrategyFormats,
    tests: Sequence[LinkTestLine] = (),
) -> str:
    """The map of one scorecard, with every text in the reader's language; ``tests`` (the
    stored tests of its arrows) set each arrow's thickness, dash and colour."""
    key_of = {o.id: o.key for o in view.objectives}
    objectives, boxes = [], {}
    for perspective in view.perspectives:
        for o in perspective.objectives:
            objectives.append(MapObjective(o.key, o.title, perspective.key, o.status.value))
            status = gettext(STATUS_LABELS[o.status.value])
            boxes[o.key] = BoxText(
                href=f"/scorecard/objectives/{o.id}",
                label=gettext("%(title)s. Perspective: %(perspective)s. %(status)s, score "
                              "%(score)s of 10.") % {"title": o.title, "status": status,
                                                     "perspective": perspective.name,
                                                     "score": fmt.score(o.score)},
                status_line=status if o.score is None else f"{status} · {fmt.score(o.score)}",
            )
    titles = {o.key: o.title for o in view.objectives}
    links, link_texts = [], {}
    for link in view.links:
        if link.cause_id in key_of and link.effect_id in key_of:
            cause, effect = key_of[link.cause_id], key_of[link.effect_id]
            links.append(MapLink(cause, effect))
            text = gettext("%(cause)s drives %(effect)s") % {
                "cause": titles[cause], "effect": titles[effect]}
            if link.lag_months:
                text += " · " + gettext("lag in months: %(months)s") % {"months": link.lag_months}
            if link.hypothesis:
                text += " · " + link.hypothesis
            link_texts[(cause, effect)] = text
    arrow_styles = {
        (key_of[t.cause_id], key_of[t.effect_id]): arrow_style(
            t.verdict, t.standardized, evidence_text(t, gettext, fmt))
        for t in tests
        if not t.proposed and t.cause_id in key_of and t.effect_id in key_of
    }  # fmt: skip
    layout = layout_strategy_map([(p.key, p.name) for p in view.perspectives], objectives, links)
    score_word = gettext("Score")
    texts = MapTexts(
        title=gettext("Strategy map: %(name)s") % {"name": view.scorecard.name},
        description=gettext("Objectives: %(objectives)s. Perspectives: %(perspectives)s. "
                            "Cause-and-effect links: %(links)s. Each box opens its objective.")
        % {"objectives": len(objectives), "perspectives": len(view.perspectives),
           "links": len(links)},
        boxes=boxes,
        links=link_texts,
        band_notes={p.key: _band_note(p, score_word, gettext, fmt) for p in view.perspectives},
        legend=[(status, gettext(STATUS_LABELS[status])) for status in LEGEND_ORDER],
        arrow_styles=arrow_styles,
    )
    return render_strategy_map(layout, texts)


VERDICT_LABELS = {
    "supported": N_("supported by the data"),
    "not supported": N_("not supported by the data"),
    "wrong sign": N_("the data show the opposite effect"),
    "untested": N_("not tested: no pair of metric-bound measures can be observed together"),
    "too few observations": N_("too few observations to test"),
}


def lag_words(lag: str | None, gettext: Gettext, ngettext: Plural) -> str:
    """A tested arrow's lag as the linkage page says it: "after 1 month", "after 90 days",
    or "no lag" for one response against its own order or contact (``lag`` "0" or "")."""
    count, unit = lag_parts(lag or "")
    if unit == "M":
        return ngettext("after %(count)s month", "after %(count)s months", count) % {
            "count": count}
    if unit == "D":
        return ngettext("after %(count)s day", "after %(count)s days", count) % {
            "count": count}
    return gettext("no lag")


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def effect_words(fmt: StrategyFormats, gettext: Gettext) -> EffectWords:
    """The linkage page's writer of effects per step, in the map's language and currency."""
    return EffectWords(NumberFormats(fmt.language), gettext, fmt.ngettext or _english_plural,
                       fmt.currency)  # fmt: skip


def evidence_text(test: LinkTestLine, gettext: Gettext, fmt: StrategyFormats) -> str:
    """"Supported by the data: Team engagement (1–5) +1 point → Delivery delay −0.30 days
    (95 % CI −0.41 … −0.19), after 1 month, n = 115, within teams, net of month effects" in
    the reader's language: the effect per step of its cause in the effect's own unit, as
    the linkage page writes it (``link_effects``), not the raw slope per unit of the cause
    (which read "changes by −0.00065 per unit of Call waiting time (seconds)")."""
    verdict = gettext(VERDICT_LABELS.get(test.verdict, test.verdict))
    if test.estimate is None or test.ci_low is None or test.ci_high is None:
        return verdict
    # Imported here, as the linkage page does: the analytics package loads statsmodels.
    from kano.analytics.linkage.steps import VARIABLES

    words = effect_words(fmt, gettext)
    cause, effect = test.cause_metric or "", test.effect_metric or ""
    if cause in VARIABLES and effect in VARIABLES:
        said = words.sentence(cause, effect, test.estimate, test.ci_low, test.ci_high)
        cause_text, effect_text, interval = said.cause, said.effect, said.interval or ""
    else:  # a variable without a step (not stored by this version): its raw slope
        significant = fmt.significant
        cause_text = words.name(cause)
        effect_text = f"{words.name(effect)} {significant(test.estimate, 3)}"
        interval = f"{significant(test.ci_low, 3)} … {significant(test.ci_high, 3)}"
    sentence = gettext("%(cause)s → %(effect)s (95 %% CI %(interval)s)") % {
        "cause": cause_text, "effect": effect_text, "interval": interval}
    parts = [sentence, lag_words(test.lag, gettext, fmt.ngettext or _english_plural),
             f"n = {fmt.integer(test.n)}"]
    design = design_label(test.method, gettext)  # "within teams, net of month effects"
    return verdict + ": " + ", ".join(parts + ([design] if design else []))


def objective_evidence(
    db: Session, page: SignedInPageContext, detail: ObjectiveDetail
) -> dict[int, str]:
    """The evidence of each tested arrow into and out of one objective, by link id, for the
    objective page's "Cause and effect": the map's sentence in the page's language (no
    entry for an arrow not tested yet)."""
    assert page.workspace is not None
    tests = {(t.cause_id, t.effect_id): t for t in
             link_tests_of(db, page.workspace.id, detail.scorecard.id) if not t.proposed}
    here, fmt = detail.objective.id, formats_of(page)
    arrows = [(link.link_id, (link.objective.id, here)) for link in detail.causes] + [
        (link.link_id, (here, link.objective.id)) for link in detail.effects]
    return {link_id: evidence_text(tests[pair], page.gettext, fmt)
            for link_id, pair in arrows if pair in tests}  # fmt: skip


def _band_note(
    perspective: PerspectiveLine, score_word: str, gettext: Gettext, fmt: StrategyFormats
) -> str:
    status = gettext(STATUS_LABELS[perspective.status.value])
    if perspective.score is None:
        return status
    return f"{score_word} {fmt.score(perspective.score)} · {status}"


@router.get("/strategy/map")
def strategy_map(page: SignedInPage, db: DbSession, scorecard: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    choices = list_scorecards(db, page.workspace.id)
    chosen = choose_scorecard(choices, scorecard)
    view = scorecard_view(db, page.workspace.id, chosen) if chosen else None
    context = strategy_context(page)
    tests = link_tests_of(db, page.workspace.id, view.scorecard.id) if view else []
    svg = strategy_map_svg(view, page.gettext, context["fmt"], tests) if view else None
    titles = {o.id: o.title for o in view.objectives} if view else {}
    # The tested measures by name (the stored keys mean something to a YAML author only).
    measures = {(o.id, m.key): m.name for o in view.objectives for m in o.measures} \
        if view else {}
    fmt = context["fmt"]
    evidence = {(t.cause_id, t.effect_id): evidence_text(t, page.gettext, fmt) for t in tests}
    return page.render(
        "strategy/map.html", active="strategy_map", choices=choices, view=view,
        svg=Markup(svg) if svg else None,  # built by ElementTree: every text is escaped
        titles=titles, measures=measures, tests=tests, evidence=evidence, **context,
    )


@dataclass(frozen=True)
class MapReader:
    """Whoever asked for a map file: a session's viewer or an API token, their language and
    the workspace's currency (an arrow into revenue is stated in it)."""

    workspace_id: int
    language: str
    currency: str


def map_reader(request: Request, web: Web, db: DbSession, viewer: OptionalViewer) -> MapReader:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        found = accounts.authenticate_token(db, token.strip()) if scheme.lower() == "bearer" \
            else None
        if found is None:
            raise not_authenticated("The token is unknown or has been revoked.",
                                    invalid_token=True)
        api_token, workspace = found
        if not any(scope.covers(Scope.READ) for scope in granted_scopes(api_token.scopes)):
            raise HTTPException(403, detail="This token may not read.")
        record_token_use(db, api_token)
        return MapReader(workspace.id, language_for(request, None, web).code, workspace.currency)
    if viewer is None or viewer.workspace is None:
        raise not_authenticated(
            "Log in, or send an API token as `Authorization: Bearer kano_…`.",
            invalid_token=False,
        )
    return MapReader(viewer.workspace.id, language_for(request, viewer, web).code,
                     viewer.workspace.currency)


Reader = Annotated[MapReader, Depends(map_reader)]


def _map_file(reader: MapReader, web: Web, db: DbSession, scorecard: str | None) -> tuple[
        bytes, str, str]:
    """The map as an .svg file, the file's name and the scorecard's name."""
    chosen = choose_scorecard(list_scorecards(db, reader.workspace_id), scorecard)
    if chosen is None:
        raise HTTPException(404, detail="This workspace has no scorecard yet.")
    view = scorecard_view(db, reader.workspace_id, chosen)
    language = reader.language
    svg = strategy_map_svg(
        view, lambda message: web.templates.gettext(language, message),
        StrategyFormats(language, reader.currency, ngettext=lambda singular, plural, n: web.
                        templates.ngettext(language, singular, plural, n)),
        link_tests_of(db, reader.workspace_id, chosen.id),
    )
    return as_svg_file(svg), f"strategy-map-{chosen.key}", chosen.name


def _titled_for_print(
    svg: bytes, scorecard_name: str, reader: MapReader, web: Web, db: Session
) -> bytes:
    """The map under "Strategy map: <scorecard>" and "<workspace> · <today>", in the
    reader's language: a printed or filed map says what it is, whose and of when."""
    workspace = db.get(Workspace, reader.workspace_id)
    title = f"{web.templates.gettext(reader.language, 'Strategy map')}: {scorecard_name}"
    today = NumberFormats(reader.language).day(date.today())
    facts = f"{workspace.name} · {today}" if workspace is not None else today
    return titled_svg(svg, title, facts)


def _file_response(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store",  # one tenant's strategy: never in a shared cache
    })


@router.get("/strategy/map.svg")
def strategy_map_file(
    reader: Reader, web: Web, db: DbSession, scorecard: str | None = None
) -> Response:
    svg, name, _scorecard = _map_file(reader, web, db, scorecard)
    return _file_response(svg, "image/svg+xml", f"{name}.svg")


@router.get("/strategy/map.png")
def strategy_map_png(
    reader: Reader, web: Web, db: DbSession, scorecard: str | None = None
) -> Response:
    svg, name, _scorecard = _map_file(reader, web, db, scorecard)
    return _file_response(svg_to_png(svg), "image/png", f"{name}.png")


@router.get("/strategy/map.pdf")
def strategy_map_pdf(
    reader: Reader, web: Web, db: DbSession, scorecard: str | None = None
) -> Response:
    svg, name, scorecard_name = _map_file(reader, web, db, scorecard)
    titled = _titled_for_print(svg, scorecard_name, reader, web, db)
    return _file_response(svg_to_pdf(titled), "application/pdf", f"{name}.pdf")
