"""The shareable view survives the URL: state → query params → state, exactly, for any text."""

from urllib.parse import parse_qs, urlencode

from hypothesis import given
from hypothesis import strategies as st

from ui.model.view import LANGS, PAGES, Filters, ViewState, from_query_params, to_query_params, url_params

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
values = st.lists(text, max_size=4).map(tuple)
views = st.builds(
    ViewState,
    page=st.sampled_from(PAGES),
    lang=st.sampled_from(LANGS),
    filters=st.builds(Filters, period=st.none() | text, fields=values, districts=values, townships=values,
                      parents=values, grades=values),
    branch=st.none() | text,
    baseline=st.none() | text,
)


@given(views)
def test_round_trip(view):
    assert from_query_params(to_query_params(view)) == view


@given(views)
def test_round_trip_through_a_real_query_string(view):
    query = urlencode(to_query_params(view), doseq=True)
    assert from_query_params(parse_qs(query, keep_blank_values=True)) == view


def test_defaults_make_an_empty_query():
    assert to_query_params(ViewState()) == {}


def test_the_live_url_leaves_the_page_to_the_path():
    view = ViewState(page="ranking", filters=Filters(fields=("农村",)))
    assert url_params(view) == {"field": ["农村"]}


def test_bad_values_fall_back_to_defaults():
    view = from_query_params({"page": "nope", "lang": "fr", "unknown": "x", "grade": ["先进", "后进"]})
    assert view == ViewState(filters=Filters(grades=("先进", "后进")))


def test_a_single_value_and_a_list_mean_the_same():
    assert from_query_params({"field": "农村"}) == from_query_params({"field": ["农村"]})
