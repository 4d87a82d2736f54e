"""Items sharing one fields-set (the local engine's read) behave as items with their own."""

from __future__ import annotations

from mmed_ift.pipeline.compact import SharedFieldSets
from mmed_ift.schemas import MCQuestion


def item(index: int, **extra: str) -> MCQuestion:
    return MCQuestion(source="medqa", source_id=str(index), lang="en", split="train", question=f"Question {index}?",
                      options={"A": "yes", "B": "no"}, answer=["A"], **extra)  # fmt: skip


def test_equal_field_names_share_one_set_and_others_keep_theirs() -> None:
    shared = SharedFieldSets()
    first, second, other = shared(item(1)), shared(item(2)), shared(item(3, subject="cardiology"))
    assert first.model_fields_set is second.model_fields_set
    assert other.model_fields_set is not first.model_fields_set
    assert "subject" in other.model_fields_set and "subject" not in first.model_fields_set
    assert len(shared) == 2


def test_a_copy_with_updates_leaves_the_shared_set_alone() -> None:
    shared = SharedFieldSets()
    first, second = shared(item(1)), shared(item(2))
    before = set(first.model_fields_set)
    changed = second.model_copy(update={"subject": "renal"})
    assert "subject" in changed.model_fields_set
    assert first.model_fields_set == before and second.model_fields_set == before
    assert first.model_dump(exclude_unset=True) == item(1).model_dump(exclude_unset=True)
    assert first == item(1)


def test_equal_values_of_repeating_fields_become_one_object() -> None:
    shared = SharedFieldSets()
    subjects = ["".join(["renal"] * (1 + index % 2)) for index in range(4)]  # new strings, two values
    fresh = [item(index, exam="".join(["USM", "LE"]), subject=subject) for index, subject in enumerate(subjects)]
    kept = [shared(model.model_copy()) for model in fresh]
    assert kept[0].exam is kept[3].exam and kept[0].answer is kept[1].answer
    assert kept[0].subject is kept[2].subject and kept[1].subject is kept[3].subject
    assert kept[0].subject != kept[1].subject  # equal values only
    assert kept == fresh  # the same values: every model still equals its unshared self


def test_answer_lists_are_shared_by_content_only() -> None:
    shared = SharedFieldSets()
    one = shared(item(1))
    two = shared(MCQuestion(source="medqa", source_id="2", lang="en", split="train", question="Q?",
                            options={"A": "yes", "B": "no"}, answer=["A", "B"]))  # fmt: skip
    three = shared(item(3, exam="A"))  # a string equal to an answer key is not the answer list
    assert one.answer == ["A"] and two.answer == ["A", "B"] and three.answer is one.answer
    assert three.exam == "A" and isinstance(three.exam, str)


def test_fields_move_into_a_dict_with_the_same_keys_order_and_values() -> None:
    shared = SharedFieldSets()
    fresh = [item(index, subject="renal") for index in range(3)]
    before = [list(model.__dict__.items()) for model in fresh]
    kept = [shared(model) for model in fresh]
    assert [list(model.__dict__.items()) for model in kept] == before
    assert kept[0].model_dump_json() == item(0, subject="renal").model_dump_json()
    assert kept[1] == item(1, subject="renal") and kept[1] != kept[2]


def test_in_a_fresh_interpreter_the_fields_dict_shares_its_keys() -> None:
    # CPython stops sharing a class's keys for good once one instance's dict outgrows them (the
    # test session's other tests may have done that), so the build's case is a new process
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mmed_ift.pipeline.compact import SharedFieldSets\n"
        "from mmed_ift.schemas import MCQuestion\n"
        "made = MCQuestion(source='medqa', source_id='1', lang='en', split='train', question='Q?',"
        " options={'A': 'yes', 'B': 'no'}, answer=['A'])\n"
        "own = sys.getsizeof(made.__dict__)\n"
        "print(own, sys.getsizeof(SharedFieldSets()(made).__dict__))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    own, shared = map(int, done.stdout.split())
    assert shared < own * 0.7  # the values only: the keys live in the class's one table


def test_option_letters_become_the_schemas_strings_in_the_same_order() -> None:
    from mmed_ift.schemas import OPTION_KEYS

    letters = ["b".upper(), "a".upper()]  # new string objects, as an adapter upper-casing its keys makes them
    assert all(letter is not key for letter, key in zip(letters, ("B", "A"), strict=True))
    model = MCQuestion.model_construct(
        source="medqa", source_id="1", lang="en", split="train", question="Q?",
        options={letters[1]: "yes", letters[0]: "no"}, answer=["A"],
    )  # fmt: skip
    kept = SharedFieldSets()(model)
    assert list(kept.options.items()) == [("A", "yes"), ("B", "no")]
    assert [key is OPTION_KEYS[at] for at, key in enumerate(kept.options)] == [True, True]


def test_a_dict_of_other_keys_or_order_is_left_as_it_is() -> None:
    model = item(1)
    reordered = dict(reversed(list(model.__dict__.items())))
    object.__setattr__(model, "__dict__", reordered)
    kept = SharedFieldSets()(model)
    assert kept.__dict__ is reordered and list(kept.__dict__) == list(reversed(MCQuestion.model_fields))


def test_a_fields_set_iterating_in_another_order_still_shares_the_one_set() -> None:
    shared = SharedFieldSets()
    first = shared(item(1))
    second = item(2)
    reordered = set(reversed(list(second.model_fields_set)))  # equal names, built otherwise
    object.__setattr__(second, "__pydantic_fields_set__", reordered)
    assert shared(second).model_fields_set is first.model_fields_set
    assert len(shared) == 1


def test_option_keys_that_are_already_the_schemas_strings_keep_their_dict() -> None:
    model = item(1)
    options = model.options
    assert SharedFieldSets()(model).options is options
