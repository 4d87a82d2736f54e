"""Option keys as the schema's own strings: the same value the adapters computed before."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mmed_ift.schemas import OPTION_KEYS
from mmed_ift.sources._answers import option_letter


def test_every_letter_in_either_case_is_the_schemas_string() -> None:
    for key in OPTION_KEYS:
        for written in (key, key.lower(), "".join([key.lower()])):
            assert option_letter(written) is key


@given(st.text(alphabet=st.sampled_from("aAbBhHiIzZ é\t") | st.characters(), max_size=4) | st.integers())
def test_any_key_gives_what_strip_and_upper_give(key: object) -> None:
    assert option_letter(key) == str(key).strip().upper()


def test_a_str_subclass_key_gives_a_plain_equal_string() -> None:
    class Key(str):
        pass

    assert option_letter(Key(" a ")) == "A"
    assert option_letter(Key("b")) == "B"


def test_headqa_keys_its_options_by_the_schemas_letters() -> None:
    from mmed_ift.sources.formats import letter_keys
    from mmed_ift.sources.headqa import _KEYS

    for count, keys in enumerate(_KEYS):
        assert keys == letter_keys(count)
        assert all(key is OPTION_KEYS[at] for at, key in enumerate(keys[: len(OPTION_KEYS)]))
