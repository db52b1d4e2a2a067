from ombuds.cases.threading import ThreadAction, case_subject, decide_thread, is_echo


def test_a_customer_with_an_open_case_stays_in_it() -> None:
    decision = decide_thread(is_inbound=True, open_case_id=7, replied_case_id=None)
    assert (decision.action, decision.case_id) == (ThreadAction.ATTACH, 7)


def test_a_new_voice_opens_a_case() -> None:
    assert decide_thread(is_inbound=True, open_case_id=None, replied_case_id=None).action is ThreadAction.OPEN


def test_a_brand_reply_joins_the_case_it_answers() -> None:
    decision = decide_thread(is_inbound=False, open_case_id=None, replied_case_id=3)
    assert (decision.action, decision.case_id) == (ThreadAction.ATTACH, 3)


def test_a_brand_post_that_answers_nobody_opens_no_case() -> None:
    assert (
        decide_thread(is_inbound=False, open_case_id=None, replied_case_id=None).action is ThreadAction.SKIP
    )


def test_subject_is_one_line_cut_at_a_word() -> None:
    text = (
        "My bag\nnever arrived in Lisbon and the desk number rings out every single time I call them, day 4"
    )
    subject = case_subject(text, limit=40)
    assert "\n" not in subject
    assert subject.endswith("…")
    assert len(subject) <= 41
    assert subject.startswith("My bag never arrived")


def test_a_plain_repost_is_an_echo_not_a_new_voice() -> None:
    decision = decide_thread(
        is_inbound=True, open_case_id=None, replied_case_id=None, echo=is_echo("RT @mika: lol")
    )
    assert decision.action is ThreadAction.SKIP
    assert not is_echo("Support never answers. RT if this happened to you")


def test_writing_again_soon_after_resolution_reopens_that_case() -> None:
    decision = decide_thread(is_inbound=True, open_case_id=None, replied_case_id=None, reopenable_case_id=9)
    assert (decision.action, decision.case_id) == (ThreadAction.REOPEN, 9)


def test_an_open_case_wins_over_reopening_a_resolved_one() -> None:
    decision = decide_thread(is_inbound=True, open_case_id=4, replied_case_id=None, reopenable_case_id=9)
    assert (decision.action, decision.case_id) == (ThreadAction.ATTACH, 4)
