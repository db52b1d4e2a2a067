"""Noticing a fix that did not work, as each customer message passes the pipeline's last stage.

Why in the pipeline and not at read time: reopening is a change (the problem goes back to
investigating, an event says why, the owning team sees it in its queue), and a read must not
write. The detect stage is the first where a message has its analysis (category, sentiment)
and its case, so it is hooked there with one call; like every stage it may run again on the
same messages and change nothing (a problem reopened already stays so). The tally on the
problem's page ("came back") is read from the messages as they stand (``queries.returned_customers``).

Two signs reopen a fixed or verified problem:

* a customer of one of its cases writes again after the fix about the same issue
  (``rules.is_same_issue``);
* ``rules.NEW_CASES_TO_REOPEN`` new cases in its category opened since the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.clock import as_utc
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Direction, Mention
from ombuds.problems import actions, queries, rules
from ombuds.problems.models import Problem, ProblemCase
from ombuds.problems.values import DONE_STATUSES


def notice_returns(session: Session, *, mentions: Sequence[Mention], now: datetime) -> list[int]:
    """Reopen the fixed problems these customer messages show did not stay fixed; their ids."""
    inbound = [m for m in mentions if m.direction is Direction.INBOUND and m.customer_id is not None]
    if not inbound:
        return []
    brand_ids = sorted({m.brand_id for m in inbound})
    fixed = list(
        session.scalars(
            select(Problem).where(Problem.brand_id.in_(brand_ids), Problem.status.in_(list(DONE_STATUSES)))
        )
    )
    if not fixed:
        return []
    customers_of = {
        (problem_id, customer_id)
        for problem_id, customer_id in session.execute(
            select(ProblemCase.problem_id, Case.customer_id)
            .join(Case, Case.id == ProblemCase.case_id)
            .where(
                ProblemCase.problem_id.in_([p.id for p in fixed]),
                Case.customer_id.in_(sorted({m.customer_id for m in inbound if m.customer_id})),
            )
        )
    }
    labels = queries.labels_of(session, [m.id for m in inbound])
    reopened = []
    for problem in fixed:
        assert problem.fixed_at is not None  # set when it was marked fixed
        since = as_utc(problem.fixed_at)
        for mention in inbound:
            if mention.brand_id != problem.brand_id or as_utc(mention.created_at) <= since:
                continue
            same = rules.is_same_issue(
                category=labels.get(mention.id, {}).get("category"),
                sentiment=labels.get(mention.id, {}).get("sentiment"),
                problem_category=problem.category,
            )
            if same and (problem.id, mention.customer_id) in customers_of:
                actions.reopen_for_return(
                    session,
                    problem=problem,
                    reason="a customer of the problem wrote about it again after the fix",
                    mention_id=mention.id,
                    case_id=mention.case_id,
                    now=now,
                )
                reopened.append(problem.id)
                break
        else:
            # counted only when this batch brings a message in the category: most batches bring none
            in_category = any(
                labels.get(m.id, {}).get("category") == problem.category
                for m in inbound
                if m.brand_id == problem.brand_id and as_utc(m.created_at) > since
            )
            if (
                problem.category
                and in_category
                and _new_cases_since(session, problem, since) >= rules.NEW_CASES_TO_REOPEN
            ):
                actions.reopen_for_return(
                    session,
                    problem=problem,
                    reason=(
                        f"{rules.NEW_CASES_TO_REOPEN} or more new cases about {problem.category} since the fix"
                    ),
                    mention_id=None,
                    case_id=None,
                    now=now,
                )
                reopened.append(problem.id)
    return reopened


def _new_cases_since(session: Session, problem: Problem, since: datetime) -> int:
    """Cases opened since the fix whose first customer message is in the problem's category."""
    first_message = (
        select(Mention.case_id, func.min(Mention.id).label("mention_id"))
        .join(Case, Case.id == Mention.case_id)
        .where(
            Case.brand_id == problem.brand_id,
            Case.opened_at > since,
            Mention.direction == Direction.INBOUND,
        )
        .group_by(Mention.case_id)
        .subquery()
    )
    count = session.scalar(
        select(func.count())
        .select_from(first_message)
        .join(Enrichment, Enrichment.mention_id == first_message.c.mention_id)
        .where(Enrichment.analyzer == "category", Enrichment.label == problem.category)
    )
    return int(count or 0)
