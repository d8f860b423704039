"""Snapshot links in AppTest: create from the sidebar, open in a fresh session, access codes, refusals, deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from snapshots import SnapshotService, open_store
from snapshots.errors import UNAVAILABLE_MESSAGE
from tests.app import files
from tests.app.conftest import APP, PAGES, TIMEOUT, go, metric, no_errors, open_app
from tests.app.test_safety import assert_plain
from ui.data import sample_dataset
from ui.i18n import TEXT
from ui.model.view import ViewState
from ui.snapshot_codec import dataset_to_payload, snapshot_metadata

pytestmark = pytest.mark.xdist_group("app")

LOCKED = TEXT["snap.locked"][0]
BANNER = TEXT["snap.banner_title"][0]
MALFORMED = ["../../etc/passwd", "' OR 1=1 --", "x" * 10_000, "%00", "<script>alert(1)</script>", "A" * 23, "A" * 25]


@pytest.fixture
def service(store):
    """A service over the same store, to look behind the UI."""
    backend = open_store(store)
    yield SnapshotService(backend)
    backend.close()


def share(at: AppTest, title: str = "", expiry: str | None = None, code: str = "") -> AppTest:
    """Fill in the 分享快照 form and submit it."""
    if title:
        at.text_input(key="share_title").input(title)
    if expiry is not None:
        at.selectbox(key="share_expiry").set_value(expiry)
    if code:
        at.text_input(key="share_code").input(code)
    at.button(key="share_submit").click().run()
    no_errors(at)
    return at


def links(at: AppTest) -> tuple[str, str | None]:
    """The snapshot id and delete token the form showed."""
    shown = [c.value for c in at.sidebar.code]
    query = parse_qs(urlsplit(shown[0]).query)
    token = None
    if len(shown) > 1:
        token = parse_qs(urlsplit(shown[1]).query)["delete"][0]
        assert shown[2] == token
    return query["snapshot"][0], token


def visit(snapshot_id: str, **params: str) -> AppTest:
    """Open a snapshot link in a fresh session (as the recipient would)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["snapshot"] = snapshot_id
    at.query_params.update(params)
    at.run()
    no_errors(at)
    return at


def enter_code(at: AppTest, code: str) -> AppTest:
    at.text_input(key="snap_code").input(code)
    at.button(key="snap_open").click().run()
    no_errors(at)
    return at


def in_snapshot(at: AppTest) -> bool:
    return any(i.proto.title == BANNER for i in at.info)


def refused(at: AppTest) -> None:
    """Only the uniform message (and the way back): no data, no banner, no hint."""
    assert [e.value for e in at.error] == [UNAVAILABLE_MESSAGE]
    assert not in_snapshot(at)
    assert not at.metric and not at.dataframe and not at.sidebar.multiselect


def kpis(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_snapshot_reopens_the_same_numbers_page_and_filters_in_a_fresh_session(store, service):
    at = open_app(field="农村", grade=["先进", "中间"])
    go(at, "rectify")
    before = kpis(at)
    share(at, title="农村支部整改情况")
    snapshot_id, token = links(at)
    assert token is not None and len(snapshot_id) >= 22
    assert any("快照已生成" in s.value for s in at.sidebar.success)

    seen = visit(snapshot_id)
    seen.run()  # follow the switch to the snapshot's page
    no_errors(seen)
    assert in_snapshot(seen)
    assert seen.title[0].value == "整改预警"
    assert kpis(seen) == before
    assert seen.multiselect(key="f_field").value == ["农村"]
    assert seen.multiselect(key="f_grade").value == ["先进", "中间"]
    assert seen.query_params == {"snapshot": snapshot_id}  # inside a snapshot the address stays its link
    banner = next(i.value for i in seen.info if i.proto.title == BANNER)
    assert "农村支部整改情况" in banner and "版本 2025\\.1" in banner and "2,960 行" in banner
    meta = service.list()[0]
    assert meta.metadata["fingerprint"][:12] in banner
    assert any("快照" in c.value for c in seen.sidebar.caption)


def test_opening_never_rescores(store, monkeypatch):
    at = open_app()
    share(at)
    snapshot_id, _ = links(at)
    frozen = sample_dataset().results

    def refuse(*args, **kwargs):
        raise AssertionError("a snapshot must not be scored again")

    monkeypatch.setattr("scoring.engine.score", refuse)
    monkeypatch.setattr("ui.data.score", refuse)
    seen = visit(snapshot_id)
    assert in_snapshot(seen)
    restored = seen.session_state["_dataset"].results
    for name in ("branches", "indicators", "standards", "rules", "flags"):
        assert getattr(restored, name).equals(getattr(frozen, name))


def test_the_branch_and_language_come_back_too(store):
    data = sample_dataset()
    branch = str(data.results.branches["branch_id"].iloc[5])
    at = open_app("branch", branch=branch, lang="en")
    share(at)
    snapshot_id, _ = links(at)
    seen = visit(snapshot_id)
    seen.run()
    assert seen.title[0].value == "Branch"
    assert seen.selectbox(key="br_pick").value == branch
    assert any(i.proto.title == TEXT["snap.banner_title"][1] for i in seen.info)


def test_access_code(store):
    at = open_app()
    share(at, code="Ab12x")
    assert any(TEXT["share.with_code"][0] in c.value for c in at.sidebar.caption)
    snapshot_id, _ = links(at)
    seen = visit(snapshot_id)
    assert any(i.value == LOCKED for i in seen.info)
    assert not seen.metric and not seen.dataframe
    refused(enter_code(seen, "ab12x"))  # codes are case-sensitive
    enter_code(seen, " Ab12x ")
    assert in_snapshot(seen)


def test_a_bad_access_code_is_refused_at_creation(store, service):
    at = share(open_app(), code="ab")
    assert [e.value for e in at.sidebar.error] == [TEXT["share.bad_code"][0]]
    assert service.list() == []


@pytest.mark.parametrize("bad", MALFORMED, ids=lambda s: s[:20])
def test_malformed_ids_get_the_uniform_message(store, bad):
    refused(visit(bad))


def test_unknown_ids_look_like_coded_ones_then_get_the_uniform_message(store):
    seen = visit("A" * 24)
    assert any(i.value == LOCKED for i in seen.info)
    refused(enter_code(seen, "1234"))
    refused(enter_code(seen, ""))


def test_expired_snapshots_get_the_uniform_message(store, service):
    data = sample_dataset()
    past = datetime.now(UTC) - timedelta(days=8)
    created = service.create(dataset_to_payload(data, ViewState()), title="过期", expires_in_days=7,
                             metadata=snapshot_metadata(data, ViewState(), past), now=past)
    seen = visit(created.id)
    assert not in_snapshot(seen)
    refused(enter_code(seen, ""))


def test_too_many_wrong_codes_are_rate_limited(store):
    seen = visit("B" * 24)
    for _ in range(5):
        enter_code(seen, "0000")
    enter_code(seen, "0000")
    assert [e.value for e in seen.error] == [TEXT["snap.rate_limited"][0].format(minutes=10)]


def test_delete_link_asks_then_deletes(store):
    at = open_app()
    share(at)
    snapshot_id, token = links(at)
    assert token is not None
    wrong = visit(snapshot_id, delete="x" * 43)
    wrong.button(key="snap_delete_confirm").click().run()
    assert [e.value for e in wrong.error] == [TEXT["snap.delete_failed"][0]]
    assert in_snapshot(visit(snapshot_id))  # still there

    page = visit(snapshot_id, delete=token)
    assert [w.value for w in page.warning] == [TEXT["snap.delete_confirm"][0]]
    assert in_snapshot(visit(snapshot_id))  # visiting the delete link alone deletes nothing
    page.button(key="snap_delete_confirm").click().run()
    assert [s.value for s in page.success] == [TEXT["snap.deleted"][0]]
    gone = visit(snapshot_id)
    assert not in_snapshot(gone)
    refused(enter_code(gone, ""))


def test_the_creator_can_delete_from_the_banner(store):
    at = open_app()
    share(at)
    snapshot_id, token = links(at)
    seen = visit(snapshot_id)
    seen.text_input(key="snap_delete_token").input("nope")
    seen.button(key="snap_delete_go").click().run()
    assert TEXT["snap.delete_failed"][0] in [e.value for e in seen.error]
    assert in_snapshot(seen)
    seen.text_input(key="snap_delete_token").input(token)
    seen.button(key="snap_delete_go").click().run()
    no_errors(seen)
    assert not in_snapshot(seen)
    assert TEXT["snap.deleted"][0] in [s.value for s in seen.success]
    assert "snapshot" not in seen.query_params
    refused(enter_code(visit(snapshot_id), ""))


def test_taking_the_same_snapshot_twice_reuses_the_link(store, service):
    at = open_app(field="农村")
    share(at, title="同一个")
    first, token = links(at)
    assert token is not None
    at.run()  # an unrelated rerun mints nothing and keeps the links (and the one-time token) on screen
    assert links(at) == (first, token)
    assert len(service.list()) == 1
    share(at, title="同一个")
    again, no_token = links(at)
    assert again == first and no_token is None
    assert any(TEXT["share.reused"][0] == i.value for i in at.sidebar.info)
    assert len(service.list()) == 1
    at.multiselect(key="f_field").set_value(["城市社区"]).run()
    assert not at.sidebar.code  # links of another view are not shown for this one
    share(at, title="同一个")
    assert links(at)[0] != first
    share(at, title="同一个", expiry="30")
    assert len({m.id for m in service.list()}) == 3


def test_every_page_works_inside_a_snapshot(store):
    at = open_app()
    share(at)
    seen = visit(links(at)[0])
    for page in PAGES:
        go(seen, page)
        no_errors(seen)
        assert in_snapshot(seen), page
        assert seen.query_params["snapshot"] == links(at)[0]


def test_upload_and_custom_rubrics_are_read_only_inside_a_snapshot(store):
    raw, _ = files.messy_csv()
    at = open_app("upload")
    at.file_uploader(key="up_file").set_value(("messy.csv", raw, "text/csv")).run()
    at.button(key="up_use").click().run()
    share(at)
    seen = visit(links(at)[0])
    go(seen, "upload")
    assert not seen.get("file_uploader")
    assert TEXT["snap.read_only_upload"][0] in [i.value for i in seen.info]
    assert metric(seen, "拒收") == "3"  # the frozen validation report
    go(seen, "rubrics")
    assert not seen.get("file_uploader")
    assert TEXT["snap.read_only_rubrics"][0] in [i.value for i in seen.info]


def test_filters_can_be_explored_inside_a_snapshot(store):
    at = open_app()
    share(at)
    seen = visit(links(at)[0])
    everyone = metric(seen, "支部数")
    seen.multiselect(key="f_field").set_value(["农村"]).run()
    no_errors(seen)
    assert in_snapshot(seen) and metric(seen, "支部数") != everyone


def test_share_inside_a_snapshot_shows_its_own_link(store):
    at = open_app()
    share(at)
    snapshot_id = links(at)[0]
    seen = visit(snapshot_id)
    assert "share_submit" not in [b.key for b in seen.button]
    assert [c.value for c in seen.sidebar.code] == [f"/?snapshot={snapshot_id}"]


def test_leaving_returns_to_the_live_data(store):
    at = open_app()
    share(at)
    seen = visit(links(at)[0])
    seen.button(key="snap_leave").click().run()
    no_errors(seen)
    assert not in_snapshot(seen)
    assert "snapshot" not in seen.query_params
    assert seen.session_state["_dataset"] is None
    assert any("示例城市" in c.value for c in seen.sidebar.caption)


def test_a_snapshot_of_an_upload_keeps_the_uploaded_numbers(store):
    at = open_app("upload")
    at.file_uploader(key="up_file").set_value(("good.csv", files.good_csv(60), "text/csv")).run()
    at.button(key="up_use").click().run()
    before = kpis(at)
    share(at)
    seen = visit(links(at)[0])
    assert kpis(seen) == before
    assert metric(seen, "支部数") == "60"


def test_too_large_snapshots_get_a_clear_message(store, monkeypatch, service):
    monkeypatch.setenv("SNAPSHOT_MAX_BYTES", "1000")
    monkeypatch.setenv("SNAPSHOT_STORE_URL", store.replace("snapshots.sqlite3", "small.sqlite3"))
    at = share(open_app())
    (message,) = [e.value for e in at.sidebar.error]
    assert message.startswith("快照过大（压缩后 0.") and "上限 0.0 MB" in message
    assert not at.sidebar.code


def test_a_bad_size_limit_says_what_to_do_in_the_share_form(store, monkeypatch):
    monkeypatch.setenv("SNAPSHOT_MAX_BYTES", "abc")
    at = share(open_app())
    (message,) = [e.value for e in at.sidebar.error]
    assert "SNAPSHOT_MAX_BYTES" in message and "“abc”" in message and "重启" in message
    assert "暂时无法访问" not in message
    assert not at.sidebar.code


def test_a_damaged_stored_row_is_refused_as_damaged_not_a_traceback(store, service):
    import sqlite3

    from snapshots.errors import CORRUPT_MESSAGE

    created = service.create(dataset_to_payload(sample_dataset(), ViewState()), title="t")
    with sqlite3.connect(store.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE snapshots SET metadata = '{not json', created_at = 'yesterday' WHERE id = ?", (created.id,))
    at = visit(created.id)
    assert [e.value for e in at.error] == [CORRUPT_MESSAGE]
    assert not in_snapshot(at) and not at.metric


def test_links_use_the_configured_base_url(store, monkeypatch):
    monkeypatch.setenv("SNAPSHOT_BASE_URL", "https://dangjian.example.cn/kanban/")
    at = share(open_app())
    assert at.sidebar.code[0].value.startswith("https://dangjian.example.cn/kanban/?snapshot=")


def test_hostile_titles_stay_plain_text(store):
    at = share(open_app(), title=files.HOSTILE_NAMES[2])
    seen = visit(links(at)[0])
    assert in_snapshot(seen)
    assert_plain(seen)
