"""handlers.parsing.help: the list `/autoshares help` shows, each line's example matching the
command it stands under, without repeats."""

from __future__ import annotations

from collections import Counter

from handlers.parsing.help import COMMAND_HELP


def test_no_line_is_listed_twice() -> None:
    assert [pair for pair, n in Counter((h.command, h.example) for h in COMMAND_HELP).items() if n > 1] == []
    assert [d for d, n in Counter(h.description for h in COMMAND_HELP).items() if n > 1] == []


def test_each_example_is_an_instance_of_its_command() -> None:
    """The words of the command are the example's first words; a ``$placeholder`` stands for a
    ``$`` amount, and after ``…`` one of the alternatives named appears in the example."""
    for entry in COMMAND_HELP:
        fixed, _, alternatives = entry.command.partition(" … ")
        words = entry.example.split()
        for index, word in enumerate(fixed.split()):
            assert index < len(words), entry
            if word.startswith("$"):
                assert words[index].startswith("$"), entry
            else:
                assert words[index] == word, entry
        if alternatives:
            named = {a.strip() for a in alternatives.split("|")}
            assert named & set(words), entry


def test_every_slash_command_is_listed_by_itself_and_help_last_of_the_autoshares_ones() -> None:
    listed = [h.command for h in COMMAND_HELP]
    for command in ("/quote", "/order", "/fund buy", "/alert", "/watch", "/options", "/news", "/account"):
        assert command in listed, command
    autoshares = [c for c in listed if c.startswith("/autoshares")]
    assert autoshares[-1] == "/autoshares help"

